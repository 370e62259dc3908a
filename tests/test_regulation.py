from pathlib import PurePosixPath

import pytest

from archive.classify import classify
from archive.normalize import normalize
from archive.parse import region_and_category
from archive.regulation import parse_regulation
from tests.conftest import SHARED, needs_shared

SAMPLE = """# 示例市公务用车管理办法

2019年3月1日 示例市人民政府令第12号公布 自2019年4月1日起施行

<!-- INFO END -->

## 第一章 总则

第一条 为了规范公务用车管理，制定本办法。

第二条 本办法适用于本市党政机关。

### 第一节 配备

第十条 公务用车实行编制管理。

第十一条 第十条规定的编制，由财政部门核定。

## 第二章 附则

第十二条 本办法自2019年4月1日起施行。
"""


def test_articles_chapters_sections_and_dates() -> None:
    reg = parse_regulation(normalize(SAMPLE), file_name="示例市公务用车管理办法(2019-03-01).md")
    assert reg.title == "示例市公务用车管理办法"
    assert reg.version == "2019-03-01" and reg.promulgated == "2019-03-01" and reg.effective == "2019-04-01"
    assert reg.issuer == "示例市人民政府"
    assert [a.number for a in reg.articles] == [1, 2, 10, 11, 12]
    assert reg.articles[2].chapter == "第一章 总则" and reg.articles[2].section == "第一节 配备"
    assert reg.articles[3].text.startswith("第十条规定的编制")
    assert reg.articles[4].chapter == "第二章 附则" and reg.articles[4].section is None


def test_a_paragraph_citing_an_earlier_article_is_not_an_article() -> None:
    reg = parse_regulation("第一条 甲。\n第二条 乙。\n第一条规定的事项，依照本条。\n第三条 丙。")
    assert [a.label for a in reg.articles] == ["第一条", "第二条", "第三条"]
    assert "第一条规定的事项" in reg.articles[1].text


def test_classify() -> None:
    assert classify(normalize(SAMPLE), "示例市公务用车管理办法") == "regulation"
    assert classify("根据区委统一部署,区委第一巡察组对示例局进行了巡察。现将巡察整改情况予以公布。\n1.针对甲问题。\n2.针对乙问题。",
                    None) == "notice"
    assert classify("一篇普通的新闻稿。", "新闻") == "other"


@needs_shared
def test_real_regulation_and_party_constitution() -> None:
    path = SHARED / "regulations" / "经济法"
    gov = next(path.glob("政府采购法*.md"))
    reg = parse_regulation(normalize(gov.read_text(encoding="utf-8")), file_name=gov.name)
    assert reg.title == "中华人民共和国政府采购法" and reg.short_title == "政府采购法"
    assert reg.articles[25].label == "第二十六条" and reg.articles[25].number == 26
    assert reg.articles[-1].number == len(reg.articles)
    charter = SHARED / "related" / "中国共产党章程(2017-10-24).txt"
    reg = parse_regulation(normalize(charter.read_text(encoding="utf-8")), file_name=charter.name)
    assert reg.title == "中国共产党章程" and reg.version == "2017-10-24"
    assert [a.number for a in reg.articles] == list(range(1, 56))


def test_publisher_is_an_organisation_never_a_meeting_or_an_order() -> None:
    from archive.regulation import organisation

    assert organisation("国务院第75次常务会议") == "国务院"
    assert organisation("中华人民共和国国务院令第235号") == "国务院"
    assert organisation("示例市人民政府令第12号") == "示例市人民政府"
    assert organisation("由最高人民法院审判委员会") == "最高人民法院审判委员会"
    assert organisation("关于") is None
    text = "# 示例条例\n\n2001年3月1日国务院第75次常务会议通过\n\n第一条 为了规范。\n"
    assert parse_regulation(text).issuer == "国务院"


def test_a_part_of_a_code_is_named_by_its_heading() -> None:
    from archive.regulation import part_of

    assert part_of("# 人格权编\n2020年5月28日 第十三届全国人民代表大会第三次会议通过") == "人格权编"
    assert part_of("# 总则") == "总则" and part_of("2020年通过") is None


