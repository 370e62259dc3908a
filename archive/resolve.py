"""Resolve 《…》 citations to regulations in the archive, in the version in force on a date."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .citations import short_title, title_key
from .kinds import CitationStatus
from .numerals import cn_to_int
from .records import ArticleRecord, RegulationEntry
from .rulenames import GENERIC, PARTY_LEVEL, cites_rule, named_before

if TYPE_CHECKING:
    from .database import Archive

ArticleLookup = Callable[[str, int], ArticleRecord | None]

# titles that name plans, reports, notices and other documents rather than regulations
_NOT_REGULATION = re.compile(r"(?:计划|规划|纲要|方案|要点|清单|报告|通知|意见|汇编|手册|分工表|台账|简析|建议书|丛书|"
                             r"讲话|精神|决议|书|表|指南|对话|研究|与中国|颜色|时代新答|振聋发聩)(?:\(.*\))?$"
                             r"|[\(（]\d{4}\s*[—\-–－]+\s*\d{4}年?[\)）]")
# a unit writes these itself: …制度 / 实施方案 / 议事规则 of the unit under inspection
_INTERNAL_SUFFIX = re.compile(r"(?:制度|实施方案|工作方案|分工表|任务清单|议事规则|实施细则|工作规则|办法)(?:\(.*\))?$")
_AUTHORED = re.compile(r"(?:制定|完善|修订|修改|印发|形成|建立|出台|编制|起草|健全)(?:了)?\s*$")
_REGION_PREFIX = re.compile(r".{1,8}?(?:省|市|区|县|自治区|自治州|特别行政区)")
_PLAN_PERIOD = re.compile(r"[\(（]\d{4}\s*[—\-–－]+\s*\d{4}年?[\)）]$")
ALIASES = {"党章": "中国共产党章程"}



def context_before(text: str, title: str, width: int = 20) -> str:
    """The text just before 《title》 (where 制定/完善 tells a unit's own document)."""
    pos = text.find(f"《{title}")
    return text[max(0, pos - width):pos] if pos > 0 else ""


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a citation leads: a regulation and article, or why it leads nowhere."""

    status: CitationStatus
    reason: str
    regulation: RegulationEntry | None = None
    article_label: str | None = None
    article_id: str | None = None
    confidence: float = 0.0
    candidates: tuple[RegulationEntry, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class _Entry:
    reg: RegulationEntry
    key: str
    short: str

    @property
    def version(self) -> str | None:
        return self.reg.version

    @property
    def chain(self) -> str:
        """Which rule this is a version of: (试行) and final texts of one rule are versions of each other."""
        return self.short + (f"#{self.reg.part}" if self.reg.part else "")


def _distance_at_most_one(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1:]


class Catalog:
    """The regulations in the archive, keyed for matching (built once per request or report)."""

    def __init__(self, regulations: Iterable[RegulationEntry], article: ArticleLookup = lambda _doc, _n: None) -> None:
        self.article = article
        self.entries = entries = [_Entry(r, title_key(r.title), short_title(r.title)) for r in regulations]
        self.by_key: dict[str, list[_Entry]] = {}
        self.by_short: dict[str, list[_Entry]] = {}
        self.by_length: dict[int, list[tuple[int, _Entry]]] = {}  # for the near matches: a length ±1 only
        for i, e in enumerate(entries):
            self.by_key.setdefault(e.key, []).append(e)
            self.by_short.setdefault(e.short, []).append(e)
            self.by_length.setdefault(len(e.short), []).append((i, e))

    @classmethod
    def of(cls, archive: Archive) -> Catalog:
        """The archive's regulations, with its article lookup."""
        return cls(archive.regulations, archive.article)

    def _match(self, title: str) -> tuple[list[_Entry], float, str]:
        key = title_key(ALIASES.get(title, title))
        if key in self.by_key:
            return self.by_key[key], 1.0, "标题完全一致"
        short = short_title(key)
        if short in self.by_short:
            return self.by_short[short], 0.95, "简称一致"
        for prefix in ("中华人民共和国", "中国共产党"):
            if (prefix + short) in self.by_short:
                return self.by_short[prefix + short], 0.9, "补全前缀后一致"
        # a Party rule by the name notices use: 纪律处分条例, 八项规定实施细则, 廉洁准则 (archive/rulenames.py)
        party = [e for e in self.entries if e.reg.level == PARTY_LEVEL and cites_rule(short, e.short)]
        if party:
            return party, 0.85, "党内法规的通称或简称"
        # cited without the issuing region: 行政事业单位内部控制规定 for 示例市行政事业单位内部控制规定
        regional = [e for e in self.entries if len(short) >= 6 and e.short.endswith(short)
                    and _REGION_PREFIX.fullmatch(e.short[: len(e.short) - len(short)])]
        if regional:
            return regional, 0.85, "省略发布地区后一致"
        # in the catalog's order, as a scan of every entry finds them
        near = [e for _, e in sorted((ie for n in (len(short) - 1, len(short), len(short) + 1)
                                      for ie in self.by_length.get(n, ()) if _distance_at_most_one(short, ie[1].short)),
                                     key=lambda ie: ie[0])] if len(short) >= 4 else []
        if near:
            return near, 0.75, "相差一个字（近似匹配）"
        return [], 0.0, ""

    def resolve(self, title: str, article: str | None = None, on_date: str | None = None,
                context: str = "", own_units: tuple[str, ...] = ()) -> Resolution:
        """Resolve one citation; context is the text just before the 《, own_units the notice's unit names.
        A bare 《条例》/《准则》 resolves to the rule of that kind the context last names in full."""
        if title_key(title) in GENERIC:
            named = named_before(context, len(context), title_key(title))
            if named is None:
                return Resolution(CitationStatus.NOT_IN_ARCHIVE, f"只写了《{title}》，前文没有提到它的全称")
            title = named
        found, confidence, how = self._match(title)
        titles = sorted({e.chain for e in found})
        if len(titles) > 1:
            cands = tuple(e.reg for e in found)
            return Resolution(CitationStatus.AMBIGUOUS, f"有 {len(titles)} 部法规可能对应（{how}）", candidates=cands,
                              confidence=confidence)
        if found:
            entry, note = _in_force(found, on_date)
            reason = f"{how}；{note}"
            label = art_id = None
            if article:
                number = cn_to_int(re.sub(r"^第|条.*$", "", article))
                found_article = self.article(entry.reg.id, number) if number else None
                if found_article:
                    label, art_id = found_article.label, found_article.id
                else:
                    reason += f"；该版本中没有{article}"
            cands = tuple(e.reg for e in found if e.reg.id != entry.reg.id)
            return Resolution(CitationStatus.RESOLVED, reason, entry.reg, label, art_id, confidence, cands)
        if _PLAN_PERIOD.search(title_key(title)):
            return Resolution(CitationStatus.NOT_A_REGULATION, "规划、计划类文件，不是法规")
        if _is_internal(title, context, own_units):
            return Resolution(CitationStatus.INTERNAL, "被巡察单位自身的内部制度")
        if _NOT_REGULATION.search(title_key(title)):
            return Resolution(CitationStatus.NOT_A_REGULATION, "计划、报告、通知等文件，不是法规")
        return Resolution(CitationStatus.NOT_IN_ARCHIVE, "档案中没有这部法规")


def _in_force(versions: list[_Entry], on_date: str | None) -> tuple[_Entry, str]:
    """The latest version in force on or before on_date (or the latest when no date is known): in force from
    its effective date (自…起施行) when the text states one, else from its version date."""
    dated = sorted((e for e in versions if e.version), key=lambda e: (e.reg.in_force_from or "", e.version or ""))
    if not dated:
        return versions[0], "版本日期不明"
    if not on_date:
        return dated[-1], f"无通报日期，采用最新的 {dated[-1].version} 版"
    before = [e for e in dated if (e.reg.in_force_from or "") <= on_date]
    if before:
        e = before[-1]
        since = f"（{e.reg.effective} 起施行）" if e.reg.in_force_from != e.version else ""
        return e, f"采用 {on_date} 时有效的 {e.version} 版{since}"
    undated = [e for e in versions if not e.version]
    if undated:
        return undated[0], f"{on_date} 前无已知日期的版本，采用日期不明的版本"
    return dated[0], f"{on_date} 前无有效版本，最早为 {dated[0].version} 版"


def _is_internal(title: str, context: str, own_units: tuple[str, ...]) -> bool:
    key = title_key(title)
    names = {u for unit in own_units if unit for u in _unit_names(unit)}
    if any(n in key for n in names):
        return True
    return bool(_AUTHORED.search(context[-8:]) and _INTERNAL_SUFFIX.search(key))


def _unit_names(unit: str) -> set[str]:
    """区残联党组 → {区残联, 残联}; 中共示例区城市管理局党组 → {城市管理局, 城管局 …}."""
    base = re.sub(r"^中共|党组$|党委$|委员会$|党组织$", "", unit)
    out = {base} if len(base) >= 3 else set()
    m = re.search(r"([^市区县镇省]{2,8}(?:局|委|办|联|会|院|中心|大学|学院))$", base)
    if m:
        out.add(m.group(1))
    short = re.sub(r"^(?:.*?[市区县镇])", "", base)
    if len(short) >= 2:
        out.add(short)
    return {n for n in out if len(n) >= 2}
