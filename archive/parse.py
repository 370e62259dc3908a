"""parse_document: normalised text → a classified, structured record (pure)."""

from __future__ import annotations

import re
from pathlib import PurePath

from .classify import classify
from .models import Extracted, Parsed
from .normalize import normalize
from .notice import parse_notice
from .regulation import parse_regulation, title_from_name, version_from_name

# bump when parsing changes, so ingest re-parses files whose bytes did not change
PARSER_VERSION = 6  # 6: publisher is an organisation (archive.regulation.organisation)

_TITLE_LIKE = re.compile(r"[\u4e00-\u9fff]{4,}")
_LOCAL = re.compile(r"^(.+?)地方法规$")
_REGION_TITLE = re.compile(r"^(.{2,8}?(?:省|自治区|市|特别行政区))")
_NOT_CATEGORY = {"regulations", "corpus", "related", "notices", "docs", "."}


def _file_title(name: str) -> str | None:
    title = title_from_name(name)
    return title if _TITLE_LIKE.search(title) else None


def region_and_category(path: PurePath, title: str, doc_type: str) -> tuple[str | None, str | None]:
    """Region (全国, 上海, 示例市…) and category (行政法规, 地方性法规…) from the folder and the title."""
    if doc_type != "regulation":
        return None, None
    for part in path.parts:
        if m := _LOCAL.match(part):
            return m.group(1), "地方性法规"
    parent = path.parent.name
    category = parent if parent and parent not in _NOT_CATEGORY else None
    if title.startswith(("中华人民共和国", "全国人民代表大会", "中国共产党", "国务院")):
        return "全国", category
    m = _REGION_TITLE.match(title)
    return (m.group(1) if m else "全国"), category


def parse_document(extracted: Extracted, file_name: str) -> Parsed:
    """Normalise, classify and parse one extracted file."""
    text = normalize(extracted.text, reflow=extracted.method in ("pdf", "ocr"))
    first = text.split("\n", 1)[0]
    heading = first[2:].strip() if first.startswith("# ") else None
    title = heading or extracted.title or _file_title(file_name)
    doc_type = classify(text, title)
    warnings = list(extracted.warnings)
    if doc_type == "notice":
        notice = parse_notice(text, title=title)
        return Parsed(doc_type="notice", title=notice.title, text=text, publisher=notice.publisher,
                      published=notice.published, notice=notice, warnings=tuple(warnings + list(notice.warnings)))
    if doc_type == "regulation":
        reg = parse_regulation(text, title=title, file_name=file_name)
        return Parsed(doc_type="regulation", title=reg.title, text=text, publisher=reg.issuer,
                      published=reg.version or reg.promulgated, regulation=reg,
                      warnings=tuple(warnings + list(reg.warnings)))
    return Parsed(doc_type="other", title=title or (first[:60] if first else file_name), text=text,
                  published=version_from_name(file_name), warnings=tuple(warnings))
