"""The kind of fault a measure rectifies (选人用人, 公务接待, 政府采购/招投标 …) and the rules that govern it.

The kinds, their seed descriptions and their governing bodies of rules are data (archive/data/fault_kinds.json,
each with its source). The classifier is fitted on the archive's own problems, not a keyword list per query:
character-bigram TF-IDF (IDF over every problem the archive holds), a seed vector per kind, then one round
of self-training — each problem joins the kind whose seed it is nearest, and a kind's centroid is its seed plus
the mean of its problems (Rocchio). A measure's kind is the centroid nearest its problem title, category,
measure text and cited titles. Character bigrams, not jieba words: this module is below the indexer and the
bigrams measured as well as words on the judged measures while needing no dictionary.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .citations import short_title
from .kinds import DocType
from .records import CategoryRecord, DocumentRecord, MeasureTopic, NoticeCitation
from .rulenames import PARTY_LEVEL


class Archive(Protocol):
    """What fitting and priors read of an archive (archive.database.Archive has it): typed by shape, so the
    record store, which links problems by this model, and the model do not import each other."""

    def state_of_type(self, doc_type: DocType) -> str: ...

    def documents_of_type(self, doc_type: DocType, limit: int | None = None) -> tuple[DocumentRecord, ...]: ...

    def notice_tree(self, doc_id: str) -> tuple[CategoryRecord, ...]: ...

    def notice_citations(self) -> tuple[NoticeCitation, ...]: ...


DATA = Path(__file__).with_name("data") / "fault_kinds.json"
PARTY_CATEGORY = PARTY_LEVEL  # the data file names Party rules by their 效力级别 (archive/rulenames.py)
FALLBACK = "专项业务"  # a unit's own line of work: no preset body of rules
MIN_SIMILARITY = 0.04  # below this nearest-centroid cosine the measure is FALLBACK
MEMO = 1024  # texts whose vectors (and topics whose kinds) a model keeps: a notice's candidate articles
SEED_WEIGHT = 1.0  # a seed's weight in its kind's centroid, beside the mean of the problems that joined it
_HAN = re.compile(r"[\u4e00-\u9fff]+")
# bigrams of how a finding is worded (针对…问题, 落实不到位, 管理不规范, 执行不严): they say how bad, not what about,
# and every kind's problems use them
FRAME = frozenset("针对 问题 落实 不到 到位 不规 规范 不严 严格 执行 制度 管理 不够 薄弱 存在 方面 工作 加强 进一 一步 "
                  "完善 健全 整改 要求 相关 开展 组织 学习 专题 召开 一是 二是 三是 四是 五是 已经 按照".split())

Vector = dict[str, float]


@dataclass(frozen=True, slots=True)
class FaultKind:
    """One kind of fault and the body of rules that governs it."""

    kind: str
    seed: str
    categories: tuple[str, ...]
    titles: tuple[str, ...]
    source: str

    def governs(self, category: str, title: str) -> bool:
        """Whether a regulation (its category and title) belongs to this kind's governing rules."""
        return category in self.categories or any(t in title for t in self.titles)

    def describe(self) -> str:
        """The governing rules in words: 党内法规；标题含 采购、招标投标 的法规."""
        parts = ["、".join(self.categories)] if self.categories else []
        if self.titles:
            parts.append("标题含" + "、".join(self.titles) + "的法规")
        return "；".join(parts)


@dataclass(frozen=True, slots=True)
class FaultGuess:
    """A measure's kind, how near it is (cosine to the kind's centroid) and the next-nearest kind."""

    kind: str
    similarity: float
    runner_up: str | None = None


def load_kinds(path: Path = DATA) -> tuple[FaultKind, ...]:
    """The kinds of archive/data/fault_kinds.json, with a clear error naming the file when it is malformed."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return tuple(FaultKind(k["kind"], k["seed"], tuple(k["categories"]), tuple(k["titles"]), k["source"])
                     for k in raw["kinds"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a fault-kind table ({exc})") from exc


@lru_cache(maxsize=1)
def kinds() -> tuple[FaultKind, ...]:
    return load_kinds()


def kind_named(name: str) -> FaultKind | None:
    return next((k for k in kinds() if k.kind == name), None)


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the Chinese runs of a text."""
    # one Counter over one list, in the text's order (the same counts and key order as a Counter updated run by
    # run, at a fraction of the cost: every candidate article of every measure is cut into bigrams)
    return Counter([g for run in _HAN.findall(text) for i in range(len(run) - 1) if (g := run[i:i + 2]) not in FRAME])


def topic_text(topic: MeasureTopic) -> str:
    """What a measure is about, as one text: the problem title twice (it says what went wrong), the rest once."""
    return "\n".join((topic.problem_title, topic.problem_title, topic.category, topic.text, *topic.cited))


def _norm(v: Mapping[str, float]) -> Vector:
    n = math.sqrt(sum(x * x for x in v.values()))
    return {k: x / n for k, x in v.items()} if n else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())


