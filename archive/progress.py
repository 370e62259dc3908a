"""Rectification progress: a problem's stated status and deadline, and a notice's summary figures."""

from __future__ import annotations

import re

from .figures import find_money, parse_date
from .kinds import RectStatus
from .models import Progress
from .numerals import cn_to_int

# what may stand before the status words of a status sentence (目前已完成整改。/ 整改进展：正在整改)
_LEAD = (r"^(?:目前|截至目前|截至\d{4}年\d{1,2}月(?:\d{1,2}日)?底?|现|当前|至此|该问题|此问题|该项|此项|"
         r"整改进度|整改进展|整改情况|整改落实情况|整改状态|完成情况|进展情况|整改结果|销号情况)?\s*[:：,，]?\s*(?:该问题|此项|均|已经)?\s*")
# a status sentence is short: the words, then at most a clause (,2023年12月底前完成)
_TAIL = r"(?:\s*[,，(（][^。；;]{0,30})?[。；;.]?$"
_STATUS: list[tuple[RectStatus, re.Pattern[str]]] = [
    (RectStatus.IN_PROGRESS, re.compile(_LEAD + r"(?:正在整改|整改中|持续整改中|持续推进中|正在推进|推进中|正在落实|正在办理|整改推进中|未销号)中?"
                                        + _TAIL)),
    (RectStatus.NOT_DONE, re.compile(_LEAD + r"(?:尚未完成|未完成|未整改到位|未能完成|未整改)(?:整改)?" + _TAIL)),
    (RectStatus.ONGOING, re.compile(_LEAD + r"(?:长期坚持|长期整改|长期推进|持续推进|常态化推进|持续整改)" + _TAIL)),
    (RectStatus.DONE, re.compile(_LEAD + r"(?:已|已经)?(?:全部)?(?:完成整改|整改完成|整改到位|整改完毕|完成|办结|已整改|销号)"
                                 + _TAIL)),
]
# a ledger's 完成情况 cell says less: 已完成 / 完成 / 正在推进 / 持续推进
_CELL: list[tuple[RectStatus, re.Pattern[str]]] = [
    (RectStatus.IN_PROGRESS, re.compile(r"正在|推进中|整改中|进行中|基本完成|部分完成|阶段性")),
    (RectStatus.NOT_DONE, re.compile(r"未完成|尚未|未整改|未开始")),
    (RectStatus.ONGOING, re.compile(r"长期|持续|常态")),
    (RectStatus.DONE, re.compile(r"已完成|已整改|完成|办结|到位|销号")),
]
_DEADLINE = re.compile(r"((?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)\s*"
                       r"(?:底|末|中旬|上旬|下旬)?\s*(?:前|以前|之前)\s*(?:全部)?(?:完成|整改到位|办结|销号)")
_DATE_CELL = re.compile(r"((?:\d{4})\s*(?:年|[.\-/])\s*\d{1,2}(?:\s*(?:月|[.\-/])\s*\d{1,2}\s*日?)?)")
_SENTENCE = re.compile(r"[^。；;]+[。；;]?")
_PROGRESS_FIELD = re.compile(r"^\s*(?:整改进展|整改进度|进展情况|完成情况|整改情况|整改结果|销号情况|整改状态)[：:]")


def is_progress_field(line: str) -> bool:
    """A line that opens with a progress label (整改进展： / 整改结果： …), whose first sentence may state the status."""
    return bool(_PROGRESS_FIELD.match(line))


def ends_with_status(line: str) -> bool:
    """Whether a line's last sentence states a status (…。长期坚持。): how a problem's text closes."""
    said = _SENTENCE.findall(line)
    return bool(said) and status_sentence(said[-1]) is not None


def status_sentence(sentence: str) -> RectStatus | None:
    """The status a short status sentence states (已完成整改。/ 正在整改,2023年12月底前完成。), else None."""
    s = sentence.strip(" \n")
    if not s or len(s) > 48:
        return None
    for status, pattern in _STATUS:
        if pattern.match(s):
            return status
    return None


def deadline_in(text: str) -> str | None:
    """The ISO date or month of a stated 前完成 date (2023年12月底前完成 → 2023-12)."""
    m = _DEADLINE.search(text)
    return parse_date(m.group(1)) if m else None


