"""A backend-neutral query tree (indexer/querytree.py) → a SphinxQL MATCH() expression.

Text terms become words limited to their field (`@title 公车`), a word asked in title, body and context
alike (the query model's usual clause) one word over the three (`@(title,body,context) 公车`, the field
weights of the ranker standing for the per-field boosts), other boosts the keyword IDF boost `word^1.5`;
Phrase → "a b" (slop 1), or with slop N the ordered phrases "a b" | "a * b" | … (N−1 placeholders at most;
unordered "a b"~N past MAX_ORDERED alternatives); Or and DisMax → `|` (Sphinx sums, it has no max); And → space;
AndMaybe → MAYBE; AndNot → `-( … )`; exact keys (cites, reg_key, article_num, version) → their hashed token
(rows.key_token). Every → no MATCH at all (the caller omits it); Null → None (nothing matches).

MinMatch(clauses, k) (minimum_should_match) matches exactly the units Whoosh's AtLeast does, so that totals and
facets agree and the first phase's window holds only qualifying units:
- the clauses that are one keyword over one field list (the most common list; each word once), Q, are counted by
  Sphinx's quorum operator `@(fields) "w1 w2 … wm"/q` ("Quorum matching operator": the documents holding at least
  q of the m words; at most 255 keywords; Sphinx 2.2.11 reference, "Extended query syntax"; the same text in
  Manticore's docs/searching/extended_query_syntax.rst). Checked against searchd 2.2.11 on the sample: with a
  field list and keyword boosts it counts as the ANDs below; a repeated keyword counts once per entry (`"a a b"/2`
  matches a unit holding a alone), hence each word once;
- the other clauses, G (a word with its sub-words, synonyms, phrases): a unit holds k clauses when, for some j,
  it holds j of G and k − j of Q's words, so the OR over j of (each j of G ANDed, and Q's quorum /k−j); all
  clauses in Q: the quorum alone; none: the OR of the ANDs of every k clauses (k = 1: the OR, k = n: the AND);
- while those ANDs hold at most MAX_CLAUSES clauses in all: past it, the OR, as for an Or (9 groups, 4 of them:
  126 ANDs, 504 clauses, 67 kB of MATCH, about 1 s on the sample's searchd against Whoosh's 15 ms, and past the
  0.8 s query bound at times). The second phase (indexer/rescore.py) then still keeps only the window's units
  holding the minimum, but Sphinx's total and facets count the OR's units, more than Whoosh's.
"""

from __future__ import annotations

from itertools import combinations, product

from ...querytree import And, AndMaybe, AndNot, DisMax, Every, MinMatch, Node, Null, Or, Phrase, Term
from .config import KEY_FIELDS, TEXT_FIELDS
from .rows import key_token, word_pieces

MAX_ORDERED = 27  # a phrase with slop as an OR of at most this many exact phrases (else Sphinx's unordered ~N)
MAX_CLAUSES = 64  # a MinMatch's ANDs hold at most this many clauses in all (else the OR: see the docstring)
QUORUM_WORDS = 255  # Sphinx's quorum operator takes at most this many keywords
FIELD_WEIGHTS = {"title": 15, "body": 10, "context": 4}  # ×10 of the query model's W_TITLE, W_BODY, W_CONTEXT
_BASE = {f: w / FIELD_WEIGHTS["body"] for f, w in FIELD_WEIGHTS.items()}


class Unsupported(ValueError):
    """A node this compiler cannot express (a facet-field term inside a text query: use filters)."""


def _boost(b: float) -> str:
    return "" if abs(b - 1.0) < 1e-9 else f"^{b:.3g}"


def _fields(names: list[str]) -> str:
    """A word in these text fields: in their words or their sub-words (config.SUB_FIELDS)."""
    return "(" + ",".join(n for f in names for n in ((f, f"{f}_x") if f in TEXT_FIELDS else (f,))) + ")"


def _word(fields: str, word: str, boost: float) -> str | None:
    pieces = word_pieces(word)
    if not pieces:
        return None
    if len(pieces) == 1:
        return f"(@{fields} {pieces[0]}{_boost(boost)})"
    return f'(@{fields} "{" ".join(pieces)}")'


def _same_word(node: Or) -> tuple[str, str, float] | None:
    """An Or of one word's Terms over text fields with the standard boosts × b: (fields, word, b)."""
    if not node.clauses or not all(isinstance(c, Term) and c.field in TEXT_FIELDS for c in node.clauses):
        return None
    words = {c.text for c in node.clauses}  # type: ignore[union-attr]
    if len(words) != 1:
        return None
    ratios = {c.boost / _BASE[c.field] for c in node.clauses}  # type: ignore[union-attr]
    if max(ratios) - min(ratios) > 1e-6 * max(ratios):
        return None
    fields = [c.field for c in node.clauses]  # type: ignore[union-attr]
    return _fields(fields), str(next(iter(words))), next(iter(ratios)) * node.boost


def _keyword(node: Node, boost: float) -> tuple[str, str, float] | None:
    """A clause that is one keyword (one word piece) over text fields: (fields, keyword, its boost)."""
    if isinstance(node, Term) and node.field in TEXT_FIELDS:
        found: tuple[str, str, float] | None = (_fields([node.field]), str(node.text), node.boost / _BASE[node.field])
    elif isinstance(node, Or):
        found = _same_word(node)
    else:
        return None
    if found is None or len(pieces := word_pieces(found[1])) != 1:
        return None
    return found[0], pieces[0], found[2] * boost


