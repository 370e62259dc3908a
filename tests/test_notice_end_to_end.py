"""Issue 12 end to end: the layout samples through `xuncha ingest`, `show --json`, the rectification facet,
the notice page and the cross-check working paper."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.test_notice_layouts import FIXTURES, LEDGERS, build_ledger
from xuncha.cli import main


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """Every sample as a file: the .txt and .html as they are, the ledgers built as .docx/.xlsx."""
    folder = tmp_path / "samples"
    folder.mkdir()
    for p in FIXTURES.iterdir():
        if p.suffix in (".txt", ".html"):
            shutil.copy(p, folder / p.name)
    for name in LEDGERS:
        data, suffix = build_ledger(json.loads((FIXTURES / name).read_text(encoding="utf-8")))
        (folder / name.replace(".json", suffix)).write_bytes(data)
    return folder


def _show(runner, path: Path) -> dict:  # type: ignore[no-untyped-def]
    out = runner.invoke(main, ["show", str(path), "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_ingest_show_search_and_facet(runner, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(main, ["ingest", str(samples)])
    assert result.exit_code == 0, result.output
    assert f"1 notices with unrecognised structure: {samples / 'unrecognised.txt'}" in result.output
    files = len(list(samples.iterdir()))
    assert f"{files} files: {files} added" in result.output

    county = _show(runner, samples / "f2-county-a.txt")
    assert county["progress"] == {
        "problems_total": 12, "problems_done": 10, "problems_in_progress": 2, "completion_rate": 83.3,
        "money_recovered_yuan": 162000.0, "people_disciplined": 2, "people_handled": 3, "people_admonished": 1,
        "rules_made": 9}
    first = county["categories"][0]["problems"][0]
    assert (first["title"], first["status"], first["measures"]) == ("关于“落实乡村振兴战略有差距”问题", None, [])
    subs = [(s["title"], s["status"], s["deadline"], len(s["measures"])) for s in first["subproblems"]]
    assert subs == [("关于“产业项目谋划不够精准”问题", "done", None, 2),
                    ("关于“高标准农田建设管护不到位”问题", "in_progress", "2023-12", 2)]
    ledger = _show(runner, samples / "f8-ledger-docx.docx")
    assert [(p["number"], p["status"], p["deadline"], p["responsible"])
            for c in ledger["categories"] for p in c["problems"]] == [
        (1, "done", "2023-08", "张某某；局办公室"), (2, "in_progress", "2023-12", "李某；水政监察大队"),
        (3, "ongoing", None, "王某某；质量监督站")]
    page = _show(runner, samples / "f7-saved-page-a.html")
    assert (page["title"], page["publisher"], page["published"]) == (
        "中共示例县民政局党组关于县委巡察整改进展情况的通报", "中共示例县民政局党组", "2023-10-20")
    odd = _show(runner, samples / "unrecognised.txt")
    assert odd["doc_type"] == "notice" and odd["categories"] == []
    assert "structure not recognised: no numbered problems found" in odd["warnings"]

    out = runner.invoke(main, ["search", "正在整改", "--kind", "problem", "--filter", "rectification=in_progress",
                               "--json", "--limit", "50"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    titles = sorted(h["title"] for h in data["hits"])
    assert titles == sorted([
        "关于“高标准农田建设管护不到位”问题", "关于“学习研讨不够深入”问题", "关于学生营养餐管理不规范的问题",
        "针对道路运输企业安全检查不到位的问题", "关于“低保资金发放公示不规范”问题", "针对“问题处置不及时”问题",
        "关于耕地占补平衡把关不严的问题"])
    assert {h["kind"] for h in data["hits"]} == {"problem"}
    # a ledger's status is its 完成情况 cell, not words of the problem: the facet finds it all the same
    ledger_hits = json.loads(runner.invoke(main, ["search", "采伐 OR 采砂", "--kind", "problem", "--filter",
                                                  "rectification=in_progress", "--json"]).output)["hits"]
    assert sorted(h["title"] for h in ledger_hits) == ["林木采伐审批把关不严", "河道采砂监管存在漏洞，个别砂场超范围开采"]
    done = json.loads(runner.invoke(main, ["search", "采伐 OR 采砂", "--kind", "problem", "--filter",
                                           "rectification=done", "--json"]).output)
    assert done["hits"] == []
    facets = json.loads(runner.invoke(main, ["search", "正在整改", "--kind", "problem", "--json"]).output)["facets"]
    assert {f["value"]: f["count"] for f in facets["rectification"]} == {"in_progress": 7}


def test_notice_page_and_working_paper_show_progress(runner, samples: Path, settings) -> None:  # type: ignore[no-untyped-def]
    import io

    import openpyxl

    from webui import create_app

    assert runner.invoke(main, ["ingest", str(samples)]).exit_code == 0
    doc = _show(runner, samples / "f2-county-a.txt")
    client = create_app(settings).test_client()
    html = client.get(f"/doc/{doc['id']}").get_data(as_text=True)
    assert '<h2 id="progress-h">整改进展</h2>' in html
    for key, shown in (("problems_total", "12个"), ("problems_done", "10个"), ("completion_rate", "83.3%"),
                       ("money_recovered_yuan", "162,000元"), ("rules_made", "9项")):
        assert f'<div data-key="{key}"><dt>' in html and f"<dd>{shown}</dd>" in html
    assert html.count('data-status="in_progress"') == 1 and html.count('data-status="done"') == 2
    assert html.count('data-status="ongoing"') == 1
    assert '<time datetime="2023-12">2023-12</time>' in html
    assert 'class="problem subproblem"' in html
    assert "按问题：" in html and "正在整改 1" in html
    check = client.get(f"/doc/{doc['id']}/check").get_data(as_text=True)
    assert check.count('data-status="in_progress"') == 2  # the sub-problem's two measures
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/doc/{doc['id']}/check.xlsx").data))
    rows = [[c.value for c in r] for r in book.active.iter_rows()]
    header = rows[2]  # after the title and date rows
    status, deadline = header.index("整改状态"), header.index("整改时限")
    by_problem = {(r[2], r[status], r[deadline]) for r in rows[3:]}
    assert by_problem == {("关于“产业项目谋划不够精准”问题", "已完成", None),
                          ("关于“高标准农田建设管护不到位”问题", "正在整改", "2023-12"),
                          ("关于“惠农补贴发放审核不严”问题", "已完成", None), ("关于“财务管理不规范”问题", "长期坚持", None)}
    ledger = _show(runner, samples / "f8-ledger-docx.docx")
    page = client.get(f"/doc/{ledger['id']}").get_data(as_text=True)
    assert '<span class="rect-responsible">责任 李某；水政监察大队</span>' in page


def _json_problem(p: dict) -> dict:
    out = {"number": p["number"], "title": p["title"], "status": p["status"], "deadline": p["deadline"],
           "measures": [m["text"] for m in p["measures"]]}
    if p["responsible"]:
        out["responsible"] = p["responsible"]
    if p["subproblems"]:
        out["subproblems"] = [_json_problem(s) for s in p["subproblems"]]
    return out


@pytest.mark.browser
def test_pdf_printed_by_a_browser_from_a_saved_page(runner, chromium, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The county page printed by Chromium (navigation, 信息索引号 table, share links and footer included):
    the same title, publisher, date and tree as the saved page itself."""
    from tests.test_notice_layouts import expected

    page = chromium.new_page()
    try:
        page.goto((FIXTURES / "f7-saved-page-a.html").as_uri())
        pdf = tmp_path / "in" / "printed.pdf"
        pdf.parent.mkdir()
        page.pdf(path=str(pdf), format="A4")
    finally:
        page.close()
    result = runner.invoke(main, ["ingest", str(pdf.parent), "--no-index"])
    assert result.exit_code == 0, result.output
    doc = _show(runner, pdf)
    want = expected("f7-saved-page-a.html")
    assert doc["method"] == "pdf"
    assert (doc["title"], doc["publisher"], doc["published"]) == (want["title"], want["publisher"], want["published"])
    assert doc["warnings"] == want["warnings"]
    got = [{"section": c["section"], "number": c["number"], "title": c["title"],
            "problems": [_json_problem(p) for p in c["problems"]]} for c in doc["categories"]]
    assert got == want["categories"]
    assert {k: v for k, v in doc["progress"].items() if v is not None} == want["progress"]


@pytest.mark.browser
def test_notice_page_progress_in_a_real_browser(ui, samples: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Chromium shows the stated figures and each problem's status tag where a reader looks for them."""
    from archive.database import Archive
    from tests.conftest import build_archive, live_server
    from webui import create_app

    settings = build_archive(tmp_path / "home", [str(samples / "f2-county-a.txt")])
    with Archive.open(settings.db_path) as a:
        doc_id = next(a.documents()).id
    with live_server(create_app(settings)) as url:
        ui.goto(f"{url}/doc/{doc_id}")
        card = ui.locator(".progress-card")
        assert card.is_visible()
        assert card.locator("dt").all_inner_texts()[:3] == ["反馈问题", "已完成整改", "正在整改"]
        assert card.locator('[data-key="completion_rate"] dd').inner_text() == "83.3%"
        sub = ui.locator(".subproblem").nth(1)
        assert sub.is_visible()
        assert sub.locator(".rect-status").inner_text() == "正在整改"
        assert sub.locator(".rect-deadline").inner_text() == "时限 2023-12"
        tag = sub.locator(".rect-status").bounding_box()
        title = sub.locator("h4").bounding_box()
        assert tag and title and tag["y"] < title["y"] + title["height"]  # on the problem's heading line
