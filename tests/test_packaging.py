"""The install contract: what the code imports is declared, and the lock pins all of it (issue 29)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    # PEP 503 normalisation: the lock (pip-compile) writes lxml-html-clean for lxml_html_clean
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.\-]+", requirement).group(0)).lower()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


def test_lxml_html_clean_is_declared_not_left_to_an_extra() -> None:
    # jusText asks for lxml[html-clean]; pip 23 matches no extra of that spelling and installs nothing
    assert "lxml-html-clean" in {_name(r) for r in _project()["dependencies"]}


def test_the_lock_pins_every_declared_dependency_and_test_extra() -> None:
    project, pins = _project(), _locked()
    declared = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    missing = [r for r in declared if _name(r) not in pins]
    assert not missing, f"requirements.lock lacks {missing}: run `make lock`"
    assert all(re.fullmatch(r"[0-9][0-9A-Za-z.+!]*", v) for v in pins.values()), "every lock line is an exact pin"


def test_make_installs_from_the_lock_and_ci_runs_the_newcomer_check() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-r requirements.lock" in makefile and "--no-deps -e ." in makefile
    assert "--upgrade pip" not in makefile  # the stock pip must be enough
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.index("make newcomer") < ci.index("make test")