@pytest.mark.parametrize(("path", "title", "region", "category"), [
    ("regulations/行政法规/人力资源市场暂行条例(2018-06-29).md", "人力资源市场暂行条例", "全国", "行政法规"),
    ("regulations/行政法规/城市市容和环境卫生管理条例(2017-03-01).md", "城市市容和环境卫生管理条例", "全国", "行政法规"),
    ("regulations/行政法规/北京市新技术产业开发试验区暂行条例(1988-05-20).md", "北京市新技术产业开发试验区暂行条例",
     "北京市", "行政法规"),
    ("regulations/DLC/浙江地方法规/地方性法规/浙江/浙江省人民代表大会议事规则(2023-01-01).md", "浙江省人民代表大会议事规则",
     "浙江", "地方性法规"),
    ("corpus/regulations/示例市党政机关公务用车管理办法(2022-06-15).md", "示例市党政机关公务用车管理办法", "示例市", None),
    ("regulations/宪法相关法/中华人民共和国国旗法(2020-10-17).md", "中华人民共和国国旗法", "全国", "宪法相关法"),
])
def test_region_is_a_place(path: str, title: str, region: str, category: str | None) -> None:
    # 人力资源市场 and 城市市容 open with 市 inside a word, not with a place called 人力资源市
    assert region_and_category(PurePosixPath(path), title, "regulation") == (region, category)


# --- 党内法规 (issue 33) ----------------------------------------------------------------------------

PARTY_PREAMBLE = "# 中国共产党示例问责条例\n\n（2019年7月10日中共中央政治局会议审议批准　2019年8月25日中共中央修订发布）\n\n<!-- INFO END -->\n"


def test_party_rule_issuer_is_who_issued_it_not_the_meeting() -> None:
    reg = parse_regulation(PARTY_PREAMBLE + "第一条 为了规范问责工作，制定本条例。\n第二条 本条例自2019年9月1日起施行。",
                           file_name="中国共产党示例问责条例(2019-08-25).md")
    assert reg.issuer == "中共中央"
    assert (reg.version, reg.promulgated) == ("2019-08-25", "2019-07-10")
    # a Party rule states when it takes effect in its last article, not in its preamble
    assert reg.effective == "2019-09-01"


def test_a_zhunze_gets_its_numbered_items_as_articles() -> None:
    text = ("# 示例若干准则\n\n2016年10月27日中共中央印发\n\n<!-- INFO END -->\n"
            "为了加强和规范党内政治生活，制定本准则。\n## 一般要求\n一、坚定理想信念。\n必须坚持学习。\n"
            "二、坚持党的基本路线。\n## 组织要求\n三、坚持民主集中制原则。\n其中提到的1.不是条目。")
    assert not parse_regulation(text).articles  # only a Party rule's text is read for items (the pipeline asks)
    reg = parse_regulation(text, items=True)
    assert [(a.number, a.label, a.chapter) for a in reg.articles] == [
        (1, "一、", "一般要求"), (2, "二、", "一般要求"), (3, "三、", "组织要求")]
    assert reg.articles[0].text == "坚定理想信念。\n必须坚持学习。"
    assert reg.issuer == "中共中央" and not reg.warnings


def test_numbered_paragraphs_without_info_end() -> None:
    text = "# 示例廉洁规范\n示例委员会印发\n1.不以权谋私。\n2.不收受礼金。\n3.不铺张浪费。"
    reg = parse_regulation(text, items=True)
    assert [a.label for a in reg.articles] == ["1.", "2.", "3."]
    assert reg.preamble == "示例委员会印发"


def test_a_list_that_does_not_count_from_one_is_prose() -> None:
    reg = parse_regulation("# 示例说明\n三、其一。\n五、其二。", items=True)
    assert not reg.articles and reg.warnings == ("no articles (第…条) found",)


def test_a_revised_laws_old_commencement_date_is_no_effective_date() -> None:
    text = "# 示例法\n\n<!-- INFO END -->\n第一条 总则。\n第二条 本法自1996年10月1日起施行。"
    assert parse_regulation(text, file_name="示例法(2018-12-29).md").effective is None
    assert parse_regulation(text, file_name="示例法(1996-05-15).md").effective == "1996-10-01"
