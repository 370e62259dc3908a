"""党内法规: which regulations are Party rules, the names notices cite them by, 《条例》 after a full mention."""

from pathlib import PurePath

import pytest

from archive.models import Category, Citation, Measure, Notice, NoticeHeader, Problem
from archive.rulenames import PARTY_LEVEL, cites_rule, is_party_rule, level_of, named_before, with_full_names


@pytest.mark.parametrize("title,issuer", [
    ("中国共产党纪律处分条例", None), ("中国共产党廉洁自律准则", None), ("中国共产党支部工作条例（试行）", None),
    ("党政机关厉行节约反对浪费条例", None), ("党政领导干部选拔任用工作条例", None),
    ("党委（党组）落实全面从严治党主体责任规定", None), ("关于新形势下党内政治生活的若干准则", None),
    ("中共中央政治局贯彻落实中央八项规定实施细则", None), ("示例八项规定实施细则", "中共中央办公厅"),
    ("中国共产党章程", None)])
def test_party_rules_by_title_or_issuer(title: str, issuer: str | None) -> None:
    assert is_party_rule(title, issuer)


@pytest.mark.parametrize("title,issuer", [
    ("中华人民共和国政府采购法", "全国人民代表大会常务委员会"), ("示例区党组议事规则", None),
    ("示例市党政机关公务用车管理办法", "示例市人民政府"), ("中国共产党历史大事记", None),
    ("中央储备粮管理条例", "国务院"), ("中央预算执行情况审计监督暂行办法", None), ("军用标准化管理办法", "中央军委"),
    ("关于加强党的建设的意见", "中共中央")])
def test_not_party_rules(title: str, issuer: str | None) -> None:
    assert not is_party_rule(title, issuer)


def test_level_from_the_party_folder_or_the_title() -> None:
    assert level_of(PurePath("../shared/corpus/party/任一规则(2020-01-01).md"), "示例议事规则", None, "party") \
        == PARTY_LEVEL
    assert level_of(PurePath("upload/x.docx"), "中国共产党问责条例", None, None) == PARTY_LEVEL
    assert level_of(PurePath("regulations/行政法规/x.md"), "公务用车管理条例", "国务院", "行政法规") == "行政法规"
    # co-issued with the State: filed where the corpus files it
    assert level_of(PurePath("regulations/行政法规/x.md"), "信访工作条例", "中共中央、国务院", "行政法规") == "行政法规"
    assert level_of(PurePath("regulations/行政法规/x.md"), "示例工作条例", "中共中央办公厅", "行政法规") == PARTY_LEVEL
    # a file named party is no folder
    assert level_of(PurePath("corpus/party"), "公务用车管理条例", "国务院", None) is None


@pytest.mark.parametrize("cited,title", [
    ("纪律处分条例", "中国共产党纪律处分条例"), ("问责条例", "中国共产党问责条例"),
    ("八项规定实施细则", "中共中央政治局贯彻落实中央八项规定实施细则"), ("廉洁准则", "中国共产党廉洁自律准则"),
    ("选任条例", "党政领导干部选拔任用工作条例"), ("主体责任规定", "党委（党组）落实全面从严治党主体责任规定"),
    ("支部工作条例", "中国共产党支部工作条例（试行）"), ("巡视条例", "中国共产党巡视工作条例"),
    ("中国共产党问责条例", "中国共产党问责条例")])
def test_names_notices_use(cited: str, title: str) -> None:
    assert cites_rule(cited, title)


@pytest.mark.parametrize("cited,title", [
    ("条例", "中国共产党纪律处分条例"),  # a bare kind is a back reference, never a name
    ("纪律处分规定", "中国共产党纪律处分条例"),  # another kind
    ("问责条例", "中国共产党巡视工作条例")])
def test_names_that_are_not_the_rule(cited: str, title: str) -> None:
    assert not cites_rule(cited, title)


def test_named_before_takes_the_last_rule_of_that_kind() -> None:
    text = "学习《中国共产党纪律处分条例》和《中国共产党廉洁自律准则》，对照《准则》和《条例》第七条自查。"
    assert named_before(text, text.index("《准则》"), "准则") == "中国共产党廉洁自律准则"
    assert named_before(text, text.index("《条例》"), "条例") == "中国共产党纪律处分条例"
    assert named_before(text, 0, "条例") is None
    assert named_before("落实《示例八项规定实施细则》，对照《细则》", 12, "细则") == "示例八项规定实施细则"


def _notice(text: str, *measures: str) -> Notice:
    from archive.citations import find_citations

    ms = tuple(Measure(i, m, find_citations(m)) for i, m in enumerate(measures, 1))
    prob = Problem(1, "针对问题", "".join(measures), find_citations("".join(measures)), measures=ms)
    return Notice("通报", NoticeHeader(), None, None, (), (Category(1, "一类", 1, "二", problems=(prob,)),),
                  find_citations(text))


def test_a_bare_kind_in_a_later_measure_is_named_after_the_earlier_full_mention() -> None:
    m1 = "一是学习《中国共产党纪律处分条例》。"
    m2 = "二是对照《条例》第七条自查，并落实《准则》。"
    text = "通报\n" + m1 + m2
    out = with_full_names(_notice(text, m1, m2), text)
    measure = out.categories[0].problems[0].measures[1]
    assert [(c.title, c.article) for c in measure.citations] == [("中国共产党纪律处分条例", "第七条"), ("准则", None)]
    problem = out.categories[0].problems[0]
    assert ("中国共产党纪律处分条例", "第七条") in [(c.title, c.article) for c in problem.citations]
    assert "条例" not in [c.title for c in out.citations]


def test_a_notice_without_bare_kinds_is_left_alone() -> None:
    m1 = "一是学习《中国共产党纪律处分条例》第七条。"
    n = _notice(m1, m1)
    assert with_full_names(n, m1) is n
    assert Citation("中国共产党纪律处分条例", "第七条", 7) in n.categories[0].problems[0].measures[0].citations
