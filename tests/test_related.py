"""Related words by normalised PMI: mining, the table file, and the weighted expansion with its floor."""

from __future__ import annotations

import pytest

from indexer.related import RelatedOptions, expansion, load, mine, write

# 陪餐 and 工作餐 always together; 报销 and 票据 together; 标准 everywhere (too common for the table)
TEXTS = ([["陪餐", "工作餐", "标准"]] * 6 + [["报销", "票据", "标准"]] * 6 + [["陪餐", "报销", "标准"]]
         + [["会议", "标准", f"词{i}"] for i in range(30)])
OPTIONS = RelatedOptions(min_df=3, max_df_share=0.5, min_pair=3)


def test_words_always_together_are_related_and_unrelated_ones_are_not() -> None:
    table = mine(TEXTS, OPTIONS)
    assert table["陪餐"][0][0] == "工作餐" and table["工作餐"][0][0] == "陪餐"
    assert table["报销"][0][0] == "票据"
    assert "标准" not in table and all(r != "标准" for rows in table.values() for r, _ in rows)  # too common
    assert all(r != "报销" for r, _ in table["陪餐"])  # one shared text: under min_pair
    assert all(-1.0 <= v <= 1.0 for rows in table.values() for _, v in rows)


def test_numbers_and_one_character_words_are_left_out() -> None:
    filler = [["会议", "文件"]] * 20
    table = mine([["第3条", "陪餐", "的", "工作餐"]] * 5 + [["陪餐", "工作餐", "5日"]] * 5 + filler, OPTIONS)
    assert set(table) == {"陪餐", "工作餐"}


def test_expansion_keeps_the_floor_and_weighs_below_the_query() -> None:
    table = {"陪餐": (("工作餐", 0.8), ("食谱", 0.3)), "接待": (("陪餐", 0.9),)}
    opts = RelatedOptions(floor=0.35, weight=0.5)
    assert expansion(["陪餐"], table, opts) == (("工作餐", 0.4),)
    assert expansion(["接待", "陪餐"], table, opts) == (("工作餐", 0.4),)  # 陪餐 is in the query already
    assert expansion(["陪餐"], table, RelatedOptions(floor=0.2, weight=1.0)) == (("工作餐", 0.8), ("食谱", 0.3))
    assert expansion(["报销"], table, opts) == ()


def test_table_round_trips_through_its_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = mine(TEXTS, OPTIONS)
    path = write(table, tmp_path)
    back = load(path)
    assert back.keys() == table.keys()
    assert back["陪餐"][0] == pytest.approx(table["陪餐"][0])
    assert load(tmp_path / "missing.tsv") == {}


def test_a_full_build_learns_the_table_when_asked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from archive.database import Archive
    from indexer.backends.whoosh.build import current_dir, full_rebuild
    from tests.conftest import SAMPLES, build_archive

    settings = build_archive(tmp_path / "home", [str(SAMPLES / "regulations")])
    assert not (current_dir(settings.index_root) / "related.tsv").exists()  # off by default
    with Archive.open(settings.db_path) as a:
        full_rebuild(a, replace(settings.index_options(), related_words=True))
    table = load(current_dir(settings.index_root) / "related.tsv")
    assert table and all(r != w for w, rows in table.items() for r, _ in rows)
