"""Search parameters from the URL: parsing, validation messages in Chinese, and links that change them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from werkzeug.exceptions import BadRequest

from indexer.backend import FACETS
from indexer.results import bad_facet_value
from indexer.search import SearchError

from .labels import DOC_TYPES, FACET_LABELS, GRAINS, facet_value_label


class BadParam(BadRequest):
    """A 400 from a SearchError: its English sentence for JSON, Chinese words from its fields for pages."""

    def __init__(self, error: SearchError) -> None:
        super().__init__(description=str(error))
        self.error = error
        self.zh = zh_message(error)


def clean_text(text: str) -> str:
    """Control characters (NUL, ESC …) become spaces; the result is stripped."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text).strip()


def _int(args: Mapping[str, str], name: str, default: int) -> int:
    raw = clean_text(args.get(name, "") or "")
    if not raw:
        return default
    if not re.fullmatch(r"[+-]?[0-9]+", raw):
        raise BadParam(SearchError(name, "integer", got=raw[:40]))
    digits = raw.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 12:  # far out of any range; never parse thousands of digits
        return -(10 ** 12) if raw.startswith("-") else 10 ** 12
    return int(raw)


@dataclass(frozen=True, slots=True)
class SearchParams:
    """What the search page and /api/search were asked for."""

    q: str = ""
    kind: str = ""
    doc_type: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # facet → value, without kind and doc_type
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"
    default_per_page: int = 20

    def service_filters(self) -> dict[str, str]:
        """The filters as SearchService.search takes them (kind goes separately)."""
        out = dict(self.filters)
        if self.doc_type:
            out["doc_type"] = self.doc_type
        return out

    def args(self) -> dict[str, Any]:
        """URL query arguments that reproduce this search (defaults left out)."""
        out: dict[str, Any] = {}
        if self.q:
            out["q"] = self.q
        if self.kind:
            out["kind"] = self.kind
        if self.doc_type:
            out["type"] = self.doc_type
        for name in FACETS:
            if self.filters.get(name):
                out[f"f_{name}"] = self.filters[name]
        if self.sort != "relevance":
            out["sort"] = self.sort
        if self.per_page != self.default_per_page:
            out["per_page"] = self.per_page
        if self.page != 1:
            out["page"] = self.page
        return out

    def with_filter(self, facet: str, value: str | None) -> SearchParams:
        """A copy with one facet set (or removed when value is None), back on page 1."""
        if facet == "kind":
            return replace(self, kind=value or "", page=1)
        if facet == "doc_type":
            return replace(self, doc_type=value or "", page=1)
        filters = {k: v for k, v in self.filters.items() if k != facet}
        if value:
            filters[facet] = value
        return replace(self, filters=filters, page=1)

    def active(self) -> list[tuple[str, str, str]]:
        """(facet, value, chip label) for every filter in force, kind and type included."""
        out = []
        if self.kind:
            out.append(("kind", self.kind, f"{FACET_LABELS['kind']}：{facet_value_label('kind', self.kind)}"))
        if self.doc_type:
            out.append(("doc_type", self.doc_type,
                        f"{FACET_LABELS['doc_type']}：{facet_value_label('doc_type', self.doc_type)}"))
        for name in FACETS:
            if self.filters.get(name):
                out.append((name, self.filters[name], f"{FACET_LABELS[name]}：{facet_value_label(name, self.filters[name])}"))
        return out

    def is_active(self, facet: str, value: str) -> bool:
        """Whether facet=value is one of the filters in force."""
        if facet == "kind":
            return self.kind == value
        if facet == "doc_type":
            return self.doc_type == value
        return self.filters.get(facet) == value


def parse_search_args(args: Mapping[str, str], default_per_page: int = 20) -> SearchParams:
    """Read q, kind, type, page, per_page, sort and f_<facet> from the URL; BadParam names what is wrong."""
    q = clean_text(args.get("q", "") or "")
    kind = clean_text(args.get("kind", "") or "")
    doc_type = clean_text(args.get("type", "") or "")
    filters: dict[str, str] = {}
    for key in args:
        if not key.startswith("f_"):
            continue
        name, value = key[2:], clean_text(args.get(key, "") or "")
        if name not in FACETS:
            raise BadParam(SearchError(key[:40], "unknown_filter", got=key[:40],
                                       choices=tuple(f"f_{f}" for f in FACETS)))
        if not value:
            continue
        if name == "kind":
            kind = kind or value
        elif name == "doc_type":
            doc_type = doc_type or value
        elif (choices := bad_facet_value(name, value)) is not None:  # a value no unit can have: a 400
            raise BadParam(SearchError(key[:40], "choice", got=value[:40], choices=choices))
        else:
            filters[name] = value[:200]
    if doc_type and doc_type not in DOC_TYPES:
        raise BadParam(SearchError("type", "choice", got=doc_type[:40], choices=tuple(DOC_TYPES)))
    page = _int(args, "page", 1)
    per_page = _int(args, "per_page", default_per_page)
    sort = clean_text(args.get("sort", "") or "") or "relevance"
    return SearchParams(q=q, kind=kind, doc_type=doc_type, filters=filters, page=page, per_page=per_page,
                        sort=sort, default_per_page=default_per_page)


_GRAIN_NAMES = "、".join(f"{label}（{value}）" for value, label in GRAINS if value)
_CHOICES_ZH = {
    "kind": "粒度参数 kind 无效（收到 {got}），可选：" + _GRAIN_NAMES + "。",
    "sort": "排序参数 sort 只能是 relevance（相关度）或 date（日期）（收到 {got}）。",
    "type": "文件类型参数 type 只能是 notice（整改通报）、regulation（法规）或 other（其他文件）（收到 {got}）。",
    "f_recurring": "筛选项 f_recurring（屡改屡犯）只能是 yes（是）或 no（否）（收到 {got}）。",
    "f_common": "筛选项 f_common（共性问题）只能是 yes（是）或 no（否）（收到 {got}）。",
    "f_year": "筛选项 f_year（年份）必须是四位数字的年份，如 2021（收到 {got}）。",
}
_NAMES_ZH = {"page": "页码参数 page", "per_page": "每页条数 per_page"}


def zh_message(error: SearchError) -> str:
    """The Chinese wording of a bad search parameter, from the error's fields."""
    b, param = error.bounds, error.param
    got = repr(b.get("got"))
    if error.code == "too_long":
        return f"检索词过长：共 {b['length']} 个字符，最多允许 {b['limit']} 个。请缩短检索词后再试。"
    if error.code == "choice" and param in _CHOICES_ZH:
        return _CHOICES_ZH[param].format(got=got)
    if error.code == "integer":
        return f"{_NAMES_ZH.get(param, param)} 必须是整数（收到 {got}）。"
    if error.code == "range":
        return f"{_NAMES_ZH.get(param, param)} 必须在 {b['low']} 到 {b['high']} 之间（收到 {b['got']}）。"
    if error.code == "unknown_filter":
        return f"未知的筛选项 {b['got']}（可用的筛选项：{'、'.join(b['choices'])}）。"
    return str(error)
