"""parse_document: normalised text → a classified, structured record (pure)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePath

from .classify import classify
from .ledger import ledger_categories
from .models import Extracted, Parsed, Table
from .normalize import normalize
from .notice import parse_notice, title_lines
from .pages import site_title
from .regulation import parse_regulation, title_from_name, version_from_name

# bump when parsing changes, so ingest re-parses files whose bytes did not change
PARSER_VERSION = 20  # 20: the closing after the last problem (下一步，… / 以上整改情况，… / 欢迎…监督 / 联系电话：…) is cut before the levels are read too (field and paragraph layouts), and a paragraph that invites oversight closes without 下一步; a count done (已完成5个) is the problems' only when its sentence counts problems (not 对9个项目进行复核，已完成5个); an extension inspection (…巡察组在巡察芗坪镇党委期间，对该镇葭湾村党支部开展了延伸巡察) names the group and the branch; a field layout's status field (整改结果：正在整改，预计…前完成。) gives its deadline, and a progress or status field there may open with its status; 19: 7个问题已全部完成整改 states 7 done; 18: the finding restated before the measures (before 整改措施：, or opening 巡察指出/经查) is no measure; 17: a progress field that opens with its status (整改进展：正在整改。已复核…) states it; 16: a saved page's signature set apart after the article (<div class="sign">) is the notice's end (archive/extract/html.py); 15: a closing paragraph after the last problem (下一步，…) is not that problem's text (its status was lost), and a round's label takes no function word before its committee (开展了县委第十五轮巡察 → 县委第十五轮巡察); 14: （三） first under 二、 goes on from （二） under 一、 (problems numbered straight through the sections); 13: an item number before a year (4.2022年…) is an item, not a decimal; 12: a Markdown notice's heading marks (## 二、…) off; 6: issue 12's layouts, ledgers, progress; 7: publisher is an organisation;
# 8: a title's region is a place (人力资源市场暂行条例 is national, not of a place called 人力资源市);
# 9: 党内法规 (a 准则's items as articles, 效力级别, the issuing body, 《条例》 after a full mention named)
# 10: a PDF's title by layout; a ledger's 填报单位/填报日期 rows; the notice hierarchy read from its numbering (issue 29)
# 11: a notice's round (round_no, round_label), revisit, stage and as_of in its header (issue 30)

_TITLE_LIKE = re.compile(r"[\u4e00-\u9fff]{4,}")
_LOCAL = re.compile(r"^(.+?)地方法规$")
# a place name opening the title; 市 is a place only when no word goes on through it (市场, 市容, 市政, 市民, 市区)
_REGION_TITLE = re.compile(r"^(.{2,8}?(?:省|自治区|市(?![场容政民区辖])|特别行政区))")
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
    title = heading or (site_title(extracted.title) if extracted.title else None) or _file_title(file_name)
    doc_type = classify(text, title)
    if doc_type == "other" and (own := title_lines(text.split("\n", 3)[:3])[0]):
        doc_type = classify(text, own)  # the title line the text opens with (…关于巡察整改情况的报告)
    warnings = list(extracted.warnings)
    # cells normalised as the text is, so a ledger problem's text is a substring of the document
    tables = tuple(Table(rows=tuple(tuple(normalize(" ".join(c.split())) for c in row) for row in t.rows),
                         caption=normalize(t.caption)) for t in extracted.tables)
    if doc_type != "notice" and tables and ledger_categories(tables, None)[0] and "整改" in text:
        doc_type = "notice"  # a ledger (整改台账) whose title does not say 巡察整改
    if doc_type == "notice":
        notice = parse_notice(text, title=title, tables=tables)
        if not notice.publisher and extracted.publisher:
            # the page's metadata table (发布机构 / 成文日期) stands in for a missing signature
            notice = replace(notice, publisher=extracted.publisher, published=notice.published or extracted.published,
                             warnings=tuple(w for w in notice.warnings if not w.startswith("no signature")))
        elif not notice.published and extracted.published:
            notice = replace(notice, published=extracted.published)
        return Parsed(doc_type="notice", title=notice.title, text=text, publisher=notice.publisher,
                      published=notice.published, notice=notice, warnings=tuple(warnings + list(notice.warnings)))
    if doc_type == "regulation":
        reg = parse_regulation(text, title=title, file_name=file_name)
        return Parsed(doc_type="regulation", title=reg.title, text=text, publisher=reg.issuer,
                      published=reg.version or reg.promulgated, regulation=reg,
                      warnings=tuple(warnings + list(reg.warnings)))
    return Parsed(doc_type="other", title=title or (first[:60] if first else file_name), text=text,
                  published=version_from_name(file_name), warnings=tuple(warnings))
