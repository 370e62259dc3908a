"""A page saved from a government site: the article's body text only; title, publisher and date from the page.

Main content comes from trafilatura (maintained, readability-style with site furniture rules). The hand-written
tree below stays as the fallback when trafilatura finds no article (a page that is one short paragraph, or markup
lxml refuses), and for the title: on the saved pages of tests/fixtures/notices both keep exactly the article
lines, and the hand-written one also copes with the thousands of unclosed <font> of old CMS pages.
The 信息索引号 / 发布机构 / 文件名称 / 成文日期 table is read with lxml and never becomes text.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import lxml.html
import trafilatura
from lxml import etree

from ..figures import parse_date
from ..pages import is_furniture
from ..models import Extracted
from ..options import ExtractOptions
from .errors import ExtractionError
from .text import decode, looks_binary

_SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "select",
         "button", "svg", "template", "head", "menu"}
_VOID = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track", "wbr"}
_BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table",
          "blockquote", "pre", "dd", "dt", "ul", "ol", "td"}
# start tags that end an open <p> (the HTML rule browsers apply to unclosed paragraphs)
_CLOSES_P = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "blockquote", "pre",
             "ul", "ol", "dl", "hr", "address", "aside", "footer", "header", "nav", "form", "fieldset", "menu"}
# a start tag of the key ends an open element of the values (unclosed <li>, <td>, <dd> …)
_CLOSES_SIBLING = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "td": {"td", "th"}, "th": {"td", "th"},
                   "tr": {"tr", "td", "th"}, "option": {"option"}}
# old pages leave <font>/<div> unclosed by the thousand: deeper markup is flattened, so the
# walks below stay far from the recursion limit and linear in the page size
_MAX_DEPTH = 200
_BOILER = re.compile(r"nav|menu|breadcrumb|crumb|footer|header|sidebar|side-bar|share|copyright|related|"
                     r"toolbar|banner|login|search|position|location|friend-?link|topbar|foot|guide", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)
_GB = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "gb_2312-80", "euc-cn"}
_BINARY = "binary data, not HTML (wrong file extension?)"


@dataclass(slots=True)
class _Node:
    tag: str
    attrs: str
    parent: _Node | None
    depth: int = 0
    children: list[_Node | str] = field(default_factory=list)
    skip: bool = False


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", "", None)
        self.cur = self.root
        self.title = ""
        self.meta_title = ""
        self._in_title = False

    def _close_implied(self, tag: str) -> None:
        if tag in _CLOSES_P and self.cur.tag == "p" and self.cur.parent is not None:
            self.cur = self.cur.parent
        ends = _CLOSES_SIBLING.get(tag, set())
        while self.cur.tag in ends and self.cur.parent is not None:
            self.cur = self.cur.parent

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag == "meta" and (dict(attrs).get("name") or dict(attrs).get("property") or "").lower() in (
                "articletitle", "og:title"):
            self.meta_title = self.meta_title or (dict(attrs).get("content") or "")
        self._close_implied(tag)
        marks = " ".join(v or "" for k, v in attrs if k in ("class", "id", "role"))
        node = _Node(tag, marks, self.cur, self.cur.depth + 1,
                     skip=self.cur.skip or tag in _SKIP or bool(_BOILER.search(marks)))
        self.cur.children.append(node)
        if tag not in _VOID and node.depth < _MAX_DEPTH:
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


def _cjk_lengths(root: _Node) -> dict[int, int]:
    """Chinese characters under every visible node, in one bottom-up pass (no quadratic re-walks)."""
    order: list[_Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(c for c in node.children if isinstance(c, _Node) and not c.skip)
    lengths: dict[int, int] = {}
    for node in reversed(order):  # children before parents
        lengths[id(node)] = sum(_cjk_len(c) if isinstance(c, str) else lengths.get(id(c), 0)
                                for c in node.children if isinstance(c, str) or not c.skip)
    return lengths


def _best_container(root: _Node) -> _Node:
    """The element whose paragraphs hold the most Chinese text (readability-style scoring)."""
    lengths = _cjk_lengths(root)
    scores: dict[int, tuple[float, _Node]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        for child in node.children:
            if isinstance(child, _Node) and not child.skip:
                stack.append(child)
        if node.tag in ("p", "pre", "td", "li") or (node.tag == "div" and any(isinstance(c, str) and c.strip()
                                                                              for c in node.children)):
            length = lengths[id(node)]
            if length < 10 or node.parent is None:
                continue
            for parent, share in ((node.parent, 1.0), (node.parent.parent, 0.5)):
                if parent is not None:
                    old = scores.get(id(parent), (0.0, parent))[0]
                    scores[id(parent)] = (old + length * share, parent)
    if not scores:
        return root
    return max(scores.values(), key=lambda t: t[0])[1]


_DATE_LINE = re.compile(r"^(?:\d{4}|[〇零○一二三四五六七八九]{4})年[\d〇零○一二三四五六七八九十]{1,2}月"
                        r"[\d〇零○一二三四五六七八九十]{1,3}日$")


def _signature_after(container: _Node) -> list[str]:
    """The signature a page sets apart after its article (<div class="sign">: the unit, then the date): the short
    blocks right after the container, or after its parent, kept only when their last line is a date."""
    for node in (container, container.parent):
        if node is None or node.parent is None:
            continue
        siblings = node.parent.children
        at = next(i for i, c in enumerate(siblings) if c is node)
        lines: list[str] = []
        for sib in siblings[at + 1:]:
            if isinstance(sib, _Node) and sib.skip:
                continue
            parts: list[str] = []
            if isinstance(sib, str):
                parts.append(sib)
            else:
                _text(sib, parts)
            text = [ln.strip() for ln in "".join(parts).split("\n") if ln.strip()]
            if not text:
                continue
            if sum(_cjk_len(t) for t in text) > 60 or len(lines) + len(text) > 4:
                break
            lines += text
        if lines and _DATE_LINE.match(lines[-1]):
            return lines
    return []


def _clean_title(title: str, meta_title: str, headings: list[str], body: str) -> str | None:
    """The article's title: a heading the <title> contains, else the <title> part the page shows."""
    title = re.sub(r"\s+", " ", title).strip()
    meta_title = re.sub(r"\s+", " ", meta_title).strip()
    for h in headings:
        if len(h) >= 6 and (h in title or h == meta_title or not title):
            return h
    if meta_title:
        return meta_title
    parts = [p.strip() for p in re.split(r"\s*[_|｜]\s*|\s+[-–—]\s+|(?<=[\u4e00-\u9fff])-(?=[\u4e00-\u9fff])",
                                         title) if p.strip()]
    if not parts:
        return headings[0] if headings else None
    head = re.sub(r"\s+", "", body[:500])
    # "文章标题_栏目_网站名": the site's name is often the longest part, so prefer the one the page shows
    for part in parts:
        if re.sub(r"\s+", "", part) in head or part in headings:
            return part
    return parts[0]


