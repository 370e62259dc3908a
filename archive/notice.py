"""parse_notice: title, header, sections, categories, numbered problems, measures and progress of a notice.

The layouts it reads (issue 12): 一、 sections holding (一) categories holding 1. problems (the seed); (一)在“…”方面
categories with 1.关于“…”问题的整改 problems and (1) sub-problems (county sites); 一、 categories with (一) problems
whose measures are 1. lines (told apart by what follows: the 1. lines are no problems); (一) blocks that reflect and
then list measures (一是 / 第一); and ledgers (tables, archive/ledger.py). What matches none is left unstructured
and says so in warnings: a wrong split is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .citations import find_citations
from .figures import find_dates, find_figures
from .hierarchy import build_categories, detect_plan, is_problem_wording, marker_of
from .layouts import NUM_LINE, build_problem, is_problem_heading, measures, ordinal_chain
from .kinds import ReportStage
from .models import Category, Notice, NoticeHeader, Problem, Table
from .numerals import cn_to_int
from .pages import is_furniture, meta_from_lines
from .progress import ends_with_status, notice_progress, problem_status, status_sentence, summary_agreement

_SECTION = re.compile(r"^([一二三四五六七八九十]{1,3})、\s*(.+)$")
_CATEGORY = re.compile(r"^\(([一二三四五六七八九十]{1,3})\)\s*(.*)$")
_SIGN_DATE = re.compile(r"^(?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年.{1,6}月.{1,4}日$")
_COUNTS = re.compile(r"([一二两三四五六七八九十百\d]+个?方面[^。；;]{0,30}?问题(?:[^。；;,，]{0,20}?(?:建议|任务))?)")
# a closing paragraph opens so: 下一步，…将 (not a field: 下一步措施：), 以上整改情况，… / 以上为整改进展情况。
_CLOSING = re.compile(r"^(?:(?:下一步|下一阶段|下阶段|今后)(?:工作中)?[，,]|以上(?:为|是)?[^，,。；;]{0,10}情况[，,。])")
_CONTACT = re.compile(r"^(?:联系|电话|邮政|邮箱|电子邮箱|来信|地址|传真|举报|网址)")
# … or asks for the public's oversight or gives the contact (欢迎广大干部群众监督，联系电话：…), wherever in the paragraph
# that is said (公司党委将以此为契机…。欢迎…监督), though never in a problem's labelled field (整改措施：…); or is a contact line
_INVITE = re.compile(r"欢迎[^。；;]{0,40}监督|联系电话\s*[:：]")
_CONTACT_LINE = re.compile(_CONTACT.pattern + r"[^。，,]{0,8}[:：]")  # a contact label: 联系电话：, 邮箱：
_FIELD = re.compile(r"^[\u4e00-\u9fff]{2,6}\s*[:：]")
_KIND = re.compile(r"巡视|巡察")
_TITLE_END = re.compile(r"(?:通报|报告|公告|通知|公示|情况|说明)$")
_NOT_TITLE = re.compile(r"^(?:根据|按照|依据|为|近日|经|现将|今年|\d{4}年|[一二三四五六七八九十]+、|\(|\d+[.、])")
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[(]\d{4}[〕\])]\s*\d+\s*号$")
UNRECOGNISED = "structure not recognised: no numbered problems found"


def _titlish(line: str) -> bool:
    return 4 <= len(line) <= 80 and not line.endswith(("。", "：", ":", "；", ";", "，", ",")) \
        and not _NOT_TITLE.match(line) and not _SIGN_DATE.match(line)


def _title_at(lines: list[str], i: int) -> tuple[str | None, int]:
    first = lines[i].lstrip("# ").strip()
    if not _titlish(first):
        return None, 0
    if _TITLE_END.search(first):
        return first, i + 1
    if len(lines) > i + 1:
        second = lines[i + 1]
        # a long title a PDF wrapped: the rest may be one character (…的通 / 报)
        # (never a ledger's header row, its cells joined by " | ": 序号 | … | 完成情况)
        if len(second) <= 40 and not second.endswith(("。", "：", ":")) and " | " not in second \
                and _TITLE_END.search(first + second) \
                and ("关于" in first or "巡" in first):
            return first + second, i + 2
    if "关于" in first and ("整改" in first or "巡" in first):
        return first, i + 1
    return None, 0


def title_lines(lines: list[str]) -> tuple[str | None, int]:
    """The title at the top (one line, or two a PDF wrapped), and how many lines it and what precedes it take.

    Above the title there may be a document number, or (a page a browser printed) the site's navigation: the
    title is looked for among the lines before the first sentence, and only as 关于…通报/报告 there."""
    skip = 1 if lines and _DOC_NUMBER.match(lines[0]) else 0
    if len(lines) <= skip:
        return None, 0
    found = _title_at(lines, skip)
    if found[0]:
        return found
    for i in range(skip + 1, min(len(lines), skip + 8)):
        if lines[i - 1].endswith("。"):
            break
        title, end = _title_at(lines, i)
        if title and "关于" in title and _TITLE_END.search(title):
            return title, end
    return None, 0


# 第X轮 (Chinese or Arabic), and the words before it that say whose round it is: a year (2023年), a term
# (十届), the body (区委, 中共示例市委, 中央, 校党委) in any order; 第一巡察组 is a group and 轮候 no round
_ROUND = re.compile(r"第([一二三四五六七八九十\d]{1,3})轮(?!次|候|换|岗)(巡察|巡视)?")
# who ran the round: a year, a 届, a committee (a place of 1–4 characters + 省/市/区/县 … + 委, 中央, a 党委); never a
# function word of the lead (了, 根据/依据, 按照/对照: 开展了县委第十五轮巡察 is 县委第十五轮巡察)
_ROUND_PREFIX = re.compile(
    r"(?:(?:\d{4}|[〇零○一二三四五六七八九]{4})年度?|第?[一二三四五六七八九十\d]{1,3}届|"
    r"(?:中共)?(?:[^\W\d_关于的对局组党委会和与及向在将了据照]{1,4}?[省市区县州旗盟])?[省市区县州旗盟]?委|中央|"
    r"(?:中共)?(?:校|院|集团|公司|局|总)?党委)*$")
_REVISIT = re.compile(r"(?:巡察|巡视)(?:整改)?\W{0,2}回头看|回头看\W{0,2}(?:巡察|巡视)")
_AS_OF = re.compile(r"截至\s*((?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                    r"(?:\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*日)?)")
_FEEDBACK = re.compile(r"反馈.{0,12}(?:意见|情况)")


def round_of(text: str) -> tuple[int | None, str | None]:
    """The first 第X轮 in text, as (number, the words that name it: 十届区委第三轮巡察)."""
    for m in _ROUND.finditer(text):
        number = cn_to_int(m.group(1))
        if not number:
            continue
        prefix = _ROUND_PREFIX.search(text[max(0, m.start() - 24):m.start()])
        return number, (prefix.group(0) if prefix else "") + m.group(0)
    return None, None


def report_stage(title: str, lead: str, revisit: bool) -> ReportStage | None:
    """What the notice reports: a 回头看, a progress report, the rectification report, or the feedback itself.

    The title decides; a title that says neither (composed from the signature, or 关于巡察工作的通报) leaves it
    to the lead's 现将…予以公布 sentence."""
    if revisit:
        return ReportStage.REVISIT
    for text in (title, lead):
        if re.search(r"整改(?:工作)?进展|阶段性(?:整改)?进展|持续(?:深化)?(?:巡察|巡视)?整改|进展情况", text):
            return ReportStage.PROGRESS
        if re.search(r"整改(?:落实|工作)?的?(?:情况|报告)", text):
            return ReportStage.RECTIFICATION
        if text == title and "整改" not in title and _FEEDBACK.search(title):
            return ReportStage.FEEDBACK
    return None


