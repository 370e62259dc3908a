"""Articles to suggest for a measure: matched on its topic, from the sources an inspector would cite.

A measure's topic is its problem's title (what went wrong), its category, the regulations it or its
problem cites, and its own text. The words come from each part, weighted by how much they say about
the topic (the problem title most), minus the words every rectification measure uses (加强, 学习 …).
Candidates (articles in force) come from several views of it (SOURCES): the merged OR query, the same within
the rules governing its fault kind, the problem title's words alone, the measure's alone, the topic vector's
nearest articles among the query's and the governing rules' best, and the articles on the topic of the
regulations that the archive's other measures of the same kind cite (archive/faults.py cited_by_kind). Each
is scored by a logistic model fitted on judged pairs (WEIGHTS, benchmarks/quality/crosscheck/fit.py); below
THRESHOLD nothing is suggested. Local rules only from the notice's own places (深圳 for a 罗湖区 unit); an
article must share at least two topic words with the measure, or belong to a regulation it cites; a kind
whose own body of rules is absent from the archive suggests only its governing titles' rules. Each
suggestion says why (Suggestion.reason).

Engine-neutral: every candidate source is a query tree (indexer/querytree.py) run through the SearchBackend's
`best(query, within, limit)` within a filter tree (IN_FORCE, a kind's `governing_filter`), the merged query's
score of each candidate through `scores`, the topic words through `key_terms`, their rarity through
`doc_frequency`/`unit_count`; ties are broken by the unit's place in the index (FoundUnit `order`).
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from archive.citations import short_title
from archive.faults import FALLBACK, FaultGuess, FaultKind, FaultModel, cosine, governing, topic_text
from archive.kinds import VersionStatus
from archive.records import MeasureTopic, Suggestion

from . import querytree as T
from .backend import FoundUnit, SearchBackend

# words that every rectification measure uses: they say how, not what about
BOILERPLATE = frozenset("""一是 二是 三是 四是 五是 进一步 加强 完善 健全 组织 学习 专题 召开 会议 开展 工作 制度 落实 严格 执行
要求 规定 问题 整改 针对 党组 党委 支部 区委 单位 部门 全面 深入 认真 及时 切实 推动 推进 做好 坚持 强化 规范 建立 明确 相关
有关 情况 方面 进行 按照 根据 已经 目前 今后 同时 确保 不断 积极 持续 提高 加大 力度 机制 管理 责任 人员 干部 领导 同志
责任制 主体 方案 措施 通报 巡察 巡视 反馈 意见 任务 清单 台账 形成 印发 制定 修订 传达 精神 重要 讲话 中央 省委 市委 区
残联 南开 学校 大学 学院 中心 我们 以及 通过 对于 关于 其中 一次 各类 各项 等 和 的""".split())
W_PROBLEM, W_TEXT, W_CATEGORY, W_CITED = 2.0, 1.0, 0.5, 4.0
NATIONAL = frozenset({"宪法", "宪法相关法", "行政法", "行政法规", "经济法", "社会法", "民法商法", "民法典", "刑法",
                      "诉讼与非诉讼程序法", "党内法规"})
CANDIDATES = 80  # articles ranked by the query before the topic rules re-rank them
_PLACE = re.compile(r"([\u4e00-\u9fff]{2,3}?)(?:省|市|区|县|自治州)")

Hit = Any  # indexer.search.Hit (this module is called by search.py)
# the articles in force: what every source searches within
IN_FORCE = T.AndNot(T.Term("kind", "article"), T.Term("status", VersionStatus.SUPERSEDED.value))


def places(issuer: str) -> tuple[str, ...]:
    """The place names in a notice's issuing unit: 中共深圳市罗湖区残疾人联合会党组 → 深圳, 罗湖."""
    return tuple(dict.fromkeys(p for p in _PLACE.findall(issuer.removeprefix("中共")) if p not in ("示例",)))


