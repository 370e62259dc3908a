"""The hierarchy a notice's own numbering shows (issue 29 §2): which markers occur, how they nest, and which
level is the category, the problem, the sub-problem and the measure.

detect_plan() reads the marker of every line (一、 (一) 1. (1) ① 【问题一】 第一， 一是), orders the kinds by where
they first occur (a kind first seen under another nests in it), and gives each level a role from the wording
of its headings: problem wording (…问题, 针对…, 关于…的) marks the problem level, 方面 the category level above
it, labelled lines (问题描述： 责任领导： 完成时限： 整改进展： 销号情况：) the fields of a problem. With no level
that reads as problems the plan is unrecognised and the parser says so rather than guess.
build_categories() turns a recognised plan into categories → problems (→ sub-problems) → measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from .citations import find_citations
from .figures import find_figures
from .layouts import NOT_DECIMAL, NUM_LINE, build_problem, measures
from .models import Category, Problem
from .numerals import cn_to_int
from .progress import cell_deadline, is_progress_field, problem_status, status_sentence

_CN = r"[一二三四五六七八九十]{1,3}"


class Marker(StrEnum):
    BRACKET = "【问题一】"
    SECTION = "一、"
    PAREN_CN = "(一)"
    ARABIC = "1."
    PAREN_AR = "(1)"
    CIRCLED = "①"
    ORDINAL = "第一，"
    SHI = "一是"


class Role(StrEnum):
    SECTION = "section"  # above the categories: prose sections and the section that holds the problems
    CATEGORY = "category"
    PROBLEM = "problem"
    SUBPROBLEM = "sub-problem"
    MEASURE = "measure"


_MARKERS: list[tuple[Marker, re.Pattern[str]]] = [
    (Marker.BRACKET, re.compile(rf"^【\s*(?:问题)?\s*({_CN}|\d{{1,3}})\s*】\s*(.*)$")),
    (Marker.SECTION, re.compile(rf"^({_CN})、\s*(.+)$")),
    (Marker.PAREN_CN, re.compile(rf"^\(({_CN})\)\s*(.*)$")),
    (Marker.ARABIC, re.compile(rf"^(\d{{1,3}})\s*[.、]{NOT_DECIMAL}\s*(.+)$")),
    (Marker.PAREN_AR, re.compile(r"^\((\d{1,2})\)\s*(.*)$")),
    (Marker.CIRCLED, re.compile(r"^([\u2460-\u2473])\s*(.*)$")),
    (Marker.ORDINAL, re.compile(rf"^第({_CN})[,，、:：]\s*(.*)$")),
    (Marker.SHI, re.compile(rf"^({_CN})是[,，:：]?\s*(.+)$")),
]

# labelled lines: what the label says the line holds
FIELDS: dict[str, str] = {
    **dict.fromkeys(("问题描述", "问题表现", "具体问题", "存在问题", "问题内容"), "description"),
    **dict.fromkeys(("责任领导", "责任单位", "责任人", "牵头领导", "责任部门"), "responsible"),
    **dict.fromkeys(("完成时限", "整改时限", "整改期限", "完成时间"), "deadline"),
    **dict.fromkeys(("整改情况", "整改进展", "整改措施", "整改举措", "落实情况", "整改成效"), "measures"),
    **dict.fromkeys(("销号情况", "整改结果", "完成情况", "整改状态"), "status"),
}
FIELD_LINE = re.compile(r"^(" + "|".join(sorted(FIELDS, key=len, reverse=True)) + r")\s*[:：]\s*(.*)$")
# problem wording: …问题 that is not a 方面问题, 针对…, 关于…的 (not …方面…); category wording: 方面
_CATEGORY_WORDS = re.compile(r"方面")
_PROBLEM_WORDS = re.compile(r"问题|^(?:针对|对于|就)|^关于.{2,}?的")
_PROSE_HEAD = re.compile(r"^(?:整改工作|下一步|巡察整改|巡视整改|整改落实的?总体|组织开展|总体情况|基本情况|工作打算)"
                        r"|^[^关针对就]*?反馈(?:意见|问题)")  # 二、巡察反馈问题整改进展情况: the section that holds them


def marker_of(line: str) -> tuple[Marker, int, str] | None:
    """The marker a line starts with, its number and the rest of the line."""
    for kind, pattern in _MARKERS:
        if m := pattern.match(line):
            raw = m.group(1)
            number = int(raw) if raw.isascii() and raw.isdigit() else (ord(raw) - 0x245F if kind is Marker.CIRCLED else cn_to_int(raw))
            if number:
                return kind, number, m.group(2).strip()
    return None


def is_problem_wording(heading: str) -> bool:
    head = re.split(r"[。:：]", heading, maxsplit=1)[0]
    if _PROSE_HEAD.match(head):
        return False
    m = _PROBLEM_WORDS.search(head)
    return bool(m) and not _CATEGORY_WORDS.search(head)


def is_category_wording(heading: str) -> bool:
    head = re.split(r"[。:：]", heading, maxsplit=1)[0]
    return bool(_CATEGORY_WORDS.search(head)) and not _PROSE_HEAD.match(head)


@dataclass
class Node:
    kind: Marker | None  # None: the root
    number: int
    heading: str
    raw: str
    lines: list[str] = field(default_factory=list)  # unmarked lines up to the next marked line
    children: list[Node] = field(default_factory=list)

    def all_lines(self) -> list[str]:
        return self.lines + [ln for c in self.children for ln in [c.raw, *c.all_lines()]]


def _labelled(node: Node) -> bool:
    """Two labelled lines or more, one of them more than measures (整改情况 and 整改进展 alone are a problem's
    paragraphs, as county sites write them; 问题描述 / 责任领导 / 完成时限 / 销号情况 make it a ledger's block)."""
    roles = [FIELDS[m.group(1)] for ln in node.lines if (m := FIELD_LINE.match(ln))]
    return len(roles) >= 2 and any(r != "measures" for r in roles)


@dataclass(frozen=True)
class Plan:
    """The levels (marker kinds, outermost first), the role of each, and how sure the reading is (0…1)."""

    levels: tuple[Marker, ...]
    roles: tuple[Role, ...]
    confidence: float
    start: int  # index of the first line of the problem part
    labelled: bool  # problems carry labelled fields (问题描述： 责任领导： …)
    root: Node

    @property
    def recognised(self) -> bool:
        return Role.PROBLEM in self.roles and self.confidence >= 0.5

    def describe(self) -> str:
        """The levels and their roles, outermost first: 一、 category, (一) problem, 1. measure."""
        return ", ".join(f"{kind.value} {role.value}" for kind, role in zip(self.levels, self.roles))

    def level(self, role: Role) -> int | None:
        return self.roles.index(role) if role in self.roles else None


def _tree(lines: list[str], order: list[Marker]) -> Node:
    """Lines nested by marker depth; a number that does not follow on (3 after 1) is text, not a marker — unless it
    opens its parent's list by going on from the numbering under the parent before ((三) first under 二、 after (一)(二)
    under 一、: notices number their problems straight through the sections)."""
    root = Node(None, 0, "", "")
    stack: list[Node] = [root]
    last: dict[Marker, int] = {}  # the last number of each marker kind: (三) under 二、 may go on from (二) under 一、
    for ln in lines:
        found = marker_of(ln)
        if found and found[0] in order:
            kind, number, rest = found
            depth = order.index(kind)
            while len(stack) > 1 and order.index(stack[-1].kind) >= depth:  # type: ignore[arg-type]
                stack.pop()
            siblings = [c for c in stack[-1].children if c.kind is kind]
            # the first 一、 may be a 二、 (the notice tells of its problems only from its second section on)
            if number == 1 or (siblings and siblings[-1].number == number - 1) \
                    or (not siblings and kind is Marker.SECTION and len(stack) == 1) \
                    or (not siblings and len(stack) > 1 and last.get(kind) == number - 1):
                last[kind] = number
                node = Node(kind, number, rest, ln)
                stack[-1].children.append(node)
                stack.append(node)
                continue
        stack[-1].lines.append(ln)
    return root


def _at(root: Node, depth: int, order: list[Marker]) -> list[Node]:
    out: list[Node] = []

    def walk(node: Node) -> None:
        for c in node.children:
            if order.index(c.kind) == depth:  # type: ignore[arg-type]
                out.append(c)
            elif order.index(c.kind) < depth:  # type: ignore[arg-type]
                walk(c)
    walk(root)
    return out


def detect_plan(lines: list[str]) -> Plan:
    """Read the levels of a notice body (its lines after title and signature)."""
    marked = [(i, f) for i, ln in enumerate(lines) if (f := marker_of(ln))]
    order: list[Marker] = []
    for _, (kind, _n, _r) in marked:
        if kind not in order:
            order.append(kind)
    start = marked[0][0] if marked else len(lines)
    root = _tree(lines[start:], order)
    labelled = False
    roles: list[Role] = []
    confidence = 0.0
    levels = [_at(root, depth, order) for depth in range(len(order))]
    fielded = [sum(1 for n in nodes if _labelled(n)) for nodes in levels]
    # a level of labelled blocks is the problem level, whatever the headings above it say
    labelled_depth = next((d for d, nodes in enumerate(levels) if nodes and fielded[d] * 2 >= len(nodes)), None)
    problem_depth = None
    for depth, nodes in enumerate(levels):
        if not nodes:
            roles.append(Role.MEASURE)
            continue
        fields = fielded[depth]
        wording = sum(1 for n in nodes if is_problem_wording(n.heading))
        if problem_depth is None and (depth == labelled_depth or order[depth] is Marker.BRACKET
                                      or (labelled_depth is None and wording * 2 > len(nodes))):
            problem_depth, labelled = depth, fields > 0
            confidence = max(fields, wording) / len(nodes) if order[depth] is not Marker.BRACKET else 1.0
            roles.append(Role.PROBLEM)
        elif problem_depth is None:
            roles.append(Role.SECTION)
        elif roles[-1] is Role.PROBLEM and wording * 2 > len(nodes):
            roles.append(Role.SUBPROBLEM)
        else:
            roles.append(Role.MEASURE)
    if problem_depth is not None and problem_depth > 0:
        # the level right above the problems is their category (一、政治建设 reads as none, yet holds them)
        roles[problem_depth - 1] = Role.CATEGORY
    return Plan(levels=tuple(order), roles=tuple(roles), confidence=round(confidence, 2), start=start,
                labelled=labelled, root=root)


def _field_problem(node: Node, year: int | None) -> Problem:
    """A problem whose lines are labelled fields (问题描述： 责任领导： 完成时限： 整改进展： 销号情况：)."""
    values: dict[str, list[str]] = {}
    # what the status is read from: the measures (a progress field with its label, whose opening sentence may state it:
    # 整改进展：正在整改，…。已建立台账。) and the status fields as written (整改结果：正在整改，预计…前完成。)
    progress: list[str] = []
    stated: list[str] = []
    current = None
    for ln in node.lines:
        if m := FIELD_LINE.match(ln):
            current = FIELDS[m.group(1)]
            values.setdefault(current, []).append(m.group(2).strip())
        elif current:
            values[current].append(ln)
        if current == "measures":
            progress.append(ln if is_progress_field(ln) or not m else m.group(2).strip())
        elif current == "status":
            stated.append(ln)
    text = "\n".join([node.raw, *node.lines])
    description = "".join(values.get("description", []))
    title = (node.heading or description).split("。")[0].strip(" ,，。") or description[:40]
    body = "\n".join(values.get("measures", []))
    status, deadline, said = problem_status("\n".join(progress))
    said = [m.group(2).strip() if (m := FIELD_LINE.match(s)) else s for s in said]  # as the measures have them
    # a status field is read as a progress field is: its status and the deadline it gives (整改结果：正在整改，
    # 预计2024年6月底前完成。 had kept the status and lost the deadline)
    for ln in stated:
        found, due, _ = problem_status(ln)
        if found is not None:
            status, deadline = found, due or deadline
    limits = "".join(values.get("deadline", []))
    if limits and not deadline:
        deadline = cell_deadline(limits)
    if status is None and limits:
        status = status_sentence(limits)
    responsible = "；".join(values.get("responsible", [])) or None
    return Problem(number=node.number, title=title, text=text, citations=find_citations(text),
                   figures=find_figures(text, year), measures=measures(body, year, said), status=status,
                   deadline=deadline, responsible=responsible)


def _problem(node: Node, plan: Plan, year: int | None) -> Problem:
    if plan.labelled or sum(1 for ln in node.lines if FIELD_LINE.match(ln) and
                            FIELDS[FIELD_LINE.match(ln).group(1)] != "measures") >= 2:  # type: ignore[union-attr]
        return _field_problem(node, year)
    kinds = {c.kind for c in node.children}
    measure_lines = NUM_LINE if Marker.ARABIC in kinds and Marker.PAREN_AR not in kinds else None
    return build_problem(node.number, [node.heading, *node.all_lines()], year, measure_lines=measure_lines,
                         raw_first=node.raw)


def build_categories(plan: Plan, year: int | None) -> tuple[list[tuple[int, str]], list[Category]]:
    """The sections (一、 headings) and the categories → problems a recognised plan gives."""
    order = list(plan.levels)
    pd = plan.level(Role.PROBLEM)
    cd = plan.level(Role.CATEGORY)
    assert pd is not None
    sections = [(c.number, c.heading) for c in plan.root.children if c.kind is Marker.SECTION]
    categories: list[Category] = []

    def problems_of(node: Node) -> tuple[Problem, ...]:
        found = [n for n in ([node] if node.kind is order[pd] else _under(node, pd, order))]
        # a node at the problem level is one, unless it is prose (一、整改工作开展情况 / 下一步工作打算)
        keep = [n for n in found if not _PROSE_HEAD.match(n.heading) or plan.labelled or n.kind is Marker.BRACKET]
        return tuple(_problem(n, plan, year) for n in keep)

    if cd is None:
        probs = problems_of(plan.root)
        if probs:
            categories.append(Category(number=0, title="", section=0, section_title="", problems=probs))
        return sections, categories
    for section in ([plan.root] if cd == 0 else _at(plan.root, 0, order)):
        for cat in ([section] if cd == 0 and section is not plan.root else
                    (_at(plan.root, cd, order) if section is plan.root else _under(section, cd, order))):
            probs = problems_of(cat)
            if not probs:
                continue
            # a category at the top level is its own section (as family 3 has it)
            top = section if section is not plan.root else cat
            title = re.split(r"[。]", cat.heading, maxsplit=1)[0].strip()
            categories.append(Category(number=cat.number, title=title, section=top.number,
                                       section_title=top.heading, text="\n".join(cat.lines), problems=probs))
    return sections, categories


def _under(node: Node, depth: int, order: list[Marker]) -> list[Node]:
    out: list[Node] = []
    for c in node.children:
        if order.index(c.kind) == depth:  # type: ignore[arg-type]
            out.append(c)
        elif order.index(c.kind) < depth:  # type: ignore[arg-type]
            out.extend(_under(c, depth, order))
    return out