def problem_status(body: str) -> tuple[RectStatus | None, str | None, list[str]]:
    """A problem body's stated status and deadline, and the status sentences (which are not measures)."""
    found: RectStatus | None = None
    sentences: list[str] = []
    deadline = None
    lines = [ln for ln in body.split("\n") if ln.strip()]
    for i, line in enumerate(lines):
        said = _SENTENCE.findall(line)
        # a status closes the problem (…。已完成整改。) or stands on its own line; one inside the measures
        # (…截至11月底全部完成。) is about that measure's task
        # … and a progress field opens with it (整改进展：正在整改。已复核项目47个…): the field's first sentence
        opening = said[:1] if len(said) > 1 and is_progress_field(line) else []
        for s in opening + (said[-1:] if i == len(lines) - 1 or len(said) == 1 else []):
            status = status_sentence(s)
            if status is not None:
                found = status  # the last statement wins (正在整改…。已完成整改。)
                sentences.append(s.strip())
                deadline = deadline_in(s) or deadline
    return found, deadline, sentences


def cell_status(cell: str) -> RectStatus | None:
    """A ledger 完成情况 cell's status."""
    cell = cell.strip()
    if not cell:
        return None
    for status, pattern in _CELL:
        if pattern.search(cell[:20]):
            return status
    return None


def cell_deadline(cell: str) -> str | None:
    """A ledger 整改时限 cell as ISO (2023年12月底前 → 2023-12; 2023.12.31 → 2023-12-31); 长期坚持 → None."""
    m = _DATE_CELL.search(cell)
    if not m:
        return None
    parts = [int(p) for p in re.findall(r"\d+", m.group(1))]
    year, month = parts[0], parts[1]
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    if len(parts) > 2 and 1 <= parts[2] <= 31:
        return f"{year:04d}-{month:02d}-{parts[2]:02d}"
    return f"{year:04d}-{month:02d}"


_N = r"(\d+|[一二两三四五六七八九十百零〇]+)"
_TOTAL = [re.compile(rf"(?:反馈|指出|交办|移交)(?:的|了)?[^。；，,\d一二两三四五六七八九十]{{0,8}}?(?:{_N}个?方面(?:共|共计)?)?{_N}个(?:具体)?问题"),
          re.compile(rf"(?:反馈|交办)(?:的)?问题(?:共|共计)?{_N}个"),
          re.compile(rf"{_N}个(?:具体)?问题(?:中)?[,，]?(?:目前|截至目前)?已(?:全部)?(?:完成|整改)")]
_DONE = [re.compile(rf"已(?:全部)?(?:完成|整改)(?:整改)?{_N}(?:个|项|条)"), re.compile(rf"{_N}个(?:问题)?已(?:完成整改|整改完成|整改到位)"),
         re.compile(rf"已整改到位{_N}(?:个|项)"),
         # all of a stated count done (7个问题已全部完成整改): the count is the done one; tried last, so 已全部完成整改10个 wins
         re.compile(rf"{_N}个(?:具体)?问题(?:均)?已全部(?:完成整改|整改完成|整改到位|完成|销号)")]
_IN_PROGRESS = [re.compile(rf"正在整改{_N}(?:个|项)"), re.compile(rf"{_N}(?:个|项)(?:问题)?正在(?:整改|推进)")]
# 整改完成率N%; a bare 完成率 only right after a count of problems (已完成5个，完成率71.4%): after a task
# (截至11月底全部完成，完成率100%) it is that task's
_RATE = re.compile(r"(?:整改(?:完成)?率|(?:个|项)[,，]\s*完成率)(?:达到?|为)?\s*(\d+(?:\.\d+)?)\s*%")
_MONEY = re.compile(r"(其中)?[^。；，,]{0,6}?(?:追缴|清退|挽回|退还|收回|追回|返还|退缴)[^。；，,]{0,14}?"
                    r"(\d+(?:\.\d+)?\s*(?:万|亿)?\s*元)")
_DISCIPLINED = re.compile(rf"(?:党纪政务处分|党纪处分|政务处分|纪律处分|处分){_N}(?:人|名)")
_HANDLED = re.compile(rf"组织处理{_N}(?:人|名)")
_ADMONISHED = re.compile(rf"诫勉(?:谈话)?{_N}(?:人|名)")
_RULES_ALL = re.compile(rf"建章立制{_N}(?:项|个|份|条)")
_RULES = re.compile(rf"(?:制定|修订|出台|新建|完善|建立|修改)[^。；，,]{{0,8}}?(?:制度|规定|办法)(?:机制)?{_N}(?:项|个|份|条)")


