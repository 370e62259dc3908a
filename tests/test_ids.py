"""Unit ids are built and parsed in archive.ids only."""

from archive import ids


def test_round_trip() -> None:
    doc = ids.document_id("/archive/a.txt")
    assert len(doc) == 12 and doc == ids.document_id("/archive/a.txt") != ids.document_id("/archive/b.txt")
    p = ids.problem_id(doc, 5)
    m = ids.measure_id(p, 12)
    assert ids.parse_unit(m) == ids.UnitId(doc, "p", 5, 12)
    assert ids.problem_of(m) == ids.problem_of(p) == p
    assert ids.parse_unit(ids.article_id(doc, 3)) == ids.UnitId(doc, "a", 3)
    assert ids.problem_of(ids.article_id(doc, 3)) is None and ids.problem_of(ids.category_id(doc, 1)) is None


def test_not_unit_ids() -> None:
    for text in ("", "abc", "abc-x3", "abc-p", "abc-p3-m", "abc-p3-mx", "a b-p1"):
        assert ids.parse_unit(text) is None
