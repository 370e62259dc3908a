"""Related words learned from the archive itself: normalised PMI of words that share a unit.

Two words that keep appearing in the same articles, problems and measures (陪餐 and 工作餐, 兼职 and
取酬) are related in this archive's own usage, whatever a dictionary says. For every word of middling
frequency the words whose normalised pointwise mutual information with it reaches a floor are kept:

    npmi(a, b) = log(p(a, b) / (p(a) p(b))) / -log p(a, b)       in [-1, 1]; 1: always together

counted over the distinct words of each text (a unit's body, its title, its context; the mining itself is
archive/cooccur.py, which problem linking shares). A search may add
a query word's related words with weights below the word's own (`expansion`), as feedback adds the
words of its first results (indexer/feedback.py); both go through query.with_expansion.

Backend-neutral: words in (the index's own segmentation, read from the token store a build keeps),
a table out, written into the index generation as `related.tsv` (word, related word, npmi).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from archive import cooccur

FILE = "related.tsv"
RELATED_VERSION = "1"  # bump when the mining rules change


@dataclass(frozen=True, slots=True)
class RelatedOptions:
    """How related words are mined (min_df … per_word) and used (floor, weight, per_query_word)."""

    min_df: int = 5  # texts a word must be in to have (or be) a related word
    max_df_share: float = 0.02  # words in more of the texts are too common to say anything
    min_pair: int = 3  # texts a pair must share
    per_word: int = 10  # related words kept per word
    floor: float = 0.35  # npmi a related word must reach to be used
    weight: float = 0.1  # an added word's weight at npmi 1 (an original word weighs 1)
    per_query_word: int = 2  # related words added per query word
    rerank: bool = False  # only reorder the units the query finds (True) or let the words bring new ones


def mine(texts: Iterable[Sequence[str]], options: RelatedOptions = RelatedOptions(),
         mine_floor: float = 0.2) -> dict[str, tuple[tuple[str, float], ...]]:
    """word → its related words with their npmi (at least `mine_floor`), best first (archive/cooccur.py)."""
    return cooccur.mine(texts, cooccur.MineOptions(options.min_df, options.max_df_share, options.min_pair,
                                                   options.per_word, mine_floor))


def write(table: Mapping[str, Sequence[tuple[str, float]]], folder: Path) -> Path:
    """The table as `related.tsv` in the index generation's folder."""
    path = folder / FILE
    lines = (f"{w}\t{r}\t{v}\n" for w in sorted(table) for r, v in table[w])
    path.write_text("".join(lines), encoding="utf-8")
    return path


def load(path: Path) -> dict[str, tuple[tuple[str, float], ...]]:
    """A related.tsv back into word → ((related, npmi), …), best first; {} when there is none."""
    if not path.is_file():
        return {}
    table: dict[str, list[tuple[str, float]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            table.setdefault(parts[0], []).append((parts[1], float(parts[2])))
    return {w: tuple(sorted(v, key=lambda kv: -kv[1])) for w, v in table.items()}


def expansion(words: Sequence[str], table: Mapping[str, Sequence[tuple[str, float]]],
              options: RelatedOptions) -> tuple[tuple[str, float], ...]:
    """The related words of the query's words that reach the floor, weighted weight × npmi; words the
    query already has (or parts of them) are not added. Heaviest first, each word once."""
    original = [w for w in words if w]
    found: dict[str, float] = {}
    for w in original:
        for r, v in list(table.get(w, ()))[: options.per_query_word]:
            if v < options.floor or any(r in q or q in r for q in original):
                continue
            found[r] = max(found.get(r, 0.0), round(options.weight * v, 4))
    return tuple(sorted(found.items(), key=lambda kv: (-kv[1], kv[0])))
