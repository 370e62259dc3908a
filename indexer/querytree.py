"""A query as any backend reads it: small frozen nodes that indexer/query.py builds and each engine compiles.

The Whoosh backend compiles a tree to whoosh.query (indexer/backends/whoosh/compile.py); the Sphinx backend to a
SphinxQL MATCH expression. Nodes are hashable and compare by value, so a clause shared by a search's strict and
relaxed forms is recognised as the same clause (the Whoosh engine evaluates it once).

Scoring meaning (what each engine must reproduce, docs/scaling.md "Query features"):
- Term: a word (or an exact keyword: cites, reg_key, article_num, facet fields) in one field, scored BM25F
  times its boost;
- Phrase: the words in order in one field, each 1 to `slop` positions after the one before, scored as the And
  of its words times its boost;
- Or: the documents matching any clause, their clauses' scores summed; And: all clauses, summed;
- DisMax: any clause, the best clause's score (plus `tiebreak` times the others', 0 here);
- AndMaybe: the documents of `required`, plus the score of `optional` where it matches too;
- AndNot: the documents of `positive` that `negative` does not match, scored as `positive`;
- MinMatch: the documents matching at least `minimum` of its clauses (minimum_should_match, indexer/minmatch.py),
  their clauses' scores summed, × matched/len(clauses) with `coord` (Lucene's coordination factor), × boost;
- Every: every unit (scored its boost, 1); Null: nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    text: str | int
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Phrase:
    field: str
    words: tuple[str, ...]
    slop: int = 1  # 1: adjacent
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Or:
    clauses: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class And:
    clauses: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class DisMax:
    clauses: tuple[Node, ...]
    boost: float = 1.0
    tiebreak: float = 0.0


@dataclass(frozen=True, slots=True)
class MinMatch:
    clauses: tuple[Node, ...]
    minimum: int = 1  # clauses a document must match: held within 1 to len(clauses) (here, for every engine)
    coord: bool = False  # scores × the share of clauses matched
    boost: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "minimum", max(1, min(self.minimum, len(self.clauses))))


@dataclass(frozen=True, slots=True)
class AndMaybe:
    required: Node
    optional: Node


@dataclass(frozen=True, slots=True)
class AndNot:
    positive: Node
    negative: Node


@dataclass(frozen=True, slots=True)
class Every:
    boost: float = 1.0


@dataclass(frozen=True, slots=True)
class Null:
    """Matches nothing."""


NULL = Null()
Node = Term | Phrase | Or | And | DisMax | MinMatch | AndMaybe | AndNot | Every | Null
Compound = Or | And | DisMax | MinMatch


def children(node: Node) -> tuple[Node, ...]:
    """A node's direct clauses."""
    if isinstance(node, (Or, And, DisMax, MinMatch)):
        return node.clauses
    if isinstance(node, AndMaybe):
        return (node.required, node.optional)
    if isinstance(node, AndNot):
        return (node.positive, node.negative)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """The node and every node below it, depth first."""
    yield node
    for child in children(node):
        yield from walk(child)


def terms(node: Node) -> set[tuple[str, str | int]]:
    """(field, text) of every Term in the tree (phrases' words not included)."""
    return {(n.field, n.text) for n in walk(node) if isinstance(n, Term)}


def restrict(node: Node, fields: frozenset[str]) -> Node:
    """The tree with only the Terms and Phrases of `fields` (a compound left empty is Null, and drops out): the
    plain OR of a long query scored over the body alone, as stock's default parser does. An AndNot keeps its
    negative whole (what the query excludes, it excludes in every field)."""
    if isinstance(node, (Term, Phrase)):
        return node if node.field in fields else NULL
    if isinstance(node, AndNot):
        positive = restrict(node.positive, fields)
        return NULL if positive is NULL else AndNot(positive, node.negative)
    if isinstance(node, AndMaybe):
        required = restrict(node.required, fields)
        return NULL if required is NULL else AndMaybe(required, restrict(node.optional, fields))
    if isinstance(node, (Or, And, DisMax, MinMatch)):
        kept = tuple(c for c in (restrict(c, fields) for c in node.clauses) if c is not NULL)
        if not kept or (isinstance(node, And) and len(kept) < len(node.clauses)):
            return NULL  # an And missing a field's words would match more than the query asks
        return replace(node, clauses=kept)  # a MinMatch's minimum is held within its clauses again
    return node


def all_of(filters: Node | None) -> dict[str, str | int]:
    """A filter (an And of exact Terms, or one Term) as {field: value}; {} for None."""
    if filters is None:
        return {}
    if isinstance(filters, Term):
        return {filters.field: filters.text}
    if isinstance(filters, And) and all(isinstance(c, Term) for c in filters.clauses):
        return {c.field: c.text for c in filters.clauses}  # type: ignore[union-attr]
    raise ValueError(f"not a filter (an And of exact terms): {filters!r}")