def _rounds(title: str, lead: str, full: str) -> dict[str, Any]:
    """round_no, round_label, revisit, stage and as_of: what the title and lead say of the notice's round."""
    number, label = round_of(title)
    if number is None:
        number, label = round_of(lead)
    revisit = bool(_REVISIT.search(title) or "回头看" in title or _REVISIT.search(lead))
    stage = report_stage(title, lead, revisit)
    said = _AS_OF.search(title) or _AS_OF.search(lead)
    if not said and stage is ReportStage.PROGRESS:
        said = _AS_OF.search(full)
    dated = find_dates(said.group(1)) if said else []
    as_of = dated[0].value if dated else None
    return {"round_no": number, "round_label": label, "revisit": revisit, "stage": stage, "as_of": as_of}


# …巡察组对X进行了巡察 (the group and 对 in one clause), or with the inspection it made meanwhile between them (…巡察组在巡察
# 芗坪镇党委期间，对该镇葭湾村党支部开展了延伸巡察: an extension inspection, whose unit is the branch)
_INSPECTED = re.compile(r"(?:日|,|，)\s*([^,，。;；]*?(?:巡察|巡视)[^,，。;；]*?组(?:\([^)]*\))?)\s*"
                        r"(?:在([^,，。;；]{2,40}?)期间[,，]?\s*)?对\s*([^,，。]+?)\s*(?:进行了|开展了|开展|进行)")
