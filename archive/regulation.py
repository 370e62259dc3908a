"""parse_regulation: title, dates, issuing body, chapters and articles of a regulation."""

from __future__ import annotations

import re

from .citations import short_title
from .figures import find_dates
from .models import Article, Regulation
from .numerals import cn_to_int

_NUM = r"[一二三四五六七八九十百千零〇两\d]+"
_ARTICLE = re.compile(rf"^第({_NUM})条(之[一二三四五六七八九十]+)?(?:\s+|(?!的|规定|所称|中规定))(.*)$")
_CHAPTER = re.compile(rf"^#*\s*(第{_NUM}[章编](?:\s*.*)?)$")
_SECTION = re.compile(rf"^#*\s*(第{_NUM}节(?:\s*.*)?)$")
_HEADING_ONLY = re.compile(r"^#{1,6}\s*(.+)$")
_FILE_DATE = re.compile(r"[(（](\d{4}-\d{2}-\d{2})[)）]")
_EFFECTIVE = re.compile(r"自\s*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*起\s*施行")
_ISSUER = re.compile(r"^(?:\d{4}年\d{1,2}月\d{1,2}日)?\s*(.+?)(?:第[一二三四五六七八九十\d]+次(?:全体)?会议)?"
                     r"(?:审议)?(?:通过|公布|发布|印发|制定|修订|修正|批准)")


# a heading naming one part of a code (民法典's 总则, 物权编 … 附则): the file holds that part, not a version
_PART = re.compile(r"^#{1,6}\s*((?:第[一二三四五六七八九十]+编\s*)?[\u4e00-\u9fff]{0,10}(?:编|总则|附则))\s*$")


def part_of(preamble: str | None) -> str | None:
    """The part of a code a regulation text holds, from a heading before its articles (# 人格权编)."""
    for line in (preamble or "").split("\n"):
        if m := _PART.match(line.strip()):
            return m.group(1)
    return None


def version_from_name(name: str) -> str | None:
    """The version date a file name carries, as in 政府采购法(2014-08-31).md."""
    m = _FILE_DATE.search(name)
    return m.group(1) if m else None


