"""The ranker: Whoosh's BM25 (K1 1.2, B 0.75 per field; the cites and other key fields B 0) as a SphinxQL
expression over Sphinx's per-field factors.

Inside `sum(…)` a factor is one field's: `tf_idf` (Σ tf·idf of its matched keywords, each IDF scaled by the
keyword's ^boost), `hit_count` (Σ tf), `word_count` (keywords matched). A field is told by its `user_weight`
(the distinct `field_weights` below), which gives its real weight (title 1.5, body 1, context 0.4: the query
model's W_TITLE, W_BODY, W_CONTEXT) and its length (words + sub-words, the `*_len` attributes of
index_field_lengths) against the cluster's average (generations' stats). Per field, with tf the mean tf of its
matched keywords: tf_idf · W · (K1+1) / (tf + K1·(1 − B + B·len/avg)); Whoosh's idf is log(N/(n+1)) + 1, so
each hit also adds that 1 in Sphinx's scale: its `plain` IDF is log(N/n) / (2·log(N+1)) (measured: 违规 and
标准 on the sample, global_idf on; with global_idf searchd computes the normalized IDF, and the global_idf file's
counts make it the plain one: generations.write_idf), so 1 / (2·log(N+1)). Superseded versions × 0.6, as
weighting.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .config import KEY_FIELDS, TEXT_FIELDS

K1, B = 1.2, 0.75
SUPERSEDED_FACTOR = 0.6  # weighting.SUPERSEDED_FACTOR
# field → (user_weight that identifies it, its weight in the score); a sub-word field scores as its text field
WEIGHTS = {"title": (15, 1.5), "title_x": (14, 1.5), "body": (10, 1.0), "body_x": (11, 1.0),
           "context": (4, 0.4), "context_x": (5, 0.4), "cites": (1, 1.0), "reg_key": (2, 1.0),
           "article_num": (3, 1.0), "version": (6, 1.0)}
assert set(WEIGHTS) == {*TEXT_FIELDS, *(f"{f}_x" for f in TEXT_FIELDS), *KEY_FIELDS}


def field_weights() -> str:
    return ", ".join(f"{f}={uw}" for f, (uw, _) in WEIGHTS.items())


def _by_field(values: Mapping[int, str], default: str) -> str:
    out = default
    for uw, v in sorted(values.items(), reverse=True):
        out = f"if(user_weight=={uw},{v},{out})"
    return out


def idf_one(units: int) -> float:
    """Whoosh's idf offset (+1) in Sphinx's IDF scale, for a cluster of `units` units."""
    return 1.0 / (2.0 * math.log(units + 1)) if units > 0 else 0.0


def ranker(avg_lengths: Mapping[str, float], one: float = 0.0) -> str:
    """The OPTION ranker=expr(…) text for a generation's average field lengths and idf offset (idf_one)."""
    weight = _by_field({uw: f"{w:g}" for _, (uw, w) in WEIGHTS.items() if w != 1.0}, "1")
    ratio = {}
    for f in TEXT_FIELDS:
        avg = max(float(avg_lengths.get(f, 0.0)), 1e-3)
        norm = f"({1 - B:g}+{B:g}*({f}_len+{f}_x_len)/{avg:.4f})"
        ratio[WEIGHTS[f][0]] = ratio[WEIGHTS[f"{f}_x"][0]] = norm
    norm = _by_field(ratio, "1")
    idf = f"(tf_idf+{one:.6f}*hit_count)" if one else "tf_idf"
    per_field = f"{idf}*{weight}*{K1 + 1:g}/(hit_count/word_count+{K1:g}*{norm})"
    return f"expr('sum({per_field})*1000*if(superseded=1,{SUPERSEDED_FACTOR},1)')"
