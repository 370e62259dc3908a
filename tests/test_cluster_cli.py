"""`xuncha cluster up/status/down` and `--backend` (skipped without searchd: Debian sphinxsearch)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from tests.conftest import free_ports
from xuncha.cli import main


def test_backend_option_is_on_the_index_commands_and_checked() -> None:
    runner = CliRunner()
    for name in ("serve", "reindex", "search", "check"):
        assert "--backend" in runner.invoke(main, [name, "--help"]).output
    bad = runner.invoke(main, ["search", "--backend", "lucene", "x"])
    assert bad.exit_code == 2 and "lucene" in bad.output


def test_status_without_a_cluster_says_how_to_start_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = CliRunner().invoke(main, ["--home", str(tmp_path), "cluster", "status"])
    assert out.exit_code == 1 and "xuncha cluster up" in out.output


@pytest.mark.skipif(shutil.which("searchd") is None, reason="searchd not installed (Debian sphinxsearch)")
def test_up_status_down(tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    home = ["--home", str(tmp_path)]
    base = str(free_ports(4))
    up = runner.invoke(main, [*home, "cluster", "up", "--shards", "2", "--base-port", base])
    try:
        assert up.exit_code == 0, up.output
        assert up.output.count("shard ") == 2 and (tmp_path / "cluster" / "shard1" / "searchd.pid").is_file()
        status = runner.invoke(main, [*home, "cluster", "status", "--json"])
        rows = json.loads(status.output)
        assert status.exit_code == 0 and [r["up"] for r in rows] == [True, True]
        assert [r["port"] for r in rows] == [int(base), int(base) + 2] and all(r["documents"] == 0 for r in rows)
    finally:
        down = runner.invoke(main, [*home, "cluster", "down"])
    assert down.exit_code == 0 and "stopped 2 of 2" in down.output
    after = runner.invoke(main, [*home, "cluster", "status"])
    assert after.exit_code == 1 and after.output.count("down") == 2
