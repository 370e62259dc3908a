"""The backend-neutral query tree: frozen, hashable, compared by value; walked; filters read back."""

import dataclasses

import pytest

from indexer import querytree as T


def test_nodes_are_frozen_and_equal_by_value() -> None:
    a = T.Or((T.Term("body", "公车"), T.Phrase("body", ("公车", "私用"), slop=3)), boost=2.0)
    b = T.Or((T.Term("body", "公车"), T.Phrase("body", ("公车", "私用"), slop=3)), boost=2.0)
    assert a == b and hash(a) == hash(b) and a != dataclasses.replace(a, boost=1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.boost = 3.0  # type: ignore[misc]
    assert {a: 1}[b] == 1  # usable as a memo key


def test_walk_children_and_terms() -> None:
    q = T.AndNot(T.AndMaybe(T.And((T.Term("title", "采购"), T.Term("body", "采购", 1.5))),
                            T.DisMax((T.Term("body", "招标"), T.Every()))), T.Term("body", "政府"))
    kinds = [type(n).__name__ for n in T.walk(q)]
    assert kinds == ["AndNot", "AndMaybe", "And", "Term", "Term", "DisMax", "Term", "Every", "Term"]
    assert T.terms(q) == {("title", "采购"), ("body", "采购"), ("body", "招标"), ("body", "政府")}
    assert T.children(T.NULL) == () and list(T.walk(T.NULL)) == [T.NULL]


def test_filters_read_back_as_fields_and_values() -> None:
    assert T.all_of(None) == {}
    assert T.all_of(T.Term("kind", "article")) == {"kind": "article"}
    assert T.all_of(T.And((T.Term("kind", "measure"), T.Term("year", "2020")))) == {"kind": "measure", "year": "2020"}
    with pytest.raises(ValueError, match="not a filter"):
        T.all_of(T.Or((T.Term("kind", "measure"),)))


def test_restrict_keeps_one_fields_terms_and_drops_what_empties() -> None:
    word = lambda w: T.Or((T.Term("title", w, 1.5), T.Term("body", w), T.Term("context", w, 0.4)))  # noqa: E731
    plain = T.AndNot(T.Or((word("公车"), word("私用"), T.Or((T.Term("title", "车改"),)))), T.Term("body", "出租车"))
    body = T.restrict(plain, frozenset({"body"}))
    assert body == T.AndNot(T.Or((T.Or((T.Term("body", "公车"),)), T.Or((T.Term("body", "私用"),)))),
                            T.Term("body", "出租车"))  # the title-only clause is gone; the negative stays whole
    assert T.restrict(T.Term("title", "车改"), frozenset({"body"})) is T.NULL
    # an And that loses a clause would ask less than the query: it is gone, not loosened
    assert T.restrict(T.And((T.Term("title", "公车"), T.Term("body", "私用"))), frozenset({"body"})) is T.NULL
    mm = T.MinMatch((word("公车"), word("私用"), word("审批")), minimum=2, coord=True)
    assert T.restrict(mm, frozenset({"body"})) == T.MinMatch(
        tuple(T.Or((T.Term("body", w),)) for w in ("公车", "私用", "审批")), minimum=2, coord=True)
