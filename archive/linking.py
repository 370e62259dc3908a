"""Problem links (issue 30 §3): which problems are the same fault. Pure: problems in, scored pairs out.

A problem is read as its title (twice: it names the fault) and its text, as character bigrams weighted by
TF-IDF with the IDF taken over every problem the archive holds, so a word every finding uses (问题, 管理, 整改)
weighs little and 公函, 拆分, 私用 weigh much. Two problems are scored by the cosine of those vectors and of
their titles' alone; the fault-kind classifier (archive/faults.py, fitted on the same problems) is a gate: two
problems of different kinds are the same fault only at a far higher score, which is what keeps 会议 in
组织生活会 apart from 会议费超标 and 工程 in 安全生产 apart from 工程项目拆分发包. A shared citation adds a
little. Every pair keeps its reason: the shared specific terms, the citation both make, the kinds.

From the scored pairs (archive/pairlinks.py): *same round* (one problem in two reports of one round: its status
history), *recurring* (a later round's or 回头看's problem that is an earlier round's fault, within the unit; the
hint phrases 反弹/仍然/再次/整改不彻底 mark the link explicit), and (archive/clustering.py) *common* (average-link
clusters of the same fault across units, labelled by the phrase most of their members' titles share).
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import compress, repeat
from typing import Any

import numpy as np

from .cooccur import Packed, SoftCosine
from .faults import FALLBACK, Vector, cosine
from .linkfit import LinkFit, classify
from .linkfit import fit as fit_links
from .linktypes import Link, LinkOptions, LinkProblem, Pair, full_text
from .titles import FUNCTION_SET, broad_area, core_title, grams, phrases, states_fault

TEXT_WEIGHT = 0.8  # tune split, average precision of grade-2 pairs: 0.5 → 0.782, 0.8 → 0.809, 1.0 → 0.806
BROADER = 0.8  # share of a heading's title terms found in the narrower title (tune: 干部选拔任用不规范 has 5 of 6)
HEADING = 8  # a heading's title holds few terms (因私出国(境)管理不规范: 4); a full finding holds more
class Lazy(Mapping[str, Vector]):
    """A mapping over the keys of `keys` whose values are made when first read, then kept: a full relink reads
    every problem's vectors, an incremental one those of the few problems it pairs (cutting 14,000 problems into
    terms was a fifth of one new notice's link at 10× the archive)."""

    def __init__(self, keys: Mapping[str, object], make: Callable[[str], Any]) -> None:
        self._keys, self._make = keys, make
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._made[key]
        except KeyError:
            if key not in self._keys:
                raise
            value = self._made[key] = self._make(key)
            return value

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


BATCH = 128  # problems scored against their partners at once (Scorer._raw_pairs): 128 dense rows, 25 MB at 10×


