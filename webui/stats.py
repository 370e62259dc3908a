"""/stats: the archive as a whole in server-side SVG bar charts (no network, no script), each bar a link to the
search that lists its items; /api/stats: the same figures as JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, render_template, url_for
from markupsafe import Markup, escape

from archive.stats import NO_DATE, NO_PUBLISHER, ArchiveStats, Count, archive_stats

from .context import get_archive
from .labels import RECTIFICATION

bp = Blueprint("stats", __name__)
# every notice says 整改 (rectification) somewhere: the word lists all notices of a year or publisher
ALL_NOTICES_Q = "整改"
ROW_H, LABEL_W, BAR_W, COUNT_W, LABEL_CHARS = 28, 400, 420, 56, 27


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    count: int
    url: str | None
    full: str = ""  # the whole label, when the bar shows a shorter one
    keep: str = ""  # the end that must stay visible when the label is shortened (an article: 第二十条)


def shorten(label: str, keep: str = "") -> str:
    """At most LABEL_CHARS characters: the middle gives way, `keep` (and a closing 》) stays."""
    if len(label) <= LABEL_CHARS:
        return label
    tail = keep if keep and label.endswith(keep) else ""
    if tail and label[: -len(tail)].endswith("》"):
        tail = "》" + tail
    return label[: LABEL_CHARS - len(tail) - 1] + "…" + tail


_CATEGORY_FRAME = re.compile(r"^关于|方面(?:存在的)?(?:问题)?(?:的整改(?:落实)?情况)?$|问题的整改(?:落实)?情况$")


def short_category(title: str) -> str:
    """关于基层党组织建设不够扎实方面问题的整改落实情况 → 基层党组织建设不够扎实."""
    short = _CATEGORY_FRAME.sub("", title).strip("，,、 ")
    return short or title


def _search(**args: Any) -> str:
    return url_for("search.index", **{k: v for k, v in args.items() if v})


def bar_chart(bars: list[Bar], caption: str) -> Markup:
    """A horizontal bar chart as inline SVG: labels left, bars scaled to the largest, counts right."""
    if not bars:
        return Markup('<p class="chart-empty">暂无数据。</p>')
    top = max(b.count for b in bars) or 1
    height = ROW_H * len(bars) + 8
    width = LABEL_W + BAR_W + COUNT_W
    out = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(caption)}">']
    for i, b in enumerate(bars):
        y = 4 + i * ROW_H
        w = max(2, round(BAR_W * b.count / top))
        label = shorten(b.label, b.keep)
        row = (f'<title>{escape(b.full or b.label)}：{b.count}</title>'
               f'<text class="chart-label" x="{LABEL_W - 8}" y="{y + 18}" text-anchor="end">{escape(label)}</text>'
               f'<rect class="chart-bar" x="{LABEL_W}" y="{y + 4}" width="{w}" height="{ROW_H - 8}" rx="2"/>'
               f'<text class="chart-count" x="{LABEL_W + w + 6}" y="{y + 18}">{b.count}</text>')
        if b.url:
            out.append(f'<a class="chart-link" href="{escape(b.url)}">{row}</a>')
        else:
            out.append(f'<g>{row}</g>')
    out.append("</svg>")
    return Markup("".join(out))


def charts(s: ArchiveStats) -> list[dict[str, Any]]:
    """Each chart: id, heading, note and its SVG."""
    def cat(c: Count) -> Bar:
        return Bar(short_category(c.label), c.count, _search(q=c.label, kind="problem", f_category=c.label), c.label)

    def year(c: Count) -> Bar:
        return Bar(c.label, c.count, None if c.label == NO_DATE else
                   _search(q=ALL_NOTICES_Q, kind="document", type="notice", f_year=c.label))

    def publisher(c: Count) -> Bar:
        return Bar(c.label, c.count, None if c.label == NO_PUBLISHER else
                   _search(q=ALL_NOTICES_Q, kind="document", type="notice", f_publisher=c.label))

    def status(c: Count) -> Bar:
        if not c.label:
            return Bar("未写明", c.count, None)
        return Bar(RECTIFICATION.get(c.label, c.label), c.count, _search(kind="problem", f_rectification=c.label))

    def regulation(c: Count) -> Bar:
        return Bar(c.label, c.count, _search(q=c.title), c.label, "》")

    def article(c: Count) -> Bar:
        return Bar(c.label, c.count, _search(q=f"{c.title} {c.article}"), c.label, c.article or "")

    specs = [
        ("by-category", "各类问题数量", "按通报中的问题类别（如“关于……方面”）统计问题条数；点击查看该类问题。",
         [cat(c) for c in s.problems_by_category]),
        ("by-year", "各年度通报数量", "按通报日期的年份统计；点击列出该年的通报。", [year(c) for c in s.notices_by_year]),
        ("by-publisher", "各单位通报数量", "按发布单位统计；点击列出该单位的通报。",
         [publisher(c) for c in s.notices_by_publisher]),
        ("by-status", "问题整改状态",
         "按通报写明的整改状态（已完成、正在整改等）统计问题条数；点击查看。" if s.status_available else
         "档案中的通报都没有写明问题的整改状态。",
         [status(c) for c in s.problems_by_status] if s.status_available else []),
        ("cited-regulations", "被引用最多的法规", "问题和整改措施中引用的《……》；点击检索引用它的问题、措施及其条文。",
         [regulation(c) for c in s.cited_regulations]),
        ("cited-articles", "被引用最多的条款", "写明条号的引用；点击检索该条文及引用它的措施。",
         [article(c) for c in s.cited_articles]),
        ("measures-per-problem", "每个问题的整改措施数", "横轴为问题条数，每行是“有几条措施”；这是分布，不链接检索。",
         [Bar(f"{c.label} 条措施", c.count, None) for c in s.measures_per_problem]),
    ]
    return [{"id": i, "heading": h, "note": note, "svg": bar_chart(bars, h), "bars": bars}
            for i, h, note, bars in specs]


@bp.get("/stats")
def page() -> Any:
    s = archive_stats(get_archive())
    unresolved = [{"title": u.title, "status": u.label, "reason": u.reason,
                   "count": u.count, "url": _search(q=u.title)} for u in s.unresolved]
    return render_template("stats.html", s=s, charts=charts(s), unresolved=unresolved)


@bp.get("/api/stats")
def api() -> Any:
    return jsonify(archive_stats(get_archive()).to_json())