def _or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _min_match(node: MinMatch, boost: float) -> str | None:
    """At least `minimum` of the clauses: quorum, the k-of-n ANDs or the OR (the module docstring)."""
    b = boost * node.boost
    compiled = [(c, compile_match(c, b)) for c in node.clauses]
    need = node.minimum - sum(p == "" for _, p in compiled)  # an Every clause always counts
    kept = [(c, p) for c, p in compiled if p]  # a Null clause never does
    if need <= 0:
        return ""
    if len(kept) < need:
        return None
    if need == 1:
        return _or([p for _, p in kept])
    # the clauses that are one keyword over the most common field list, each word once: one quorum counts them
    by_fields: dict[str, list[int]] = {}
    keywords = [_keyword(c, b) for c, _ in kept]
    for i, w in enumerate(keywords):
        if w is not None:
            by_fields.setdefault(w[0], []).append(i)
    counted: dict[str, int] = {}
    for i in max(by_fields.values(), key=len, default=[]):
        counted.setdefault(keywords[i][1], i)  # type: ignore[index]
    quorum = sorted(counted.values())[:QUORUM_WORDS] if len(counted) > 1 else []
    words = [keywords[i] for i in quorum]
    in_quorum = set(quorum)
    rest = [p for i, (_, p) in enumerate(kept) if i not in in_quorum]
    # a unit holds `need` clauses: j of the others (each j of them, ANDed) and need − j of the quorum's words
    terms: list[list[str]] = []
    for j in range(min(need, len(rest)) + 1):
        q = need - j
        if q > len(words):
            continue
        tail = [f'(@{words[0][0]} "{" ".join(f"{w}{_boost(x)}" for _, w, x in words)}"/{q})'] if q else []  # type: ignore[index]
        terms += [[*group, *tail] for group in combinations(rest, j)]
        if sum(map(len, terms)) > MAX_CLAUSES:  # past the bound: the OR (the second phase keeps the minimum)
            return _or([p for _, p in kept])
    return _or(["(" + " ".join(t) + ")" if len(t) > 1 else t[0] for t in terms])


def compile_match(node: Node, boost: float = 1.0) -> str | None:
    """The MATCH() text of a tree, '' for Every (match all), None for what matches nothing."""
    if isinstance(node, Null):
        return None
    if isinstance(node, Every):
        return ""
    if isinstance(node, Term):
        if node.field in KEY_FIELDS:
            return f"(@{node.field} {key_token(node.field, node.text)}{_boost(boost * node.boost)})"
        if node.field in TEXT_FIELDS:
            return _word(_fields([node.field]), str(node.text), boost * node.boost / _BASE[node.field])
        raise Unsupported(f"term on {node.field!r}: facet fields are filters (WHERE), not MATCH")
    if isinstance(node, Phrase):
        groups = [g for w in node.words if (g := word_pieces(w))]
        words = [p for g in groups for p in g]
        if not words:
            return None
        if len(words) == 1:
            return f"(@{node.field} {words[0]})"
        if node.slop > 1 and node.slop ** (len(groups) - 1) <= MAX_ORDERED:
            # ordered, each word 1..slop after the one before, as the tree means: the exact phrases with 0..slop-1
            # any-word placeholders (*) in each gap (Sphinx's own `"a b"~N` is unordered)
            alts = []
            for gaps in product(range(node.slop), repeat=len(groups) - 1):
                text = " ".join(groups[0])
                for gap, group in zip(gaps, groups[1:]):
                    text += " *" * gap + " " + " ".join(group)
                alts.append(f'"{text}"')
            return f"(@{node.field} ({' | '.join(alts)}))"
        near = f"~{node.slop + len(words) - 2}" if node.slop > 1 else ""
        return f'(@{node.field} "{" ".join(words)}"{near})'
    if isinstance(node, MinMatch):
        return _min_match(node, boost)
    if isinstance(node, (Or, DisMax)):
        if isinstance(node, Or) and (same := _same_word(node)) is not None:
            return _word(same[0], same[1], boost * same[2])
        parts = [p for c in node.clauses if (p := compile_match(c, boost * node.boost))]
        if any(compile_match(c) == "" for c in node.clauses):
            return ""
        return None if not parts else parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"
    if isinstance(node, And):
        parts = [compile_match(c, boost * node.boost) for c in node.clauses]
        if any(p is None for p in parts):
            return None
        kept = [p for p in parts if p]
        return "" if not kept else kept[0] if len(kept) == 1 else "(" + " ".join(kept) + ")"
    if isinstance(node, AndMaybe):
        req = compile_match(node.required, boost)
        opt = compile_match(node.optional, boost)
        return req if not opt or not req else f"({req} MAYBE {opt})"
    if isinstance(node, AndNot):
        pos = compile_match(node.positive, boost)
        neg = compile_match(node.negative)
        return pos if not neg or pos is None else f"({pos} -{neg})" if pos else None
    raise Unsupported(f"unknown query node {node!r}")