_EXTENDED = re.compile(r"[^,，。;；]{0,8}?期间[,，]\s*对\s*([^,，。]+?)\s*(?:进行了|开展了|开展|进行)延伸")
_THIS = re.compile(r"^该(镇|乡|村|县|区|市|街道|社区|局|公司|集团|医院|学校)")


def _this(unit: str, during: str | None) -> str:
    """该镇葭湾村党支部 → 芗坪镇葭湾村党支部 when the inspection it was extended from names the town (巡察芗坪镇党委)."""
    m = _THIS.match(unit)
    if not m or not during:
        return unit
    named = re.search(rf"[\u4e00-\u9fff]{{1,8}}?{m.group(1)}", re.sub(r"^(?:对|开展|进行)?(?:巡察|巡视)", "", during))
    return named.group(0) + unit[m.end():] if named else unit


def _header(lead: str, full: str, title: str = "") -> NoticeHeader:
    dates = find_dates(lead)
    start = end = None
    period = re.search(r"(\d{4}年\d{1,2}月\d{1,2}日)\s*(?:至|—|-|到)\s*((?:\d{4}年)?\d{1,2}月\d{1,2}日)", lead)
    if period:
        span = find_dates(period.group(0))
        start, end = span[0].value, span[-1].value if len(span) > 1 else None
    body = None
    unit = None
    m = _INSPECTED.search(lead)
    if m:
        body, unit = m.group(1).strip(), m.group(3).strip()
        during = m.group(2)
        # 对镇党委开展巡察期间，对村党支部开展了延伸巡察: the notice is the branch's, whose inspection the sentence tells
        if extended := _EXTENDED.match(lead, m.end()):
            during, unit = unit, extended.group(1).strip()
        unit = _this(unit, during)
    feedback = None
    sentences = re.split(r"[。]", lead)
    # the sentence that gives feedback (反馈了巡察意见), before one that only names it (上一轮巡察反馈问题)
    giving = [s for s in sentences if re.search(r"反馈了|反馈[^，,。]{0,6}意见", s)]
    for sentence in giving + [s for s in sentences if s not in giving]:
        if "反馈" in sentence:
            found = find_dates(sentence, int(start[:4]) if start else None)
            if found:
                # 2019年3月至4月…进行了巡察，并于2019年6月5日反馈: the date nearest before 反馈 is its date
                said = sentence.index("反馈")
                before = [f for f in found if 0 <= sentence.find(f.text) < said]
                feedback = (before or found)[-1 if before else 0].value
                break
    counts = _COUNTS.search(full)
    if not (start or feedback) and dates:
        start = dates[0].value
    return NoticeHeader(inspected_unit=unit, inspecting_body=body, inspection_start=start, inspection_end=end,
                        feedback_date=feedback, stated_counts=counts.group(1) if counts else None,
                        **_rounds(title, lead, full))


