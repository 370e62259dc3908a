"""The Sphinx backend's query compiler and rows (no searchd needed): what MATCH() and REPLACE get."""

from __future__ import annotations

import pytest

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


def test_min_match_compiles_to_quorum_when_every_clause_is_one_distinct_keyword() -> None:
    from indexer.querytree import MinMatch

    words = tuple(_word(w) for w in ("违规", "吃喝", "公车", "整改"))
    assert compile_match(MinMatch(words, 2, True, 0.6)) == \
        '(@(title,title_x,body,body_x,context,context_x) "违规^0.6 吃喝^0.6 公车^0.6 整改^0.6"/2)'
    assert compile_match(MinMatch((Term("body", "违规"), Term("body", "吃喝"), Term("body", "公车")), 2)) == \
        '(@(body,body_x) "违规 吃喝 公车"/2)'
    # k = 1 is the OR; the minimum is held within 1..n
    assert compile_match(MinMatch(words, 1)) == compile_match(Or(words)) == compile_match(MinMatch(words, 0))
    assert compile_match(MinMatch(words, 9)) == compile_match(MinMatch(words, 4)) and \
        compile_match(MinMatch(words, 4)).endswith('整改"/4)')


def test_min_match_of_other_clauses_ands_them_with_the_quorum_of_the_keywords() -> None:
    from indexer.querytree import MinMatch

    group = Or((_word("公务接待"), _word("公务", 0.7), _word("接待", 0.7)))  # a word and its sub-words: not one keyword
    a, b, c = group, _word("超标准"), _word("整改")
    A, F = compile_match(a), "@(title,title_x,body,body_x,context,context_x)"
    # two of three: both keywords, or the group and one of them
    assert compile_match(MinMatch((a, b, c), 2)) == f'(({F} "超标准 整改"/2) | ({A} ({F} "超标准 整改"/1)))'
    # no keyword clause: the OR of the ANDs of every k clauses
    g2, g3 = (Or((_word(w), _word(w[:2], 0.7))) for w in ("超标准", "整改措施"))
    ab, ac, bc = (compile_match(And(p)) for p in ((a, g2), (a, g3), (g2, g3)))
    assert compile_match(MinMatch((a, g2, g3), 2)) == f"({ab} | {ac} | {bc})"
    # a repeated keyword would count twice in one quorum (Sphinx counts its entries): the second is a clause apart
    twice = compile_match(MinMatch((_word("违规"), _word("违规"), _word("整改")), 2))
    assert twice.count('"违规 整改"/') == 2 and twice.count("违规") == 3
    # keywords of other field lists are clauses apart too
    assert compile_match(MinMatch((Term("title", "违规"), Term("body", "吃喝"), Term("body", "公车")), 2)).count('"/') == 2
    # a clause that matches nothing never counts, one that matches everything always does
    assert compile_match(MinMatch((a, NULL, g2), 2)) == compile_match(And((a, g2)))
    assert compile_match(MinMatch((a, NULL), 2)) is None
    assert compile_match(MinMatch((a, Every(), g2), 2)) == compile_match(Or((a, g2)))


def test_min_match_past_the_clause_bound_falls_back_to_the_or() -> None:
    from math import comb

    from indexer.backends.sphinx.match import MAX_CLAUSES
    from indexer.querytree import MinMatch

    groups = tuple(Or((_word(f"词{i}甲"), _word(f"词{i}乙", 0.7))) for i in range(9))
    assert 4 * comb(9, 4) > MAX_CLAUSES >= 2 * comb(4, 2)
    assert compile_match(MinMatch(groups, 4)) == compile_match(Or(groups))  # the second phase counts (docstring)
    assert compile_match(MinMatch(groups[:4], 2)).count("词0甲") == comb(3, 1)  # in each AND that holds it
    # with keyword clauses beside them the ANDs are few: 9 of 16, 4 groups: Σ C(4, j) = 16 ANDs
    mixed = groups[:4] + tuple(_word(f"字{i}") for i in range(12))
    assert compile_match(MinMatch(mixed, 9)).count('"/') == 16


def test_the_global_idf_files_counts_make_searchds_normalized_idf_the_plain_one() -> None:
    """generations.write_idf: log((N − n' + 1) / n') ≈ log(N / n), so a word in most units keeps an IDF ≥ 0."""
    import math

    from indexer.backends.sphinx.generations import _plain_docs

    units = 559
    for n in (1, 2, 11, 108, 339, 500, 559):
        d = _plain_docs(n, units)
        assert 1 <= d <= n and math.log((units - d + 1) / d) >= 0
        assert math.log((units - d + 1) / d) == pytest.approx(math.log(units / n), abs=0.02)
    assert _plain_docs(1, units) == 1 and _plain_docs(0, 0) == 0
