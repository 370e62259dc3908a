"""indexer/suggest.py: articles suggested for a measure are on its topic, from rules an inspector would cite."""

from archive.records import MeasureTopic
from indexer.suggest import places

CAR = MeasureTopic(text="一是召开专题学习会，再次传达学习公务用车管理规定，严格执行公务用车管理相关规定。",
                   problem_title="针对公车管理不严问题", category="落实中央八项规定精神方面",
                   on_date="2021-03-31", issuer="中共示例区城市管理局党组")


def test_places_of_an_issuer() -> None:
    assert places("中共深圳市罗湖区残疾人联合会党组") == ("深圳", "罗湖")
    assert places("中共南开大学委员会") == ()


def test_a_topic_measure_gets_the_rules_on_its_topic(service) -> None:  # type: ignore[no-untyped-def]
    found = service.suggest_articles(CAR, 3)
    assert found, "a 公务用车 measure gets suggestions"
    for s in found:
        assert "公务用车" in s.doc_title, s  # the regulation's title names the topic
        assert "公务用车" in s.reason and s.article
