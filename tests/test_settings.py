"""Settings precedence: defaults, then the home's TOML (or --config / XUNCHA_CONFIG), then XUNCHA_*, then options."""

from __future__ import annotations

from pathlib import Path

import pytest

from xuncha.settings import Settings, load_settings


def _toml(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    (home / "xuncha.toml").write_text(text, encoding="utf-8")
    return home


def test_defaults() -> None:
    s = load_settings(environ={})
    assert s == Settings() and s.home == Path("xuncha-data")


def test_home_toml_then_env_then_options(tmp_path: Path) -> None:
    home = _toml(tmp_path / "a", "per_page = 7\nmax_query_chars = 50\nworkers = 3\n")
    s = load_settings(environ={"XUNCHA_MAX_QUERY_CHARS": "60"}, home=home, workers=1)
    assert (s.per_page, s.max_query_chars, s.workers) == (7, 60, 1)


def test_home_option_reads_that_homes_toml_not_xuncha_home(tmp_path: Path) -> None:
    env_home = _toml(tmp_path / "env", "per_page = 11\n")
    cli_home = _toml(tmp_path / "cli", "per_page = 33\n")
    s = load_settings(environ={"XUNCHA_HOME": str(env_home)}, home=cli_home)
    assert s.home == cli_home and s.per_page == 33
    assert load_settings(environ={"XUNCHA_HOME": str(env_home)}).per_page == 11


def test_explicit_config_wins_over_the_homes(tmp_path: Path) -> None:
    home = _toml(tmp_path / "h", "per_page = 5\n")
    other = tmp_path / "other.toml"
    other.write_text("per_page = 9\n", encoding="utf-8")
    assert load_settings(other, environ={}, home=home).per_page == 9
    assert load_settings(environ={"XUNCHA_CONFIG": str(other)}, home=home).per_page == 9


@pytest.mark.parametrize("text,needle", [("nope = 1\n", "unknown setting 'nope'"), ("per_page = 'x'\n", "per_page"),
                                         ("per_page = \n", "not valid TOML")])
def test_bad_files_name_the_file_and_setting(tmp_path: Path, text: str, needle: str) -> None:
    home = _toml(tmp_path / "h", text)
    with pytest.raises(ValueError, match="xuncha.toml") as exc:
        load_settings(environ={}, home=home)
    assert needle in str(exc.value)


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ValueError, match="XUNCHA_WORKERS"):
        load_settings(environ={"XUNCHA_WORKERS": "many"})


def test_option_objects_carry_only_what_each_library_uses(tmp_path: Path) -> None:
    s = load_settings(environ={}, home=tmp_path, pdf_timeout_s=5, max_file_mb=3, workers=2, max_query_chars=40)
    assert s.ingest_options().originals_dir == tmp_path / "originals" and s.ingest_options().max_file_mb == 3
    assert s.ingest_options().extract.timeout_s == 5
    assert (s.index_options().root, s.index_options().worker_count) == (tmp_path / "index", 2)
    assert (s.search_options().index_root, s.search_options().max_query_chars) == (tmp_path / "index", 40)
