"""Pseudo-relevance feedback: the RM3 model and its gates (pure), and the search hook on a small archive."""

from __future__ import annotations

from dataclasses import replace
import pytest

from indexer.feedback import FeedbackOptions, FeedbackUnit, expand, flat, overlap, relevance_model, _Vocabulary

N = 1000
DF = {"公务接待": 20, "陪餐": 10, "人数": 30, "标准": 40, "工作餐": 8, "单位": 900, "报销": 25, "审批": 60}


def df(word: str) -> int:
    return DF.get(word, 5)


def unit(score: float, text: str) -> FeedbackUnit:
    return FeedbackUnit(score, tuple(text.split()))


AGREE = {"article": [unit(10.0, "公务接待 陪餐 人数 标准 单位"), unit(8.0, "公务接待 陪餐 人数 工作餐"),
                     unit(5.0, "公务接待 陪餐 标准 工作餐 单位")]}


def test_rm3_adds_the_words_the_top_units_share_and_keeps_the_query_out() -> None:
    terms = dict(expand(["公务接待"], AGREE, df, N, FeedbackOptions(terms=3, weight=0.3)))
    assert list(terms)[0] == "陪餐"  # in every unit, and rarer than 人数 and 标准
    assert "公务接待" not in terms and len(terms) == 3
    assert "单位" not in terms  # in 90% of the units: says nothing


def test_interpolation_weight_is_rm3s() -> None:
    # λ |Q| / (1 - λ) spread over the kept words: the expansion weighs λ / (1 - λ) of the query
    for lam in (0.2, 0.5):
        terms = expand(["公务接待", "标准"], AGREE, df, N, FeedbackOptions(terms=2, weight=lam))
        assert sum(w for _, w in terms) == pytest.approx(lam * 2 / (1 - lam), rel=1e-3)
    assert expand(["公务接待"], AGREE, df, N, FeedbackOptions(weight=0.0)) == ()


def test_a_word_of_the_query_or_part_of_one_is_not_added() -> None:
    terms = dict(expand(["陪餐人数"], AGREE, df, N, FeedbackOptions(terms=10)))
    assert "陪餐" not in terms and "人数" not in terms and "工作餐" in terms


def test_disagreeing_units_are_not_read() -> None:
    mixed = {"article": [unit(10.0, "公务接待 陪餐 人数"), unit(8.0, "报销 审批 单位"), unit(6.0, "工作餐 标准")]}
    assert expand(["接待"], mixed, df, N, FeedbackOptions(min_overlap=0.2)) == ()
    assert expand(["接待"], mixed, df, N, FeedbackOptions(min_overlap=0.0)) != ()


def test_a_flat_score_curve_is_not_read() -> None:
    level = {"article": [replace(u, score=7.0) for u in AGREE["article"]]}
    assert expand(["接待"], level, df, N, FeedbackOptions(max_flat=0.95)) == ()
    assert expand(["接待"], level, df, N, FeedbackOptions(max_flat=1.0)) != ()
    assert flat([10.0, 5.0]) == 0.5 and flat([]) == 0.0


def test_each_grain_is_gated_on_its_own() -> None:
    grains = {**AGREE, "measure": [unit(9.0, "报销 审批"), unit(8.9, "单位 报销")]}  # flat: left out
    assert dict(expand(["接待"], grains, df, N, FeedbackOptions(max_flat=0.95))).keys() == \
        dict(expand(["接待"], AGREE, df, N, FeedbackOptions(max_flat=0.95))).keys()


def test_skipped_and_one_character_words_are_never_added() -> None:
    units = {"article": [unit(3.0, "的 陪餐 是"), unit(2.0, "的 陪餐 工作餐")]}
    terms = dict(expand(["接待"], units, df, N, FeedbackOptions(), skip={"工作餐"}))
    assert set(terms) == {"陪餐"}


def test_relevance_model_weights_units_by_score() -> None:
    vocab = _Vocabulary(df, N, 0.05, ())
    rm, models = relevance_model([unit(3.0, "陪餐"), unit(1.0, "报销")], vocab)
    assert rm["陪餐"] == pytest.approx(0.75) and rm["报销"] == pytest.approx(0.25)
    assert overlap(models) == 0.0 and overlap(models[:1]) == 1.0


# --- the hook in SearchService, on an archive of one fictional regulation --------------------------------

RULES = """# 示例县机关用餐管理办法

2020年3月1日 示例县机关事务局印发

自印发之日起施行

（示例文本，虚构，仅供测试）

<!-- INFO END -->

第一条 公务接待应当严格控制陪餐人数，陪餐按照工作餐标准安排。

第二条 公务接待的陪餐人数不得超过接待对象人数的三分之一，陪餐标准不得超过工作餐标准。

第三条 公务接待对象十人以上的，陪餐人数最多不超过三人，陪餐费用按照工作餐标准结算。

第四条 陪餐人员应当是与来访事项有关的人员，陪餐饭菜按照工作餐标准提供，不得提供香烟和高档酒水。

第五条 本县机关食堂应当为来访人员提供卫生安全的饭菜。

第六条 本办法自印发之日起施行。
"""


@pytest.fixture(scope="module")
def rules_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from tests.conftest import build_archive

    folder = tmp_path_factory.mktemp("feedback-corpus")
    (folder / "示例县机关用餐管理办法(2020-03-01).md").write_text(RULES, encoding="utf-8")
    return build_archive(tmp_path_factory.mktemp("feedback") / "home", [str(folder)])


def _articles(settings, options: FeedbackOptions | None, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    service = SearchService(replace(settings.search_options(), feedback=options))
    return [h.article for h in service.search(text, per_page=20).hits if h.kind == "article"]


def test_feedback_finds_the_article_that_uses_the_rules_words(rules_settings) -> None:  # type: ignore[no-untyped-def]
    # 第四条 says 陪餐 and 工作餐 but not 公务接待: only the words of the first results bring it in
    plain = _articles(rules_settings, None, "公务接待")
    assert "第四条" not in plain
    fed = _articles(rules_settings, FeedbackOptions(docs=3, terms=4, weight=0.4, min_overlap=0.0, max_flat=1.0,
                                                    max_df_share=1.0), "公务接待")
    assert "第四条" in fed and set(plain) <= set(fed)
    assert fed[: len(plain)] == plain  # the units with the query's own words stay first


def test_feedback_off_by_default_and_totals_unchanged(rules_settings) -> None:  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    assert rules_settings.search_options().feedback is None
    on = SearchService(replace(rules_settings.search_options(), feedback=FeedbackOptions(
        docs=3, terms=4, weight=0.4, min_overlap=0.0, max_flat=1.0, max_df_share=1.0)))
    off = SearchService(rules_settings.search_options())
    assert on.search("公务接待").total == off.search("公务接待").total


def test_rerank_only_reorders_what_the_query_finds(rules_settings) -> None:  # type: ignore[no-untyped-def]
    plain = _articles(rules_settings, None, "公务接待")
    fed = _articles(rules_settings, FeedbackOptions(docs=3, terms=4, weight=0.4, min_overlap=0.0, max_flat=1.0,
                                                    max_df_share=1.0, rerank=True), "公务接待")
    assert sorted(fed) == sorted(plain) and "第四条" not in fed
