"""The layout families of issue 12 on fictional samples (tests/fixtures/notices): every field asserted exactly.

Each sample <name>.txt has <name>.expected.json beside it: title, publisher, date, warnings, progress, and the
tree of categories → problems (→ sub-problems) → measures with statuses, deadlines and citations.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from archive.models import Notice, Problem
from archive.normalize import normalize
from archive.notice import parse_notice

FIXTURES = Path(__file__).parent / "fixtures" / "notices"
TEXT_SAMPLES = sorted(p.name for p in FIXTURES.glob("*.txt"))


def problem_shape(p: Problem) -> dict:
    out: dict = {"number": p.number, "title": p.title, "status": p.status.value if p.status else None,
                 "deadline": p.deadline, "measures": [m.text for m in p.measures]}
    if p.responsible:
        out["responsible"] = p.responsible
    if p.subproblems:
        out["subproblems"] = [problem_shape(s) for s in p.subproblems]
    return out


def shape(n: Notice) -> dict:
    """Everything a sample's expectations pin, as plain JSON."""
    return {
        "title": n.title, "publisher": n.publisher, "published": n.published, "warnings": list(n.warnings),
        "citations": [c.title + (c.article or "") for c in n.citations],
        "progress": {k: v for k, v in asdict(n.progress).items() if v is not None},
        "categories": [{"section": c.section, "number": c.number, "title": c.title,
                        "problems": [problem_shape(p) for p in c.problems]} for c in n.categories],
    }


def expected(name: str) -> dict:
    return json.loads((FIXTURES / name).with_suffix(".expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", TEXT_SAMPLES)
def test_text_sample(name: str) -> None:
    text = normalize((FIXTURES / name).read_text(encoding="utf-8"))
    assert shape(parse_notice(text)) == expected(name)


def test_there_are_two_samples_of_every_family() -> None:
    families = [name.split("-")[0] for name in sorted(p.name for p in FIXTURES.iterdir()
                                                       if not p.name.endswith(".expected.json"))]
    assert {f: families.count(f) for f in sorted(set(families))} == {
        "f1": 2, "f2": 3, "f3": 3, "f4": 2, "f5": 2, "f6": 3, "f7": 2, "f8": 2, "unrecognised.txt": 1}


# ------------------------------------------------------------------------------------------ family 8: ledgers

def build_ledger(spec: dict) -> tuple[bytes, str]:
    """The .docx (paragraphs, a table, the signature) or .xlsx (a title row merged across, the header, rows)."""
    import io

    if "table" in spec:
        import docx

        doc = docx.Document()
        for p in spec["paragraphs"]:
            doc.add_paragraph(p)
        rows = spec["table"]
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        for p in spec["after"]:
            doc.add_paragraph(p)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue(), ".docx"
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = spec["sheet"]
    width = max(len(r) for r in spec["rows"])
    for row in spec["rows"]:
        sheet.append(row)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    bad = book.create_sheet("通讯录")
    for row in spec["bad_sheet"]:
        bad.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), ".xlsx"


LEDGERS = sorted(p.name for p in FIXTURES.glob("f8-*.json") if not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("name", LEDGERS)
def test_ledger_sample(name: str) -> None:
    from archive.extract import extract_bytes
    from archive.options import ExtractOptions
    from archive.parse import parse_document

    data, suffix = build_ledger(json.loads((FIXTURES / name).read_text(encoding="utf-8")))
    parsed = parse_document(extract_bytes(data, suffix, ExtractOptions()), name.replace(".json", suffix))
    assert parsed.doc_type == "notice"
    assert parsed.notice is not None
    assert shape(parsed.notice) == expected(name)
    for cat in parsed.notice.categories:
        for p in cat.problems:
            assert p.text in parsed.text and all(m.text in parsed.text for m in p.measures)


# ------------------------------------------------------------------------------- family 7: saved government pages

PAGES = sorted(p.name for p in FIXTURES.glob("f7-*.html"))
FURNITURE = ["首页", "政务公开", "当前位置", "信息索引号", "发布机构", "成文日期", "浏览次数", "朗读", "字体", "打印",
             "分享", "上一篇", "主办", "版权所有", "网站标识码", "ICP备", "门户网站", "人民政府", "搜索", "来源"]


@pytest.mark.parametrize("name", PAGES)
def test_saved_page_sample(name: str) -> None:
    from archive.extract import extract_bytes
    from archive.options import ExtractOptions
    from archive.parse import parse_document

    extracted = extract_bytes((FIXTURES / name).read_bytes(), ".html", ExtractOptions())
    parsed = parse_document(extracted, name)
    assert [w for w in FURNITURE if w in parsed.text] == []
    assert parsed.notice is not None
    assert shape(parsed.notice) == expected(name)


# ------------------------------------------------------- family 2: sub-problems run on in one paragraph

SUBS = Path(__file__).parent / "fixtures" / "layouts"


@pytest.mark.parametrize(("name", "measures", "citations", "statuses"), [
    # the (3) of problem 1 runs on after (2)'s 已完成整改。: it had been taken into (2), its 4 measures and
    # 《…》 with it
    ("f2-county-subs-1", [[2, 3, 4], [2, 3]], [[["社会救助暂行办法"], ["特困人员认定办法"], ["示例县临时救助实施细则"]],
                                              [[], ["养老机构管理办法"]]], [["done", "done", "in_progress"], ["done", "ongoing"]]),
    # every (2) runs on after its (1)
    ("f2-county-subs-2", [[2, 3], [2, 3]], [[[], ["建设工程质量管理条例"]], [[], ["公共租赁住房管理办法"]]],
     [["done", "done"], ["done", "in_progress"]]),
])
def test_run_on_sub_problems_keep_their_measures(name: str, measures: list, citations: list, statuses: list) -> None:
    text = normalize((SUBS / f"{name}.txt").read_text(encoding="utf-8"))
    problems = [p for c in parse_notice(text).categories for p in c.problems]
    assert [[len(s.measures) for s in p.subproblems] for p in problems] == measures
    assert [[[c.title for m in s.measures for c in m.citations] for s in p.subproblems] for p in problems] == citations
    assert [[s.status.value if s.status else None for s in p.subproblems] for p in problems] == statuses
    assert [[s.number for s in p.subproblems] for p in problems] == [list(range(1, len(m) + 1)) for m in measures]
    for p in problems:
        assert not p.measures
        for s in p.subproblems:
            assert s.text in text and all(m.text in text for m in s.measures)