def title_from_name(name: str) -> str:
    """政府采购法(2014-08-31).md → 政府采购法."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name)
    return _FILE_DATE.sub("", stem).strip()


# what follows an organisation's name in a promulgation line but is not the organisation
_MEETING = re.compile(r"第[一二三四五六七八九十百零〇\d]+次(?:常务|全体|主任)?(?:会议|会)(?:审议)?.*$")
_ORDER = re.compile(r"令(?:第[一二三四五六七八九十百零〇\d]+号)?$|第[一二三四五六七八九十百零〇\d]+号$")


def organisation(issuer: str | None) -> str | None:
    """The issuing organisation of a promulgation line, never a meeting or an order number:
    国务院第75次常务会议 → 国务院, 中华人民共和国国务院令第235号 → 国务院, 由最高人民法院审判委员会 → 最高人民法院审判委员会;
    several bodies joined by 、 are normalised one by one."""
    if not issuer:
        return None
    names = []
    for part in re.split(r"[、,，]\s*(?:\d{4}年\d{1,2}月\d{1,2}日)?", issuer):
        part = re.sub(r"^(?:由|经|根据|\d{4}年\d{1,2}月\d{1,2}日)+", "", part.strip())
        part = _ORDER.sub("", _MEETING.sub("", part)).strip()
        if part.startswith("中华人民共和国") and part.endswith(("国务院", "主席")):
            part = part.removeprefix("中华人民共和国")
        if len(part) >= 2 and not part.startswith(("关于", "根据", "依照")) and "《" not in part:
            names.append(part)
    return "、".join(dict.fromkeys(names)) or None


# a Party rule's preamble: （2018年7月20日中共中央政治局会议审议批准　2018年8月18日中共中央发布）: the body that
# 发布/印发 it is the issuer, the meeting that approved it is not
_ISSUED_BY = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*([\u4e00-\u9fff、]{2,40}?)\s*(?:修订)?(?:发布|印发)")


def _issuer(preamble_lines: list[str]) -> str | None:
    first = _first_issuer(preamble_lines)
    if first is None or first.endswith("会议"):
        issued = [organisation(m.group(1)) for m in _ISSUED_BY.finditer("\n".join(preamble_lines))]
        issued = [i for i in issued if i and not i.endswith("会议")]
        if issued:
            return issued[-1]  # the latest revision's issuing body
    return first


def _first_issuer(preamble_lines: list[str]) -> str | None:
    for line in preamble_lines:
        line = line.strip("()（） ")
        m = _ISSUER.match(line)
        if m and 2 <= len(m.group(1)) <= 60:
            issuer = re.sub(r"^[\d年月日\s]+", "", m.group(1)).strip(" ,，《")
            issuer = organisation(re.split(r"[《〈]", issuer)[0].strip())
            if issuer:
                return issuer
    return None


# the article grain of a 准则 or 若干规定 without 第…条: its 一、二、 items, else its numbered paragraphs
_ITEM_MARKERS = (re.compile(r"^([一二三四五六七八九十百]+)、\s*(.*)$"),
                 re.compile(r"^[(（]([一二三四五六七八九十百]+)[)）]\s*(.*)$"),
                 re.compile(r"^(\d{1,3})[.．、]\s*(.*)$"))


def numbered_items(lines: list[str]) -> tuple[list[Article], list[str]]:
    """The numbered items of a text without 第…条 as its articles (label 一、, number 1), with the lines
    before the first item; a `#` heading between items is their chapter. Items count only when they run
    1, 2, 3 …: a list that does not start at one, or skips, is prose."""
    for marker in _ITEM_MARKERS:
        numbers = [cn_to_int(m.group(1)) for ln in lines if (m := marker.match(ln))]
        run = [n for i, n in enumerate(numbers) if n == i + 1]
        if len(run) < 2 or run != numbers[: len(run)]:
            continue
        out: list[Article] = []
        intro: list[str] = []
        chapter: str | None = None
        current: list[str] | None = None
        label = ""
        for ln in lines:
            m = marker.match(ln)
            n = cn_to_int(m.group(1)) if m else None
            if m and n == len(out) + (1 if current is None else 2):
                if current is not None:
                    out.append(Article(len(out) + 1, label, "\n".join(current).strip(), chapter))
                label, current = ln[: len(ln) - len(m.group(2))].strip(), [m.group(2).strip()]
            elif (h := _HEADING_ONLY.match(ln)) and not _ARTICLE.match(h.group(1)):
                if current is not None:
                    out.append(Article(len(out) + 1, label, "\n".join(current).strip(), chapter))
                    current = None
                chapter = h.group(1).strip()
            elif current is not None:
                current.append(ln)
            elif not out:
                intro.append(ln)
        if current is not None:
            out.append(Article(len(out) + 1, label, "\n".join(current).strip(), chapter))
        return out, intro
    return [], []


def parse_regulation(text: str, title: str | None = None, file_name: str = "", items: bool = False) -> Regulation:
    """Parse a normalised regulation into its articles; title from # line, then given title, then file name.
    With items (a Party rule's 准则), a text without 第…条 gets its numbered items as articles."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    warnings: list[str] = []
    if lines and lines[0].startswith("# "):
        title = lines[0][2:].strip()
        lines = lines[1:]
    title = title or (title_from_name(file_name) if file_name else None) or (lines[0] if lines else "(无标题)")
    if "<!-- INFO END -->" in lines:
        cut = lines.index("<!-- INFO END -->")
        preamble, body = lines[:cut], lines[cut + 1:]
    else:
        first = next((i for i, ln in enumerate(lines) if _ARTICLE.match(ln) or _CHAPTER.match(ln)), len(lines))
        preamble, body = lines[:first], lines[first:]
    if preamble and preamble[0].strip() == title:
        preamble = preamble[1:]

    articles: list[Article] = []
    chapter = section = None
    current: list[str] = []
    last = 0

    def close() -> None:
        if current:
            label, number, first_text = current[0], int(current[1]), current[2]
            body_text = "\n".join([first_text] + current[3:]).strip()
            articles.append(Article(number=number, label=label, text=body_text, chapter=chapter, section=section))

    for ln in body:
        if m := _CHAPTER.match(ln):
            close()
            current = []
            chapter, section = m.group(1).strip(), None
            continue
        if m := _SECTION.match(ln):
            close()
            current = []
            section = m.group(1).strip()
            continue
        m = _ARTICLE.match(ln)
        number = cn_to_int(m.group(1)) if m else None
        # 第…条 opens an article only when it moves forward: a paragraph may begin by citing one
        if m and number is not None and (number > last or (m.group(2) and number == last)):
            close()
            label = f"第{m.group(1)}条{m.group(2) or ''}"
            current = [label, str(number), m.group(3).strip()]
            last = number
        elif current:
            current.append(_HEADING_ONLY.sub(r"\1", ln))
    close()
    if not articles:
        found, intro = numbered_items(body if body else lines) if items else ([], [])
        if found:
            articles = found
            if not body:  # no <!-- INFO END -->: what comes before the first item is the preamble
                preamble = intro
        else:
            warnings.append("no articles (第…条) found")
    pre_text = "\n".join(preamble)
    dates = find_dates(pre_text)
    effective = _EFFECTIVE.search(pre_text)
    version = version_from_name(file_name) or (max(d.value for d in dates) if dates else None)
    if effective is None and articles and (last := _EFFECTIVE.search(articles[-1].text)):
        # a Party rule states it at its end (本条例自2019年1月1日起施行); a revised law's last article keeps
        # its first version's date, which is no effective date of this version
        when = find_dates(last.group(1))[0].value
        effective = last if not version or when >= version else None
    return Regulation(
        title=title, short_title=short_title(title), issuer=_issuer(preamble),
        promulgated=dates[0].value if dates else None,
        effective=find_dates(effective.group(1))[0].value if effective else None,
        version=version if version and len(version) == 10 else None, preamble=pre_text,
        articles=tuple(articles), warnings=tuple(warnings))
