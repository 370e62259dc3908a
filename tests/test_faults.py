"""archive/faults.py: fault kinds as data with their governing rules, and the classifier fitted on problems."""

import json
from pathlib import Path

import pytest

from archive.faults import FALLBACK, PARTY_CATEGORY, FaultModel, governing, kinds, load_kinds
from archive.records import MeasureTopic

# fictional problems, in our own words, as an archive of notices would hold them
PROBLEMS = [
    "针对政府采购程序不规范问题 部分项目化整为零规避招标 供应商比选询价走过场 采购合同验收不严",
    "针对工程项目招投标管理不严问题 招标文件设置倾向性条款 投标单位资质审查不严",
    "针对公务接待管理不严格问题 无公函接待 超标准安排工作餐 接待清单不全 陪餐人数超标",
    "针对公务用车管理不规范问题 公车私用 派车单填写不全 车辆加油卡管理混乱 维修费用偏高",
    "针对三会一课制度落实不到位问题 支部委员会未按月召开 党课流于形式 组织生活会批评与自我批评辣味不足",
    "针对发展党员程序不规范问题 入党积极分子培养考察不足一年 预备党员转正材料缺失 政审不严",
    "针对财务报销审核不严问题 报销票据不合规 会计凭证附件不全 专项资金挪用 预算执行率低",
    "针对选人用人不规范问题 干部选拔任用考察不全面 干部档案审核不严 个人有关事项报告漏报",
    "针对三重一大决策制度执行不严问题 大额资金使用未经党组会集体研究 重大事项个人说了算",
]


def topic(title: str, text: str, category: str = "") -> MeasureTopic:
    return MeasureTopic(text=text, problem_title=title, category=category)


def test_every_kind_has_a_source_and_party_rules_are_named_by_category_only() -> None:
    table = kinds()
    assert len({k.kind for k in table}) == len(table) >= 12
    for k in table:
        assert k.source and k.seed, k.kind
    party = [k for k in table if PARTY_CATEGORY in k.categories]
    assert len(party) >= 8  # Party conduct is governed by whatever 党内法规 the archive holds
    for k in party:
        assert not any(t.startswith("中国共产党") for t in k.titles), k  # no specific Party-rule titles
    assert governing(FALLBACK) is None  # a unit's own line of work: ranked over every regulation


def test_governing_rules_route_each_kind_to_its_body_of_rules() -> None:
    procurement, rites, car = governing("政府采购/招投标"), governing("组织生活/三会一课"), governing("公车")
    assert procurement and rites and car
    assert procurement.governs("经济法", "中华人民共和国政府采购法")
    assert procurement.governs("经济法", "中华人民共和国招标投标法实施条例")
    assert not procurement.governs(PARTY_CATEGORY, "某党内法规")  # Party rules do not govern procurement
    assert rites.governs(PARTY_CATEGORY, "任何一部党内法规")
    assert not rites.governs("经济法", "中华人民共和国政府采购法")
    assert car.governs("地方性法规", "示例市党政机关公务用车管理办法")


def test_a_malformed_table_is_an_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "kinds.json"
    bad.write_text(json.dumps({"kinds": [{"kind": "x"}]}), encoding="utf-8")
    with pytest.raises(ValueError, match="kinds.json"):
        load_kinds(bad)


@pytest.mark.parametrize(("title", "text", "kind"), [
    ("针对采购制度落实不到位问题", "严格查验供应商资质，5万元以上项目按规定比选", "政府采购/招投标"),
    ("针对接待管理不严问题", "无公函一律不予接待，工作餐按标准执行", "公务接待"),
    ("针对车辆管理不严问题", "严格用车审批，做好派车登记", "公车"),
    ("针对支部组织生活不严谨问题", "按月召开支部委员会，落实三会一课", "组织生活/三会一课"),
    ("针对入党程序不规范问题", "补齐预备党员转正材料，严格培养考察", "发展党员"),
])
def test_the_classifier_finds_the_kind_from_the_archives_problems(title: str, text: str, kind: str) -> None:
    model = FaultModel(PROBLEMS)
    guess = model.classify(topic(title, text))
    assert guess.kind == kind, guess
    assert guess.similarity > 0


def test_problems_join_kinds_and_move_their_centroids() -> None:
    """The centroids are fitted on the problems, not only the seeds: a word no seed has (辣味) pulls a measure
    to the kind whose problems use it."""
    model = FaultModel(PROBLEMS)
    assert model.sizes["政府采购/招投标"] >= 2
    seeds_only = FaultModel([])
    measure = topic("", "辣味不足")
    assert model.classify(measure).kind == "组织生活/三会一课"
    assert seeds_only.classify(measure).kind == FALLBACK  # nothing shared with any seed


def test_nothing_like_any_kind_is_the_fallback() -> None:
    assert FaultModel(PROBLEMS).classify(topic("", "abc 123")).kind == FALLBACK


def test_kept_vectors_and_kinds_are_what_the_model_computes() -> None:
    """The model keeps texts' vectors and topics' kinds (asked again for a notice's other measures): a kept answer
    is the computed one, also once the memo is full and the oldest are dropped."""
    from collections import Counter

    from archive import faults
    from archive.faults import bigrams

    model = FaultModel(PROBLEMS)
    texts = [f"针对第{i}号采购合同验收不严问题 供应商比选走过场" for i in range(faults.MEMO + 5)]
    first = [model.vector(t) for t in texts]
    assert len(model._vectors) == faults.MEMO
    assert [model.vector(t) for t in texts] == first == [model.vector_of(bigrams(t)) for t in texts]
    measure = topic("针对接待管理不严问题", "无公函一律不予接待")
    assert model.classify(measure) == model.classify(measure) == model._classify(faults.topic_text(measure))
    # bigrams in one Counter: the counts, and the order they were first seen, of a run-by-run count
    text = "针对公务用车管理问题，公车私用；派车单abc填写不全。公务用车"
    slow: Counter[str] = Counter()
    for run in faults._HAN.findall(text):
        slow.update(g for g in (run[i:i + 2] for i in range(len(run) - 1)) if g not in faults.FRAME)
    assert list(bigrams(text).items()) == list(slow.items())


def test_the_model_is_refitted_when_a_notice_changes_not_only_when_their_number_does(tmp_path: Path) -> None:
    from archive.database import Archive
    from archive.faults import model_of
    from archive.pipeline import ingest
    from xuncha.settings import load_settings

    settings = load_settings(environ={}, home=tmp_path / "home")
    notice = tmp_path / "in" / "示例县水务局党组关于巡察整改情况的通报.txt"
    notice.parent.mkdir()
    body = ("示例县水务局党组关于巡察整改情况的通报\n\n一、关于党的建设方面\n\n"
            "1.针对{}的问题。一是严格执行有关规定，逐项整改。\n")
    notice.write_text(body.format("公务用车管理不规范"), encoding="utf-8")
    with Archive.open(settings.db_path) as archive:
        ingest(archive, settings.ingest_options(), [str(notice.parent)])
        first = model_of(archive)
        assert model_of(archive) is first  # kept: asked once per measure
        notice.write_text(body.format("政府采购程序不规范"), encoding="utf-8")
        ingest(archive, settings.ingest_options(), [str(notice.parent)])
        again = model_of(archive)
    assert again is not first and again.idf != first.idf  # one notice still, changed: fitted anew
