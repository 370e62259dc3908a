"""One inspected unit under its many names (issue 30): the key notices of one unit share.

`中共某区市场监督管理局党组`, `区市场监管局党组` and `某区市场监督管理局` name one unit: the Party
organisation's wrapper (中共 … 党组/党委/党工委/党总支/委员会) says which body of the unit was inspected,
not which unit; 市场监管 is the standard short form of 市场监督管理; the place prefix may be dropped by a
notice of the unit's own region. `unit_name` takes a name apart into (place, core, kind); two names are
one unit when their cores are equal and their places agree (equal, or one of them absent) —
`same_unit`. Operators' merges and splits are kept apart from this rule and win over it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class UnitKind(StrEnum):
    """What kind of unit was inspected (a facet of the common-problems page)."""

    ORGAN = "党政机关"
    ENTERPRISE = "国有企业"
    UNIVERSITY = "高校"
    HOSPITAL = "医院"
    SCHOOL = "中小学"
    TOWNSHIP = "乡镇街道"
    VILLAGE = "村社区"
    INSTITUTION = "事业单位"
    OTHER = "其他"


# the Party organisation of a unit, longest first: 机关党委 before 党委
_PARTY_SUFFIX = re.compile(r"(?:机关党委|党组[（(]党委[)）]|党委[（(]党组[)）]|党工委|党组|党委|党总支|党支部|委员会|总支部|支部)$")
_CPC = re.compile(r"^(?:中国共产党|中共)")
# standard short forms of department names (the State Council's and provinces' own abbreviations);
# the long form is replaced by the short one so that both spellings meet
SHORT_FORMS: tuple[tuple[str, str], ...] = (
    ("市场监督管理", "市场监管"), ("人力资源和社会保障", "人社"), ("发展和改革", "发改"),
    ("住房和城乡建设", "住建"), ("自然资源和规划", "自然资源"), ("生态环境", "环境"), ("卫生健康", "卫健"),
    ("交通运输", "交通"), ("农业农村", "农业"), ("文化和旅游", "文旅"), ("文化广电旅游", "文旅"),
    ("退役军人事务", "退役军人"), ("应急管理", "应急"), ("医疗保障", "医保"), ("城市管理", "城管"),
    ("城市管理和综合执法", "城管"), ("行政审批服务", "行政审批"), ("机关事务管理", "机关事务"),
    ("政务服务数据管理", "政数"), ("残疾人联合会", "残联"), ("总工会", "工会"), ("妇女联合会", "妇联"),
    ("共青团", "团"), ("科学技术", "科技"), ("工业和信息化", "工信"), ("教育体育", "教体"),
    # and of state-owned investment companies (城投集团 for 城市建设投资集团有限公司)
    ("城市建设投资", "城投"), ("交通建设投资", "交投"), ("交通投资", "交投"), ("国有资产监督管理", "国资"),
)
# a company's legal form, which its short name leaves out (城投集团 is 城投集团有限公司)
_LEGAL_FORM = re.compile(r"(?:股份有限公司|有限责任公司|有限公司)$")
# a place prefix: a name ending in 省/市/区/县/自治州/旗 (two to eight characters), one or more of them
_PLACE = re.compile(r"^((?:[\u4e00-\u9fff]{1,7}?(?:自治区|自治州|自治县|省|市|区|县|旗))+)")
# a place ending in 市/区/县 must not cut a word that begins with that character (区 + 市场监管局)
_PROTECTED = frozenset({"市场", "市政", "市容", "市民", "区划", "区域", "县域", "省级"})
_LEVEL = frozenset("省市区县旗")
_KIND_RULES: tuple[tuple[re.Pattern[str], UnitKind], ...] = (
    (re.compile(r"(?:大学|学院|高等专科学校|职业技术学院)"), UnitKind.UNIVERSITY),
    (re.compile(r"(?:医院|卫生院|妇幼保健院)"), UnitKind.HOSPITAL),
    (re.compile(r"(?:公司|集团|银行|有限|股份)"), UnitKind.ENTERPRISE),
    (re.compile(r"(?:中学|小学|幼儿园|学校)$"), UnitKind.SCHOOL),
    (re.compile(r"(?:镇|乡|街道|街道办事处)$"), UnitKind.TOWNSHIP),
    (re.compile(r"(?:村|社区|居委会|村委会)$"), UnitKind.VILLAGE),
    (re.compile(r"(?:局|委|办|厅|部|署|院|庭|室|会|团|联|法院|检察院|政府|人大|政协)$"), UnitKind.ORGAN),
    (re.compile(r"(?:中心|站|所|馆|台|队)$"), UnitKind.INSTITUTION),
)


@dataclass(frozen=True, slots=True)
class UnitName:
    """A unit's name taken apart: where (`place`), what (`core`, short forms applied), and its kind."""

    name: str  # as the notice wrote it, whitespace removed
    place: str | None
    core: str
    kind: UnitKind

    @property
    def key(self) -> str:
        """The grouping key within one place: the core alone (places are compared by `same_unit`)."""
        return self.core


