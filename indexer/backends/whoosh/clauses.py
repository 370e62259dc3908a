"""What the evaluation (docsets.py, dense.py) knows of a Whoosh query clause: whether it is a plain compound, the
key its unboosted scores are kept under in a search's memo, and the boost Whoosh applies to its scores."""

from __future__ import annotations

from typing import Any

from whoosh import query as Q

from .weighting import AtLeast, DisMax

# Or sums its clauses, And sums them where all match, the others take the best (Whoosh's DisMax as documented)
COMPOUND = (Q.Or, Q.And, Q.DisjunctionMax, DisMax)


def clause_key(q: Q.Query) -> Any:
    """What a clause's unboosted scores depend on (None: not kept)."""
    kind = type(q)
    if kind is Q.Term:
        return (kind, q.fieldname, q.text)
    if kind is Q.Phrase:
        return (kind, q.fieldname, tuple(q.words), q.slop)
    if kind in COMPOUND and len(q.subqueries) > 1:
        return (kind, tuple(q.subqueries), getattr(q, "minmatch", 0), getattr(q, "scale", None))
    return None


def boost_of(q: Q.Query) -> float:
    """The factor Whoosh applies to a clause's scores: its boost, except where its matcher ignores it
    (a one-clause compound gets its clause's matcher; binary queries push boosts into their clauses) or
    applies it itself (the query types Whoosh matches here)."""
    kind = type(q)
    if kind is Q.Term or kind is Q.Every and q.fieldname is None or kind is Q.Phrase and len(q.words) >= 2:
        return q.boost
    if kind is AtLeast:  # docsets.py sums and scales it, then applies its boost
        return q.boost
    if kind in COMPOUND and len(q.subqueries) > 1 and not getattr(q, "minmatch", 0) \
            and not getattr(q, "scale", None):
        return q.boost
    return 1.0