def nearest_of(targets: Sequence[Vector], vectors: Iterable[Vector]) -> list[tuple[int, float] | None]:
    """For each vector, the target nearest it by dot product (the first of equals, as a max over the targets in
    order) and that similarity; None for a vector sharing no term with any target. The targets as one matrix:
    one product per vector, not a loop over the targets."""
    terms = {t: j for j, t in enumerate(sorted(set().union(*targets)))}
    table = np.zeros((len(targets), len(terms)))
    for k, target in enumerate(targets):
        for t, x in target.items():
            table[k, terms[t]] = x
    out: list[tuple[int, float] | None] = []
    for v in vectors:
        cols = [(terms[t], x) for t, x in v.items() if t in terms]
        if not cols:
            out.append(None)
            continue
        idx, vals = zip(*cols)
        sims = table[:, list(idx)] @ np.asarray(vals)
        best = int(np.argmax(sims))
        out.append((best, float(sims[best])))
    return out


class FaultModel:
    """Nearest-centroid classifier of fault kinds over TF-IDF of the archive's problems."""

    def __init__(self, problems: Sequence[str], table: Sequence[FaultKind] | None = None) -> None:
        self._fit(problems, table)

    @classmethod
    def fitted(cls, problems: Sequence[str], table: Sequence[FaultKind] | None = None) -> tuple[FaultModel, list[Vector]]:
        """The model fitted on `problems`, with each problem's vector (as `vector` gives it): the problem links
        classify the very texts the model was fitted on (archive/linkfit.py), and need not cut them up again."""
        model = cls.__new__(cls)
        return model, model._fit(problems, table)

    def _fit(self, problems: Sequence[str], table: Sequence[FaultKind] | None) -> list[Vector]:
        self.kinds = tuple(table or kinds())
        docs = [bigrams(p) for p in problems]
        seeds = [bigrams(k.seed) for k in self.kinds]
        df: Counter[str] = Counter()
        for d in (*docs, *seeds):
            df.update(d.keys())
        n = len(docs) + len(seeds)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self.default_idf = math.log(n + 1 / 0.5)
        seed_vecs = [self.vector_of(s) for s in seeds]
        members: list[list[Vector]] = [[] for _ in self.kinds]
        vectors = [self.vector_of(d) for d in docs]
        # each problem's nearest seed, one product per problem (a cosine per seed and problem in Python was a tenth
        # of a full relink at 10× the archive)
        for v, hit in zip(vectors, nearest_of(seed_vecs, vectors)):
            if hit is not None and hit[1] >= MIN_SIMILARITY:
                members[hit[0]].append(v)
        self.centroids: list[Vector] = []
        for seed, group in zip(seed_vecs, members):
            c: Counter[str] = Counter({t: SEED_WEIGHT * x for t, x in seed.items()})
            for v in group:
                for t, x in v.items():
                    c[t] += x / len(group)
            self.centroids.append(_norm(c))
        self.sizes = {k.kind: len(g) for k, g in zip(self.kinds, members)}
        self._index = dict(reversed([(k.kind, i) for i, k in enumerate(self.kinds)]))  # the first of a name
        # the model never changes once fitted, so neither does a text's vector or a topic's kind: the suggester
        # asks for an article's vector twice per candidate (its kind's similarity, the topic's cosine), the same
        # articles come back for a notice's other measures, and the cross-check classifies each topic again
        self._vectors: dict[str, Vector] = {}
        self._guesses: dict[str, FaultGuess] = {}
        return vectors

    def state(self) -> dict[str, object]:
        """What the model learned, JSON-ready (`restored` reads it back): kept with the problem links' fit
        (archive/linkfit.py), so an incremental relink classifies a new notice's problems by the model the rest were
        classified by."""
        return {"kinds": [k.kind for k in self.kinds], "idf": self.idf, "default_idf": self.default_idf,
                "centroids": self.centroids, "sizes": self.sizes}

    @classmethod
    def restored(cls, state: Mapping[str, object], table: Sequence[FaultKind] | None = None) -> FaultModel:
        """The model `state` describes, over the kinds table it was fitted with (ValueError when the table's kinds
        are no longer those: the fit is then stale)."""
        kinds_now = tuple(table or kinds())
        if [k.kind for k in kinds_now] != list(state["kinds"]):  # type: ignore[call-overload]
            raise ValueError("the fault-kind table changed since the model was fitted")
        model = cls.__new__(cls)
        model.kinds = kinds_now
        model.idf = dict(state["idf"])  # type: ignore[call-overload]
        model.default_idf = float(state["default_idf"])  # type: ignore[arg-type]
        model.centroids = [dict(c) for c in state["centroids"]]  # type: ignore[attr-defined]
        model.sizes = dict(state["sizes"])  # type: ignore[call-overload]
        model._index = dict(reversed([(k.kind, i) for i, k in enumerate(model.kinds)]))
        model._vectors, model._guesses = {}, {}
        return model

    def vector_of(self, counts: Counter[str]) -> Vector:
        return _norm({t: (1 + math.log(c)) * self.idf.get(t, self.default_idf) for t, c in counts.items()})

    def vector(self, text: str) -> Vector:
        v = self._vectors.get(text)
        if v is None:
            if len(self._vectors) >= MEMO:
                self._vectors.pop(next(iter(self._vectors)))  # the oldest first
            v = self._vectors[text] = self.vector_of(bigrams(text))
        return v

    def scores(self, text: str) -> dict[str, float]:
        v = self.vector(text)
        return {k.kind: cosine(v, c) for k, c in zip(self.kinds, self.centroids)}

    def classify(self, topic: MeasureTopic) -> FaultGuess:
        text = topic_text(topic)
        guess = self._guesses.get(text)
        if guess is None:
            if len(self._guesses) >= MEMO:
                self._guesses.pop(next(iter(self._guesses)))
            guess = self._guesses[text] = self._classify(text)
        return guess

    def _classify(self, text: str) -> FaultGuess:
        ranked = sorted(self.scores(text).items(), key=lambda kv: -kv[1])
        (best, sim), runner = ranked[0], (ranked[1][0] if len(ranked) > 1 else None)
        if sim < MIN_SIMILARITY:
            return FaultGuess(FALLBACK, round(sim, 4), best)
        return FaultGuess(best, round(sim, 4), runner)

    def similarity(self, kind: str, text: str) -> float:
        """How near a text (an article) is to a kind's centroid."""
        i = self._index.get(kind)
        return cosine(self.vector(text), self.centroids[i]) if i is not None else 0.0


