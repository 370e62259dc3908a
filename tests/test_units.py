"""Unit names across notices (archive/units.py, issue 30)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.units import UnitKind, same_unit, unit_name


@pytest.mark.parametrize("a,b", [
    ("中共某区市场监督管理局党组", "区市场监管局党组"),
    ("中共某区市场监督管理局党组", "某区市场监督管理局"),
    ("区市场监管局党组", "某区市场监督管理局"),
    ("中共示例县人力资源和社会保障局党组", "示例县人社局"),
    ("中共示例学院委员会", "示例学院党委"),
    ("中共甲市乙区财政局党组", "乙区财政局"),
    # a body of the place itself, named bare in its own region's notice (LINKS_VERSION 22)
    ("县人民医院党委", "中共洧湄县人民医院委员会"),
    ("区委组织部", "示例区委组织部"),
    ("区人大常委会机关党组", "示例区人大常委会机关党组"),
    ("县直属机关工委", "某县直属机关工委"),
])
def test_one_unit_under_several_names(a: str, b: str) -> None:
    assert same_unit(unit_name(a), unit_name(b))


@pytest.mark.parametrize("a,b", [
    ("中共甲区财政局党组", "中共乙区财政局党组"),  # same department, another place
    ("某区市场监管局党组", "某区财政局党组"),
    ("示例镇党委", "示例街道党工委"),
])
def test_different_units_stay_apart(a: str, b: str) -> None:
    assert not same_unit(unit_name(a), unit_name(b))


@pytest.mark.parametrize("name,place,core,kind", [
    ("中共某区市场监督管理局党组", "某区", "市场监管局", UnitKind.ORGAN),
    ("中共南开大学委员会", None, "南开大学", UnitKind.UNIVERSITY),
    ("中共示例市第一人民医院委员会", "示例市", "一医院", UnitKind.HOSPITAL),  # 第N人民医院 → N医院 (市一医院)
    ("中共示例市城投集团有限公司委员会", "示例市", "城投集团", UnitKind.ENTERPRISE),  # the legal form left out
    ("中共示例区城市建设投资集团有限公司委员会", "示例区", "城投集团", UnitKind.ENTERPRISE),  # 城投: the short form
    ("中共示例县清河镇委员会", "示例县", "清河镇", UnitKind.TOWNSHIP),
    ("示例区残疾人联合会党组", "示例区", "残联", UnitKind.ORGAN),
])
def test_parts_and_kind(name: str, place: str | None, core: str, kind: UnitKind) -> None:
    u = unit_name(name)
    assert (u.place, u.core, u.kind) == (place, core, kind)


_CORES = st.sampled_from(["财政局", "市场监督管理局", "教育局", "审计局", "卫生健康委员会办公室"])
_PLACES = st.sampled_from(["甲区", "乙县", "丙市丁区"])


@given(_PLACES, _CORES, st.sampled_from(["", "中共"]), st.sampled_from(["", "党组", "党委", "机关党委"]))
def test_wrappers_never_change_the_unit(place: str, core: str, cpc: str, suffix: str) -> None:
    bare = unit_name(place + core)
    assert same_unit(unit_name(cpc + place + core + suffix), bare)
    assert same_unit(unit_name(core + suffix), bare)  # the unit's own region drops the place


def test_nonsense_never_fails() -> None:
    for raw in ("", "   ", "党组", "中共", "某区"):
        assert unit_name(raw).core is not None


# --- grouping names into units, with corrections -------------------------------------------------------

from archive.units import Correction, group_names  # noqa: E402


def test_names_of_one_unit_group_and_a_placeless_name_joins_the_one_placed_unit() -> None:
    units = group_names(["中共某区市场监督管理局党组", "区市场监管局党组", "区市场监管局党组", "某区市场监督管理局",
                         "甲区财政局党组", "乙区财政局党组", "区财政局"])
    by_alias = {a: u for u in units for a in u.aliases}
    assert by_alias["区市场监管局党组"] is by_alias["中共某区市场监督管理局党组"] is by_alias["某区市场监督管理局"]
    assert by_alias["区市场监管局党组"].name == "区市场监管局党组"  # the name notices use most
    assert by_alias["区市场监管局党组"].region == "某区" and by_alias["区市场监管局党组"].kind is UnitKind.ORGAN
    assert by_alias["甲区财政局党组"] is not by_alias["乙区财政局党组"]
    assert by_alias["区财政局"] not in (by_alias["甲区财政局党组"], by_alias["乙区财政局党组"])  # two places: ambiguous


def test_corrections_merge_and_split_by_alias_and_keep_ids_stable() -> None:
    names = ["区委编办", "中共示例区委机构编制委员会办公室", "区财政局党组", "中共区财政局党组"]
    before = {a: u.id for u in group_names(names) for a in u.aliases}
    assert before["区委编办"] != before["中共示例区委机构编制委员会办公室"]  # a short form no rule knows
    assert before["区财政局党组"] == before["中共区财政局党组"]
    merged = {a: u.id for u in group_names(names, (Correction("merge", "中共示例区委机构编制委员会办公室",
                                                              "区委编办"),)) for a in u.aliases}
    assert merged["中共示例区委机构编制委员会办公室"] == merged["区委编办"] == before["区委编办"]
    split = {a: u.id for u in group_names(names, (Correction("split", "中共区财政局党组"),)) for a in u.aliases}
    assert split["中共区财政局党组"] != split["区财政局党组"] == before["区财政局党组"]
    # a correction naming an alias no notice uses any more changes nothing
    assert {u.id for u in group_names(names, (Correction("split", "已撤销单位"),))} == set(before.values())


def test_a_bare_district_name_does_not_join_the_one_county_unit_of_its_name() -> None:
    """区第一中学党总支 (a 区 notice's own school) and 棠梓县第一中学党委 are two schools; 县第一中学 joins the 县's."""
    units = group_names(["区第一中学党总支", "棠梓县第一中学党委", "县第一中学党委"])
    by_alias = {a: u for u in units for a in u.aliases}
    assert by_alias["区第一中学党总支"] is not by_alias["棠梓县第一中学党委"]
    assert by_alias["县第一中学党委"] is by_alias["棠梓县第一中学党委"]


def test_bare_names_of_two_levels_stay_two_units_and_a_levelless_one_joins_the_one_level() -> None:
    """区委组织部 and 市委组织部 (no place named) are two departments; 财政局党组 joins 区财政局, the one level of it."""
    units = group_names(["区委组织部", "市委组织部", "区财政局党组", "财政局党组"])
    by_alias = {a: u for u in units for a in u.aliases}
    assert by_alias["区委组织部"] is not by_alias["市委组织部"]
    assert by_alias["财政局党组"] is by_alias["区财政局党组"]


def test_a_correction_made_under_an_older_spelling_still_applies() -> None:
    """Corrections are kept by alias; a notice's alias may now carry its signed place (LINKS_VERSION 14): a split of
    区市场监管局党组 recorded before still splits what the notices now call 示例区市场监管局党组."""
    from archive.units import Correction

    names = ["示例区市场监管局党组", "示例区市场监督管理局", "示例区财政局党组"]
    split = group_names(names, (Correction("split", "区市场监管局党组"),))
    by_alias = {a: u for u in split for a in u.aliases}
    assert by_alias["示例区市场监管局党组"].aliases == ("示例区市场监管局党组",)  # the alias the correction named
    assert by_alias["示例区市场监管局党组"] is not by_alias["示例区市场监督管理局"]
    merged = group_names(names, (Correction("merge", "区财政局党组", "区市场监管局党组"),))
    by_alias = {a: u for u in merged for a in u.aliases}
    assert by_alias["示例区财政局党组"] is by_alias["示例区市场监管局党组"]


def test_places_keep_their_level() -> None:
    """A district and a city of one name (示例区, 示例市), or a county and a city (长沙县, 长沙市), are two places: their
    units of one name are two."""
    units = group_names(["中共示例区城市建设投资集团有限公司委员会", "中共示例市城市建设投资集团有限公司委员会",
                         "长沙县财政局党组", "长沙市财政局党组", "示例区审计局", "示例区审计局党组",
                         "区城投集团党委", "市城投集团党委"])
    by_alias = {a: u for u in units for a in u.aliases}
    assert by_alias["中共示例区城市建设投资集团有限公司委员会"] is not by_alias["中共示例市城市建设投资集团有限公司委员会"]
    # a bare 区 or 市 (the notice's own district or city) joins the one placed unit of its name at that level
    assert by_alias["区城投集团党委"] is by_alias["中共示例区城市建设投资集团有限公司委员会"]
    assert by_alias["市城投集团党委"] is by_alias["中共示例市城市建设投资集团有限公司委员会"]
    assert by_alias["长沙县财政局党组"] is not by_alias["长沙市财政局党组"]
    assert by_alias["示例区审计局"] is by_alias["示例区审计局党组"]