def foreign(category: str, doc_title: str, own: Sequence[str]) -> bool:
    """A local rule of another place: not national, and its title names places none of which is the notice's.

    A title naming no place (示例市… samples, a unit's own 制度) is not foreign. A unit whose name gives no
    place (中共南开大学委员会) is governed by no place's rule that we could show it with confidence: precision first,
    every named place's local rule is foreign to it."""
    if category in NATIONAL:
        return False
    named = places(doc_title)
    return bool(named) and not any(p in doc_title for p in own)


def topic_terms(s: SearchBackend, topic: MeasureTopic) -> dict[str, float]:
    """Topic words and their weights: the problem title's, the measure's, the category's."""
    weights: dict[str, float] = {}
    for text, weight, n in ((topic.problem_title, W_PROBLEM, 6), (topic.text, W_TEXT, 8), (topic.category, W_CATEGORY, 3)):
        if not text:
            continue
        for term, _ in s.key_terms(text, n + 6, "body"):
            if len(term) < 2 or term.isdigit() or term in BOILERPLATE or re.fullmatch(r"[\d.%]+\w?", term):
                continue
            weights[term] = max(weights.get(term, 0.0), weight)
            if sum(1 for _ in weights) >= 24:
                break
    return weights


def candidates(s: SearchBackend, q: T.Node, within: T.Node | None, limit: int = CANDIDATES) -> Sequence[FoundUnit]:
    """The best `limit` articles `within` selects (the articles in force, a kind's governing ones) for the
    suggestion query, as the backend's search ranks them (SearchBackend.best)."""
    return s.best(q, within, limit)


# the calibrated score: a logistic model of "an inspector keeps this article" over the features below, fitted on
# the tune half of the judged pairs (benchmarks/quality/crosscheck/fit.py writes these numbers)
WEIGHTS = {"bias": -5.578, "relevance": 1.263, "shared": -0.083, "governing": 0.155, "cited": -0.485,
           "kind_article": 0.405, "topic_article": 15.075, "national": 0.0, "foreign_local": -1.34,
           "specific": 0.189, "in_title": 0.294, "on_problem": -0.235, "src_governing": 0.33, "src_problem": 0.306,
           "src_measure": 0.559, "src_dense": 0.158, "src_prior": 1.196, "kind_fit": -0.7, "topic_rel": 0.735}
# a measure gets no suggestion when no article's score reaches it: the lowest threshold at which tune, scored
# out of fold, reaches P@3 ≥ 0.6 and P@1 ≥ 0.7 on at least 8 measures (benchmarks/quality/crosscheck/results.md)
THRESHOLD = 0.42
GOVERNING_CANDIDATES = 40
CONTEXT_BOOST = 0.5


def distinct(words: Sequence[str]) -> list[str]:
    """Shared words without the pieces of longer ones (坚定不移 counts once, not also as 坚定 and 不移)."""
    return [w for w in words if not any(w != o and w in o for o in words)]


def governing_filter(kind: FaultKind, reg_keys: Iterable[str]) -> T.Node | None:
    """The articles in force of a kind's governing rules, as a filter tree: its categories, and the regulations
    whose short title (a reg_key of the index, `reg_keys`) holds one of its title words. None: it has none."""
    clauses = [T.Term("reg_category", c) for c in kind.categories]
    if kind.titles:
        clauses += [T.Term("reg_key", k) for k in sorted(reg_keys) if any(t in k for t in kind.titles)]
    return T.And((IN_FORCE, T.Or(tuple(clauses)))) if clauses else None


def is_governing(kind: FaultKind | None, fields: Mapping[str, Any]) -> bool:
    """Whether an article in force is among its kind's governing rules (what governing_filter selects)."""
    if kind is None:
        return False
    key = fields.get("reg_key") or ""
    return fields.get("reg_category", "") in kind.categories or bool(key) and any(t in key for t in kind.titles)


