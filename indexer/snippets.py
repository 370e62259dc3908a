"""Highlighting: HTML with the matched words in <mark> and everything else escaped.

Done on the text itself (the character fold is one-to-one, so offsets hold) rather than by
Whoosh's highlighter, which would re-run jieba over a whole regulation for every hit.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from archive.normalize import fold_chars

from .analysis import SPECIAL, special


def match_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Merged character spans of every occurrence of the words (and of numbers written another way)."""
    folded_case = fold_chars(text)
    folded = folded_case.lower()
    spans: list[tuple[int, int]] = []
    wanted = {fold_chars(w).lower() for w in words if w and w.strip()}
    for w in wanted:
        start = folded.find(w)
        while start != -1:
            spans.append((start, start + len(w)))
            start = folded.find(w, start + len(w))
    numeric = {w for w in wanted if any(ch.isdigit() for ch in w)}
    if numeric:
        for m in SPECIAL.finditer(folded_case):
            canonical, aliases = special(m)
            if canonical.lower() in numeric:
                spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape text and wrap the spans in <mark>."""
    out: list[str] = []
    pos = 0
    for s, e in spans:
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def highlight_all(text: str, words: Iterable[str]) -> str:
    """The whole text, escaped, with every match marked (for a document page)."""
    return mark(text, match_spans(text, words))


def best_window(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """The index of the span to start the snippet at: the one whose window (the spans ending within `width`
    of its start) holds the most distinct words, then the most matches; the first such on a tie.

    The spans are merged, so sorted by end as well: each window is spans[i:j] with j only moving forward,
    which makes this linear where scoring every window afresh was quadratic in the matches of a long text."""
    best, best_score = 0, -1
    words_in: dict[str, int] = {}
    j = 0
    for i, (s, e) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= s + width:
            w = text[spans[j][0]:spans[j][1]]
            words_in[w] = words_in.get(w, 0) + 1
            j += 1
        score = len(words_in) * 10 + (j - i)
        if score > best_score:
            best, best_score = i, score
        if j > i:  # span i leaves the window before the next start
            w = text[s:e]
            words_in[w] -= 1
            if not words_in[w]:
                del words_in[w]
        else:  # span i alone is wider than the window
            j = i + 1
    return best


def one_line(text: str) -> str:
    r"""The text with every run of white space that holds a line break made one space: what
    re.sub(r"\s*\n\s*", " ", text) gives, five times faster on a long text (that pattern has no
    literal to scan for, so the regex engine tries it at every character)."""
    parts = text.split("\n")
    if len(parts) == 1:
        return text
    rest = [p.strip() for p in parts[1:-1]]
    rest.append(parts[-1].lstrip())
    kept = [p for p in rest if p]
    if not kept:
        return parts[0].rstrip() + " "
    return parts[0].rstrip() + " " + " ".join(kept) + ("" if rest[-1] else " ")


def snippet(text: str, words: Iterable[str], width: int = 160) -> str:
    """The window of text holding the most distinct matches, escaped and marked."""
    text = one_line(text)
    spans = match_spans(text, words)
    if not spans:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    best = best_window(text, spans, width)
    start = max(0, spans[best][0] - width // 4)
    end = min(len(text), start + width)
    inside = [(max(a, start) - start, min(b, end) - start) for a, b in spans if b > start and a < end]
    return ("…" if start > 0 else "") + mark(text[start:end], inside) + ("…" if end < len(text) else "")
