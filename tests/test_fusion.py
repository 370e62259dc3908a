"""Rank fusion (indexer/fusion.py): the pure fusion and its gate, and the Whoosh backend's hook on a small archive."""

from __future__ import annotations

from dataclasses import replace

import pytest

from indexer.fusion import FusionOptions, Method, applies, at_length, fuse, weight_for

ENGINE = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
PLAIN = [("c", 4.0), ("d", 3.0), ("a", 1.0)]


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = dict(fuse(ENGINE, PLAIN, FusionOptions(k=1.0, weight=1.0)))
    assert fused["a"] == pytest.approx(1 / 2 + 1 / 4)
    assert fused["c"] == pytest.approx(1 / 4 + 1 / 2)
    assert fused["d"] == pytest.approx(1 / 3)
    assert [u for u, _ in fuse(ENGINE, PLAIN, FusionOptions(k=1.0))][:2] == ["a", "c"]  # tie: the engine's first


def test_weight_zero_keeps_the_engines_order_and_sum_weight_one_is_the_plain_order() -> None:
    assert [u for u, _ in fuse(ENGINE, PLAIN, FusionOptions(weight=0.0))][:3] == ["a", "b", "c"]
    only_plain = [u for u, _ in fuse(ENGINE, PLAIN, FusionOptions(method=Method.SUM, weight=1.0))]
    assert only_plain[:3] == ["c", "d", "a"]
    half = dict(fuse(ENGINE, PLAIN, FusionOptions(method="sum", weight=0.5)))
    assert half["a"] == pytest.approx(0.5 + 0.5 * 1 / 4) and half["d"] == pytest.approx(0.5 * 3 / 4)


def test_depth_bounds_what_is_fused_and_the_rest_keeps_its_order() -> None:
    engine = [(str(i), 10.0 - i) for i in range(6)]
    fused = [u for u, _ in fuse(engine, [("x", 1.0), ("y", 0.5)], FusionOptions(depth=1, k=0.0))]
    assert fused[:2] == ["0", "x"] and fused[2:] == ["1", "2", "3", "4", "5"]


def test_gate_on_words_and_relaxed() -> None:
    opts = FusionOptions(min_words=3, relaxed_only=True)
    assert not applies(opts, 2, True) and not applies(opts, 5, False) and applies(opts, 3, True)
    assert applies(FusionOptions(), 1, False)
    with pytest.raises(ValueError):
        FusionOptions(depth=0)
    with pytest.raises(ValueError):
        FusionOptions(method="max")


def test_the_length_adaptive_weight_grows_with_the_query_s_words() -> None:
    fixed = FusionOptions(method="sum", weight=0.4)
    assert weight_for(fixed, 1) == weight_for(fixed, 12) == 0.4 and at_length(fixed, 9) is fixed
    grow = FusionOptions(method="sum", weight=0.8, midpoint=4, steepness=1.0)
    shares = [weight_for(grow, n) for n in range(0, 12)]
    assert shares == sorted(shares) and shares[0] < 0.02 and shares[-1] > 0.79
    assert weight_for(grow, 4) == pytest.approx(0.4)  # half the weight at the midpoint
    assert at_length(grow, 4).weight == pytest.approx(0.4)
    steep = FusionOptions(method="sum", weight=0.5, midpoint=3.5, steepness=1000.0)  # the two-bucket rule
    assert weight_for(steep, 3) == pytest.approx(0.0, abs=1e-12) and weight_for(steep, 4) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        FusionOptions(steepness=-1.0)


# --- the hook in the Whoosh backend, on an archive of one fictional regulation ----------------------------

RULES = """# 示例县公务用车管理办法

2021年5月1日 示例县机关事务局印发

自印发之日起施行

（示例文本，虚构，仅供测试）

<!-- INFO END -->

第一条 为了规范本县各单位车辆的日常使用、保养、登记、调度和处置，节约财政资金，提高使用效率，加强监督管理，根据有关规定，结合本县实际，制定本办法；公务用车维修应当经过审批，具体程序由各单位按照厉行节约、公开透明、权责一致的原则另行规定并报备。

第二条 公务用车维修实行定点维修，维修费用按照公务用车维修标准结算，公务用车维修情况每季度公开。

第三条 公务用车的购置应当经过审批，购置审批由机关事务局办理。

第四条 维修场所应当具备相应资质。

第五条 公务用车实行统一标识，公务用车停放在指定地点，公务用车不得私用。

第六条 本办法自印发之日起施行。
"""


