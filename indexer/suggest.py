"""Articles to suggest for a measure: matched on its topic, from the sources an inspector would cite.

A measure's topic is its problem's title (what went wrong), its category, the regulations it or its
problem cites, and its own text. The words come from each part, weighted by how much they say about
the topic (the problem title most), minus the words every rectification measure uses (加强, 学习 …).
Articles in force only; national laws, administrative regulations and Party rules first; local rules
only from the notice's own places (深圳 for a 罗湖区 unit); an article must share at least two topic
words with the measure, or belong to a regulation it cites. Each suggestion says why (Suggestion.reason).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from whoosh import query as Q
from whoosh.searching import Searcher

from archive.citations import short_title
from archive.faults import FALLBACK, FaultGuess, FaultKind, FaultModel, cosine, governing, topic_text
from archive.records import MeasureTopic, Suggestion

from .backends.whoosh.docsets import among, evaluate
from .backends.whoosh.execution import top

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


def topic_terms(s: Searcher, topic: MeasureTopic) -> dict[str, float]:
    """Topic words and their weights: the problem title's, the measure's, the category's."""
    weights: dict[str, float] = {}
    for text, weight, n in ((topic.problem_title, W_PROBLEM, 6), (topic.text, W_TEXT, 8), (topic.category, W_CATEGORY, 3)):
        if not text:
            continue
        for term, _ in s.key_terms_from_text("body", text, numterms=n + 6):
            if len(term) < 2 or term.isdigit() or term in BOILERPLATE or re.fullmatch(r"[\d.%]+\w?", term):
                continue
            weights[term] = max(weights.get(term, 0.0), weight)
            if sum(1 for _ in weights) >= 24:
                break
    return weights


def candidates(s: Searcher, q: Q.Query, allowed: set[int], limit: int = CANDIDATES) -> list[Any]:
    """The best `limit` articles in force for the suggestion query, as Whoosh's search with that filter ranks
    them, scored from posting blocks (indexer/docsets.py): Whoosh's OR walk over a measure's dozens of words
    was most of the 0.7 s a measure's suggestions took on the whole corpus."""
    return top(s, among(evaluate(s, q), allowed), limit)


# the calibrated score: a logistic model of "an inspector keeps this article" over the features below, fitted on
# the tune half of the judged pairs (benchmarks/quality/crosscheck/fit.py writes these numbers)
WEIGHTS = {"bias": -3.442, "relevance": 0.767, "shared": -0.073, "governing": 0.117, "cited": -0.059,
           "kind_article": 2.662, "topic_article": 9.904, "national": -0.356, "foreign_local": -0.754,
           "specific": 0.036, "in_title": 0.352, "on_problem": -0.193}
# a measure gets no suggestion when no article's score reaches it: chosen on tune (the P@3 ≥ 0.6 target was out of
# reach, so the best tune P@3 at coverage ≥ 0.25; benchmarks/quality/crosscheck/results.md)
THRESHOLD = 0.15
GOVERNING_CANDIDATES = 40
CONTEXT_BOOST = 0.5


def distinct(words: Sequence[str]) -> list[str]:
    """Shared words without the pieces of longer ones (坚定不移 counts once, not also as 坚定 and 不移)."""
    return [w for w in words if not any(w != o and w in o for o in words)]


def governing_docs(s: Searcher, kind: FaultKind) -> set[int]:
    """Document numbers of the articles in a kind's governing rules: its categories, and the regulations whose
    short title (the reg_key lexicon) holds one of its title words."""
    docs: set[int] = set()
    for c in kind.categories:
        docs.update(s.docs_for_query(Q.Term("reg_category", c)))
    if kind.titles:
        keys = [k.decode("utf-8") if isinstance(k, bytes) else k for k in s.lexicon("reg_key")]
        for key in keys:
            if any(t in key for t in kind.titles):
                docs.update(s.docs_for_query(Q.Term("reg_key", key)))
    return docs


def features(relevance: float, shared: int, is_governing: bool, is_cited: bool, kind_article: float,
             topic_article: float, category: str, local_own: bool, specific: float = 0.0,
             in_title: int = 0, on_problem: int = 0) -> dict[str, float]:
    """specific: how rare the shared words are among articles (the sum of their weighted IDFs, problem-title words
    counting double); in_title: topic words in the regulation's title (公务用车 in 公务用车管理办法); on_problem:
    words of the problem's title (what went wrong) in the article or its title."""
    return {"bias": 1.0, "relevance": relevance, "shared": float(min(shared, 8)), "governing": float(is_governing),
            "cited": float(is_cited), "kind_article": kind_article, "topic_article": topic_article,
            "national": float(category in NATIONAL), "foreign_local": float(category == "地方性法规" and not local_own),
            "specific": min(specific, 40.0) / 10, "in_title": float(min(in_title, 3)),
            "on_problem": float(min(on_problem, 3))}


def rarity(s: Searcher, term: str) -> float:
    """The IDF of a word among the index's documents."""
    n = s.doc_count() or 1
    return math.log((n + 1) / (s.doc_frequency("body", term) + 1))