def problem_texts(archive: Archive) -> list[str]:
    """Each problem of each notice in the archive (title, text and its measures), for fitting the model."""
    out = []
    for doc in archive.documents_of_type(DocType.NOTICE):
        for cat in archive.notice_tree(doc.id):
            for p in (u for top in cat.problems for u in top.with_units()):
                out.append("\n".join((p.title, p.title, cat.title, p.text, *(m.text for m in p.measures))))
    return out


_MODELS: dict[tuple[str, str], FaultModel] = {}


def model_of(archive: Archive) -> FaultModel:
    """The model fitted on an archive's problems, kept per archive file and state of its notices (their ids,
    hashes and parser versions: asked once per measure, it must not read them)."""
    path = str(getattr(archive, "path", "") or id(archive))
    key = (path, archive.state_of_type(DocType.NOTICE))
    if key not in _MODELS:
        _MODELS.clear()
        _MODELS[key] = FaultModel(problem_texts(archive))
    return _MODELS[key]


def cited_by_kind(archive: Archive, model: FaultModel) -> dict[str, tuple[str, ...]]:
    """Per fault kind, the regulations (short titles, as the reg_key field holds them) that the archive's notices
    cite in measures and problems of that kind, most cited first: what inspectors of earlier notices took as
    the governing rules of such faults. A citation counts once per measure (or problem) citing it."""
    counts: dict[str, Counter[str]] = {}
    seen: set[tuple[str, str]] = set()
    for c in archive.notice_citations():
        unit = c.measure_id or c.problem_id
        if not unit or (unit, c.title) in seen:
            continue
        seen.add((unit, c.title))
        kind = model.classify(MeasureTopic(c.measure_text or "", c.problem_title or "", "")).kind
        counts.setdefault(kind, Counter())[short_title(c.title)] += 1
    return {k: tuple(t for t, _ in sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in counts.items()}


_PRIORS: dict[int, tuple[FaultModel, dict[str, tuple[str, ...]]]] = {}


def prior_of(archive: Archive, model: FaultModel) -> dict[str, tuple[str, ...]]:
    """cited_by_kind for an archive, kept beside its model: model_of fits a new model exactly when the archive's
    notices change, and the citations cited_by_kind reads are theirs, so the model is the key (no second read of
    the notices' state per measure)."""
    kept = _PRIORS.get(id(model))
    if kept is None or kept[0] is not model:
        _PRIORS.clear()
        kept = _PRIORS[id(model)] = (model, cited_by_kind(archive, model))
    return kept[1]


def governing(kind: str) -> FaultKind | None:
    """The governing rules of a kind (None for FALLBACK or an unknown kind: rank over every regulation)."""
    k = kind_named(kind)
    return k if k and (k.categories or k.titles) else None


def fit(problems: Iterable[str]) -> FaultModel:
    return FaultModel(list(problems))


__all__: Sequence[str] = ("FaultKind", "FaultGuess", "FaultModel", "cited_by_kind", "prior_of", "load_kinds", "kinds", "model_of", "governing",
                          "topic_text", "bigrams", "cosine", "PARTY_CATEGORY", "FALLBACK")
