"""The search page `/`: one query box, grain selector, facets, chips, pagination, empty-result help."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, g, render_template, request, url_for

from archive.numerals import int_to_cn
from indexer.backend import NoIndex
from indexer.query import QueryCitation
from indexer.search import MAX_WINDOW, Hit, Results, SearchError, SearchService

from .context import get_archive, search_service, settings
from .labels import EXAMPLES, FACET_LABELS, FACET_ORDER, GRAINS, SORTS, facet_value_label
from .params import BadParam, SearchParams, parse_search_args

bp = Blueprint("search", __name__)
FACET_SHOWN = 8  # values listed before the rest fold into 更多


# the characters werkzeug leaves unescaped in a query string (werkzeug.urls._urlencode, as url_for writes it)
_QUERY_SAFE = "!$'()*,/:;?@"


def search_url(params: SearchParams) -> str:
    """The search page URL for these parameters: what url_for("search.index", ...) gives, with the route
    built once per request. Profiled on the whole corpus: a results page links every facet value (about a
    hundred links), and url_for's routing took half of the page's rendering time."""
    base = g.get("search_base")
    if base is None:
        base = g.search_base = url_for("search.index")
    query = urlencode([(k, v) for k, v in params.args().items() if v is not None], safe=_QUERY_SAFE)
    return f"{base}?{query}" if query else base


def hit_anchor(hit: Hit) -> str:
    """The fragment on the document page where a hit sits ('' for a whole document)."""
    if hit.kind == "problem":
        return f"p-{hit.id}"
    if hit.kind == "measure":
        return f"m-{hit.id}"
    if hit.kind == "article" and hit.article:
        return hit.article
    return ""


def hit_url(hit: Hit, q: str) -> str:
    """Link from a result to its place on the document page, carrying the query for highlighting."""
    anchor = hit_anchor(hit)
    return url_for("docs.document", doc_id=hit.doc_id, q=q or None) + (f"#{anchor}" if anchor else "")


def run(svc: SearchService, params: SearchParams) -> Results:
    """Search with these parameters; bad ones become a 400 naming the parameter."""
    try:
        return svc.search(params.q, params.service_filters(), page=params.page, per_page=params.per_page,
                          sort=params.sort, kind=params.kind or None)
    except SearchError as exc:
        raise BadParam(exc) from exc


def facet_groups(results: Results, params: SearchParams) -> list[dict[str, Any]]:
    """The sidebar: each facet with its values, counts and the link that adds (or removes) the filter."""
    groups = []
    for name in FACET_ORDER:
        values = list(results.facets.get(name) or [])
        if name == "year":
            values.sort(key=lambda t: t[0], reverse=True)
        items = []
        for value, count in values:
            active = params.is_active(name, value)
            items.append({"value": value, "label": facet_value_label(name, value), "count": count,
                          "active": active, "url": search_url(params.with_filter(name, None if active else value))})
        if items:
            groups.append({"name": name, "label": FACET_LABELS[name], "shown": items[:FACET_SHOWN],
                           "more": items[FACET_SHOWN:]})
    return groups


def pagination(params: SearchParams, results: Results) -> dict[str, Any] | None:
    """Previous / next and a window of page numbers (None for a gap); None when one page holds all."""
    last = max(1, min(results.pages, MAX_WINDOW // params.per_page))
    if last == 1 and params.page == 1:
        return None
    cur = params.page
    wanted = sorted({1, last, *range(max(1, cur - 2), min(last, cur + 2) + 1)})
    numbers: list[dict[str, Any] | None] = []
    for i, n in enumerate(wanted):
        if i and n - wanted[i - 1] > 1:
            numbers.append(None)
        numbers.append({"n": n, "url": search_url(replace(params, page=n)), "current": n == cur})
    return {"prev": search_url(replace(params, page=cur - 1)) if 1 < cur <= last + 1 else None,
            "next": search_url(replace(params, page=cur + 1)) if cur < last else None,
            "numbers": numbers, "last": last, "last_url": search_url(replace(params, page=last))}


_TOKEN = re.compile(r'"([^"]+)"|(\S+)')


def _words_in_order(q: str, highlight: tuple[str, ...]) -> list[str]:
    """The highlight words that occur in q, left to right, without overlaps."""
    found = sorted(((q.find(w), -len(w), w) for w in set(highlight) if w and w != q and w in q), key=lambda t: t[:2])
    out, end = [], -1
    for pos, _, w in found:
        if pos >= end:
            out.append(w)
            end = pos + len(w)
    return out


def suggestions(svc: SearchService, params: SearchParams, results: Results) -> dict[str, Any]:
    """What to try when nothing was found: drop a filter, each word alone, a shorter phrase."""
    def count(p: SearchParams) -> int | None:
        try:
            return svc.search(p.q, p.service_filters(), per_page=1, kind=p.kind or None).reachable
        except (SearchError, NoIndex):
            return None

    active = params.active()
    drop = []
    for facet, _value, label in active:
        p = params.with_filter(facet, None)
        drop.append({"label": label, "url": search_url(p), "count": count(p)})
    if len(active) > 1:
        bare = replace(params, kind="", doc_type="", filters={}, page=1)
        drop.append({"label": "全部筛选条件", "url": search_url(bare), "count": count(bare)})
    drop = [d for d in drop if d["count"] != 0]
    tokens = [(m.group(1) or m.group(2)).strip('"') for m in _TOKEN.finditer(params.q)]
    tokens = [t for t in tokens if t and not t.startswith("-")]
    words = tokens if len(tokens) > 1 else _words_in_order(params.q, results.highlight)
    alone = [{"q": w, "url": search_url(replace(params, q=w, page=1))} for w in dict.fromkeys(words)][:8]
    shorter = ""
    if '"' in params.q:
        shorter = params.q.replace('"', " ").strip()
    elif len(tokens) > 1:
        shorter = " ".join(tokens[:-1])
    elif len(words) > 1:
        half = words[: (len(words) + 1) // 2]
        start = params.q.find(half[0])
        shorter = params.q[start: params.q.find(half[-1], start) + len(half[-1])]
    short = {"q": shorter, "url": search_url(replace(params, q=shorter, page=1))} \
        if shorter and shorter != params.q else None
    return {"drop": drop, "alone": alone, "shorter": short}


def describe_citation(citation: QueryCitation | None) -> list[str]:
    """The recognised citation in Chinese: 《title》第…条 and what it does to the ranking."""
    if citation is None:
        return []
    art = f"第{int_to_cn(citation.article)}条" if citation.article else ""
    return [f"已识别为法规引用：《{citation.key}》{art}，该条文及引用它的问题、措施排在前面。"]


def archive_stats() -> dict[str, int]:
    """How many documents of each type the archive holds (for the intro)."""
    return dict(get_archive().type_counts())


@bp.get("/")
def index() -> Any:
    """The search page: intro and examples when empty, else results with facets and paging."""
    cfg = settings()
    params = parse_search_args(request.args, cfg.per_page)
    svc = search_service()
    results: Results | None = None
    no_index = False
    try:
        results = run(svc, params)
    except NoIndex:
        no_index = True
    ctx: dict[str, Any] = {"params": params, "results": results, "no_index": no_index, "grains": GRAINS,
                           "sorts": SORTS, "max_q": cfg.max_query_chars, "examples": EXAMPLES,
                           "example_url": lambda q: search_url(SearchParams(q=q, default_per_page=cfg.per_page)),
                           "chips": [{"label": label, "url": search_url(params.with_filter(facet, None))}
                                     for facet, _v, label in params.active()],
                           "hidden": {k: v for k, v in params.args().items()
                                      if k not in ("q", "kind", "sort", "page")}}
    # no words but filters: the page lists what the filters select (the statistics page links here)
    ctx["browsing"] = bool(not params.q and params.active())
    if results is not None and (params.q or ctx["browsing"]):
        ctx.update(facets=facet_groups(results, params), pager=pagination(params, results),
                   hits=[{"hit": h, "url": hit_url(h, params.q),
                          "doc_url": url_for("docs.document", doc_id=h.doc_id)} for h in results.hits],
                   notes=describe_citation(results.citation), first=(params.page - 1) * params.per_page + 1)
        if results.reachable == 0:
            ctx["help"] = suggestions(svc, params, results)
    else:
        ctx["stats"] = archive_stats()
    return render_template("search.html", **ctx)
