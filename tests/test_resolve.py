"""Citation resolution: title forms, versions in force, and reasons for what does not resolve."""

import pytest

from archive.records import ArticleRecord, RegulationEntry
from archive.resolve import Catalog
from tests.conftest import SEED, needs_shared

ENTRIES = [
    RegulationEntry("a1", "示例市党政机关公务用车管理办法", "2019-03-01"),
    RegulationEntry("a2", "示例市党政机关公务用车管理办法", "2022-06-15"),
    RegulationEntry("g1", "中华人民共和国政府采购法", "2014-08-31"),
    RegulationEntry("c1", "中国共产党章程", "2017-10-24"),
    RegulationEntry("f1", "示例市因私出国（境）证照管理办法", "2018-09-01"),
    RegulationEntry("k1", "示例市行政事业单位内部控制和采购管理规定", "2020-01-10"),
]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(list(ENTRIES))


@pytest.mark.parametrize("title,doc", [("中华人民共和国政府采购法", "g1"), ("政府采购法", "g1"), ("党章", "c1"),
                                       ("示例市因私出国(境)证照管理办法", "f1"), ("示例市因私出国（境）证照管理办法", "f1"),
                                       ("行政事业单位内部控制和采购管理规定", "k1"), ("示例市党政机关公务用车管里办法", "a2")])
def test_title_forms_resolve(catalog: Catalog, title: str, doc: str) -> None:
    r = catalog.resolve(title, None, "2023-01-01")
    assert r.status == "resolved" and r.regulation and r.regulation.id == doc


def test_near_miss_has_lower_confidence(catalog: Catalog) -> None:
    exact = catalog.resolve("示例市党政机关公务用车管理办法", None, "2023-01-01")
    near = catalog.resolve("示例市党政机关公务用车管里办法", None, "2023-01-01")
    assert exact.confidence == 1.0 and 0 < near.confidence < exact.confidence and "相差一个字" in near.reason


def test_version_in_force_on_the_notice_date(catalog: Catalog) -> None:
    assert catalog.resolve("示例市党政机关公务用车管理办法", None, "2021-09-28").regulation.version == "2019-03-01"
    late = catalog.resolve("示例市党政机关公务用车管理办法", None, "2023-03-31")
    assert late.regulation.version == "2022-06-15" and "2023-03-31 时有效" in late.reason
    early = catalog.resolve("示例市党政机关公务用车管理办法", None, "2010-01-01")
    assert "前无有效版本" in early.reason


def test_unresolved_reasons(catalog: Catalog) -> None:
    assert catalog.resolve("国家残疾预防行动计划(2016—2020年)", None, None).status == "not_a_regulation"
    assert catalog.resolve("康复机构季度回访报告", None, None).status == "not_a_regulation"
    assert catalog.resolve("罗湖区残联采购管理制度", None, None,
                           own_units=("中共深圳市罗湖区残疾人联合会党组", "区残联党组")).status == "internal"
    assert catalog.resolve("罗湖区残疾人康复机构回访制度", None, None, context="三是制定").status == "internal"
    missing = catalog.resolve("残疾预防和残疾人康复条例", None, None)
    assert missing.status == "not_in_archive" and "档案中没有" in missing.reason


def test_ambiguous_lists_candidates() -> None:
    cat = Catalog([RegulationEntry("x", "甲市公务用车管理办法", None),
                   RegulationEntry("y", "乙市公务用车管理办法", None)])
    r = cat.resolve("丙市公务用车管理办法", None, None)
    assert r.status == "ambiguous" and {c.id for c in r.candidates} == {"x", "y"}


@needs_shared
def test_real_seed_citations(indexed_settings) -> None:
    from archive.crosscheck import check_notice
    from archive.database import Archive

    with Archive.open(indexed_settings.db_path) as archive:
        seed = archive.document(str(SEED))
        assert seed is not None
        report = check_notice(archive, seed, None, 0)
    by_title = {c.title: c for c in report.citations}
    assert by_title["中国共产党章程"].status == "resolved"
    assert by_title["中国共产党章程"].regulation.version == "2017-10-24"
    assert by_title["国家残疾预防行动计划(2016—2020年)"].status == "not_a_regulation"
    assert by_title["罗湖区残联采购管理制度"].status == "internal"
    rehab = by_title["残疾预防和残疾人康复条例"]  # a real 行政法规 of ../shared, in force on the notice's date
    assert rehab.status == "resolved" and rehab.regulation.version <= "2021-03-31"
    assert by_title["罗湖区科级以下干部任免管理办法(试行)"].status == "not_in_archive"
    assert by_title["党支部工作手册"].status == "not_a_regulation"
    assert len(report.measures) > 40 and any(m.cites == 0 for m in report.measures)