def features(relevance: float, shared: int, is_governing: bool, is_cited: bool, kind_article: float,
             topic_article: float, category: str, local_own: bool, specific: float = 0.0,
             in_title: int = 0, on_problem: int = 0, sources: Iterable[str] = ()) -> dict[str, float]:
    """specific: how rare the shared words are among articles (the sum of their weighted IDFs, problem-title words
    counting double); in_title: topic words in the regulation's title (公务用车 in 公务用车管理办法); on_problem:
    words of the problem's title (what went wrong) in the article or its title."""
    return {"bias": 1.0, "relevance": relevance, "shared": float(min(shared, 8)), "governing": float(is_governing),
            "cited": float(is_cited), "kind_article": kind_article, "topic_article": topic_article,
            "national": float(category in NATIONAL), "foreign_local": float(category == "地方性法规" and not local_own),
            "specific": min(specific, 40.0) / 10, "in_title": float(min(in_title, 3)),
            "on_problem": float(min(on_problem, 3)),
            **{f"src_{k}": float(k in sources) for k in SOURCES if k != "merged"}}


def rarity(s: SearchBackend, term: str, n: int) -> float:
    """The IDF of a word among the index's `n` units (live ones: SearchBackend.count(Every()))."""
    return math.log((n + 1) / (s.doc_frequency("body", term) + 1))


