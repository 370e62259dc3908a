"""A query tree (indexer/querytree.py) as the whoosh.query objects the Whoosh engine evaluates.

Exactly the objects indexer/query.py built before the tree existed: the same classes, clauses, boosts and
slops, so scores and rankings are unchanged (tests/test_whoosh_compile.py)."""

from __future__ import annotations

from whoosh import query as Q

from ... import querytree as T
from .weighting import AtLeast, DisMax


def to_whoosh(node: T.Node) -> Q.Query:
    """The whoosh query of a tree."""
    kind = type(node)
    if kind is T.Term:
        return Q.Term(node.field, node.text, boost=node.boost)  # type: ignore[union-attr]
    if kind is T.Or:
        return Q.Or([to_whoosh(c) for c in node.clauses], boost=node.boost)  # type: ignore[union-attr]
    if kind is T.And:
        return Q.And([to_whoosh(c) for c in node.clauses], boost=node.boost)  # type: ignore[union-attr]
    if kind is T.Phrase:
        return Q.Phrase(node.field, list(node.words), slop=node.slop, boost=node.boost)  # type: ignore[union-attr]
    if kind is T.DisMax:
        return DisMax([to_whoosh(c) for c in node.clauses], boost=node.boost,  # type: ignore[union-attr]
                      tiebreak=node.tiebreak)  # type: ignore[union-attr]
    if kind is T.MinMatch:
        return AtLeast([to_whoosh(c) for c in node.clauses], node.minimum, node.coord,  # type: ignore[union-attr]
                       boost=node.boost)  # type: ignore[union-attr]
    if kind is T.AndMaybe:
        return Q.AndMaybe(to_whoosh(node.required), to_whoosh(node.optional))  # type: ignore[union-attr]
    if kind is T.AndNot:
        return Q.AndNot(to_whoosh(node.positive), to_whoosh(node.negative))  # type: ignore[union-attr]
    if kind is T.Every:
        return Q.Every(boost=node.boost)  # type: ignore[union-attr]
    if kind is T.Null:
        return Q.NullQuery
    raise TypeError(f"not a query node: {node!r}")
