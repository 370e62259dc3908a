"""What a problem link's score reads of the archive as a whole, fitted at a full relink and kept (issue 30 §6).

A pair's score weighs terms by their IDF over every problem, softens the cosine by the related terms mined from
the problems and gates it by the fault kinds fitted on them: three statistics of the archive as a whole. Fitted
again at every change, one new notice moves every score a little, and linking it means rescoring every pair of
the archive (3.5 M at 10×: the incremental relink cost what a full one did). So the fit is kept, as Lucene keeps
a segment's term statistics until a merge (its document frequencies count deleted documents until then): a
refresh that adds, changes or removes notices scores only their problems' pairs, with the kept fit, and every
other pair keeps its score; a full relink fits again, and one is due once the problems added, changed or removed
since the fit reach REFIT_SHARE of those it was fitted on. A term the fit never saw weighs as a term of no
problem would (df 0), and a new problem's kind is the kept model's nearest centroid.
"""

from __future__ import annotations

import dataclasses
import json
import math
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .cooccur import MineOptions, mine, symmetric
from .faults import FALLBACK, MIN_SIMILARITY, FaultModel, Vector, nearest_of

# a full relink is due when the problems changed since the fit reach this share of those fitted on. Measured on
# the judged link sets (benchmarks/quality/links/evaluate.py --fit-share): a fit on 90 % of the problems gives
# the figures of a fit on all of them to within one to three judged pairs (results.md, "A kept fit")
REFIT_SHARE = 0.1
FORMAT = 1  # of the stored body (dumps/loads)


@dataclass(frozen=True, slots=True, eq=False)
class LinkFit:
    """The archive-wide statistics of the link scores: the problems fitted on (their count and notices), each text
    term's document frequency, the related-term similarity (empty: plain cosine), the fault-kind model and each
    fitted problem's kind."""

    problems: int
    df: Mapping[str, int]
    related: Mapping[str, Mapping[str, float]]
    faults: FaultModel
    kinds: Mapping[str, str]
    basis: Mapping[str, str]  # notice id → content hash, of the notices fitted on

    def idf(self) -> dict[str, float]:
        n = max(1, self.problems)
        return {t: math.log((n + 1) / (k + 0.5)) for t, k in self.df.items()}

    def unseen_idf(self) -> float:
        """The IDF of a term no fitted problem used (df 0)."""
        return math.log((max(1, self.problems) + 1) / 0.5)

    def drift(self, problems_of: Mapping[str, int], hashes: Mapping[str, str]) -> float:
        """The problems added, changed or removed since the fit, as a share of those fitted on: `problems_of` is each
        notice's problem count now, `hashes` its content hash now."""
        kept = sum(k for d, k in problems_of.items() if self.basis.get(d) == hashes.get(d))
        new = sum(problems_of.values()) - kept
        return (new + max(0, self.problems - kept)) / max(1, self.problems)

    def current(self, doc_of: Mapping[str, str], hashes: Mapping[str, str]) -> LinkFit:
        """The fit with the kinds of problems whose notice changed since the fit dropped (they are classified
        again): `doc_of` is problem id → notice id now."""
        kinds = {i: k for i, k in self.kinds.items() if i in doc_of and self.basis.get(doc_of[i]) == hashes[doc_of[i]]}
        return dataclasses.replace(self, kinds=kinds)


def classify(model: FaultModel, texts: Mapping[str, str]) -> dict[str, str]:
    """Each text's fault kind: the nearest centroid of `model` (the centroids as one matrix, so classifying the
    archive is one product per problem, not a loop over kinds); FALLBACK below MIN_SIMILARITY."""
    return nearest(model, {i: model.vector(text) for i, text in texts.items()})


def nearest(model: FaultModel, vectors: Mapping[str, Vector]) -> dict[str, str]:
    """`classify` of texts given as the model's vectors of them."""
    hits = nearest_of(model.centroids, vectors.values())
    return {i: model.kinds[hit[0]].kind if hit is not None and hit[1] >= MIN_SIMILARITY else FALLBACK
            for i, hit in zip(vectors, hits)}


def fit(counts: Mapping[str, Counter[str]], texts: Mapping[str, str], related: MineOptions | None,
        basis: Mapping[str, str] | None = None) -> LinkFit:
    """Pure: the fit over problems given as their term counts and full texts (one id order), mining related
    terms with `related` (None: plain cosine)."""
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    similar = symmetric(mine((list(c) for c in counts.values()), related)) if related else {}
    model, vectors = FaultModel.fitted(list(texts.values()))
    return LinkFit(len(counts), dict(df), similar, model, nearest(model, dict(zip(texts, vectors))), dict(basis or {}))


def dumps(f: LinkFit) -> bytes:
    """The fit as stored: zlib-compressed JSON."""
    body = {"format": FORMAT, "problems": f.problems, "df": f.df, "related": f.related, "faults": f.faults.state(),
            "kinds": f.kinds, "basis": f.basis}
    return zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def loads(data: bytes) -> LinkFit:
    """A stored fit (ValueError when it is not one, is of another format or its fault-kind table changed)."""
    try:
        body = json.loads(zlib.decompress(data).decode("utf-8"))
        if body.get("format") != FORMAT:
            raise ValueError(f"format {body.get('format')!r}, not {FORMAT}")
        return LinkFit(int(body["problems"]), body["df"], body["related"], FaultModel.restored(body["faults"]),
                       body["kinds"], body["basis"])
    except (zlib.error, UnicodeDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a stored link fit ({exc})") from exc


__all__: Sequence[str] = ("LinkFit", "REFIT_SHARE", "classify", "fit", "dumps", "loads")
