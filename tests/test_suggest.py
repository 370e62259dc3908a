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
    """Each source's query, asked of the backend (SearchBackend.best within a filter tree), ranks what Whoosh's
    filtered search of the same query ranks (the same articles, scores equal but for the last bits of a float
    sum), for every measure of the notices; and the merged query's `scores` of the candidates are those scores."""
    from archive.crosscheck import measure_topics
    from archive.database import Archive
    from archive.kinds import DocType
    from indexer import suggest as S
    from indexer.backends.whoosh.compile import to_whoosh

    backend = service.backend
    s = backend.searcher()
    compared = []
    real = S.candidates

    def both(b, q, within, limit=S.CANDIDATES):  # type: ignore[no-untyped-def]
        ours = real(b, q, within, limit)
        theirs = {r["id"]: r.score for r in s.search(to_whoosh(q), limit=limit, filter=backend.units(within))}
        assert {f.id for f in ours} == set(theirs)
        assert all(abs(f.score - theirs[f.id]) < 1e-9 for f in ours)
        assert all(abs(a - f.score) < 1e-12 for a, f in zip(b.scores(q, ours), ours))
        compared.append(len(ours))
        return ours

    monkeypatch.setattr(S, "candidates", both)
    with Archive.open(indexed_settings.db_path) as a:
        for d in a.documents_of_type(DocType.NOTICE):
            for *_, topic in measure_topics(d, a.notice_tree(d.id)):
                S.suggest(backend, topic, 3, service.reg_keys, service.texts, service._hit)
    assert len(compared) > 20 and sum(compared) > 200


def test_the_governing_filter_selects_what_is_governing_says(service) -> None:  # type: ignore[no-untyped-def]
    """A kind's governing filter tree (what the backend searches within) and is_governing (what a found article is
    marked) agree on every article in force, for every fault kind that has governing rules."""
    from archive.faults import governing, kinds
    from indexer import suggest as S

    backend = service.backend
    s = backend.searcher()
    in_force = backend.units(S.IN_FORCE)
    checked = 0
    for kind in kinds():
        gov = governing(kind.kind)
        tree = S.governing_filter(gov, service.reg_keys) if gov is not None else None
        if tree is None:
            continue
        selected = backend.units(tree)
        assert selected <= in_force
        assert {n for n in in_force if S.is_governing(gov, s.stored_fields(n))} == selected, kind.kind
        checked += bool(selected)
    assert checked >= 3


def _suggest(service, topic, **kw):  # type: ignore[no-untyped-def]
    from archive.faults import model_of
    from indexer import suggest as S

    return S.suggest(service.backend, topic, 3, service.reg_keys, service.texts, service._hit,
                     model=model_of(service._archive()), **kw)


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


def test_candidates_come_from_several_views_of_the_measure(service) -> None:  # type: ignore[no-untyped-def]
    """The merged query, the governing rules, the problem title alone, the measure alone and the topic vector's
    neighbours each propose candidates, and each candidate says which did (a feature of the score)."""
    from indexer.suggest import SOURCES

    explain: list[dict] = []
    _suggest(service, CAR, threshold=0.0, explain=explain)
    seen = {s for e in explain for s in e["sources"]}
    assert {"merged", "governing", "problem", "measure", "dense"} <= seen, seen
    for e in explain:
        assert e["sources"] and set(e["sources"]) <= set(SOURCES)
        assert all(e["features"][f"src_{s}"] == float(s in e["sources"]) for s in SOURCES if s != "merged")
        assert 0.0 <= e["features"]["topic_rel"] <= 1.0
    assert max(e["features"]["topic_rel"] for e in explain) == 1.0


def test_the_regulations_a_kind_is_cited_with_are_candidates(service) -> None:  # type: ignore[no-untyped-def]
    """A prior (the regulations other measures of the same kind cite) brings that regulation's articles on the
    topic among the candidates, marked `prior`; without it, none is."""
    key = next(k for k in service.reg_keys if "公务接待" in k)
    explain: list[dict] = []
    _suggest(service, CAR, threshold=0.0, explain=explain, prior={"公车": (key,)}, min_shared=0)
    assert any("prior" in e["sources"] and "公务接待" in e["label"] for e in explain), explain
    plain: list[dict] = []
    _suggest(service, CAR, threshold=0.0, explain=plain, min_shared=0)
    assert not any("prior" in e["sources"] for e in plain)


def test_a_kind_whose_rules_are_absent_suggests_only_its_governing_titles(service, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Party conduct with no Party rules in the archive: a kind whose categories the archive lacks abstains
    from laws that merely share its words; only its governing titles' rules (or what the measure cites) remain,
    and with no title either, nothing is suggested."""
    from archive.faults import FaultKind
    from indexer import suggest as S

    absent = FaultKind("公车（无其效力级别）", "公务用车", ("不存在的效力级别",), ("公务用车",), "test")
    monkeypatch.setattr(S, "governing", lambda kind: absent)
    found = _suggest(service, CAR, threshold=0.0)
    assert found and all(s.governing and "公务用车" in s.doc_title for s in found), found
    bare = FaultKind("公车（亦无标题）", "公务用车", ("不存在的效力级别",), (), "test")
    monkeypatch.setattr(S, "governing", lambda kind: bare)
    assert _suggest(service, CAR, threshold=0.0) == ()
