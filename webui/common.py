"""Common problems `/common` (issue 30): the clusters of the same fault across units (共性问题), each with its
label, members (linked to their notices), units, and counts by year, region and unit kind; a chart of the
clusters (the stats page's server-side SVG); the member list as CSV and XLSX; `/api/common` as JSON.
Filters (?year=, ?region=, ?unit_kind=, ?unit=) keep the members that match, and the clusters holding any."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from archive.database import Archive

from .context import get_archive
from .exports import XLSX, disposition, sheet
from .labels import RECTIFICATION
from .stats import Bar, bar_chart

bp = Blueprint("common", __name__)
UNKNOWN = "不明"  # how the counts name a member whose unit has no region (or kind, year) known
FILTERS: dict[str, str] = {"year": "年份", "region": "地区", "unit_kind": "单位类型", "unit": "单位"}
COLUMNS = ("共性问题", "编号", "问题", "整改状态", "通报", "单位", "地区", "单位类型", "年份", "链接")
WIDTHS = (24, 6, 40, 10, 40, 24, 10, 10, 8, 50)


@dataclass(frozen=True, slots=True)
class Filters:
    year: str = ""
    region: str = ""
    unit_kind: str = ""
    unit: str = ""

    def keeps(self, m: dict[str, Any]) -> bool:
        """Whether a member matches: 不明, the counts' name of an unknown region or kind, matches those."""
        return all(not want or (m[key] or UNKNOWN) == want for key, want in
                   (("year", self.year), ("region", self.region), ("unit_kind", self.unit_kind),
                    ("unit_id", self.unit)))

    def args(self) -> dict[str, str]:
        return {k: v for k, v in (("year", self.year), ("region", self.region), ("unit_kind", self.unit_kind),
                                  ("unit", self.unit)) if v}


def parse_filters(args: Any) -> Filters:
    """?year=YYYY, ?region=, ?unit_kind=, ?unit=<unit id>; anything else named in the error."""
    unknown = [k for k in args if k not in FILTERS]
    if unknown:
        raise BadRequest(description=f"参数 {unknown[0][:40]!r} 不适用于共性问题页；可用参数："
                                     f"{'、'.join(FILTERS)}（{'、'.join(FILTERS.values())}）。")
    year = (args.get("year") or "").strip()
    if year and year != UNKNOWN and not (len(year) == 4 and year.isdigit()):
        raise BadRequest(description=f"参数 year 应为四位年份，如 2021（收到 {year[:20]!r}）。")
    return Filters(year, (args.get("region") or "").strip()[:80], (args.get("unit_kind") or "").strip()[:40],
                   (args.get("unit") or "").strip()[:40])


def _counts(values: list[str | None]) -> dict[str, int]:
    return dict(sorted(Counter(v or UNKNOWN for v in values).items()))


def common_view(archive: Archive, filters: Filters = Filters()) -> dict[str, Any]:
    """The clusters (filtered), their members and counts: /common's data and /api/common's JSON."""
    clusters = archive.common_clusters()
    units = {u.id: u for u in archive.units()}
    briefs = archive.problem_briefs(m for c in clusters for m in c.members)
    out, every = [], []
    for c in clusters:
        members = []
        for pid, uid, year in zip(c.members, c.units, c.years):
            b, u = briefs.get(pid), units.get(uid)
            m = {"problem_id": pid, "doc_id": b.doc_id if b else None, "doc_title": b.doc_title if b else "",
                 "number": b.number if b else None, "title": b.title if b else pid,
                 "status": b.status if b else None, "unit_id": uid or None, "unit_name": u.name if u else "",
                 "region": u.region if u else None, "unit_kind": u.kind if u else None, "year": year,
                 "url": url_for("docs.document", doc_id=b.doc_id, _anchor=f"p-{pid}") if b else None}
            every.append(m)
            if filters.keeps(m):
                members.append(m)
        if not members:
            continue
        out.append({"id": c.id, "label": c.label, "size": len(members),
                    "units": list(dict.fromkeys(m["unit_id"] for m in members if m["unit_id"])),
                    "by_year": _counts([m["year"] for m in members]),
                    "by_region": _counts([m["region"] for m in members]),
                    "by_unit_kind": _counts([m["unit_kind"] for m in members]), "members": members})
    shown = [m for c in out for m in c["members"]]
    return {"filters": filters.args(), "clusters": out,
            "totals": {"clusters": len(out), "problems": len(shown),
                       "units": len({m["unit_id"] for m in shown if m["unit_id"]}),
                       "by_year": _counts([m["year"] for m in shown]),
                       "by_region": _counts([m["region"] for m in shown]),
                       "by_unit_kind": _counts([m["unit_kind"] for m in shown])},
            "choices": {"year": sorted({m["year"] for m in every if m["year"]}),
                        "region": sorted({m["region"] for m in every if m["region"]}),
                        "unit_kind": sorted({m["unit_kind"] for m in every if m["unit_kind"]}),
                        "unit": sorted({(m["unit_id"], m["unit_name"]) for m in every if m["unit_id"]},
                                       key=lambda x: x[1])}}


def charts(view: dict[str, Any], filters: Filters) -> list[dict[str, Any]]:
    """Problems per cluster (each bar jumps to its cluster), and the problems by year and unit kind (each bar
    filters the page)."""
    def by(key: str, counts: dict[str, int]) -> list[Bar]:
        return [Bar(v, n, url_for("common.page", **{**filters.args(), key: v}))
                for v, n in counts.items()]

    specs = [("chart-clusters", "各共性问题涉及的问题数",
              [Bar(c["label"], c["size"], f"#c-{c['id']}") for c in view["clusters"]]),
             ("chart-years", "按年份", by("year", view["totals"]["by_year"])),
             ("chart-kinds", "按单位类型", by("unit_kind", view["totals"]["by_unit_kind"]))]
    return [{"id": i, "heading": h, "svg": bar_chart(bars, h)} for i, h, bars in specs]


def rows(view: dict[str, Any]) -> list[list[Any]]:
    host = request.host_url.rstrip("/")
    return [[c["label"], m["number"] or "", m["title"], RECTIFICATION.get(m["status"] or "", m["status"] or ""),
             m["doc_title"], m["unit_name"], m["region"] or "", m["unit_kind"] or "", m["year"] or "",
             host + m["url"] if m["url"] else ""] for c in view["clusters"] for m in c["members"]]


@bp.get("/common")
def page() -> Any:
    filters = parse_filters(request.args)
    view = common_view(get_archive(), filters)
    return render_template("common.html", view=view, charts=charts(view, filters), f=filters, FILTERS=FILTERS,
                           args=filters.args())


@bp.get("/api/common")
def api() -> Any:
    view = common_view(get_archive(), parse_filters(request.args))
    view.pop("choices")
    return jsonify(view)


@bp.get("/common.csv")
def export_csv() -> Response:
    """The members of the (filtered) clusters, one row each, UTF-8 with a BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    writer.writerows(rows(common_view(get_archive(), parse_filters(request.args))))
    return Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition("共性问题", "csv", "common")})


@bp.get("/common.xlsx")
def export_xlsx() -> Response:
    view = common_view(get_archive(), parse_filters(request.args))
    data = sheet("共性问题", "共性问题清单" + ("（" + "，".join(view["filters"].values()) + "）" if view["filters"] else ""),
                  COLUMNS, WIDTHS, rows(view))
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": disposition("共性问题", "xlsx", "common")})
