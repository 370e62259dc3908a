"""Words related by co-occurrence, learned from the archive's own texts: normalised PMI (pure, no index).

Two words that keep appearing in the same texts (陪餐 and 工作餐; 化整为零 and 拆分 in the findings of
procurement split to dodge tendering) are related in this archive's own usage, whatever a dictionary says.
For every word of middling frequency the words whose normalised pointwise mutual information with it
reaches a floor are kept:

    npmi(a, b) = log(p(a, b) / (p(a) p(b))) / -log p(a, b)       in [-1, 1]; 1: always together

counted over the distinct words of each text. The search's related-words table (indexer/related.py) mines
the index's tokens with it; problem linking (archive/linking.py) mines the problems' character bigrams, for
a soft cosine between problems that say one fault in other words.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class MineOptions:
    """Which words and pairs count: min_df texts per word, at most max_df_share of the texts, min_pair
    shared texts, per_word related words kept at npmi ≥ floor."""

    min_df: int = 5
    max_df_share: float = 0.02
    min_pair: int = 3
    per_word: int = 10
    floor: float = 0.2


def useful(word: str) -> bool:
    return len(word) > 1 and not any(ch.isdigit() for ch in word) and any("\u3400" <= ch <= "\u9fff" for ch in word)


def mine(texts: Iterable[Sequence[str]], options: MineOptions = MineOptions()) -> dict[str, tuple[tuple[str, float], ...]]:
    """word → its related words with their npmi (at least `options.floor`), best first."""
    texts = [set(t) for t in texts]
    ok = {w for w in set().union(*texts) if useful(w)} if texts else set()  # once a word, not once a text
    docs = [sorted(t & ok) for t in texts]
    docs = [d for d in docs if len(d) > 1]
    n = len(docs)
    if not n:
        return {}
    df: dict[str, int] = {}
    for d in docs:
        for w in d:
            df[w] = df.get(w, 0) + 1
    cap = max(options.min_df, options.max_df_share * n)
    vocab = sorted(w for w, f in df.items() if options.min_df <= f <= cap)
    ids = {w: i for i, w in enumerate(vocab)}
    rows = [np.array([ids[w] for w in d if w in ids], dtype=np.int32) for d in docs]
    rows = [r for r in rows if len(r) > 1]
    postings: list[list[int]] = [[] for _ in vocab]
    for j, r in enumerate(rows):
        for i in r.tolist():
            postings[i].append(j)
    freq = np.array([df[w] for w in vocab], dtype=np.float64)
    out: dict[str, tuple[tuple[str, float], ...]] = {}
    log_n = math.log(n)
    for i, docs_of in enumerate(postings):
        if not docs_of:
            continue
        together = np.bincount(np.concatenate([rows[j] for j in docs_of]), minlength=len(vocab))
        together[i] = 0
        cand = np.flatnonzero(together >= options.min_pair)
        if not len(cand):
            continue
        joint = together[cand].astype(np.float64)  # the candidates' counts only, not the vocabulary's
        # log p(a,b) - log p(a) - log p(b), over -log p(a,b); a pair in every text (joint = n) is npmi 1
        denom = np.maximum(log_n - np.log(joint), 1e-12)
        npmi = np.minimum((np.log(joint) + log_n - np.log(freq[i]) - np.log(freq[cand])) / denom, 1.0)
        keep = npmi >= options.floor
        if not keep.any():
            continue
        order = np.argsort(-npmi[keep], kind="stable")[: options.per_word]
        picked = cand[keep][order]
        out[vocab[i]] = tuple((vocab[k], round(float(v), 4)) for k, v in zip(picked.tolist(), npmi[keep][order].tolist()))
    return out


def symmetric(table: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, dict[str, float]]:
    """A mined table made symmetric (each pair at the larger npmi of its two directions): a term similarity."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for t, rows in table.items():
        for u, v in rows:
            out[t][u] = max(out[t].get(u, 0.0), v)
            out[u][t] = max(out[u].get(t, 0.0), v)
    return dict(out)


CHUNK = 256  # vectors expanded at once (SoftCosine.packed): a dense block of 256 × the vocabulary


