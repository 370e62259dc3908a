"""The Whoosh engine's compilation of query trees: the very whoosh.query objects build_query made before trees."""

from whoosh import query as Q

from indexer import querytree as T
from indexer.backends.whoosh.compile import to_whoosh
from indexer.backends.whoosh.weighting import DisMax
from indexer.query import build_query


def test_each_node_compiles_to_its_whoosh_query() -> None:
    tree = T.AndNot(T.Or((T.And((T.Term("title", "采购", 1.5), T.Term("article_num", 26)), boost=40.0),
                          T.AndMaybe(T.Phrase("body", ("政府", "采购"), slop=3, boost=2.0),
                                     T.DisMax((T.Term("body", "招标"), T.Every()), boost=0.7)))),
                    T.Or((T.Term("body", "工程"),)))
    want = Q.AndNot(Q.Or([Q.And([Q.Term("title", "采购", boost=1.5), Q.Term("article_num", 26)], boost=40.0),
                          Q.AndMaybe(Q.Phrase("body", ["政府", "采购"], slop=3, boost=2.0),
                                     DisMax([Q.Term("body", "招标"), Q.Every()], boost=0.7))]),
                    Q.Or([Q.Term("body", "工程")]))
    got = to_whoosh(tree)
    assert got == want and repr(got) == repr(want)
    assert type(to_whoosh(T.DisMax((T.Term("body", "a"),)))) is DisMax  # not Whoosh's own (weighting.py)
    assert to_whoosh(T.NULL) is Q.NullQuery


def test_built_queries_compile_with_their_boosts_and_slops() -> None:
    built = build_query("三会一课 -形式", synonyms={"三会一课": ("支部党员大会 支部委员会 党小组会 党课",)})
    strict = to_whoosh(built.strict)
    assert isinstance(strict, Q.AndNot)
    found = [q for q in strict.leaves() if isinstance(q, Q.Term)]
    assert {q.text for q in found} >= {"三会一课", "党课", "形式"}
    assert any(isinstance(q, DisMax) and q.boost == 0.7 for q in _walk(strict))


def _walk(q):  # type: ignore[no-untyped-def]
    yield q
    for child in q.children():
        yield from _walk(child)