# a count of things and what it counts: the word after it (9个项目, 177项整改任务, 3个问题) or before it (隐患12个, 反馈问题共4个),
# unless the words around say it counts the same things again (已完成5个, 正在整改2个, 其中3个, 1个正在整改: no noun of its own)
_UNIT = r"(?:个|项|条|件|处|台|户|家|笔|份|批|名|人|宗|栋|所)"
_COUNTED = re.compile(rf"([\u4e00-\u9fff]{{0,2}}?)(?:共计|共|合计|总计)?{_N}\s*{_UNIT}([\u4e00-\u9fff]*)")
_AGAIN_BEFORE = re.compile(r"(?:完成|整改|到位|推进|坚持|销号|办结|其中|剩余|其余|尚有|还有|中有|有|已|的|了)$")
_AGAIN_AFTER = re.compile(r"^(?:已|正|需|须|要|长期|尚|未|均|全部|基本|持续|仍|还|在|中|待|能|可|按|于|被|都|没|完成|整改)")
# what a notice counts as its problems done: the problems, or the rectification tasks and measures they became
_OF_PROBLEMS = ("问题", "具体问题", "反馈问题", "方面", "整改任务", "任务", "整改措施", "措施", "整改事项", "事项", "意见", "建议")


def _noun(before: str, after: str) -> str:
    """What a count counts: the word after it, else the one before it; '' when it counts the sentence's things again."""
    if after:
        return "" if _AGAIN_AFTER.match(after) else after
    return "" if _AGAIN_BEFORE.search(before) else before


def _of_problems(text: str, m: re.Match[str], named: bool = False) -> bool:
    """Whether a count of things done (已完成5个 / 5个已完成整改 / 已完成5个，完成率…) counts problems: the last count
    before it in its sentence is of problems (7个问题已完成5个), else nothing else is counted there and the sentence says
    整改 or 问题 (目前已完成整改3个). Not a measure's count of other things (对9个项目进行复核，已完成5个).
    named: the match names its problems itself (整改完成率)."""
    start = max(text.rfind(c, 0, m.start()) for c in "。；;\n") + 1
    before = text[start:m.start()]
    counted = [noun for c in _COUNTED.finditer(before) if (noun := _noun(c.group(1), c.group(3)))]
    if counted:
        return counted[-1].startswith(_OF_PROBLEMS)
    return named or "整改" in m.group(0) or "整改" in before or "问题" in before


def _first(patterns: list[re.Pattern[str]], text: str, problems_only: bool = False) -> int | None:
    """The count the first pattern that finds one gives (problems_only: one that counts problems, _of_problems)."""
    for pattern in patterns:
        for m in pattern.finditer(text):
            if not problems_only or _of_problems(text, m):
                return cn_to_int(m.groups()[-1])
    return None


def _sum(pattern: re.Pattern[str], text: str) -> int | None:
    values = [v for m in pattern.finditer(text) if (v := cn_to_int(m.group(1))) is not None]
    return sum(values) if values else None


def notice_progress(text: str) -> Progress:
    """The summary figures a notice states: problems fed back / done / in progress, rate, money, people, rules."""
    money = [find_money(m.group(2))[0] for m in _MONEY.finditer(text) if not m.group(1) and find_money(m.group(2))]
    rate = next((m for m in _RATE.finditer(text) if _of_problems(text, m, named=m.group(0).startswith("整改"))), None)
    rules = _RULES_ALL.search(text)
    return Progress(
        problems_total=_first(_TOTAL, text), problems_done=_first(_DONE, text, problems_only=True),
        problems_in_progress=_first(_IN_PROGRESS, text, problems_only=True),
        completion_rate=float(rate.group(1)) if rate else None,
        money_recovered_yuan=sum(float(f.value) for f in money) if money else None,
        people_disciplined=_sum(_DISCIPLINED, text), people_handled=_sum(_HANDLED, text),
        people_admonished=_sum(_ADMONISHED, text),
        rules_made=cn_to_int(rules.group(1)) if rules else _sum(_RULES, text))


def summary_agreement(statuses: list[RectStatus | None], progress: Progress) -> str | None:
    """A warning when the problems' own statuses do not add up to the summary the notice states
    (7个问题已完成5个，完成率71.4%): the problems done, and the rate, each when stated.

    Only when the notice lists every problem it counts (the stated total is the number found, or no total is
    stated): many notices count 12 and then list the few they tell of, and those cannot add up."""
    if not any(statuses) or (progress.problems_done is None and progress.completion_rate is None):
        return None
    total, done = len(statuses), sum(1 for s in statuses if s is RectStatus.DONE)
    if progress.problems_total not in (None, total):
        return None
    said = []
    if progress.problems_done is not None and progress.problems_done != done:
        said.append(f"{progress.problems_done} stated done, {done} marked done of {total}")
    rate = 100 * done / total
    if progress.completion_rate is not None and abs(progress.completion_rate - rate) > 0.1:
        said.append(f"rate {progress.completion_rate:g}% stated, {rate:.1f}% marked")
    return "statuses do not add up to the summary: " + "; ".join(said) if said else None
