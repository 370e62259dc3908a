"""Article-level evidence for citation queries (indexer/citing.py): references in an article's text, and the hook."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer import querytree as T
from indexer.citing import CitedOptions, evidence, references


def test_references_of_its_own_law_in_order_without_other_laws_or_itself() -> None:
    text = "违反本法第十二条、第三十二条规定的，依照《中华人民共和国刑法》第二百七十七条处理；第五条另有规定的除外。"
    assert references(text, 5) == (12, 32)
    assert references("有前条规定情形的，依照第二十条处理。", 9) == (20, 8)
    assert references("第一条 第二条 第三条", 0, limit=2) == (1, 2)
    assert references("本条例自公布之日起施行。", 40) == ()


def test_evidence_is_one_scored_clause_per_article_in_the_version() -> None:
    node = evidence("示例法", "2020-01-01", (3, 7), 8.0)
    assert isinstance(node, T.Or) and len(node.clauses) == 2
    assert T.terms(node) >= {("reg_key", "示例法"), ("article_num", 3), ("article_num", 7), ("version", "2020-01-01")}
    assert all(c.boost == 8.0 for c in node.clauses)  # type: ignore[union-attr]
    assert evidence("示例法", None, (), 8.0) is None
    with pytest.raises(ValueError):
        CitedOptions(weight=0)


RULES = """# 示例县公益林管护办法

2022年3月1日 示例县林业局印发

自印发之日起施行

（示例文本，虚构，仅供测试）

<!-- INFO END -->

第一条 公益林管护人员应当每月巡护责任区域，发现火情立即报告。

第二条 公益林内禁止采石、采砂、取土。

第三条 公益林管护补助资金实行专账核算，专款专用。

第四条 管护人员未履行第一条规定的巡护职责的，扣减当月管护补助；挪用第三条规定的补助资金的，追回资金。

第五条 本办法自印发之日起施行。
"""


@pytest.fixture(scope="module")
def forest(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.conftest import build_archive

    folder = tmp_path_factory.mktemp("citing-corpus")
    (folder / "示例县公益林管护办法(2022-03-01).md").write_text(RULES, encoding="utf-8")
    return build_archive(tmp_path_factory.mktemp("citing") / "home", [str(folder)])


def _articles(settings, cited: CitedOptions | None, text: str) -> tuple[dict[str, float], int]:  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    service = SearchService(replace(settings.search_options(), cited=cited, result_cache=0))
    res = service.search(text, per_page=20)
    return {h.article: h.score for h in res.hits if h.kind == "article"}, res.total


def test_the_cited_articles_references_follow_it_and_totals_stay(forest) -> None:  # type: ignore[no-untyped-def]
    query = "示例县公益林管护办法 第四条"
    off, total_off = _articles(forest, None, query)
    on, total_on = _articles(forest, CitedOptions(weight=8.0), query)
    assert max(off, key=off.__getitem__) == max(on, key=on.__getitem__) == "第四条"
    # the two articles the cited one names gain the evidence's score, and come next; the others are unchanged
    assert on["第一条"] > off["第一条"] + 1.0 and on["第三条"] > off["第三条"] + 1.0
    assert on["第二条"] == pytest.approx(off["第二条"]) and on["第五条"] == pytest.approx(off["第五条"])
    assert sorted(on, key=on.__getitem__, reverse=True)[1:3] in (["第一条", "第三条"], ["第三条", "第一条"])
    assert total_on == total_off
