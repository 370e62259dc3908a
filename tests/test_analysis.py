"""The jieba analyzer alone: positions, offsets, numbers, dictionary terms, normalisation."""

import pytest

from indexer.analysis import query_words
from indexer.backends.whoosh.analyzer import word_analyzer


def tokens(text: str) -> list[tuple[str, int, int, int]]:
    return [(t.text, t.pos, t.startchar, t.endchar) for t in word_analyzer()(text, positions=True, chars=True)]


def test_positions_count_words_not_characters() -> None:
    toks = tokens("落实主体责任")
    primaries = sorted({pos for _, pos, _, _ in toks})
    assert primaries == [0, 1]


def test_offsets_land_on_the_original_characters() -> None:
    text = "根据（２０２０）《中华人民共和国政府采购法》第二十六条"
    for word, _, start, end in tokens(text):
        original = text[start:end]
        assert original, word
        if word.isascii() is False and not any(ch.isdigit() for ch in word):
            assert word in original or original in word or len(original) == len(word)


def test_digits_letters_and_article_numbers_kept() -> None:
    words = {w for w, *_ in tokens("第5条 A组 〔2020〕3号 20万元")}
    assert {"第5条", "a", "2020", "3号", "20万元"} <= words


def test_chinese_and_arabic_numbers_meet() -> None:
    assert query_words("第二十六条") == query_words("第26条") == ["第26条"]
    assert query_words("十万元") == query_words("10万元")
    assert query_words("三十日") == query_words("30日")
    assert query_words("百分之一点五") == query_words("1.5%") == ["1.5%"]
    assert query_words("30天") == query_words("三十日") and query_words("20工作日") == query_words("二十个工作日")
    assert query_words("百分之三十") == query_words("30%") and query_words("百分之百") == ["100%"]


def test_subwords_share_the_word_position() -> None:
    toks = tokens("中华人民共和国")
    assert {pos for *_, in [()] for pos in []} == set()
    by_word = {w: pos for w, pos, _, _ in toks}
    assert by_word["中华人民共和国"] == by_word["人民"] == by_word["共和国"]


def test_domain_dictionary_keeps_terms_whole() -> None:
    for term in ("三重一大", "第一议题", "民主生活会", "主体责任", "一岗双责", "三会一课"):
        assert query_words(term) == [term], term


def test_query_mode_has_no_subwords() -> None:
    assert query_words("中华人民共和国") == ["中华人民共和国"]


def test_normalisation_matches_the_archive() -> None:
    assert query_words("ＡＢＣ２０２１") == ["abc2021"]
    assert query_words("⾼度重视") == query_words("高度重视")


def test_punctuation_is_not_a_token() -> None:
    assert all(w not in {"，", "。", "《", "》"} for w, *_ in tokens("一是，二是。《条例》"))


def test_split_word_into_dictionary_words() -> None:
    from indexer.analysis import split_word

    assert split_word("哪些项目") == ["哪些", "项目"]
    assert split_word("懒政怠政") is None and split_word("懒政怠政", {"懒政", "怠政"}) == ["懒政", "怠政"]
    assert split_word("项目") is None  # nothing shorter to fall back to


def test_indexes_pickled_before_the_engine_moved_find_their_analyzer() -> None:
    """An index's table of contents pickles its schema: those built before issue 32 name the analyzer
    indexer.analysis.ChineseTokenizer."""
    import pickle

    from indexer.backends.whoosh.analyzer import ChineseTokenizer

    assert pickle.loads(b"cindexer.analysis\nChineseTokenizer\n.") is ChineseTokenizer
    import indexer.analysis as analysis

    with pytest.raises(AttributeError):
        analysis.NoSuchThing  # noqa: B018
