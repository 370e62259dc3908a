"""The Whoosh analyzer over the project's segmentation (indexer/analysis.py): jieba words, same-position
sub-words, lower-cased; pre-segmented texts (analysis.Segmented, from the token store) read without jieba."""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Composable, LowercaseFilter, Token, Tokenizer

from ...analysis import SEP, SUB, Segmented, segment_cached


def _fill(t: Token, text: str, pos: int, start: int, end: int, positions: bool, chars: bool,
          keeporiginal: bool) -> Token:
    """Set the reused Token's fields (Whoosh tokenizers yield one Token object, refilled)."""
    t.text = text
    t.boost = 1.0
    t.stopped = False
    if keeporiginal:
        t.original = text
    if positions:
        t.pos = pos
    if chars:
        t.startchar, t.endchar = start, end
    return t


class ChineseTokenizer(Tokenizer):
    """Whoosh tokenizer over jieba: positions count words; offsets index the original text."""

    def __init__(self, subwords: bool = True) -> None:
        self.subwords = subwords

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs: object) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            t.original = t.text = value
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        pos = start_pos - 1
        if type(value) is Segmented:
            if chars:
                raise ValueError("a pre-segmented text has no character offsets")
            for word in value.split(SEP) if value else ():
                if word[0] != SUB:
                    pos += 1
                    yield _fill(t, word, pos, 0, 0, positions, False, keeporiginal)
                else:
                    yield _fill(t, word[1:], pos, 0, 0, positions, False, keeporiginal)
            return
        seg_mode = "query" if (mode == "query" or not self.subwords) else "index"
        for word, start, end, primary in segment_cached(value, seg_mode):
            if primary:
                pos += 1
            yield _fill(t, word, pos, start_char + start, start_char + end, positions, chars, keeporiginal)


def word_analyzer() -> Composable:
    """Index-time words: jieba words plus same-position sub-words, lower-cased."""
    return ChineseTokenizer() | LowercaseFilter()
