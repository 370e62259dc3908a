"""The layout families of issue 12 on fictional samples (tests/fixtures/notices): every field asserted exactly.

Each sample <name>.txt has <name>.expected.json beside it: title, publisher, date, warnings, progress, and the
tree of categories → problems (→ sub-problems) → measures with statuses, deadlines and citations.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from archive.models import Notice, Problem
from archive.normalize import normalize
from archive.notice import parse_notice

FIXTURES = Path(__file__).parent / "fixtures" / "notices"
TEXT_SAMPLES = sorted(p.name for p in FIXTURES.glob("*.txt"))


def problem_shape(p: Problem) -> dict:
    out: dict = {"number": p.number, "title": p.title, "status": p.status.value if p.status else None,
                 "deadline": p.deadline, "measures": [m.text for m in p.measures]}
    if p.responsible:
        out["responsible"] = p.responsible
    if p.subproblems:
        out["subproblems"] = [problem_shape(s) for s in p.subproblems]
    return out


def shape(n: Notice) -> dict:
    """Everything a sample's expectations pin, as plain JSON."""
    return {
        "title": n.title, "publisher": n.publisher, "published": n.published, "warnings": list(n.warnings),
        "citations": [c.title + (c.article or "") for c in n.citations],
        "progress": {k: v for k, v in asdict(n.progress).items() if v is not None},
        "categories": [{"section": c.section, "number": c.number, "title": c.title,
                        "problems": [problem_shape(p) for p in c.problems]} for c in n.categories],
    }


def expected(name: str) -> dict:
    return json.loads((FIXTURES / name).with_suffix(".expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", TEXT_SAMPLES)
def test_text_sample(name: str) -> None:
    text = normalize((FIXTURES / name).read_text(encoding="utf-8"))
    assert shape(parse_notice(text)) == expected(name)


def test_there_are_two_samples_of_every_family() -> None:
    families = [name.split("-")[0] for name in sorted(p.name for p in FIXTURES.iterdir()
                                                       if not p.name.endswith(".expected.json"))]
    assert {f: families.count(f) for f in sorted(set(families))} == {
        "f1": 2, "f2": 2, "f3": 2, "f4": 2, "f5": 2, "f6": 3, "f7": 2, "f8": 2, "unrecognised.txt": 1}