def _signature(lines: list[str]) -> tuple[str | None, str | None, int]:
    """Publisher and date from the closing lines; returns how many trailing lines they occupy."""
    for i in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        if _SIGN_DATE.match(lines[i]):
            dates = find_dates(lines[i])
            publisher = lines[i - 1] if i > 0 and len(lines[i - 1]) <= 40 and not _CONTACT.match(lines[i - 1]) \
                and "。" not in lines[i - 1] else None
            return publisher, dates[0].value if dates else None, len(lines) - i + (1 if publisher else 0)
    return None, None, 0


def _first_structure(lines: list[str]) -> tuple[int, bool]:
    """Where the problem part starts, and whether it has 一、 sections (else one implicit section 0)."""
    first = next((i for i, ln in enumerate(lines) if _SECTION.match(ln)), None)
    if first is not None:
        return first, True
    cat = next((i for i, ln in enumerate(lines) if _CATEGORY.match(ln)), None)
    headed = [i for i, ln in enumerate(lines) if (m := NUM_LINE.match(ln)) and is_problem_heading(m.group(2))]
    if cat is not None:
        return cat, False
    if len(headed) >= 2:
        return headed[0], False
    return len(lines), True


def _closes(line: str) -> bool:
    """A line of the notice's closing: 下一步，… / 以上整改情况，…, or one that invites oversight or gives a contact."""
    return bool(_CLOSING.match(line) or _CONTACT_LINE.match(line) or (_INVITE.search(line) and not _FIELD.match(line)))


def closing_at(lines: list[str], marked: Callable[[str], bool], from_top: bool = False) -> int:
    """Where the closing after the last problem starts (len(lines) when there is none): the first line after the last
    marked one (a section, category, numbered item…) that closes (_closes); it and what follows are the notice's,
    not the last problem's (whose status was then lost, its last measure taking the paragraph).

    With no marked line at all the closing is looked for from the top only when from_top (lines that are all the
    problem part); else there is none."""
    last = max((i for i, ln in enumerate(lines) if marked(ln)), default=-1)
    if last < 0 and not from_top:
        return len(lines)
    at = next((i for i in range(last + 1, len(lines)) if _closes(lines[i])), len(lines))
    # the paragraphs between the status that closed the last problem (…长期坚持。) and the closing found are the
    # closing's too (我们将持续巩固整改成果。 / 欢迎…监督，联系电话：…), when they are no field, item or status of their own
    closed = next((k for k in range(at - 1, max(last, 0) - 1, -1) if ends_with_status(lines[k])), None)
    if at < len(lines) and closed is not None and all(
            not _FIELD.match(ln) and marker_of(ln) is None and status_sentence(ln) is None for ln in lines[closed + 1:at]):
        return closed + 1
    return at