_NTH_HOSPITAL = re.compile(r"第([一二三四五六七八九十]+)人民医院")  # 市第一人民医院 is 市一医院


def _shorten(core: str) -> str:
    for long, short in sorted(SHORT_FORMS, key=lambda p: -len(p[0])):
        core = core.replace(long, short)
    return _NTH_HOSPITAL.sub(r"\1医院", core)


def unit_name(raw: str) -> UnitName:
    """Pure: one unit name as written → its parts. Never fails; an empty core keeps the stripped name."""
    name = re.sub(r"\s+", "", raw or "")
    core = _CPC.sub("", name)
    while (stripped := _PARTY_SUFFIX.sub("", core)) != core and stripped:
        core = stripped
    place = None
    m = _PLACE.match(core)
    if m and m.end() < len(core):  # 某区委 → 某区 + 委 is not a place prefix of a unit named 委
        place, rest = m.group(1), core[m.end():]
        if place[-1] + rest[0] in _PROTECTED:  # 区市 + 场监管局 → 区 + 市场监管局
            place, rest = place[:-1], place[-1] + rest
        if place.endswith("城市"):  # 区城市管理局, 示例区城市建设投资集团: 城市 is a word, not a place
            place, rest = place[:-2], "城市" + rest
        if len(rest) >= 2:
            core = rest
            # a bare 区/县 prefix (区市场监管局) is the notice's own region: no place named
            place = None if not place or place in _LEVEL else place
        else:
            place = None
    if place is None and len(core) >= 3 and core[0] in _LEVEL and core[:2] not in _PROTECTED:
        # 区财政局, 县人民医院, 区委组织部: the notice's own region, unnamed, as 示例区财政局 is 示例区 + 财政局 (until
        # LINKS_VERSION 22 a body of the place itself, 区委… 区人大… 县人…, kept its 区/县, so 县人民医院党委 and
        # 中共洧湄县人民医院委员会 were two units); group_names keeps 区委组织部 and 市委组织部 apart by their levels
        core = core[1:]
    core = _shorten(core)
    kind = next((k for pattern, k in _KIND_RULES if pattern.search(core)), UnitKind.OTHER)  # 有限公司 says 国有企业
    if len(bare := _LEGAL_FORM.sub("", core)) >= 2:
        core = bare
    return UnitName(name=name, place=place, core=core or name, kind=kind)


def same_unit(a: UnitName, b: UnitName) -> bool:
    """One unit: equal cores, and places that agree (equal, one inside the other, or one absent).

    A place absent from one name is how a unit's own region writes it (区市场监管局 in a 某区 notice);
    a place on both sides must agree, so 甲区财政局 and 乙区财政局 stay two units. Places are compared as written, their
    level included (until LINKS_VERSION 23 the 省/市/区/县 words were dropped, so 示例区 and 示例市, or 长沙县 and 长沙市,
    were one place and their units of one name one unit; a county made a district since is an operator's merge)."""
    if a.core != b.core:
        return False
    if a.place is None or b.place is None:
        return True
    pa, pb = a.place, b.place
    return pa == pb or pa.endswith(pb) or pb.endswith(pa)


# --- units from names, with the operators' corrections (issue 30 §1) ----------------------------------


@dataclass(frozen=True, slots=True)
class Correction:
    """An operator's correction, keyed by alias names so it outlives re-ingest: merge `alias`'s unit into
    `target`'s, or split `alias` (and its notices) off into a unit of its own."""

    action: str  # merge | split
    alias: str
    target: str | None = None


