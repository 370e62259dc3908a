"""Property tests on synthetic notices (tests/notice_generator.py): whatever tree of categories → problems →
measures with statuses is drawn, and whichever markers and field labels render it, the parser recovers it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from archive.normalize import normalize
from archive.notice import parse_notice
from tests.notice_generator import GenNotice, notices, render


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(notices())
def test_the_tree_is_recovered(g: GenNotice) -> None:
    n = parse_notice(normalize(render(g)))
    assert not any(w.startswith("structure not recognised") for w in n.warnings)
    if g.style in ("paragraphs", "lines", "seed"):
        assert [c.title for c in n.categories] == [
            {"paragraphs": f"{a}方面", "lines": a, "seed": f"关于{a}方面的问题"}[g.style] for a, _ in g.categories]
    if g.style == "county":
        assert [len(c.problems) for c in n.categories] == [1] * len(g.categories)
        assert [c.problems[0].title for c in n.categories] == [f"关于“{a}工作有差距”问题" for a, _ in g.categories]
        got = [s for c in n.categories for s in c.problems[0].subproblems]
    else:
        assert [len(c.problems) for c in n.categories] == [len(ps) for _, ps in g.categories]
        got = [p for c in n.categories for p in c.problems]
    want = [p for _, ps in g.categories for p in ps]
    assert [f"{p.subject}{p.defect}" in q.title for p, q in zip(want, got)] == [True] * len(want)
    assert [len(q.measures) for q in got] == [len(p.measures) for p in want]
    assert [[m.text.rstrip("。；;") for m in q.measures] for q in got] == [
        [f"{k}.{m}" for k, m in enumerate(p.measures, 1)] if g.style == "lines" else [_marked(g, i, m) for i, m in enumerate(p.measures, 1)]
        for p in want]
    assert [q.status.value if q.status else None for q in got] == [p.status for p in want]
    assert not any(q.subproblems for q in got)
    text = normalize(render(g))
    assert all(q.text in text and all(m.text in text for m in q.measures) for q in got)


def _marked(g: GenNotice, i: int, text: str) -> str:
    from tests.notice_generator import _marker

    return f"{_marker(g.measure_marker, i)}{text}"