def _group(lines: list[str], sectioned: bool) -> tuple[list[tuple[int, str]], list[dict]]:
    """section → category → problem; each problem as (number, raw first line, [heading, more lines])."""
    sections: list[tuple[int, str]] = []
    blocks: list[dict] = [] if sectioned else [{"number": 0, "title": "", "cats": [[0, "", "", [], []]]}]
    lines = lines[:closing_at(lines, lambda ln: bool((sectioned and _SECTION.match(ln)) or _CATEGORY.match(ln)
                                                     or NUM_LINE.match(ln)), from_top=True)]
    for ln in lines:
        if _CONTACT.match(ln) or ln.startswith("欢迎广大"):
            continue
        if sectioned and (m := _SECTION.match(ln)):
            number = cn_to_int(m.group(1)) or len(sections) + 1
            sections.append((number, m.group(2).strip()))
            blocks.append({"number": number, "title": m.group(2).strip(), "cats": [[0, "", "", [], []]]})
        elif not blocks:
            continue
        elif m := _CATEGORY.match(ln):
            blocks[-1]["cats"].append([cn_to_int(m.group(1)) or 0, m.group(2).strip(), ln, [], []])
        elif m := NUM_LINE.match(ln):
            blocks[-1]["cats"][-1][4].append((int(m.group(1)), ln, [m.group(2).strip()]))
        else:
            cat = blocks[-1]["cats"][-1]
            (cat[4][-1][2] if cat[4] else cat[3]).append(ln)
    return sections, blocks


def _listed(number: int, title: str, ctext: str, year: int | None) -> Problem | None:
    """A category that lists its measures (一是… / 第一，…) without numbered problems: one problem 0.

    The paragraph before the list reflects on the category and is not a measure."""
    chain = ordinal_chain(ctext)
    if not chain:
        return None
    listed = ctext[chain[0][0]:]
    status, deadline, said = problem_status(listed)
    return Problem(number=0, title=title, text=listed, citations=find_citations(listed),
                   figures=find_figures(listed, year), measures=measures(listed, year, said),
                   status=status, deadline=deadline)


def _measures_under_problems(block: dict) -> bool:
    """Family 3: every (一) is a problem (…的问题。) and what follows are measures: 1. lines that are no
    problems, or a 一是… list."""
    real = [c for c in block["cats"] if c[0] > 0]
    return bool(real) and all(c[4] or ordinal_chain("\n".join([c[1], *c[3]])) for c in real) \
        and all(is_problem_heading(c[1]) for c in real) \
        and not any(is_problem_heading(p[2][0]) for c in real for p in c[4]) \
        and not any(c[4] for c in block["cats"] if c[0] == 0) \
        and (not block["title"] or "方面" in block["title"] or "问题" in block["title"])


def _categories(blocks: list[dict], year: int | None) -> list[Category]:
    categories: list[Category] = []
    for block in blocks:
        cats = block["cats"]
        listing = [c for c in cats if c[0] > 0 and not c[4] and ordinal_chain("\n".join([c[1], *c[3]]))]
        if not any(cat[4] for cat in cats) and len(listing) < 2:
            continue  # a prose section (how the work was organised, next steps): no problem categories
        if _measures_under_problems(block):
            problems = tuple(
                build_problem(number, [heading] + prose + [ln for p in probs for ln in [p[1]] + p[2][1:]], year,
                              measure_lines=NUM_LINE, raw_first=raw)
                for number, heading, raw, prose, probs in cats if number > 0)
            categories.append(Category(number=block["number"], title=block["title"], section=block["number"],
                                       section_title=block["title"], text="", problems=problems))
            continue
        for number, heading, _raw, prose, problems in cats:
            if number == 0 and not problems:
                continue
            if number == 0:
                heading = block["title"]
            ctitle, _, rest = heading.partition("。")
            ctext = "\n".join(([rest] if rest else []) + prose)
            parsed = tuple(build_problem(n, pl, year, raw_first=raw) for n, raw, pl in problems)
            if not parsed and (listed := _listed(number, ctitle.strip(), ctext, year)):
                parsed = (listed,)
            categories.append(Category(
                number=number, title=ctitle.strip(), section=block["number"], section_title=block["title"],
                text=ctext, problems=parsed))
    return categories


