"""A page saved from a government site: the article's body text only, title from the page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from xuncha.settings import Settings

from ..models import Extracted
from .errors import ExtractionError
from .text import decode

_SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "select",
         "button", "svg", "template", "head", "menu"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
          "blockquote", "pre", "dd", "dt", "ul", "ol", "td"}
_BOILER = re.compile(r"nav|menu|breadcrumb|crumb|footer|header|sidebar|side-bar|share|copyright|related|"
                     r"toolbar|banner|login|search|position|location|friend-?link|topbar|foot|guide", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)


@dataclass(slots=True)
class _Node:
    tag: str
    attrs: str
    parent: _Node | None
    children: list[_Node | str] = field(default_factory=list)
    skip: bool = False


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", "", None)
        self.cur = self.root
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        marks = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        node = _Node(tag, marks, self.cur, skip=self.cur.skip or tag in _SKIP or bool(_BOILER.search(marks)))
        self.cur.children.append(node)
        if tag not in _VOID:
            self.cur = node

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        node: _Node | None = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.cur = node.parent

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self.cur.children.append(data)


def _text(node: _Node, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
        elif not child.skip:
            if child.tag in _BLOCK:
                out.append("\n")
            _text(child, out)
            if child.tag in _BLOCK:
                out.append("\n")


def _cjk_len(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def _best_container(root: _Node) -> _Node:
    """The element whose paragraphs hold the most Chinese text (readability-style scoring)."""
    scores: dict[int, tuple[float, _Node]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            if isinstance(child, _Node) and not child.skip:
                stack.append(child)
        if node.tag in ("p", "pre", "td", "li") or (node.tag == "div" and any(isinstance(c, str) and c.strip()
                                                                              for c in node.children)):
            parts: list[str] = []
            _text(node, parts)
            length = _cjk_len("".join(parts))
            if length < 10 or node.parent is None:
                continue
            for parent, share in ((node.parent, 1.0), (node.parent.parent, 0.5)):
                if parent is not None:
                    old = scores.get(id(parent), (0.0, parent))[0]
                    scores[id(parent)] = (old + length * share, parent)
    if not scores:
        return root
    return max(scores.values(), key=lambda t: t[0])[1]


def _clean_title(title: str, headings: list[str]) -> str | None:
    title = re.sub(r"\s+", " ", title).strip()
    for h in headings:
        if len(h) >= 6 and (h in title or not title):
            return h
    parts = [p.strip() for p in re.split(r"\s*[_|｜]\s*|\s+[-–—]\s+", title) if p.strip()]
    return max(parts, key=len) if parts else (headings[0] if headings else None)


def _headings(node: _Node, out: list[str]) -> None:
    for child in node.children:
        if isinstance(child, _Node):
            if child.tag in ("h1", "h2") and not child.skip:
                parts: list[str] = []
                _text(child, parts)
                text = re.sub(r"\s+", "", "".join(parts))
                if text:
                    out.append(text)
            _headings(child, out)


def extract_html(data: bytes, settings: Settings) -> Extracted:
    """Extract the main text of a saved HTML page."""
    m = _CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else ""
    if declared in ("gb2312", "gbk", "gb18030"):
        text = data.decode("gb18030", errors="replace")
    else:
        text, _ = decode(data)
    parser = _Tree()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser's own failures on broken markup
        raise ExtractionError(f"unreadable HTML: {exc}") from exc
    container = _best_container(parser.root)
    parts: list[str] = []
    _text(container, parts)
    body = "\n".join(ln.strip() for ln in "".join(parts).split("\n") if ln.strip())
    if not body:
        raise ExtractionError("the page has no body text")
    headings: list[str] = []
    _headings(parser.root, headings)
    title = _clean_title(parser.title, headings)
    if title and body.startswith(title):
        body = body[len(title):].lstrip("\n")
    return Extracted(text=body, title=title, method="html")
