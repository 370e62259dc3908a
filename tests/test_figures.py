from archive.citations import find_citations, short_title, title_key
from archive.figures import find_dates, find_figures


def test_dates_in_every_form() -> None:
    text = "2020年5月19日至6月24日巡察；7月30日召开；二〇二一年三月三十一日；2022-04-16"
    assert [f.value for f in find_dates(text)] == ["2020-05-19", "2020-06-24", "2020-07-30", "2021-03-31",
                                                   "2022-04-16"]


def test_month_day_takes_default_year_without_context() -> None:
    assert find_dates("8月31日组织培训", default_year=2020)[0].value == "2020-08-31"


def test_amounts_counts_percent() -> None:
    figs = {(f.kind, f.text, f.value) for f in find_figures("资金在20万元以上，5万元，1.2万元，十万元，45场次，12.5%")}
    assert ("money", "20万元", "200000") in figs
    assert ("money", "十万元", "100000") in figs
    assert ("money", "1.2万元", "12000") in figs
    assert ("count", "45场次", "45") in figs
    assert ("percent", "12.5%", "12.5") in figs


def test_citations_with_articles_and_nested_titles() -> None:
    cits = find_citations("依据《中华人民共和国政府采购法》第二十六条和《关于修改〈中华人民共和国立法法〉的决定》")
    assert cits[0].title == "中华人民共和国政府采购法" and cits[0].article == "第二十六条"
    assert cits[0].article_number == 26
    assert cits[1].title == "关于修改〈中华人民共和国立法法〉的决定" and cits[1].article is None


def test_short_titles() -> None:
    assert short_title("中华人民共和国政府采购法") == "政府采购法"
    assert short_title("中华人民共和国刑法") == "刑法"
    assert short_title("罗湖区科级以下干部任免管理办法（试行）") == "罗湖区科级以下干部任免管理办法"
    assert short_title("中国共产党章程") == "中国共产党章程"
    assert title_key("因私出国（境）管理") == title_key("因私出国(境)管理")
