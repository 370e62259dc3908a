"""What the cross-check's suggestions ask of Sphinx besides searches (indexer/backend.py, the end of the protocol):
filter trees as SphinxQL conditions, Whoosh's key terms over the cluster's statistics, the engine's format.

A suggestion searches within the articles in force (an AndNot of facet Terms: plain attribute filters) and within
a fault kind's governing rules: an Or over two fields, categories (an attribute) or regulations by short title
(`reg_key`, a full-text key field, not an attribute). That Or becomes a select expression the WHERE filters on,
`(IN(h_reg_category, …) OR IN(doc, …)) AS w_in … WHERE w_in=1`, the regulations' keys resolved to their
documents' `doc` keys first (one query, kept per generation by the backend)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ...kept import tag_of
from ...querytree import And, AndNot, Node, Or, Term
from .rows import text_value, value_key

DocumentsOf = Callable[[str, tuple[Any, ...]], list[int]]  # (key field, keys) → `doc` keys


def conditions(within: Node | None, documents_of: DocumentsOf) -> tuple[list[str], str]:
    """A filter tree → WHERE conditions, and the select expression they filter on ('' when none)."""
    if within is None:
        return [], ""
    conds: list[str] = []
    exprs: list[str] = []
    for clause in within.clauses if isinstance(within, And) else (within,):
        if isinstance(clause, Term):
            conds.append(f"h_{clause.field}={value_key(clause.text)}")
        elif isinstance(clause, AndNot) and isinstance(clause.negative, Term):
            inner, expr = conditions(clause.positive, documents_of)
            conds += inner + [f"h_{clause.negative.field}!={value_key(clause.negative.text)}"]
            exprs += [expr] if expr else []
        elif isinstance(clause, Or) and all(isinstance(c, Term) for c in clause.clauses):
            exprs.append(_any_of(clause, documents_of))
        elif isinstance(clause, And):
            inner, expr = conditions(clause, documents_of)
            conds += inner
            exprs += [expr] if expr else []
        else:
            raise ValueError(f"not a filter Sphinx can apply: {clause!r}")
    if not exprs:
        return conds, ""
    return conds + ["w_in=1"], f"({' AND '.join(exprs)}) AS w_in"


def _any_of(clause: Or, documents_of: DocumentsOf) -> str:
    by_field: dict[str, list[Any]] = {}
    for c in clause.clauses:
        by_field.setdefault(c.field, []).append(c.text)  # type: ignore[union-attr]
    parts = [f"IN(h_{f}, {', '.join(str(value_key(v)) for v in vs)})"
             for f, vs in sorted(by_field.items()) if f != "reg_key"]
    docs = documents_of("reg_key", tuple(by_field.get("reg_key", ())))
    if docs:
        parts.append(f"IN(doc, {', '.join(map(str, docs))})")
    return "(" + " OR ".join(parts) + ")" if parts else "0"


def key_terms(text: str, count: int, units: int, df: Callable[[str], int],
              cf: Mapping[str, int] | None) -> tuple[tuple[str, float], ...]:
    """Whoosh's key_terms_from_text (its Bo1 model, normalised): each word of `text` (its words and sub-words, as the
    field holds them) that the field holds, scored tf·log2((1+f)/f) + log2(1+f) with f its collection frequency over
    the `units` (the build's `cf`; its document frequency where the build kept none), best first, ties by word."""
    n = max(1, units)
    primary, extra = text_value(text)
    scored = []
    for w, c in Counter((primary + " " + extra).split()).items():
        d = df(w)
        if not d:
            continue  # not in the index: Whoosh leaves it out too
        f = (cf.get(w, d) if cf is not None else d) / n
        scored.append((c * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2), w))
    if not scored:
        return ()
    top = max(v for v, _ in scored)
    f = top / n
    norm = (top * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0)
    ranked = sorted(((v / norm, w) for v, w in scored), key=lambda x: (-x[0], x[1]))
    return tuple((w, v) for v, w in ranked[:count])


def format_version() -> str:
    """The code that writes the rows and ranks them: suggestions kept for one are recomputed for another."""
    from . import config, match, ranking, rows
    return "sphinx:" + tag_of(*(Path(str(m.__file__)) for m in (config, rows, match, ranking)))