def calibrated(x: Mapping[str, float], weights: Mapping[str, float] = WEIGHTS) -> float:
    z = sum(weights.get(k, 0.0) * v for k, v in x.items())
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def suggest(s: Searcher, topic: MeasureTopic, limit: int, reg_keys: frozenset[str],
            texts: Callable[[Iterable[str]], Mapping[str, str]], to_hit: Callable[[Any, tuple[str, ...], str], Hit],
            in_force: set[int], model: FaultModel | None = None,
            governed: Callable[[FaultKind], set[int]] | None = None,
            threshold: float | None = None, explain: list[dict[str, Any]] | None = None,
            weights: Mapping[str, float] | None = None) -> tuple[Suggestion, ...]:
    """The `limit` best articles for a measure whose calibrated score reaches `threshold` (none when no article
    does): the articles of the rules governing its fault kind first, then the others, each with its reason.
    `explain`, when given, receives each candidate's features and score (benchmarks fit the weights on them)."""
    threshold = THRESHOLD if threshold is None else threshold
    weights = WEIGHTS if weights is None else weights
    terms = topic_terms(s, topic)
    cited = [k for k in dict.fromkeys(short_title(t) for t in topic.cited) if k in reg_keys]
    if not terms and not cited:
        return ()
    guess = model.classify(topic) if model else FaultGuess(FALLBACK, 0.0)
    gov = governing(guess.kind)
    clauses: list[Q.Query] = [Q.Term("body", t, boost=w) for t, w in terms.items()]
    clauses += [Q.Term("title", t, boost=0.5 * w) for t, w in terms.items()]
    # the regulation's own title naming what went wrong (因私出国 in 因私出国(境)证照管理办法)
    clauses += [Q.Term("context", t, boost=CONTEXT_BOOST * w) for t, w in terms.items() if w >= W_PROBLEM]
    for key in cited:  # the cited regulation's articles on the topic
        inner = Q.Or([Q.Term("body", t) for t in terms]) if terms else Q.Every()
        clauses.append(Q.And([Q.Term("reg_key", key), inner], boost=W_CITED))
    q = Q.Or(clauses)
    results = candidates(s, q, in_force)
    gov_docs: set[int] = set()
    if gov is not None:
        gov_docs = (governed or (lambda k: governing_docs(s, k)))(gov) & in_force
        seen = {r.docnum for r in results}
        results += [r for r in candidates(s, q, gov_docs, GOVERNING_CANDIDATES) if r.docnum not in seen]
    if not results:
        return ()
    best = max(float(r.score) for r in results) or 1.0
    own = places(topic.issuer)
    bodies = texts(r["id"] for r in results)  # the index stores no text: the archive's, in one query
    topic_vec = model.vector(topic_text(topic)) if model else {}
    idf = {t: rarity(s, t) for t in terms}
    problem_words = [t for t, w in terms.items() if w >= W_PROBLEM]
    ranked = []
    for r in results:
        f = r.fields()
        body = bodies.get(f["id"], "")
        shared = distinct([t for t in terms if t in body])
        is_cited = f.get("reg_key") in cited
        if len(shared) < 2 and not is_cited:
            continue
        category, doc_title = f.get("reg_category", ""), f.get("doc_title", "")
        local_own = any(p in doc_title for p in own)
        if foreign(category, doc_title, own) and not is_cited:
            continue  # another place's local rule never governs this unit (unless the measure cites it)
        is_gov = r.docnum in gov_docs
        article_text = f"{doc_title}\n{body}"
        kind_article = model.similarity(guess.kind, article_text) if model else 0.0
        topic_article = cosine(topic_vec, model.vector(article_text)) if model else 0.0
        specific = sum(idf[t] * terms[t] / W_TEXT for t in shared)
        in_title = len(distinct([t for t in terms if t in doc_title]))
        on_problem = len(distinct([t for t in problem_words if t in body or t in doc_title]))
        x = features(float(r.score) / best, len(shared), is_gov, is_cited, kind_article, topic_article,
                     category, local_own, specific, in_title, on_problem)
        ranked.append((calibrated(x, weights), r, shared, is_cited, local_own, is_gov))
        if explain is not None:
            explain.append({"article_id": f["id"], "features": x, "score": ranked[-1][0], "kind": guess.kind})
    ranked.sort(key=lambda t: (-t[0], t[1].docnum))
    out, seen_regs = [], {}
    for score, r, shared, is_cited, local_own, is_gov in ranked:
        if score < threshold:
            break
        doc_id = r.fields().get("doc_id")
        if seen_regs.get(doc_id, 0) >= 2:  # two articles of one regulation at most: room for others
            continue
        seen_regs[doc_id] = seen_regs.get(doc_id, 0) + 1
        h = to_hit(r, tuple(shared), bodies.get(r["id"], ""))
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


__all__: Sequence[str] = ("suggest", "candidates", "topic_terms", "places", "foreign", "governing_docs", "calibrated",
                          "features", "BOILERPLATE", "THRESHOLD", "WEIGHTS")
