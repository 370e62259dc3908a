"""What a query cites (indexer/citequery.py): the regulation, the article and the date that picks a version."""

from __future__ import annotations

from indexer.citequery import find_citation, pick_version, query_date


def test_citation_detected_with_article() -> None:
    key, article, rest = find_citation("政府采购法 第二十六条", {"政府采购法", "会计法"})
    assert (key, article, rest.strip()) == ("政府采购法", 26, "")
    key, article, rest = find_citation("《中华人民共和国会计法》 会计档案", {"政府采购法", "会计法"})
    assert key == "会计法" and article is None and "会计档案" in rest


def test_citation_alias() -> None:
    key, article, _ = find_citation("党章 第八条", {"中国共产党章程", "会计法"})
    assert (key, article) == ("中国共产党章程", 8)


def test_citation_takes_a_typed_fragment_of_the_state_name() -> None:
    # 人民共和国 is part of the title the user half-typed, not a word to search for
    for text in ("人民共和国国歌法 奏唱", "中华人民共和国国歌法 奏唱", "和国国歌法 奏唱"):
        key, _, rest = find_citation(text, {"国歌法"})
        assert (key, rest.split()) == ("国歌法", ["奏唱"]), text
    key, _, rest = find_citation("人民 国歌法", {"国歌法"})  # not adjacent: stays a word
    assert rest.split() == ["人民"]


def test_pick_version() -> None:
    assert pick_version(("2017-11-04", "2024-06-28"), "2020-12-31") == "2017-11-04"
    assert pick_version(("2017-11-04", "2024-06-28"), "2010-12-31") == "2017-11-04"  # none yet: the earliest
    assert pick_version((), "2010-12-31") is None and pick_version(("2017-11-04",), None) is None


def test_a_year_or_date_is_read_as_the_last_day_it_can_mean_and_taken_out() -> None:
    assert query_date("2017年会计法 第四十二条") == ("2017-12-31", " 会计法 第四十二条")
    date, rest = query_date("监察法(2018年3月) 留置")
    assert date == "2018-03-31" and "2018" not in rest and "留置" in rest
    assert query_date("会计法 会计档案") == (None, "会计法 会计档案")