def calibrated(x: Mapping[str, float], weights: Mapping[str, float] = WEIGHTS) -> float:
    z = sum(weights.get(k, 0.0) * v for k, v in x.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


SOURCES = ("merged", "governing", "problem", "measure", "dense", "prior")
SOURCE_CANDIDATES = {"problem": 30, "measure": 30, "dense": 25, "prior": 4}
DENSE_POOL = 300  # the merged query's best (and the governing rules' best) re-ranked by the topic vector
# per fault model (its IDF), article id → the article's topic vector, for the dense source and topic_article
_VECTORS: weakref.WeakKeyDictionary[FaultModel, dict[str, Any]] = weakref.WeakKeyDictionary()


def _clauses(terms: Mapping[str, float], cited: Sequence[str]) -> list[T.Node]:
    clauses: list[T.Node] = [T.Term("body", t, w) for t, w in terms.items()]
    clauses += [T.Term("title", t, 0.5 * w) for t, w in terms.items()]
    # the regulation's own title naming what went wrong (因私出国 in 因私出国(境)证照管理办法)
    clauses += [T.Term("context", t, CONTEXT_BOOST * w) for t, w in terms.items() if w >= W_PROBLEM]
    for key in cited:  # the cited regulation's articles on the topic
        clauses.append(T.And((T.Term("reg_key", key), _any_body(terms)), boost=W_CITED))
    return clauses


def _any_body(terms: Iterable[str]) -> T.Node:
    words = tuple(T.Term("body", t) for t in terms)
    return T.Or(words) if words else T.Every()


def _vector(model: FaultModel, article_id: str, text: str) -> Any:
    kept = _VECTORS.setdefault(model, {})
    v = kept.get(article_id)
    if v is None:
        if len(kept) > 200_000:
            kept.clear()
        v = kept[article_id] = model.vector(text)
    return v


def gather(s: SearchBackend, topic: MeasureTopic, terms: Mapping[str, float], cited: Sequence[str],
           gov_filter: T.Node | None, model: FaultModel | None, texts: Callable[[Iterable[str]], Mapping[str, str]],
           prior: Sequence[str] = ()) -> tuple[dict[str, FoundUnit], dict[str, set[str]], dict[str, float], float]:
    """Candidates from several sources, each a view of what the measure is about: the merged query (problem,
    measure, category and cited rules as one OR), the same within the governing rules, the problem title's
    words alone and the measure's alone (a long measure's words drown a short title's), the dense neighbours
    of the topic vector among the query's and the governing rules' best, and the articles of the regulations
    that other measures of the same fault kind cite (`prior`: regulation keys, most cited first).
    Returns unit id → unit, unit id → its sources, the merged query's score of each candidate, and the merged
    query's best score among the articles in force."""
    found: dict[str, FoundUnit] = {}
    sources: dict[str, set[str]] = {}

    def add(results: Iterable[FoundUnit], source: str) -> None:
        for r in results:
            found.setdefault(r.id, r)
            sources.setdefault(r.id, set()).add(source)

    q = T.Or(tuple(_clauses(terms, cited)))
    first = candidates(s, q, IN_FORCE, CANDIDATES)
    add(first, "merged")
    if gov_filter is not None:
        add(candidates(s, q, gov_filter, GOVERNING_CANDIDATES), "governing")
    for source, part in (("problem", topic_terms(s, MeasureTopic("", topic.problem_title, ""))),
                         ("measure", topic_terms(s, MeasureTopic(topic.text, "", "")))):
        if len(part) >= 2:
            add(candidates(s, T.Or(tuple(_clauses(part, ()))), IN_FORCE, SOURCE_CANDIDATES[source]), source)
    inner = _any_body(terms)
    for key in prior:
        if key not in cited:
            add(candidates(s, T.And((T.Term("reg_key", key), inner)), IN_FORCE, SOURCE_CANDIDATES["prior"]), "prior")
    if model is not None and first:
        pool = {r.id: r for r in s.best(q, IN_FORCE, DENSE_POOL)}
        if gov_filter is not None:
            pool.update((r.id, r) for r in s.best(q, gov_filter, DENSE_POOL))
        bodies = texts(pool)
        topic_vec = model.vector(topic_text(topic))
        near = [(cosine(topic_vec, _vector(model, i, f"{r.fields().get('doc_title', '')}\n{bodies.get(i, '')}")),
                 r.order, r) for i, r in pool.items()]
        near.sort(key=lambda t: (-t[0], t[1]))
        add((r for _, _, r in near[:SOURCE_CANDIDATES["dense"]]), "dense")
    units = list(found.values())
    merged = {u.id: v for u, v in zip(units, s.scores(q, units)) if v}
    return found, sources, merged, first[0].score if first else 0.0


def suggest(s: SearchBackend, topic: MeasureTopic, limit: int, reg_keys: frozenset[str],
            texts: Callable[[Iterable[str]], Mapping[str, str]], to_hit: Callable[[Any, tuple[str, ...], str], Hit],
            model: FaultModel | None = None, threshold: float | None = None, explain: list[dict[str, Any]] | None = None,
            weights: Mapping[str, float] | None = None, prior: Mapping[str, Sequence[str]] | None = None,
            min_shared: int = 2) -> tuple[Suggestion, ...]:
    """The `limit` best articles for a measure whose calibrated score reaches `threshold` (none when no article
    does): the articles of the rules governing its fault kind first, then the others, each with its reason.
    `prior` maps a fault kind to the regulation keys other measures of that kind cite (archive/faults.py).
    `explain`, when given, receives each candidate's features and score (benchmarks fit the weights on them)."""
    threshold = THRESHOLD if threshold is None else threshold
    weights = WEIGHTS if weights is None else weights
    terms = topic_terms(s, topic)
    cited = [k for k in dict.fromkeys(short_title(t) for t in topic.cited) if k in reg_keys]
    if not terms and not cited:
        return ()
    guess = model.classify(topic) if model else FaultGuess(FALLBACK, 0.0)
    gov = governing(guess.kind)
    gov_filter = governing_filter(gov, reg_keys) if gov is not None else None
    # the kind's own body of rules (Party rules for Party conduct) is not in this archive: only its governing
    # titles' rules and what the measure cites may be suggested, never laws that merely share its words
    restricted = gov is not None and bool(gov.categories) and not any(
        s.count(T.Term("reg_category", c)) for c in gov.categories)
    kind_prior = [k for k in (prior or {}).get(guess.kind, ()) if k in reg_keys]
    found, sources, merged, best = gather(s, topic, terms, cited, gov_filter, model, texts, kind_prior)
    if not found:
        return ()
    results = sorted(found.values(), key=lambda r: r.order)
    best = best or 1.0
    own = places(topic.issuer)
    bodies = texts(r.id for r in results)  # the index stores no text: the archive's, in one query
    topic_vec = model.vector(topic_text(topic)) if model else {}
    units = s.count(T.Every()) or 1
    idf = {t: rarity(s, t, units) for t in terms}
    problem_words = [t for t, w in terms.items() if w >= W_PROBLEM]
    ranked = []
    for r in results:
        f = r.fields()
        body = bodies.get(f["id"], "")
        shared = distinct([t for t in terms if t in body])
        is_cited = f.get("reg_key") in cited
        if len(shared) < min_shared and not is_cited:
            continue
        category, doc_title = f.get("reg_category", ""), f.get("doc_title", "")
        local_own = any(p in doc_title for p in own)
        if foreign(category, doc_title, own) and not is_cited:
            continue  # another place's local rule never governs this unit (unless the measure cites it)
        is_gov = gov_filter is not None and is_governing(gov, f)
        if restricted and not (is_gov or is_cited):
            continue
        article_text = f"{doc_title}\n{body}"
        kind_article = model.similarity(guess.kind, article_text) if model else 0.0
        topic_article = cosine(topic_vec, _vector(model, f["id"], article_text)) if model else 0.0
        specific = sum(idf[t] * terms[t] / W_TEXT for t in shared)
        in_title = len(distinct([t for t in terms if t in doc_title]))
        on_problem = len(distinct([t for t in problem_words if t in body or t in doc_title]))
        src = sources.get(r.id, set())
        x = features(merged.get(r.id, 0.0) / best, len(shared), is_gov, is_cited, kind_article, topic_article,
                     category, local_own, specific, in_title, on_problem, src)
        x["kind_fit"] = guess.similarity
        ranked.append([x, r, shared, is_cited, local_own, is_gov, f"{doc_title} {f.get('article') or ''}".strip(), src])
    # how the article stands among this measure's candidates: the nearest to its topic is 1
    top_topic = max((row[0]["topic_article"] for row in ranked), default=0.0) or 1.0
    for row in ranked:
        row[0]["topic_rel"] = row[0]["topic_article"] / top_topic
        row[0] = (calibrated(row[0], weights), row[0])
        if explain is not None:
            explain.append({"article_id": row[1].id, "label": row[6], "features": row[0][1], "score": row[0][0],
                            "kind": guess.kind, "sources": sorted(row[7])})
    ranked = [(row[0][0], *row[1:6]) for row in ranked]
    ranked.sort(key=lambda t: (-t[0], t[1].order))
    out, seen_regs = [], {}
    for score, r, shared, is_cited, local_own, is_gov in ranked:
        if score < threshold:
            break
        doc_id = r.fields().get("doc_id")
        if seen_regs.get(doc_id, 0) >= 2:  # two articles of one regulation at most: room for others
            continue
        seen_regs[doc_id] = seen_regs.get(doc_id, 0) + 1
        h = to_hit(r, tuple(shared), bodies.get(r.id, ""))
        why = [f"问题类型：{guess.kind}" + ("（属其主管规则）" if is_gov else "")]
        if is_cited:
            why.append("措施或问题引用了此法规")
        if shared:
            why.append("与问题和措施共有：" + "、".join(shared[:5]))
        if local_own:
            why.append("本地法规")
        out.append(Suggestion(h.doc_id, h.doc_title, h.article, h.id, round(score, 4), h.snippet, h.version,
                              reason="；".join(why), fault_kind=guess.kind, governing=is_gov,
                              shared_terms=tuple(shared[:8])))
        if len(out) >= limit:
            break
    return tuple(out)


__all__: Sequence[str] = ("suggest", "candidates", "topic_terms", "places", "foreign", "governing_filter", "calibrated",
                          "features", "gather", "is_governing", "IN_FORCE", "SOURCES", "BOILERPLATE", "THRESHOLD", "WEIGHTS")