def _headings(root: _Node) -> list[str]:
    out: list[str] = []
    stack = [root]
    while stack:
        node = stack.pop()
        children = [c for c in node.children if isinstance(c, _Node)]
        stack.extend(reversed(children))  # document order
        if node.tag in ("h1", "h2") and not node.skip:
            parts: list[str] = []
            _text(node, parts)
            text = re.sub(r"\s+", "", "".join(parts))
            if text:
                out.append(text)
    return out


def _decode_page(data: bytes) -> str:
    """The page as text: a BOM, then valid UTF-8, then the declared charset (GB read as gb18030)."""
    m = _CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else ""
    if not declared or declared in ("utf-8", "utf8") or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            return decode(data)[0]
        except ExtractionError as exc:
            raise ExtractionError(str(exc).replace("not text", "not HTML")) from exc
    if looks_binary(data):
        raise ExtractionError(_BINARY)
    try:
        # a page re-saved as UTF-8 often keeps its old gb2312 <meta>; GB text is almost never valid UTF-8
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = "gb18030" if declared in _GB else declared
    try:
        codecs.lookup(codec)
    except LookupError:
        codec = "gb18030"
    return data.decode(codec, errors="replace")


# the 政府信息公开 metadata table: label cells and what they feed
_META_LABELS = {"title": re.compile(r"^(?:文件名称|名\s*称|标\s*题)$"), "publisher": re.compile(r"^(?:发布机构|发文机关|发文单位)$"),
                "date": re.compile(r"^(?:成文日期|发布日期|发文日期)$")}
