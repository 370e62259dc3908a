"""Ledgers (整改台账): tables whose rows are problems, with measures, responsible, deadline and status.

Columns are mapped by what their header means, not by position; a table whose header names no problem
column and no measure column is reported in warnings, never guessed at.
"""

from __future__ import annotations

import re

from .citations import find_citations
from .figures import find_figures
from .layouts import measures
from .kinds import RectStatus
from .models import Category, Measure, Problem, Table
from .progress import cell_deadline, cell_status, problem_status

# checked in this order: 问题类别 is a category, not the problem; 完成时限 a deadline, not a status
_FIELDS: list[tuple[str, re.Pattern[str]]] = [
    ("category", re.compile(r"类别|类型|方面|领域|板块")),
    ("number", re.compile(r"^(?:序号|编号|序|No\.?|#)$", re.I)),
    ("deadline", re.compile(r"时限|期限|时间|日期|完成时")),
    ("status", re.compile(r"完成情况|进展|进度|整改情况|整改结果|是否完成|状态|成效")),
    ("measures", re.compile(r"措施|举措|整改方案|整改内容|整改任务|具体做法")),
    ("problem", re.compile(r"问题|反馈意见|具体表现")),
    ("leader", re.compile(r"领导|责任人|负责人")),
    ("unit", re.compile(r"单位|部门|科室|股室|处室")),
]
# 1.…；2.… inside one cell
_INLINE_NUMBER = re.compile(r"(?:^|(?<=[。；;:：\s]))(\d{1,2})\s*[.、](?!\d)")


def _map_header(row: tuple[str, ...]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for i, cell in enumerate(row):
        name = re.sub(r"\s+", "", cell)
        if not name or len(name) > 16:
            continue
        for field, pattern in _FIELDS:
            if pattern.search(name) and field not in mapping:
                mapping[field] = i
                break
    return mapping


def _cell(row: tuple[str, ...], mapping: dict[str, int], field: str) -> str:
    i = mapping.get(field)
    return row[i].strip() if i is not None and i < len(row) else ""


def _split_measures(cell: str, year: int | None) -> tuple[Measure, ...]:
    """The 整改措施 cell's measures: 一是/第一/①/(1) lists or sentences, else 1.…；2.… items."""
    numbers = list(_INLINE_NUMBER.finditer(cell))
    chain = []
    for m in numbers:
        if int(m.group(1)) == len(chain) + 1:
            chain.append(m.start())
    if len(chain) >= 2 and not re.search(r"[一二三四五六七八九十]是", cell):
        pieces = [cell[a:b].strip(" ；;，,\n") for a, b in zip(chain, chain[1:] + [len(cell)])]
        lead = cell[: chain[0]].strip()
        pieces = ([lead] if len(lead) >= 6 else []) + pieces
        return tuple(Measure(number=i, text=t, citations=find_citations(t), figures=find_figures(t, year))
                     for i, t in enumerate((p for p in pieces if len(p) >= 4), 1))
    return measures(cell, year)


def _title(problem: str) -> str:
    first = re.split(r"[。；;\n]", problem, maxsplit=1)[0].strip(" ，,：:")
    return first if len(first) <= 80 else first[:80]


def _table(table: Table, mapping: dict[str, int], header_at: int, year: int | None) -> list[Category]:
    groups: list[tuple[str, list[Problem]]] = []
    category = ""
    last_problem = ""
    width = len(table.rows[header_at])
    for row in table.rows[header_at + 1:]:
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        if len(set(filled)) == 1 and (len(filled) > 1 or width > 2) and not _cell(row, mapping, "measures"):
            category = filled[0]  # a heading row merged across the columns (一、党的政治建设方面)
            continue
        if "category" in mapping and _cell(row, mapping, "category"):
            category = _cell(row, mapping, "category")
        problem = _cell(row, mapping, "problem")
        measure_cell = _cell(row, mapping, "measures")
        if not groups or groups[-1][0] != category:
            groups.append((category, []))
        problems = groups[-1][1]
        if (not problem or problem == last_problem) and problems:
            # the problem cell merged down over several rows: this row adds measures to it
            prev = problems[-1]
            more = _split_measures(measure_cell, year)
            renumbered = tuple(Measure(number=len(prev.measures) + i, text=m.text, citations=m.citations,
                                       figures=m.figures) for i, m in enumerate(more, 1))
            problems[-1] = Problem(number=prev.number, title=prev.title, text=prev.text, citations=prev.citations,
                                   figures=prev.figures, measures=prev.measures + renumbered, status=prev.status,
                                   deadline=prev.deadline, responsible=prev.responsible)
            continue
        if not problem:
            continue
        last_problem = problem
        number_cell = _cell(row, mapping, "number")
        number = int(number_cell) if number_cell.isdecimal() else sum(len(g[1]) for g in groups) + 1
        status_cell, deadline_cell = _cell(row, mapping, "status"), _cell(row, mapping, "deadline")
        status = cell_status(status_cell) if status_cell else problem_status(measure_cell)[0]
        if status is None and "长期" in deadline_cell:
            status = RectStatus.ONGOING
        responsible = "；".join(c for c in (_cell(row, mapping, "leader"), _cell(row, mapping, "unit")) if c) or None
        problems.append(Problem(number=number, title=_title(problem), text=problem,
                                citations=find_citations(problem), figures=find_figures(problem, year),
                                measures=_split_measures(measure_cell, year), status=status,
                                deadline=cell_deadline(deadline_cell) or None, responsible=responsible))
    out = []
    for i, (title, problems) in enumerate(groups, 1):
        if problems:
            out.append(Category(number=i if title else 0, title=title or table.caption, section=0,
                                section_title=table.caption, text="", problems=tuple(problems)))
    return out


def ledger_categories(tables: tuple[Table, ...], year: int | None) -> tuple[list[Category], list[str]]:
    """Categories (one a 问题类别, or one for the table) from every ledger table, and warnings for the rest."""
    categories: list[Category] = []
    warnings: list[str] = []
    for n, table in enumerate(tables, 1):
        for at, row in enumerate(table.rows[:4]):
            mapping = _map_header(row)
            if "problem" in mapping and "measures" in mapping:
                found = _table(table, mapping, at, year)
                categories.extend(found)
                if not found:
                    warnings.append(f"table {n} ({table.caption or 'no caption'}): a ledger header with no problem rows")
                break
        else:
            head = " | ".join(table.rows[0])[:80] if table.rows else ""
            warnings.append(f"table {n} ({table.caption or 'no caption'}): columns not recognised as a ledger "
                            f"(no 问题 and 整改措施 columns): {head}")
    return categories, warnings