class Packed:
    """Sparse vectors as one CSR matrix over one vocabulary (rows in the mapping's order): the dot products of a
    few dense rows with many rows in a few NumPy operations, with no Python loop over the rows (problems against
    all their candidate pairs at once: 3.6 M pairs at 10× the archive)."""

    def __init__(self, vectors: Mapping[str, Mapping[str, float]], vocab: Mapping[str, int]) -> None:
        self.size = len(vocab)
        self.row = {i: k for k, i in enumerate(vectors)}
        lens = np.fromiter((len(v) for v in vectors.values()), np.int64, len(vectors))
        self.indptr = np.concatenate(([0], np.cumsum(lens))).astype(np.int64)
        total = int(self.indptr[-1])
        self.indices = np.fromiter((vocab[t] for v in vectors.values() for t in v), np.int64, total)
        self.data = np.fromiter((x for v in vectors.values() for x in v.values()), np.float64, total)

    @classmethod
    def of_entries(cls, rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n: int, size: int,
                   row: Mapping[str, int]) -> Packed:
        """Packed from its entries, sorted by row (`row`: id → row number)."""
        out = cls.__new__(cls)
        out.size, out.row = size, dict(row)
        out.indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n)))).astype(np.int64)
        out.indices, out.data = cols.astype(np.int64), data
        return out

    def squares(self) -> np.ndarray:
        """Each row's sum of squares, summed in row order (as a sum over a vector's entries)."""
        out = np.zeros(len(self.indptr) - 1)
        np.add.at(out, np.repeat(np.arange(len(out)), np.diff(self.indptr)), self.data * self.data)
        return out

    def rows(self, ids: Sequence[str]) -> np.ndarray:
        return np.fromiter((self.row[j] for j in ids), np.int64, len(ids))

    def dense_rows(self, ks: np.ndarray) -> np.ndarray:
        """The rows of row numbers `ks` as one dense matrix, a row each."""
        out = np.zeros((len(ks), self.size))
        starts = self.indptr[ks]
        lens = self.indptr[ks + 1] - starts
        offs = self._offsets(starts, lens)
        out[np.repeat(np.arange(len(ks)), lens), self.indices[offs]] = self.data[offs]
        return out

    def batch_dots(self, dense: np.ndarray, which: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """dense[which[k]] · row rows[k] for each k: many problems against their candidates in one pass (a loop
        of one dense vector per problem spent most of a relink's scoring on NumPy's per-call cost)."""
        out = np.zeros(len(rows))
        starts = self.indptr[rows]
        lens = self.indptr[rows + 1] - starts
        total = int(lens.sum())
        if not total:
            return out
        offs = self._offsets(starts, lens)
        # one flat gather (row-major positions), not a two-axis fancy index: a third of the time
        prod = dense.ravel()[np.repeat(which * self.size, lens) + self.indices[offs]] * self.data[offs]
        keep = lens > 0
        ends = np.cumsum(lens)
        out[keep] = np.add.reduceat(prod, (ends - lens)[keep])  # each row one segment, as before: the same bits
        return out

    @staticmethod
    def _offsets(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """The positions of every row's entries, row after row: start + 0, 1, … len - 1."""
        ends = np.cumsum(lens)
        return np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - lens - starts, lens)


class SoftCosine:
    """Soft cosine (Sidorov et al. 2014) of unit-length sparse vectors: aᵀSb / √(aᵀSa · bᵀSb), the term
    similarity S being 1 on the diagonal and weight × npmi between related terms, so 拆分 in one finding meets
    化整 in another as far as the archive uses them together. With no related terms it is the plain cosine."""

    def __init__(self, vectors: Mapping[str, Mapping[str, float]], related: Mapping[str, Mapping[str, float]],
                 weight: float) -> None:
        self.vectors, self.related, self.weight = vectors, related, weight
        # each term's related terms with weight × npmi, multiplied once per term, not once per vector's term
        self._rows = {t: tuple((u, weight * npmi) for u, npmi in rel.items()) for t, rel in related.items()}
        # S·v and vᵀSv, computed once per vector when first asked: an incremental relink scores a few problems' pairs
        self._expanded: dict[str, Mapping[str, float]] = {}
        self._self_sim: dict[str, float] = {}

    def expanded(self, i: str) -> Mapping[str, float]:
        """S·v of vector `i`."""
        e = self._expanded.get(i)
        if e is None:
            e = self._expanded[i] = self._expand(self.vectors[i])
        return e

    def self_sim(self, i: str) -> float:
        """vᵀSv of vector `i`."""
        x = self._self_sim.get(i)
        if x is None:
            e = self.expanded(i)
            x = self._self_sim[i] = sum(y * e.get(t, 0.0) for t, y in self.vectors[i].items())
        return x

    def _expand(self, v: Mapping[str, float]) -> Mapping[str, float]:
        if not self.related:
            return v
        out = dict(v)
        get, rows = out.get, self._rows
        for t, x in v.items():
            for u, w in rows.get(t, ()):
                out[u] = get(u, 0.0) + w * x  # (weight × npmi) × x: the same product, to the last bit
        return out

    def packed(self, vocab: Mapping[str, int], ids: Sequence[str]) -> None:
        """Pack the vectors `ids` (and their S·v) over `vocab` (every term of the vectors and their related terms),
        rows in that order, for `batch`."""
        self._raw = raw = Packed({i: self.vectors[i] for i in ids}, vocab)
        if not self.related:
            self._packed_expanded, self._self_sims = raw, raw.squares()
            return
        # S as CSR over `vocab`: each term's related terms, weight × npmi (a vector's term has them all in `vocab`;
        # a term there only as another's related term is no vector's, and its row is never read)
        size = len(vocab)
        lens = np.zeros(size, np.int64)
        rows_of = {vocab[t]: [(vocab[u], w) for u, w in rel if u in vocab] for t, rel in self._rows.items() if t in vocab}
        for k, rel in rows_of.items():
            lens[k] = len(rel)
        indptr = np.concatenate(([0], np.cumsum(lens)))
        near = np.zeros(int(indptr[-1]), np.int64)
        weight = np.zeros(int(indptr[-1]))
        for k, rel in rows_of.items():
            if rel:
                at = int(indptr[k])
                near[at:at + len(rel)], weight[at:at + len(rel)] = zip(*rel)
        rows = np.repeat(np.arange(len(ids)), np.diff(raw.indptr))
        fan = lens[raw.indices]
        entry = np.repeat(np.arange(len(raw.indices)), fan)
        offs = Packed._offsets(indptr[raw.indices], fan)
        near_rows, near_terms, near_values = rows[entry], near[offs], weight[offs] * raw.data[entry]
        # S·v of every vector: its own entries, then for each of its terms in order each related term's weight ×
        # the entry, summed per (vector, term) in that order by np.add.at (unbuffered, in array order) as _expand
        # sums them (the same values to the last bit, with no Python loop over 24 M products at 10×), into a dense
        # block of CHUNK vectors at a time (sorting the products by vector and term cost more than the sums)
        self._self_sims = np.zeros(len(ids))
        block, seen = np.zeros(CHUNK * size), np.zeros(CHUNK * size, bool)
        cut_own = np.searchsorted(rows, np.arange(0, len(ids) + CHUNK, CHUNK))
        cut_near = np.searchsorted(near_rows, np.arange(0, len(ids) + CHUNK, CHUNK))
        parts: list[tuple[np.ndarray, np.ndarray]] = [(np.zeros(0, np.int64), np.zeros(0))]
        for c in range(len(cut_own) - 1):
            base = c * CHUNK * size
            own = slice(cut_own[c], cut_own[c + 1])
            more = slice(cut_near[c], cut_near[c + 1])
            own_keys = rows[own] * size + raw.indices[own] - base
            keys = np.concatenate((own_keys, near_rows[more] * size + near_terms[more] - base))
            np.add.at(block, keys, np.concatenate((raw.data[own], near_values[more])))
            seen[keys] = True
            # vᵀSv: v's entries times S·v at the same terms, summed in v's order (as `self_sim`)
            np.add.at(self._self_sims, rows[own], raw.data[own] * block[own_keys])
            filled = np.flatnonzero(seen)  # S·v's entries, in (vector, term) order
            parts.append((filled + base, block[filled]))
            block[filled], seen[filled] = 0.0, False
        at = np.concatenate([k for k, _ in parts])
        self._packed_expanded = Packed.of_entries(at // size, at % size, np.concatenate([v for _, v in parts]),
                                                  len(ids), size, {i: k for k, i in enumerate(ids)})

    def batch(self, ks: np.ndarray, which: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """After `packed`: the soft cosine (S·a)ᵀb / √(aᵀSa · bᵀSb) of packed row a = ks[which[k]] with packed row
        b = rows[k], for each k."""
        nums = self._raw.batch_dots(self._packed_expanded.dense_rows(ks), which, rows)
        dens = np.sqrt(self._self_sims[ks][which] * self._self_sims[rows])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(dens > 0, np.minimum(1.0, nums / np.where(dens > 0, dens, 1.0)), 0.0)

    def __call__(self, a: str, b: str) -> float:
        va = self.vectors[a]
        eb = self.expanded(b)
        num = sum(x * eb.get(t, 0.0) for t, x in va.items())
        den = math.sqrt(self.self_sim(a) * self.self_sim(b))
        return min(1.0, num / den) if den else 0.0

    def related_pairs(self, a: str, b: str, top: int = 3) -> list[tuple[str, str]]:
        """The related (not shared) terms that add most to the pair's similarity: (term of a, term of b)."""
        va, vb = self.vectors[a], self.vectors[b]
        gain = {(t, u): x * npmi * vb[u] for t, x in va.items() if t not in vb
                for u, npmi in self.related.get(t, {}).items() if u in vb and u not in va}
        out: list[tuple[str, str]] = []
        for (t, u) in sorted(gain, key=lambda k: (-gain[k], k)):
            if all(t != x and u != y for x, y in out):
                out.append((t, u))
            if len(out) == top:
                break
        return out