_TRAFILATURA_LOG = logging.getLogger("trafilatura")
_TRAFILATURA_LOG.setLevel(logging.CRITICAL)
_MAX_DEPTH_LXML = 255


def page_metadata(text: str) -> dict[str, str]:
    """title / publisher / date from a 信息索引号-style table of label cells each followed by its value."""
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return {}
    found: dict[str, str] = {}
    for cell in root.iter("td", "th", "dt", "span", "li"):
        label = _short_text(cell, 16)
        label = re.sub(r"[\s:：\u3000]+$", "", label.strip()) if label else ""
        if not label or len(label) > 8:
            continue
        for key, pattern in _META_LABELS.items():
            if key in found or not pattern.match(label):
                continue
            value = cell.getnext()
            if value is not None:
                found[key] = re.sub(r"\s+", " ", value.text_content()).strip()
            elif ":" in (cell.text_content() or "") or "：" in (cell.text_content() or ""):
                tail = re.split(r"[:：]", cell.text_content(), maxsplit=1)[1].strip()
                if tail:
                    found[key] = tail
    return {k: v for k, v in found.items() if v}


def _short_text(node: etree._Element, limit: int) -> str | None:
    """A node's text if it is at most `limit` characters, else None: stops reading early, so deep or long
    markup costs no more than the limit (text_content() on every nested cell would be quadratic)."""
    out: list[str] = []
    size = 0
    for piece in node.itertext():
        size += len(piece.strip())
        if size > limit:
            return None
        out.append(piece)
    return "".join(out)


def _main_text(text: str) -> str | None:
    """The article as trafilatura finds it (no tables, comments or links), one paragraph a line."""
    try:
        out = trafilatura.extract(text, include_tables=False, include_comments=False, include_links=False,
                                  include_images=False, deduplicate=False)
    except (etree.LxmlError, ValueError, RecursionError):
        return None
    return out or None


def _clean_lines(body: str) -> str:
    return "\n".join(ln.strip() for ln in body.split("\n") if ln.strip() and not is_furniture(ln))


def extract_html(data: bytes, options: ExtractOptions) -> Extracted:
    """Extract the main text of a saved HTML page."""
    text = _decode_page(data)
    parser = _Tree()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser's own failures on broken markup
        raise ExtractionError(f"unreadable HTML: {exc}") from exc
    container = _best_container(parser.root)
    parts: list[str] = []
    _text(container, parts)
    hand = _clean_lines("".join(parts))
    main = _main_text(text) if hand else None
    body = _clean_lines(main) if main else ""
    # trafilatura keeps the article or more of it; when it kept less than half the hand-found text, it cut
    if len(body) < len(hand) // 2:
        body = hand
    if not body:
        raise ExtractionError("the page has no body text")
    sign = _signature_after(container)
    if sign and not body.rstrip().endswith(sign[-1]):
        body = body.rstrip("\n") + "\n" + "\n".join(sign)
    meta = page_metadata(text)
    headings = _headings(parser.root)
    title = meta.get("title") or _clean_title(parser.title, parser.meta_title, headings, body)
    for candidate in (title, *headings[:1]):
        if candidate and body.startswith(candidate):
            body = body[len(candidate):].lstrip("\n")
    return Extracted(text=body, title=title, method="html", publisher=meta.get("publisher"),
                     published=parse_date(meta["date"]) if "date" in meta else None)
