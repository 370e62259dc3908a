"""The .docx extractor (python-docx): paragraphs and tables in reading order, merged cells once, the title."""

from __future__ import annotations

import io

import docx

from archive.extract import extract_bytes
from archive.options import ExtractOptions


def test_paragraphs_and_tables_in_reading_order() -> None:
    d = docx.Document()
    d.core_properties.title = "示例局关于巡察整改情况的通报"
    d.add_paragraph("前言段落。")
    d.add_paragraph("整改台账")
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "反馈问题", "整改措施"], ["1", "问题甲", "一是学习；\n二是整改。"], ["", "", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "二、作风方面"
    d.add_paragraph("结尾段落。")
    out = io.BytesIO()
    d.save(out)
    got = extract_bytes(out.getvalue(), ".docx", ExtractOptions())
    assert got.title == "示例局关于巡察整改情况的通报" and got.method == "docx"
    assert got.text.split("\n") == ["前言段落。", "整改台账", "序号 | 反馈问题 | 整改措施", "1 | 问题甲 | 一是学习； 二是整改。",
                                    "二、作风方面", "结尾段落。"]
    assert [(t.caption, t.rows) for t in got.tables] == [("整改台账", (
        ("序号", "反馈问题", "整改措施"), ("1", "问题甲", "一是学习；\n二是整改。"), ("二、作风方面",)))]


def test_paragraphs_inside_a_content_control_are_kept() -> None:
    from copy import deepcopy

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_paragraph("第一段。")
    inner = d.add_paragraph("控件里的段落。")
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtContent/></w:sdt>")
    sdt[0].append(deepcopy(inner._p))
    inner._p.addprevious(sdt)
    inner._p.getparent().remove(inner._p)
    d.add_paragraph("最后一段。")
    out = io.BytesIO()
    d.save(out)
    assert extract_bytes(out.getvalue(), ".docx", ExtractOptions()).text == "第一段。\n控件里的段落。\n最后一段。"
