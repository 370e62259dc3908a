"""The Sphinx backend's query compiler and rows (no searchd needed): what MATCH() and REPLACE get."""

from __future__ import annotations

from indexer.analysis import encode
from indexer.backends.sphinx.match import compile_match
from indexer.backends.sphinx.rows import COLUMNS, key_token, row_id, shard_of, text_value, to_row, word_pieces
from indexer.querytree import NULL, And, AndMaybe, AndNot, DisMax, Every, Or, Phrase, Term


def _word(w: str, boost: float = 1.0) -> Or:
    return Or((Term("title", w, 1.5 * boost), Term("body", w, boost), Term("context", w, 0.4 * boost)))


def test_a_word_over_the_three_fields_is_one_keyword_with_its_sub_word_fields() -> None:
    assert compile_match(_word("公车")) == "(@(title,title_x,body,body_x,context,context_x) 公车)"
    assert compile_match(_word("公车", 0.7)) == "(@(title,title_x,body,body_x,context,context_x) 公车^0.7)"


def test_operators_map_to_sphinx_syntax() -> None:
    a, b = _word("违规"), _word("吃喝")
    assert compile_match(And((a, b))).count("@(") == 2 and compile_match(And((a, b))).startswith("((")
    assert " | " in compile_match(DisMax((a, b)))
    assert " MAYBE " in compile_match(AndMaybe(a, b))
    assert " -(" in compile_match(AndNot(a, b))
    assert compile_match(Phrase("body", ("公务", "用车"))) == '(@body "公务 用车")'
    # a slop is ordered, as the tree means it: 0..slop-1 any-word placeholders between the words
    assert compile_match(Phrase("body", ("违规", "吃喝"), slop=3)) == '(@body ("违规 吃喝" | "违规 * 吃喝" | "违规 * * 吃喝"))'
    assert compile_match(Phrase("body", ("违规", "公款", "吃喝"), slop=2)).count(" | ") == 3
    long = Phrase("body", tuple("甲乙丙丁戊"), slop=3)  # 81 orders: Sphinx's unordered proximity instead
    assert compile_match(long) == '(@body "甲 乙 丙 丁 戊"~6)'
    assert compile_match(Every()) == "" and compile_match(NULL) is None


def test_exact_keys_are_hashed_tokens_and_never_text() -> None:
    m = compile_match(Term("reg_key", "公务接待管理规定", 6.0))
    assert m == f"(@reg_key {key_token('reg_key', '公务接待管理规定')}^6)" and "公务" not in m
    assert key_token("cites", "a#3") != key_token("cites", "a")


def test_words_keep_cjk_numbers_and_percent_whole() -> None:
    assert word_pieces("第26条") == ["第26条"] and word_pieces("12.5%") == ["12.5%"]
    assert word_pieces("a-b") == ["a", "b"]


def test_sub_words_go_to_their_own_field_so_phrases_line_up() -> None:
    words, subs = text_value("中华人民共和国宪法")
    primary = [w for w in encode("中华人民共和国宪法").split("\x1f") if not w.startswith("\x1e")]
    assert words.split() == primary and subs and not set(subs.split()) & {"\x1e"}


def test_a_fields_words_are_each_tokens_pieces_in_order() -> None:
    """text_value works on the whole field at once: the same words as word_pieces token by token."""
    for text in ("第二十六条 党员领导干部违反《中央八项规定》，收受Gift-Card 12.5%以上的，给予警告处分。",
                 "ΣΑΣ A_B a.b 中华人民共和国宪法 ABC—def"):
        enc = encode(text)
        toks = enc.split("\x1f")
        want = ([p for t in toks if not t.startswith("\x1e") for p in word_pieces(t)],
                [p for t in toks if t.startswith("\x1e") for p in word_pieces(t[1:])])
        words, subs = text_value(text)
        assert (words.split(" ") if words else [], subs.split(" ") if subs else []) == want


def test_a_documents_units_share_its_shard_and_ids_are_stable() -> None:
    rec = {"id": "abc-p1", "doc_id": "abc", "kind": "problem", "title": "问题", "body": "公车私用", "status": "已修订"}
    row = to_row(rec)
    assert len(row) == len(COLUMNS) and row[0] == row_id("abc-p1") == to_row(dict(rec))[0]
    assert row[COLUMNS.index("superseded")] == 1
    assert {shard_of("abc", 4) for _ in range(3)} == {shard_of("abc", 4)}
    assert len({shard_of(f"doc{i}", 2) for i in range(50)}) == 2
