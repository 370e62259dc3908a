"""`xuncha ingest` and `xuncha show` through click's test runner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests import fixtures_build as fb
from xuncha.cli import main

SUMMARY = re.compile(r"^(\d+) files: (\d+) added, (\d+) updated, (\d+) unchanged, (\d+) failed, (\d+) skipped$", re.M)
BAD = {"empty.txt": b"", "junk.txt": fb.junk(3000), "locked.pdf": fb.encrypted_pdf(b"secret"),
       "corrupt.docx": b"PK\x03\x04" + fb.junk(500)}


def _summary(result: Result) -> tuple[int, ...]:
    found = SUMMARY.findall(result.stdout)
    assert len(found) == 1, result.output
    return tuple(int(n) for n in found[0])


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Two good files, four bad ones and one unsupported."""
    root = tmp_path / "in"
    fb.write(root / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    fb.write(root / "regs" / fb.REGULATION_NAME, fb.REGULATION_TEXT)
    for name, data in BAD.items():
        fb.write(root / "bad" / name, data)
    fb.write(root / "photo.jpg", b"\xff\xd8\xff\xe0")
    return root


def test_ingest_reports_each_bad_file_once(runner: CliRunner, mixed: Path) -> None:
    result = runner.invoke(main, ["ingest", "--no-index", str(mixed)])
    assert result.exit_code == 1, result.output
    assert _summary(result) == (7, 2, 0, 0, 4, 1)
    failed = [ln for ln in result.stderr.splitlines() if ln.startswith("failed: ")]
    assert len(failed) == len(BAD)
    for name in BAD:
        lines = [ln for ln in result.output.splitlines() if name in ln]
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"failed: {mixed / 'bad' / name}: ")
    assert f"failed: {mixed / 'bad' / 'locked.pdf'}: encrypted PDF (password required)" in failed
    assert f"failed: {mixed / 'bad' / 'empty.txt'}: empty file" in failed
    assert f"skipped: {mixed / 'photo.jpg'}: unsupported file type .jpg" in result.stdout
    assert "documents: 1 notice, 1 regulation" in result.stdout
    # the good files are in the archive
    shown = runner.invoke(main, ["show", "--json", str(mixed / fb.NOTICE_NAME)])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["doc_type"] == "notice"
    again = runner.invoke(main, ["ingest", "--no-index", str(mixed)])
    assert (again.exit_code, _summary(again)) == (1, (7, 0, 0, 2, 4, 1))


