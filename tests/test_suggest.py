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
        # the regulation's title names the topic, or the article does (a Party rule's 规范公务用车 article, issue 33)
        assert "公务用车" in s.doc_title or "公务用车" in s.snippet, s
        assert "公务用车" in s.reason and s.article


def test_candidates_are_whooshs_own_ranking(service, indexed_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The suggestion query scored from posting blocks ranks what Whoosh's filtered search ranks (the same
    80 articles, scores equal but for the last bits of a float sum), for every measure of the notices."""
    from archive.crosscheck import measure_topics
    from archive.database import Archive
    from archive.kinds import DocType
    from indexer import suggest as S

    s = service.searcher()
    in_force = service._articles_in_force(s)
    compared = []
    real = S.candidates

    def both(searcher, q, allowed, limit=S.CANDIDATES, scores=None):  # type: ignore[no-untyped-def]
        ours = real(searcher, q, allowed, limit, scores)
        theirs = {r.docnum: r.score for r in searcher.search(q, limit=limit, filter=allowed)}
        assert {f.docnum for f in ours} == set(theirs)
        assert all(abs(f.score - theirs[f.docnum]) < 1e-9 for f in ours)
        compared.append(len(ours))
        return ours

    monkeypatch.setattr(S, "candidates", both)
    with Archive.open(indexed_settings.db_path) as a:
        for d in a.documents_of_type(DocType.NOTICE):
            for *_, topic in measure_topics(d, a.notice_tree(d.id)):
                S.suggest(s, topic, 3, service.reg_keys, service.texts, service._hit, in_force)
    assert len(compared) > 20 and sum(compared) > 200


def _suggest(service, topic, **kw):  # type: ignore[no-untyped-def]
    from archive.faults import model_of
    from indexer import suggest as S

    s = service.searcher()
    return S.suggest(s, topic, 3, service.reg_keys, service.texts, service._hit, service._articles_in_force(s),
                     model=model_of(service._archive()), governed=lambda k: service._governed(s, k), **kw)


def test_no_suggestion_when_nothing_reaches_the_threshold(service) -> None:  # type: ignore[no-untyped-def]
    """Abstention: the same measure gets articles at a low threshold and none at a threshold no score reaches."""
    assert _suggest(service, CAR, threshold=0.0)
    assert _suggest(service, CAR, threshold=1.01) == ()
    for s in _suggest(service, CAR, threshold=0.0):
        assert 0.0 <= s.score <= 1.0  # a calibrated score, not a raw BM25 sum


def test_suggestions_say_the_fault_kind_and_come_from_its_governing_rules(service) -> None:  # type: ignore[no-untyped-def]
    found = _suggest(service, CAR, threshold=0.0)
    assert found[0].fault_kind == "公车" and found[0].governing, found[0]
    assert "问题类型：公车" in found[0].reason and found[0].shared_terms
    data = found[0].to_json()
    assert {"reason", "fault_kind", "governing", "shared_terms"} <= data.keys()


def test_routing_decides_the_ranking(service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without its governing rules' weight, the same measure ranks differently: the routing is what ranks them."""
    from indexer import suggest as S

    routed = [s.article_id for s in _suggest(service, CAR, threshold=0.0)]
    explain: list[dict] = []
    _suggest(service, CAR, threshold=0.0, explain=explain)
    assert any(e["features"]["governing"] for e in explain)
    flipped = [s.article_id for s in _suggest(service, CAR, threshold=0.0,
                                               weights={**S.WEIGHTS, "governing": -50.0})]
    assert routed != flipped


def test_another_places_local_rule_is_foreign_to_a_unit() -> None:
    from indexer.suggest import foreign

    luohu = places("中共深圳市罗湖区残疾人联合会党组")
    assert foreign("地方性法规", "重庆市残疾人保障条例", luohu)
    assert not foreign("地方性法规", "深圳市残疾人保障条例", luohu)
    assert not foreign("地方性法规", "示例市党政机关公务用车管理办法", luohu)  # names no place
    assert not foreign("行政法规", "残疾人就业条例", luohu)
    # a unit whose name gives no place is shown no place's local rule
    assert foreign("地方性法规", "上海市预算审查监督条例", places("中共南开大学委员会"))