@dataclass(frozen=True, slots=True)
class PlannedUnit:
    """One unit as grouping decides it: a stable id (from its grouping key), display name, region and kind."""

    id: str
    name: str
    region: str | None
    kind: UnitKind
    aliases: tuple[str, ...]


def _bare_level(name: str) -> str | None:
    """The bare 区/县/市 a name opens with (区市场监管局, 县审计局: the notice's own region, unnamed), else None."""
    core = _CPC.sub("", clean(name))
    return core[0] if len(core) >= 3 and core[0] in _LEVEL and core[:2] not in _PROTECTED else None


def without_level(name: str) -> str:
    """A name without the bare 省/市/区/县 it opens with (县自然资源局党组 → 自然资源局党组), whitespace removed."""
    return re.sub(r"^[省市区县]", "", clean(name))


def clean(raw: str) -> str:
    """An alias as stored: whitespace removed."""
    return re.sub(r"\s+", "", raw or "")


def group_names(names: list[str], corrections: tuple[Correction, ...] = ()) -> tuple[PlannedUnit, ...]:
    """Pure: every alias (as notices write them, with repeats: the count picks the display name) → units.

    Names with equal cores and agreeing places are one unit (same_unit); a name without a place joins the one
    placed unit of its core, when there is exactly one. Then the corrections, in the order they were made."""
    import hashlib
    from collections import Counter

    counts = Counter(clean(n) for n in names if clean(n))
    parsed = {a: unit_name(a) for a in counts}
    placed: dict[str, set[str]] = {}
    for u in parsed.values():
        if u.place:
            placed.setdefault(u.core, set()).add(u.place)
    # per core, the bare levels its unplaced names open with: two of them (区委组织部, 市委组织部) are two units
    bare_levels: dict[str, set[str]] = {}
    for alias, u in parsed.items():
        if not u.place and (b := _bare_level(alias)):
            bare_levels.setdefault(u.core, set()).add(b)
    group: dict[str, str] = {}
    for alias, u in parsed.items():
        places = placed.get(u.core, set())
        bare = _bare_level(alias) if not u.place else None
        if u.place:
            group[alias] = f"{u.core}@{u.place}"
        elif len(near := {pl for pl in places if bare is None or pl[-1] == bare}) == 1 and (bare or len(places) == 1):
            # a bare 区 (区城投集团党委) is the notice's own district's unit: it joins the one placed 区 unit of that name
            # (示例区's, beside 示例市's), never a 县's (区第一中学 is not 棠梓县第一中学)
            group[alias] = f"{u.core}@{next(iter(near))}"
        elif bare and len(bare_levels.get(u.core, ())) > 1:
            group[alias] = f"{u.core}#{bare}"
        else:
            group[alias] = u.core
    native = dict(group)  # before the corrections: a merged unit keeps the name of the unit merged into

    def known(name: str | None) -> str | None:
        """A correction's alias as the notices now spell it: itself, or the one unit's alias it names (a correction
        made before LINKS_VERSION 14 says 区市场监管局党组 of what the notices now call 示例区市场监管局党组)."""
        if name is None or name in group:
            return name
        wanted, tail = unit_name(name), without_level(name)
        found = [a for a in group if same_unit(wanted, parsed[a])]
        if len({group[a] for a in found}) != 1:
            return None  # no unit, or several: the correction names none of them for sure
        return next((a for a in found if a.endswith(tail)), found[0])  # 示例区 + 市场监管局党组, as the notice wrote it

    for c in corrections:
        alias, target = known(c.alias), known(c.target)
        if c.action == "split" and alias is not None:
            group[alias] = f"split:{alias}"
        elif c.action == "merge" and alias is not None and target is not None:
            old, new = group[alias], group[target]
            for a, g in group.items():
                if g == old:
                    group[a] = new
    members: dict[str, list[str]] = {}
    for a, g in group.items():
        members.setdefault(g, []).append(a)
    out = []
    for key, aliases in members.items():
        aliases.sort(key=lambda a: (native[a] != key, -counts[a], -len(a), a))
        name = aliases[0]
        region = next((parsed[a].place for a in aliases if parsed[a].place), None)
        uid = "u" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
        out.append(PlannedUnit(uid, name, region, parsed[name].kind, tuple(sorted(aliases))))
    return tuple(sorted(out, key=lambda u: u.id))