def test_ingest_exit_zero_when_all_fine(runner: CliRunner, tmp_path: Path) -> None:
    path = fb.write(tmp_path / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    result = runner.invoke(main, ["ingest", str(path)])  # with the search index, as users run it
    assert result.exit_code == 0, result.output
    assert _summary(result) == (1, 1, 0, 0, 0, 0)
    assert "failed:" not in result.output
    assert re.search(r"^index: ", result.stdout, re.M)


def test_ingest_a_file_whose_name_starts_with_a_dash(runner: CliRunner, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    fb.write(tmp_path / "-notice.txt", "示例文本，文件名以连字符开头。")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["ingest", "--no-index", "--", "-notice.txt"])
    assert (result.exit_code, _summary(result)) == (0, (1, 1, 0, 0, 0, 0)), result.output


def test_ingest_missing_path(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["ingest", "--no-index", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert f"failed: {tmp_path / 'nowhere'}: no such file or folder" in result.stderr


NOTICE_KEYS = {"id", "doc_type", "title", "publisher", "published", "source_path", "warnings", "inspected_unit",
               "inspecting_body", "inspection_start", "inspection_end", "feedback_date", "stated_counts",
               "categories"}


def test_show_notice_json(runner: CliRunner, tmp_path: Path) -> None:
    path = fb.write(tmp_path / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    assert runner.invoke(main, ["ingest", "--no-index", str(path)]).exit_code == 0
    result = runner.invoke(main, ["show", str(path), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert NOTICE_KEYS <= doc.keys()
    assert (doc["doc_type"], doc["title"], doc["publisher"], doc["published"], doc["source_path"]) == (
        "notice", "示例区文化局党组关于巡察整改情况的通报", "中共示例区文化局党组", "2022-08-31", str(path))
    assert (doc["inspected_unit"], doc["inspecting_body"]) == ("示例区文化局党组", "区委第二巡察组")
    assert (doc["inspection_start"], doc["inspection_end"], doc["feedback_date"]) == (
        "2022-03-01", "2022-04-15", "2022-05-20")
    assert doc["stated_counts"] == "2个方面3个问题及2条建议"
    assert isinstance(doc["warnings"], list)
    assert [len(c["problems"]) for c in doc["categories"]] == [2, 1]
    first = doc["categories"][0]["problems"][0]
    assert first["title"] == "针对党组议事规则不规范的问题"
    assert first["measures"][0]["citations"] == [{"title": "示例区党组议事规则", "article": "第八条"}]
    cited = [(c["title"], c["article"]) for cat in doc["categories"] for p in cat["problems"]
             for m in p["measures"] for c in m["citations"]]
    assert cited == [("示例区党组议事规则", "第八条"), ("示例市党政机关公务用车管理办法", "第十三条"),
                     ("示例市行政事业单位内部控制和采购管理规定", "第十三条")]
    # the id from the JSON finds the same record, and the plain view names it
    plain = runner.invoke(main, ["show", doc["id"]])
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.splitlines()[0] == doc["title"]
    assert "针对党组议事规则不规范的问题" in plain.stdout
    assert "《示例区党组议事规则》第八条" in plain.stdout


def test_show_regulation_json(runner: CliRunner, tmp_path: Path) -> None:
    path = fb.write(tmp_path / fb.REGULATION_NAME, fb.REGULATION_TEXT)
    ingested = runner.invoke(main, ["ingest", "--no-index", str(path)])
    assert ingested.exit_code == 0, ingested.output
    doc = json.loads(runner.invoke(main, ["show", "--json", str(path)]).stdout)
    assert {"id", "doc_type", "title", "publisher", "published", "source_path", "warnings", "articles"} <= doc.keys()
    assert (doc["doc_type"], doc["title"]) == ("regulation", "示例市档案查阅管理办法")
    articles = doc["articles"]
    assert [a["number"] for a in articles] == [1, 2, 3, 4, 5]
    assert all(isinstance(a["number"], int) for a in articles)
    assert [a["label"] for a in articles][:2] == ["第一条", "第二条"]
    assert [a["chapter"] for a in articles] == ["第一章 总则"] * 2 + ["第二章 查阅"] * 3
    assert "查阅档案应当出示有效身份证件" in articles[2]["text"]


def test_show_other_document_has_text(runner: CliRunner, tmp_path: Path) -> None:
    path = fb.write(tmp_path / "备忘.txt", "示例文本，既不是通报也不是法规。")
    runner.invoke(main, ["ingest", "--no-index", str(path)])
    doc = json.loads(runner.invoke(main, ["show", "--json", str(path)]).stdout)
    assert (doc["doc_type"], doc["text"]) == ("other", "示例文本，既不是通报也不是法规。")


def test_show_nonexistent(runner: CliRunner) -> None:
    result = runner.invoke(main, ["show", "nonexistent"])
    assert result.exit_code != 0
    assert "no document 'nonexistent' in the archive" in result.stderr
    assert "hint:" in result.stderr


def test_an_unchanged_reingest_segments_nothing(runner: CliRunner, mixed: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14: re-ingesting unchanged files neither parses nor segments; one changed file segments that file."""
    from indexer import analysis

    assert runner.invoke(main, ["ingest", str(mixed)]).exit_code == 1  # the bad files fail; the good are indexed
    segmented: list[str] = []
    real = analysis.segment
    monkeypatch.setattr(analysis, "segment", lambda text, *a, **k: segmented.append(text) or real(text, *a, **k))
    again = runner.invoke(main, ["ingest", str(mixed)])
    assert _summary(again)[3] == 2 and segmented == [], again.output
    notice = mixed / fb.NOTICE_NAME
    notice.write_text(notice.read_text(encoding="utf-8") + "\n补充说明：新增整改台账一份。\n", encoding="utf-8")
    changed = runner.invoke(main, ["ingest", str(mixed)])
    assert _summary(changed)[2] == 1 and any("新增整改台账" in t for t in segmented), changed.output