@pytest.fixture(scope="module")
def cars(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.conftest import build_archive

    folder = tmp_path_factory.mktemp("fusion-corpus")
    (folder / "示例县公务用车管理办法(2021-05-01).md").write_text(RULES, encoding="utf-8")
    return build_archive(tmp_path_factory.mktemp("fusion") / "home", [str(folder)])


def _ranked(settings, fusion: FusionOptions | None, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    service = SearchService(replace(settings.search_options(), fusion=fusion, result_cache=0))
    return [h.article for h in service.search(text, per_page=20).hits if h.kind == "article"]


def _plain_order(settings, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    service = SearchService(settings.search_options())
    plain = service.build(text, {}).plain
    assert plain is not None
    return [u.fields()["article"] for u in service.backend.best(plain, None, 20) if u.kind == "article"]


def test_fusion_off_by_default_weight_zero_is_the_engine_and_sum_one_is_plain_bm25(cars) -> None:  # type: ignore[no-untyped-def]
    text = "公务用车 维修 审批"
    assert cars.search_options().fusion is None
    engine = _ranked(cars, None, text)
    assert engine[0] == "第一条"  # the one article holding every word, AND-first
    assert _ranked(cars, FusionOptions(weight=0.0), text) == engine
    plain = _ranked(cars, FusionOptions(method=Method.SUM, weight=1.0), text)
    assert plain == _plain_order(cars, text)[:len(plain)] and plain != engine
    assert set(plain) <= set(engine) | set(_plain_order(cars, text))


def test_fusion_gated_out_keeps_the_engines_ranking_and_totals(cars) -> None:  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    text = "公务用车 维修 审批"
    gated = FusionOptions(method=Method.SUM, weight=1.0, min_words=50)
    assert _ranked(cars, gated, text) == _ranked(cars, None, text)
    on = SearchService(replace(cars.search_options(), fusion=FusionOptions(method=Method.SUM, weight=1.0)))
    off = SearchService(cars.search_options())
    assert on.search(text).total == off.search(text).total


def test_a_length_adaptive_fusion_changes_a_long_query_and_not_a_short_one(cars) -> None:  # type: ignore[no-untyped-def]
    long, short = "公务用车 维修 审批", "公务用车"
    # plain BM25 alone above the midpoint, the engine alone below it (three content words against two)
    adaptive = FusionOptions(method=Method.SUM, weight=1.0, midpoint=2.5, steepness=1000.0)
    assert _ranked(cars, adaptive, long) == _ranked(cars, FusionOptions(method=Method.SUM, weight=1.0), long)
    assert _ranked(cars, adaptive, long) != _ranked(cars, None, long)
    below = FusionOptions(method=Method.SUM, weight=1.0, midpoint=3.5, steepness=1000.0)
    assert _ranked(cars, below, long) == _ranked(cars, None, long)
    assert _ranked(cars, adaptive, short) == _ranked(cars, None, short)


def test_a_plain_list_over_the_body_alone_is_what_fusion_reads(cars) -> None:  # type: ignore[no-untyped-def]
    from indexer import querytree as T
    from indexer.search import SearchService

    text = "公务用车 维修 审批"
    body = FusionOptions(method=Method.SUM, weight=1.0, fields=("body",))
    service = SearchService(cars.search_options())
    plain = T.restrict(service.build(text, {}).plain, frozenset({"body"}))
    assert {f for f, _ in T.terms(plain)} == {"body"}
    expected = [u.fields()["article"] for u in service.backend.best(plain, None, 20) if u.kind == "article"]
    got = _ranked(cars, body, text)
    assert got[:len(expected)] == expected and expected  # then the engine's own units the plain OR left out, at 0
    assert FusionOptions(fields=["body"]).fields == ("body",)  # JSON lists become tuples: options stay hashable
