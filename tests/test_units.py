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
    ("中共示例市第一人民医院委员会", "示例市", "第一人民医院", UnitKind.HOSPITAL),
    ("中共示例市城投集团有限公司委员会", "示例市", "城投集团有限公司", UnitKind.ENTERPRISE),
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
