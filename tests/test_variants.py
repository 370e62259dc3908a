"""indexer/variants.py: traditional queries simplified, homophone typos given their correction as an alternative."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from indexer.variants import VariantKind, VariantOptions, homophones, rewrite, to_simplified

from tests.conftest import build_archive

# fictional short texts in simplified characters (the archive's script)
TEXTS = {
    f"示例县第{i}号简报.txt": f"示例县第{i}号简报\n本县健全重大决策制度，落实党员纪律处分和留党察看的程序，"
                              f"完善议事规则制度和财务审批制度，第{i}次检查制度执行情况。\n"
    for i in range(1, 7)
}
# low thresholds: a six-document archive (the shipped ones are set on the whole corpus's tune queries)
SMALL = VariantOptions(min_df=2, ratio=2.0, rare_df=0)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from indexer.search import SearchService

    docs = tmp_path_factory.mktemp("variant-docs")
    for name, text in TEXTS.items():
        (docs / name).write_text(text, encoding="utf-8")
    s = build_archive(tmp_path_factory.mktemp("variants") / "home", [str(docs)])
    base = s.search_options()
    # (off, with variants, the archive's Settings: the web test's app is created over the same archive)
    return SearchService(replace(base, variants=None)), SearchService(replace(base, variants=SMALL)), s


def test_variants_are_on_by_default_with_the_tune_chosen_thresholds(services) -> None:  # type: ignore[no-untyped-def]
    _, _, settings = services
    assert settings.search_options().variants == VariantOptions(rare_df=0, min_df=20, ratio=50.0, weight=0.8)


def test_traditional_is_converted_phrase_aware() -> None:
    assert to_simplified("紀律處分條例 留黨察看") == "纪律处分条例 留党察看"


def test_homophones_share_a_toneless_reading() -> None:
    assert "度" in homophones("渡") and "采" in homophones("彩") and "渡" not in homophones("渡")


def test_traditional_query_finds_the_simplified_unit(services) -> None:  # type: ignore[no-untyped-def]
    stock, variants, _ = services
    assert stock.search("留黨察看").total == 0  # as typed, the archive has no such characters
    found = variants.search("留黨察看")
    assert found.total >= 1
    assert [v.to_json() for v in found.variants] == [{"from": "留黨察看", "to": "留党察看", "kind": "simplified"}]


def test_typo_gets_its_correction_as_an_alternative_named_in_json(services) -> None:  # type: ignore[no-untyped-def]
    stock, variants, _ = services
    assert stock.search("决策制渡").total == 0
    found = variants.search("决策制渡")
    assert found.hits and "制度" in found.hits[0].snippet + found.hits[0].title + " ".join(found.highlight)
    data = found.to_json()
    assert {"from": "制渡", "to": "制度", "kind": "corrected"} in data["variants"]


def test_a_correct_query_gets_no_alternative(services) -> None:  # type: ignore[no-untyped-def]
    _, variants, _ = services
    found = variants.search("决策制度")
    assert found.variants == () and found.total >= 1


def test_unknown_word_without_homophone_stays_as_typed(services) -> None:  # type: ignore[no-untyped-def]
    service = services[0]
    df = service.backend.doc_frequency  # the index's own frequencies
    rw = rewrite("氪氙", df, SMALL)  # no homophone of either makes a word this archive knows
    assert rw.corrected is None and rw.variants == () and rw.text == "氪氙"


def test_off_leaves_the_json_field_empty(services) -> None:  # type: ignore[no-untyped-def]
    stock = services[0]
    assert stock.search("决策制渡").to_json()["variants"] == []


def test_kinds_are_strings() -> None:
    assert str(VariantKind.CORRECTED) == "corrected"
    assert Path(__file__).name == "test_variants.py"


def test_search_page_and_api_name_the_correction(services) -> None:  # type: ignore[no-untyped-def]
    from webui import create_app

    _, variants, settings = services
    app = create_app(settings)  # the archive the services were built over, its service with variants on
    app.config.update(TESTING=True)
    app.extensions["xuncha.search"] = variants
    client = app.test_client()
    page = client.get("/", query_string={"q": "决策制渡"}).get_data(as_text=True)
    assert "已纠正：制渡→制度" in page
    data = client.get("/api/search", query_string={"q": "决策制渡"}).get_json()
    assert {"from": "制渡", "to": "制度", "kind": "corrected"} in data["variants"]
