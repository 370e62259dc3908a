"""A ledger's header and footer rows (填报单位：… 填报日期：…) give its publisher and date, in .xlsx and .docx."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from archive.extract import extract_bytes
from archive.extract.ledger_meta import meta_row, row_meta
from archive.parse import parse_document
from tests import fixtures_build as fb
from xuncha.cli import main
from xuncha.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
# sample → (title, publisher, date, problems)
LEDGERS = {
    "ledger-footer-a": ("中共示例县文化和旅游局党组巡察反馈问题整改落实台账", "中共示例县文化和旅游局党组", "2023-07-20", 2),
    "ledger-footer-b": ("示例市青山区审计局党组落实区委巡察反馈意见整改台账", "中共示例市青山区审计局党组", "2023-08-15", 2),
    "ledger-footer-c": ("示例县交通运输局党组巡察整改落实台账", "中共示例县交通运输局党组", "2023-09-28", 2),
    "ledger-footer-d": ("示例区民政局党组关于区委巡察反馈问题整改情况台账", "中共示例区民政局党组", "2023-09-05", 2),
}


def _value(v: object) -> object:
    return date.fromisoformat(v["date"]) if isinstance(v, dict) else v


def build(spec: dict) -> bytes:
    """The sample as a file: .xlsx (title row merged across) or .docx (paragraphs, one table, paragraphs);
    a row of one cell in a .docx table is merged across the table."""
    out = io.BytesIO()
    if spec["file"].endswith(".docx"):
        import docx

        doc = docx.Document()
        for p in spec["paragraphs"]:
            doc.add_paragraph(p)
        rows = spec["table"]
        width = max(len(r) for r in rows)
        table = doc.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            if len(row) == 1:
                table.cell(r, 0).merge(table.cell(r, width - 1))
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        for p in spec["after"]:
            doc.add_paragraph(p)
        doc.save(out)
    else:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = spec["sheet"]
        width = max(len(r) for r in spec["rows"])
        for i, row in enumerate(spec["rows"], 1):
            sheet.append([_value(v) for v in row])
            if len(row) == 1:
                sheet.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
        book.save(out)
    return out.getvalue()


def _spec(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_ledger_publisher_and_date_from_its_filing_rows(name: str, settings: Settings) -> None:
    spec = _spec(name)
    extracted = extract_bytes(build(spec), Path(spec["file"]).suffix, settings.extract_options())
    parsed = parse_document(extracted, spec["file"])
    title, publisher, published, problems = LEDGERS[name]
    assert parsed.doc_type == "notice"
    assert (parsed.title, parsed.publisher, parsed.published) == (title, publisher, published)
    assert parsed.notice is not None
    # the filing rows are not problems, nor a category heading
    assert sum(len(c.problems) for c in parsed.notice.categories) == problems
    assert not any("填报" in c.title or "联系" in c.title for c in parsed.notice.categories)
    assert "填报" in parsed.text  # and still searchable


def test_ledgers_ingested_by_the_cli(runner: CliRunner, tmp_path: Path) -> None:
    files = {}
    for name in LEDGERS:
        spec = _spec(name)
        files[name] = fb.write(tmp_path / "in" / spec["file"], build(spec))
    result = runner.invoke(main, ["ingest", "--no-index", str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    for name, (title, publisher, published, _) in LEDGERS.items():
        shown = runner.invoke(main, ["show", "--json", str(files[name])])
        assert shown.exit_code == 0, shown.output
        doc = json.loads(shown.stdout)
        assert (doc["doc_type"], doc["title"], doc["publisher"], doc["published"]) == \
            ("notice", title, publisher, published)
        assert not any(w.startswith("no signature") for w in doc["warnings"]), doc["warnings"]


@pytest.mark.parametrize(("line", "expected"), [
    ("填报单位：中共某县某局党组    填报日期：2023年7月20日", ("中共某县某局党组", "2023-07-20")),
    ("填报单位（盖章）：中共示例县水利局党组 | 填报人：王某 | 审核人：李某 | 填报日期：2023-07-20",
     ("中共示例县水利局党组", "2023-07-20")),
    ("填报人：张三　审核人：李四", (None, None)),
    ("填报单位：中共示例区财政局党组（盖章）", ("中共示例区财政局党组", None)),
    ("填报日期： | 2023年8月1日", (None, "2023-08-01")),
    ("报送单位: 示例县教育局党组 填报人: 赵某 日期: 2023.9.1", ("示例县教育局党组", "2023-09-01")),
    ("填报日期：2023年7月", (None, None)),  # a month is no date
])
def test_row_meta_examples(line: str, expected: tuple[str | None, str | None]) -> None:
    assert meta_row([line])
    assert row_meta([line]) == expected


def test_a_ledger_row_is_no_filing_row() -> None:
    assert not meta_row(["1", "填报单位：未写明的问题。", "整改措施"])
    assert not meta_row(["序号", "问题", "整改措施"])
    assert not meta_row(["", ""])


unit_name = st.builds(lambda place, body, tail: f"中共{place}{body}{tail}",
                      st.sampled_from(["示例县", "示例市青山区", "某县", "样板市"]),
                      st.sampled_from(["水利局", "审计局", "民政局", "文化和旅游局", "交通运输局"]),
                      st.sampled_from(["党组", "党委", "委员会"]))
person = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=3)
gap = st.sampled_from(["  ", "    ", "\u3000", "\u3000\u3000", " | "])
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
date_form = st.sampled_from(["{y}年{m}月{d}日", "{y}-{m:02d}-{d:02d}", "{y}.{m}.{d}", "{y}/{m}/{d}"])


@given(unit_name, dates, date_form, st.lists(st.tuples(st.sampled_from(["填报人", "审核人", "联系人", "负责人"]), person),
                                             max_size=3),
       gap, st.sampled_from(["：", ":"]), st.sampled_from(["", "（盖章）"]), st.booleans(), st.integers(0, 3))
def test_footer_reading(unit: str, day: date, form: str, people: list[tuple[str, str]], sep: str, colon: str,
                        seal: str, date_first: bool, split_at: int) -> None:
    """However the parts of a filing row are spaced, ordered and spread over rows, the unit and the date come
    back exactly, and the people beside them are never taken for the unit."""
    when = form.format(y=day.year, m=day.month, d=day.day)
    parts = [f"填报单位{seal}{colon}{unit}", f"填报日期{colon}{when}"]
    parts = parts[::-1] if date_first else parts
    parts += [f"{label}{colon}{name}" for label, name in people]
    split = min(split_at, len(parts))
    lines = [sep.join(parts[:split]), sep.join(parts[split:])]
    lines = [ln for ln in lines if ln]
    assert all(meta_row([ln]) for ln in lines)
    assert row_meta(lines) == (unit, day.isoformat())