# --- 党内法规 (issue 33) ----------------------------------------------------------------------------

PARTY = [
    RegulationEntry("d1", "中国共产党纪律处分条例", "2018-08-26", level="党内法规", issuer="中共中央",
                    effective="2018-10-01"),
    RegulationEntry("d2", "中国共产党纪律处分条例", "2023-12-19", level="党内法规", issuer="中共中央",
                    effective="2024-01-01"),
    RegulationEntry("z1", "中国共产党支部工作条例（试行）", "2018-10-28", level="党内法规"),
    RegulationEntry("z2", "中国共产党支部工作条例", "2024-05-01", level="党内法规"),
    RegulationEntry("x1", "中共中央政治局贯彻落实中央八项规定实施细则", "2017-10-27", level="党内法规"),
    RegulationEntry("s1", "中国共产党巡视工作条例", "2017-07-01", level="党内法规"),
    RegulationEntry("w1", "某市纪律处分条例", "2020-01-01"),  # not a Party rule: never reached by a Party name
]


@pytest.fixture
def party() -> Catalog:
    return Catalog(PARTY)


@pytest.mark.parametrize("on_date,doc", [
    ("2021-06-30", "d1"),
    ("2023-12-25", "d1"),  # issued, not yet in force: the old version still applies
    ("2024-06-30", "d2"),
    (None, "d2"),
])
def test_party_rule_version_in_force_on_the_notice_date(party: Catalog, on_date: str | None, doc: str) -> None:
    r = party.resolve("纪律处分条例", None, on_date)
    assert r.status == "resolved" and r.regulation and r.regulation.id == doc
    full = party.resolve("中国共产党纪律处分条例", None, on_date)
    assert full.status == "resolved" and full.regulation and full.regulation.id == doc


def test_party_names_and_trial_versions_are_one_chain(party: Catalog) -> None:
    # 支部工作条例 (试行) and its final text are versions of one rule, not two rules
    r = party.resolve("支部工作条例", None, "2020-01-01")
    assert r.status == "resolved" and r.regulation and r.regulation.id == "z1"
    later = party.resolve("支部工作条例", None, "2024-06-30")  # one chain: the final text once in force
    assert later.status == "resolved" and later.regulation and later.regulation.id == "z2"
    r = party.resolve("八项规定实施细则", "第六条", "2020-01-01")
    assert r.status == "resolved" and r.regulation and r.regulation.id == "x1" and r.confidence == 0.85
    assert party.resolve("问责条例", None, "2020-01-01").status == "not_in_archive"
    # 工作条例 could be 支部工作条例 or 巡视工作条例: no one rule
    assert party.resolve("工作条例").status == "ambiguous"
    # a Party rule's name never reaches a regulation that is not one
    named = party.resolve("纪律处分条例")
    assert named.status == "resolved" and all(e.id != "w1" for e in (named.regulation, *named.candidates) if e)


def test_a_bare_kind_resolves_to_the_rule_named_before_it(party: Catalog) -> None:
    r = party.resolve("条例", "第七条", "2021-06-30", context="学习《中国共产党纪律处分条例》，对照")
    assert r.status == "resolved" and r.regulation and r.regulation.id == "d1"
    r = party.resolve("条例", "第七条", "2021-06-30", context="对照")
    assert r.status == "not_in_archive" and "全称" in r.reason


def test_article_of_the_version_in_force() -> None:
    arts = {("d1", 7): ArticleRecord("d1-a7", "d1", 7, "第七条", "公款大吃大喝"),
            ("d2", 7): ArticleRecord("d2-a7", "d2", 7, "第七条", "电子红包")}
    cat = Catalog(PARTY, lambda doc, n: arts.get((doc, n)))
    assert cat.resolve("纪律处分条例", "第七条", "2021-06-30").article_id == "d1-a7"
    assert cat.resolve("纪律处分条例", "第七条", "2024-06-30").article_id == "d2-a7"