class Scorer:
    """TF-IDF over the archive's problems plus the fault-kind gate; one instance per archive state."""

    def __init__(self, problems: Sequence[LinkProblem], options: LinkOptions = LinkOptions(),
                 fit: LinkFit | None = None, pack: bool = True) -> None:
        """Scores over `problems` with the archive-wide statistics of `fit` (archive/linkfit.py), fitted on these
        problems when None: a kept fit is what lets an incremental relink keep the other pairs' scores. Packed for
        scoring any pair unless `pack` is false (then `pack` the problems to be scored first)."""
        self.options = options
        self.problems = {p.id: p for p in problems}
        texts = {p.id: full_text(p) for p in problems}
        titles = {p.id: grams(core_title(p.title)) for p in problems}
        counts: Mapping[str, Mapping[str, int]]
        if fit is None:
            counts = {i: grams(t) for i, t in texts.items()}
            learn = options.related_weight and len(counts) >= options.related_min_problems
            fit = fit_links(counts, texts, options.related if learn else None)
        else:  # a kept fit: only the problems an incremental relink pairs are cut into terms (Lazy)
            counts = Lazy(texts, lambda i: grams(texts[i]))
        self.fit = fit
        self.idf = fit.idf()
        self._unseen = fit.unseen_idf()
        self.vectors: Mapping[str, Vector] = Lazy(texts, lambda i: self._vec(counts[i]))
        self.title_vectors: Mapping[str, Vector] = Lazy(titles, lambda i: self._vec(titles[i]))
        self.title_terms = {i: frozenset(c) for i, c in titles.items()}
        unknown = {i: t for i, t in texts.items() if i not in fit.kinds}
        known = classify(fit.faults, unknown) if unknown else {}
        self.kinds = {i: fit.kinds[i] if i in fit.kinds else known[i] for i in texts}
        self.soft_cosine = SoftCosine(self.vectors, fit.related, options.related_weight)
        self.related = self.soft_cosine.related
        self._states: dict[str, bool] = {}
        self._area: dict[str, int] = {}  # a broad finding's area length (0: not of that form)
        self._sorted: tuple[list[str], dict[str, int]] | None = None
        if pack:
            self.pack()

    def pack(self, ids: Iterable[str] | None = None) -> None:
        """Build the arrays `scores` and `scored` read, over the problems `ids` (all when None): a pair scored must be
        of two of them. An incremental relink packs the few problems it pairs, not the archive."""
        wanted = None if ids is None else set(ids)
        order = [i for i in self.vectors if wanted is None or i in wanted]  # one row number per problem everywhere
        vocab: dict[str, int] = {}
        for i in order:
            for t in (*self.vectors[i], *self.title_vectors[i]):
                vocab.setdefault(t, len(vocab))
        for t in list(vocab):  # and every term S·v can reach
            for u in self.related.get(t, ()):
                vocab.setdefault(u, len(vocab))
        self.soft_cosine.packed(vocab, order)
        self._titles = Packed({i: self.title_vectors[i] for i in order}, vocab)
        self._ids = order  # row number → id
        packed_row = {i: k for k, i in enumerate(order)}
        self._packed_of = np.fromiter((packed_row.get(i, -1) for i in self.sorted_ids), np.int64, len(self.vectors))
        self._cites = np.fromiter((bool(self.problems[i].cited) for i in order), bool, len(order))
        codes: dict[str, int] = {}
        self._kind_codes = np.fromiter((codes.setdefault(self.kinds[i], len(codes)) for i in order), np.int64, len(order))

    def soft(self, a: str, b: str) -> float:
        """The soft cosine of two problems' text vectors (archive/cooccur.py's SoftCosine)."""
        return self.soft_cosine(a, b)

    def _vec(self, counts: Mapping[str, int]) -> Vector:
        v = {t: (1 + math.log(c)) * self.idf.get(t, self._unseen) for t, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {t: x / norm for t, x in v.items()} if norm else {}

    def raw(self, a: str, b: str) -> tuple[float, float]:
        """(text similarity: soft cosine, title cosine) of two problems."""
        return self.soft(a, b), cosine(self.title_vectors[a], self.title_vectors[b])

    def score(self, a: str, b: str) -> float:
        """The pair's score: text cosine and title cosine weighed TEXT_WEIGHT : 1 - TEXT_WEIGHT (chosen on the
        tune split by average precision), plus a little for a citation both make."""
        return self.scores(a, [b])[0]

    def scores(self, a: str, others: Sequence[str]) -> list[float]:
        """`score` of `a` with each of `others`, in one pass over NumPy arrays (the relink scores every candidate
        pair: 1.9 M of them at 10× the archive)."""
        raw = self._raw_scores(a, self._titles.rows(others))
        return [round(x, 4) for x in raw.tolist()]

    def _raw_scores(self, a: str, rows: np.ndarray) -> np.ndarray:
        """The scores of `a` with the problems of row numbers `rows` (one row order for the text, S·text and title
        vectors), not yet rounded to the 4 decimals they are kept with."""
        return self._raw_pairs(np.full(len(rows), self._titles.row[a], np.int64), rows)

    def _raw_pairs(self, ra: np.ndarray, rb: np.ndarray) -> np.ndarray:
        """The unrounded scores of the pairs of row numbers (ra[k], rb[k]), ra grouped (each problem's pairs in one
        run): BATCH problems of ra at a time, each as a dense row, against all their partners in one gather (one
        problem at a time, the scoring spent most of its time on NumPy's cost per call: 22,000 problems at 10×)."""
        out = np.zeros(len(ra))
        if not len(ra):
            return out
        starts = np.concatenate(([0], np.flatnonzero(np.diff(ra)) + 1))  # the runs of one problem
        ends = np.append(starts[1:], len(ra))
        for s in range(0, len(starts), BATCH):
            lo, hi = int(starts[s]), int(ends[min(s + BATCH, len(starts)) - 1])
            ks = ra[starts[s:s + BATCH]]
            which = np.repeat(np.arange(len(ks)), ends[s:s + BATCH] - starts[s:s + BATCH])
            rows = rb[lo:hi]
            text = self.soft_cosine.batch(ks, which, rows)
            title = self._titles.batch_dots(self._titles.dense_rows(ks), which, rows)
            out[lo:hi] = TEXT_WEIGHT * text + (1 - TEXT_WEIGHT) * title
        # a citation both make: the few pairs of two problems that cite anything, set against set
        ids, problems, bonus, cites = self._ids, self.problems, self.options.cite_bonus, self._cites
        for k in np.flatnonzero(cites[ra] & cites[rb]).tolist():
            if set(problems[ids[int(ra[k])]].cited) & set(problems[ids[int(rb[k])]].cited):
                out[k] = out[k] + bonus
        return out

    def pair(self, a: str, b: str, score: float | None = None) -> Pair:
        """The pair scored, with its reason: the shared terms that weigh most, the kinds, the shared citations."""
        a, b = sorted((a, b))
        score = self.score(a, b) if score is None else score
        pa, pb = self.problems[a], self.problems[b]
        cites = sorted(set(pa.cited) & set(pb.cited))
        same_kind = self.kinds[a] == self.kinds[b]
        va, vb = self.vectors[a], self.vectors[b]
        shared = phrases(full_text(pa), {t: va[t] * vb[t] for t in va if t in vb})
        parts = [f"共同词：{'、'.join(shared)}" if shared else "无共同词"]
        # shown: related terms of the two titles (化整 ~ 拆分), not the fragments across words the texts also relate
        # (待超 ~ 由当), though those count in the score
        near = [(x, y) for x, y in self.related_pairs(a, b, 10)
                if not (set(x + y) & FUNCTION_SET) and x in pa.title and y in pb.title][:3]
        if near:
            parts.append("相关词：" + "、".join(f"{x}~{y}" for x, y in near))
        parts += [
                  f"问题类型：{self.kinds[a]}" if same_kind else f"问题类型不同：{self.kinds[a]}/{self.kinds[b]}"]
        if cites:
            parts.append("共同引用：" + "、".join(f"《{c}》" for c in cites))
        return Pair(a, b, score, same_kind, "；".join(parts))

    def related_pairs(self, a: str, b: str, top: int = 3) -> list[tuple[str, str]]:
        return self.soft_cosine.related_pairs(a, b, top)

    def broader(self, a: str, b: str) -> bool:
        """Whether one title is a heading over the other's fault: a short title (HEADING terms at most) whose terms
        (BROADER of them) are in the other title,
        which adds two or more (因私出国(境)管理不规范 over 因私出国(境)证照管理不规范; 干部选拔任用不规范 over …考察谈话人数不足).
        The judges grade such pairs related, not the same fault."""
        ta, tb = self.title_terms[a], self.title_terms[b]
        short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
        return 0 < len(short) <= HEADING and len(short & long) >= BROADER * len(short) and len(long - short) >= 2

    def states_fault(self, i: str) -> bool:
        if i not in self._states:
            self._states[i] = states_fault(self.problems[i].title)
        return self._states[i]

    def area(self, i: str) -> int:
        """The length of a broad finding's area (titles.broad_area; 0: not an area + a general verdict)."""
        if i not in self._area:
            self._area[i] = broad_area(self.problems[i].title)
        return self._area[i]

    def broad(self, i: str) -> bool:
        """An area and a general verdict, nothing more (公务接待管理不严格, 发展党员工作把关不严): a broad finding."""
        return 0 < self.area(i) <= self.options.broad_chars

    def passes(self, pair: Pair, threshold: float, within_unit: bool = False, cluster: bool = False,
               restated: bool = False) -> bool:
        """Whether a pair is a link at a threshold: different kinds must clear `other_kind` as well; a heading is
        no link to a fault under it, nor a broad finding (an area + a general verdict) to a specific one, unless
        the pair clears `other_kind` (the judges grade a broad finding and a specific one related, not the same).
        `restated`: a finding and its restatement in a later report of its round, where neither of the two gates
        applies (LinkOptions.same_round_gates)."""
        o = self.options
        return pair.score >= threshold and (pair.same_kind or pair.score >= o.other_kind) \
            and ((cluster and not o.broader_common) or restated or not self.broader(pair.a, pair.b)) \
            and (not o.headings or (self.states_fault(pair.a) and self.states_fault(pair.b))) \
            and (not o.broad_chars or (within_unit and o.broad_recurring) or restated
                 or self.broad(pair.a) == self.broad(pair.b) or pair.score >= o.other_kind)

    def joins(self, pair: Pair, threshold: float) -> bool:
        """Whether a pair counts in a common cluster at a threshold: it passes, and two findings of the catch-all
        kind (a unit's own business) clear the other_kind bar as well (LinkOptions.business_common)."""
        return self.passes(pair, threshold, cluster=True) and not (
            self.options.business_common and pair.same_kind and self.kinds[pair.a] == FALLBACK
            and pair.score < self.options.other_kind) and not (
            self.options.broad_common and pair.score < self.options.other_kind
            and 0 < self.area(pair.a) <= self.options.broad_common and 0 < self.area(pair.b) <= self.options.broad_common)

    def joining(self, pairs: Sequence[Pair], threshold: float) -> list[Pair]:
        """The pairs that `joins` at `threshold`, decided over arrays of the problems' gates (every kept pair of the
        archive is asked: 1.2 M at 10×); the heading gate, when on for clusters, pair by pair."""
        o = self.options
        if o.broader_common:
            return [p for p in pairs if self.joins(p, threshold)]
        ids = list(self.problems)
        row = {i: k for k, i in enumerate(ids)}
        n, m = len(ids), len(pairs)
        ra = np.fromiter((row[p.a] for p in pairs), np.int64, m)
        rb = np.fromiter((row[p.b] for p in pairs), np.int64, m)
        score = np.fromiter((p.score for p in pairs), np.float64, m)
        same = np.fromiter((p.same_kind for p in pairs), bool, m)
        high = score >= o.other_kind
        ok = (score >= threshold) & (same | high)
        if o.headings:
            states = np.fromiter((self.states_fault(i) for i in ids), bool, n)
            ok &= states[ra] & states[rb]
        area = np.fromiter((self.area(i) for i in ids), np.int64, n) if o.broad_chars or o.broad_common else None
        if o.broad_chars:
            broad = (area > 0) & (area <= o.broad_chars)
            ok &= (broad[ra] == broad[rb]) | high
        if o.business_common:
            fallback = np.fromiter((self.kinds[i] == FALLBACK for i in ids), bool, n)
            ok &= ~(same & fallback[ra] & ~high)
        if o.broad_common:
            small = (area > 0) & (area <= o.broad_common)
            ok &= ~(~high & small[ra] & small[rb])
        return [p for p, k in zip(pairs, ok.tolist()) if k]

    def candidates(self, new: Iterable[str], among: Iterable[str] | None = None) -> set[tuple[str, str]]:
        """Pairs (a < b) of a new problem and any other (of `among`, default all) whose titles share two terms or
        more, or that cite one regulation. The rule reads no weights: a notice added later gets exactly the pairs
        a full relink would give it, and the pairs of the others do not change. Within a unit every pair of its
        two rounds is a candidate besides (pairlinks.round_pairs): restated faults often share fewer terms."""
        ids = self.sorted_ids
        ra, rb = self.candidate_rows(new, among)
        return set(zip(map(ids.__getitem__, ra.tolist()), map(ids.__getitem__, rb.tolist())))

    @property
    def sorted_ids(self) -> list[str]:
        """The problems' ids sorted: the row numbers of `candidate_rows` and `rows_of` (a < b by number is a < b)."""
        return self._sorted_index()[0]

    def _sorted_index(self) -> tuple[list[str], dict[str, int]]:
        """sorted_ids, and each id's row number in it: made once (every pairing and scoring reads them)."""
        if self._sorted is None:
            ids = sorted(self.vectors)
            self._sorted = (ids, {i: k for k, i in enumerate(ids)})
        return self._sorted

    def rows_of(self, pairs: Iterable[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of ids as two arrays of sorted_ids row numbers (as given: not put in order)."""
        row = self._sorted_index()[1]
        flat = np.fromiter((row[x] for ab in pairs for x in ab), np.int64)
        return flat[0::2], flat[1::2]

    def candidate_rows(self, new: Iterable[str], among: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """`candidates` as two arrays of sorted_ids row numbers (ra < rb), each pair once: 3.5 M pairs at 10×
        the archive, too many to build as tuples of ids and map back to rows to score them."""
        ids, row = self._sorted_index()
        pool = np.zeros(len(ids), bool)
        pool[[row[i] for i in (self.vectors if among is None else among)]] = True
        postings: dict[str, list[int]] = defaultdict(list)
        for k, i in enumerate(ids):
            if pool[k]:
                for t in self.title_terms[i]:
                    postings[t].append(k)
                for c in self.problems[i].cited:
                    postings["《" + c].append(k)
        arrays = {t: np.asarray(v, np.int64) for t, v in postings.items()}
        new_rows = sorted({row[i] for i in new})
        is_new = np.zeros(len(ids), bool)
        is_new[new_rows] = True
        above = np.arange(len(ids))
        lows, highs = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
        for k in new_rows:
            i = ids[k]
            terms = [arrays[t] for t in self.title_terms[i] if t in arrays]
            shared = np.bincount(np.concatenate(terms), minlength=len(ids)) if terms else np.zeros(len(ids), np.int64)
            cites = [arrays["《" + c] for c in self.problems[i].cited if "《" + c in arrays]
            hit = shared >= 2
            if cites:
                hit[np.concatenate(cites)] = True
            hit[k] = False
            if pool[k]:  # a pair of two new problems of the pool once, from its lower one
                hit &= ~is_new | (above > k)
            js = np.flatnonzero(hit)
            lows.append(np.minimum(js, k))
            highs.append(np.maximum(js, k))
        return np.concatenate(lows), np.concatenate(highs)

    def paired(self, a: str, b: str) -> bool:
        """Whether two problems are a candidate pair by the rule of `candidates` (titles sharing two terms or more,
        or a regulation both cite)."""
        return len(self.title_terms[a] & self.title_terms[b]) >= 2 or bool(
            set(self.problems[a].cited) & set(self.problems[b].cited))

    @property
    def lowest_bar(self) -> float:
        """The lowest score any link or cluster needs (the gates only ever add to a bar): a pair below it is no
        link under these options, nor counts in a cluster, nor moves an alignment (mutual_best compares a link's
        score with its rivals' and no rival below the bar can beat one above it)."""
        o = self.options
        return min(o.same_round, o.recurring, o.recurring_explicit, o.common)

    @property
    def lowest_bar_across(self) -> float:
        """`lowest_bar` of a pair that is not of two rounds of one unit: no recurring link, so the recurring bars
        (the explicit one is low: 0.06) do not count; a same-round link or a cluster pair is all it can be."""
        o = self.options
        return min(o.same_round, o.common)

    def scored(self, pairs: Iterable[tuple[str, str]], floor: float | None = None) -> list[Pair]:
        """The pairs scored: all of them (which are links depends on thresholds alone: the evaluation sweeps them),
        or those scoring `floor` or more (the relink passes lowest_bar: the others can be nothing under its
        options, and a Pair each for 1.9 M pairs is most of the relink's memory)."""
        return self.scored_rows(*self.rows_of(pairs), floor=floor)

    def scored_rows(self, ra: np.ndarray, rb: np.ndarray, floor: float | np.ndarray | None = None) -> list[Pair]:
        """`scored` of pairs given as sorted_ids row numbers (candidate_rows), every problem of them packed, in
        order of (a, b); `floor` may be one per pair."""
        ids = self._ids
        # sorted_ids rows order the pairs by id: a < b within each, and the pairs by (a, b)
        ra, rb = np.minimum(ra, rb), np.maximum(ra, rb)
        order = np.lexsort((rb, ra))
        ra, rb = self._packed_of[ra[order]], self._packed_of[rb[order]]
        if len(ra) and min(int(ra.min()), int(rb.min())) < 0:
            raise ValueError("a pair of a problem not packed for scoring (Scorer.pack)")
        raw = self._raw_pairs(ra, rb)
        if floor is None:
            keep = np.arange(len(raw))
        else:  # only those that can reach the floor are rounded, in Python (correctly rounded, as `scores`)
            floor = np.asarray(floor, np.float64)[order] if np.ndim(floor) else floor  # one per pair, in their order
            keep = np.flatnonzero(raw >= floor - 1e-4)
        same = (self._kind_codes[ra[keep]] == self._kind_codes[rb[keep]]).tolist()
        scores = [round(x, 4) for x in raw[keep].tolist()]
        a_ids = map(ids.__getitem__, ra[keep].tolist())
        b_ids = map(ids.__getitem__, rb[keep].tolist())
        if floor is not None:  # the rounded score at the floor or above
            ok = (np.asarray(scores) >= (floor[keep] if np.ndim(floor) else floor)).tolist()
            a_ids, b_ids, scores, same = (compress(x, ok) for x in (a_ids, b_ids, scores, same))
        return list(map(Pair, a_ids, b_ids, scores, same, repeat("")))

    def explained(self, link: Link) -> Link:
        """A link with the reason of its pair (built for the links alone, not for every pair kept)."""
        return dataclasses.replace(link, reason=self.pair(link.a, link.b, link.score).reason + link.reason)