def _prefer_plan(found: list[Category], planned: list[Category], labelled: bool) -> bool:
    """Whether the levels the document's own numbering shows (archive/hierarchy.py) read it better than the
    family rules: they found problems where the rules found none or fewer, the problems carry labelled fields
    (the rules take every labelled line for a problem), or the rules took problems for categories (their
    categories read as problems and their problems do not)."""
    ours = [p for c in found for p in c.problems]
    theirs = [p for c in planned for p in c.problems]
    if not theirs:
        return False
    if labelled or len(theirs) > len(ours):
        return True
    as_problems = sum(1 for c in found if is_problem_wording(c.title))
    return as_problems * 2 > len(found) and not any(is_problem_wording(p.title) for p in ours)


_ATX = re.compile(r"^#{1,6}\s+(.*?)(?:\s+#+)?$|^\*\*(.+)\*\*$")  # ## 标题 ##, **（一）…问题**


def parse_notice(text: str, title: str | None = None, tables: tuple[Table, ...] = ()) -> Notice:
    """Parse a normalised notice (one paragraph a line) into its header, problem tree and progress.

    title: the title the file gave (page metadata, core properties, file name), used when the text has none.
    tables: the file's tables (normalised cells); a ledger among them gives problems one a row."""
    from .ledger import ledger_categories

    # a Markdown notice's headings (## 二、…, ### （一）… ###, a bold **（一）…**) are lines like any other once their
    # marks are off
    lines = [_ATX.sub(lambda m: m.group(1) or m.group(2) or "", ln.strip()) for ln in text.split("\n")
             if ln.strip() and not ln.startswith("<!--")]
    lines = [ln for ln in lines if ln]
    # a printed saved page keeps the site's furniture; its metadata lines stand in for what is missing
    meta = meta_from_lines([ln for ln in lines[:40] if is_furniture(ln)])
    lines = [ln for ln in lines if not is_furniture(ln)]
    warnings: list[str] = []
    publisher, published, tail = _signature(lines)
    body_lines = lines[: len(lines) - tail] if tail else lines
    found, taken = title_lines(body_lines)
    if found:
        title, body_lines = found, body_lines[taken:]
    title = title or meta.get("title")
    publisher, published = publisher or meta.get("publisher"), published or meta.get("date")
    start, sectioned = _first_structure(body_lines)
    lead = "\n".join(body_lines[:start])
    header = _header(lead, text, title or "")
    year_src = header.feedback_date or header.inspection_start or published
    year = int(year_src[:4]) if year_src else None
    if not title:
        kind = (_KIND.search(text) or re.search("巡察", "巡察")).group()  # type: ignore[union-attr]
        title = f"{publisher or '(未署名)'}关于{kind}整改情况的通报"
        warnings.append("no title line: title composed from the signature")
    if not publisher:
        warnings.append("no signature (publisher and date) found at the end")
    sections, blocks = _group(body_lines[start:], sectioned)
    categories = _categories(blocks, year)
    # the levels are read without the closing paragraph, which is no problem's (see _group)
    plan = detect_plan(body_lines[:closing_at(body_lines, lambda ln: marker_of(ln) is not None)])
    if plan.recognised:
        plan_sections, planned = build_categories(plan, year)
        if _prefer_plan(categories, planned, plan.labelled):
            sections, categories = plan_sections, planned
            if plan.confidence < 0.8:
                warnings.append(f"structure uncertain: {plan.describe()} (confidence {plan.confidence:g})")
            if plan.start < start:
                header = _header("\n".join(body_lines[:plan.start]), text, title)
    from_tables, table_warnings = ledger_categories(tables, year)
    categories += from_tables
    warnings += table_warnings
    if not categories:
        warnings.append(UNRECOGNISED)
    progress = notice_progress(text)
    if disagreement := summary_agreement([p.status for c in categories for p in c.problems], progress):
        warnings.append(disagreement)
    return Notice(title=title, header=header, publisher=publisher, published=published,
                  sections=tuple(sections), categories=tuple(categories), citations=find_citations(text),
                  figures=find_figures(lead, year), warnings=tuple(warnings), progress=progress)
