"""The ingest pipeline: idempotent re-runs, replacement of changed files, originals by hash, the ingest log."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from archive import ids
from archive import pipeline
from archive.database import Archive
from archive.pipeline import ingest
from tests import fixtures_build as fb
from tests.conftest import SEED, needs_shared
from xuncha.settings import Settings

TABLES = ("documents", "categories", "problems", "measures", "articles", "citations", "figures", "warnings")


def _snapshot(conn: sqlite3.Connection) -> dict[str, object]:
    """Row counts of every record table, plus each document's id, sha, and timestamps."""
    snap: dict[str, object] = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    snap["docs"] = [tuple(r) for r in conn.execute(
        "SELECT id, sha256, ingested_at, updated_at FROM documents ORDER BY id")]
    snap["problem_ids"] = [r[0] for r in conn.execute("SELECT id FROM problems ORDER BY id")]
    return snap


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A notice, a regulation and an unsupported file."""
    root = tmp_path / "in"
    fb.write(root / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    fb.write(root / "regs" / fb.REGULATION_NAME, fb.REGULATION_TEXT)
    fb.write(root / "scan.tif", b"II*\x00")
    return root


def test_second_run_changes_nothing(folder: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    first = ingest(Archive(conn), settings.ingest_options(), [str(folder)])
    assert sorted(o.outcome for o in first.outcomes) == ["added", "added", "skipped"]
    before = _snapshot(conn)
    log_rows = conn.execute("SELECT count(*) FROM ingest_log").fetchone()[0]
    second = ingest(Archive(conn), settings.ingest_options(), [str(folder)])
    assert sorted(o.outcome for o in second.outcomes) == ["skipped", "unchanged", "unchanged"]
    assert [o.doc_id for o in second.outcomes if o.doc_id] == [o.doc_id for o in first.outcomes if o.doc_id]
    assert second.changed_ids == []
    assert _snapshot(conn) == before
    # only the skip is logged again: unchanged files leave no trace
    assert conn.execute("SELECT count(*) FROM ingest_log").fetchone()[0] == log_rows + 1


def test_changed_file_replaces_its_record(tmp_path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    path = fb.write(tmp_path / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    doc_id = ingest(Archive(conn), settings.ingest_options(), [str(path)]).changed_ids[0]
    old_sha = conn.execute("SELECT sha256 FROM documents").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM problems").fetchone()[0] == 3
    # drop problem 3 and its category, reword problem 2
    changed = fb.NOTICE_TEXT.split("(二)关于财务管理")[0].replace("公车管理不严问题", "公务用车管理不严格问题") \
        + "三、下一步工作打算\n继续巩固整改成果。\n中共示例区文化局党组\n2022年9月30日\n"
    fb.write(path, changed)
    report = ingest(Archive(conn), settings.ingest_options(), [str(path)])
    assert [(o.outcome, o.doc_id) for o in report.outcomes] == [("updated", doc_id)]
    row = conn.execute("SELECT id, sha256, published FROM documents").fetchone()
    assert (row["id"], row["published"]) == (doc_id, "2022-09-30")
    assert row["sha256"] == hashlib.sha256(changed.encode()).hexdigest() != old_sha
    titles = [r[0] for r in conn.execute("SELECT title FROM problems WHERE doc_id = ? ORDER BY ord", (doc_id,))]
    assert titles == ["针对党组议事规则不规范的问题", "针对公务用车管理不严格问题"]
    assert conn.execute("SELECT count(*) FROM categories").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM measures").fetchone()[0] == 4
    cited = [r[0] for r in conn.execute("SELECT title FROM citations WHERE measure_id IS NOT NULL ORDER BY id")]
    assert cited == ["示例区党组议事规则", "示例市党政机关公务用车管理办法"]


def test_force_and_parser_version_reparse(tmp_path: Path, conn: sqlite3.Connection, settings: Settings,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = fb.write(tmp_path / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    doc_id = ingest(Archive(conn), settings.ingest_options(), [str(path)]).changed_ids[0]
    assert [o.outcome for o in ingest(Archive(conn), settings.ingest_options(), [str(path)], force=True).outcomes] == ["updated"]
    monkeypatch.setattr(pipeline, "PARSER_VERSION", pipeline.PARSER_VERSION + 1)
    assert [o.outcome for o in ingest(Archive(conn), settings.ingest_options(), [str(path)]).outcomes] == ["updated"]
    assert [o.outcome for o in ingest(Archive(conn), settings.ingest_options(), [str(path)]).outcomes] == ["unchanged"]
    row = conn.execute("SELECT id, parser_version FROM documents").fetchone()
    assert tuple(row) == (doc_id, pipeline.PARSER_VERSION)
    assert conn.execute("SELECT count(*) FROM problems").fetchone()[0] == 3


def test_originals_are_kept_by_content_hash(tmp_path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    path = fb.write(tmp_path / "a.md", fb.REGULATION_TEXT)
    ingest(Archive(conn), settings.ingest_options(), [str(path)])
    first = fb.REGULATION_TEXT.encode()
    sha = hashlib.sha256(first).hexdigest()
    kept = settings.originals_dir / sha[:2] / f"{sha}.md"
    assert kept.read_bytes() == first
    second = fb.REGULATION_TEXT.replace("有效身份证件", "居民身份证").encode()
    path.write_bytes(second)
    ingest(Archive(conn), settings.ingest_options(), [str(path)])
    sha2 = hashlib.sha256(second).hexdigest()
    assert (settings.originals_dir / sha2[:2] / f"{sha2}.md").read_bytes() == second
    assert kept.read_bytes() == first  # the earlier version stays
    # the same bytes under another name share one original
    fb.write(tmp_path / "copy.MD", fb.REGULATION_TEXT.replace("有效身份证件", "居民身份证"))
    ingest(Archive(conn), settings.ingest_options(), [str(tmp_path / "copy.MD")])
    assert sorted(p.name for p in settings.originals_dir.rglob("*") if p.is_file()) == sorted(
        [f"{sha}.md", f"{sha2}.md"])


def test_ingest_log_rows(folder: Path, tmp_path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    bad = fb.write(folder / "bad.txt", b"")
    report = ingest(Archive(conn), settings.ingest_options(), [str(folder), str(tmp_path / "missing")])
    rows = [tuple(r) for r in conn.execute("SELECT source_path, outcome, reason, doc_id FROM ingest_log ORDER BY id")]
    assert rows == [(o.source_path, o.outcome, o.reason, o.doc_id) for o in report.outcomes]
    by_outcome = {r[1]: r for r in rows}
    assert by_outcome["failed"][2] == "no such file or folder"
    assert (str(bad), "failed", "empty file", None) in rows
    assert by_outcome["skipped"][2] == "unsupported file type .tif"
    added = [r for r in rows if r[1] == "added"]
    assert len(added) == 2 and all(r[3] and r[2] is None for r in added)
    assert all(conn.execute("SELECT at FROM ingest_log").fetchall())


def test_one_file_through_two_paths_is_one_document(tmp_path: Path, conn: sqlite3.Connection,
                                                     settings: Settings) -> None:
    real = fb.write(tmp_path / "docs" / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    report = ingest(Archive(conn), settings.ingest_options(), [str(real), str(link)])
    assert [o.outcome for o in report.outcomes] == ["added", "unchanged"]
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert report.outcomes[0].doc_id == ids.document_id(str(real.resolve()))


def test_record_of_a_notice(tmp_path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    path = fb.write(tmp_path / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    ingest(Archive(conn), settings.ingest_options(), [str(path)])
    row = conn.execute("SELECT * FROM documents").fetchone()
    assert (row["doc_type"], row["title"], row["publisher"], row["published"], row["method"], row["suffix"]) == (
        "notice", "示例区文化局党组关于巡察整改情况的通报", "中共示例区文化局党组", "2022-08-31", "text", ".txt")
    assert row["size"] == len(fb.NOTICE_TEXT.encode())
    assert row["source_path"] == row["resolved_path"] == str(path)


@needs_shared
def test_seed_notice_from_the_shared_corpus(conn: sqlite3.Connection, settings: Settings) -> None:
    report = ingest(Archive(conn), settings.ingest_options(), [str(SEED)])
    assert [o.outcome for o in report.outcomes] == ["added"]
    doc = conn.execute("SELECT doc_type, header_json FROM documents").fetchone()
    assert doc["doc_type"] == "notice"
    assert "区残联党组" in doc["header_json"]
    assert conn.execute("SELECT count(*) FROM problems").fetchone()[0] == 19
    assert [o.outcome for o in ingest(Archive(conn), settings.ingest_options(), [str(SEED)]).outcomes] == ["unchanged"]


def test_the_parts_of_one_code_are_not_versions_of_each_other(tmp_path: Path, conn: sqlite3.Connection,
                                                              settings: Settings) -> None:
    from archive.database import version_key
    from archive.kinds import VersionStatus

    folder = tmp_path / "code"
    folder.mkdir()
    for part, article in (("总则", "第一条 为了保护民事主体的合法权益，制定本法。"), ("物权编", "第二百零五条 本编调整物权关系。"),
                          ("合同编", "第四百六十三条 本编调整因合同产生的民事关系。")):
        (folder / f"{part}.md").write_text(f"# 示例民事法\n\n# {part}\n\n2020年5月28日 通过\n\n{article}\n\n"
                                           "第九百条 另一条。\n", encoding="utf-8")
    for date, words in (("2010-01-01", "旧文"), ("2020-01-01", "新文")):
        (folder / f"示例法({date}).md").write_text(f"# 示例法\n\n第一条 {words}。\n\n第二条 {words}。\n", encoding="utf-8")
    ingest(Archive(conn), settings.ingest_options(), [str(folder)])
    archive = Archive(conn)
    statuses = {e.title + (e.part or "") + (e.version or ""): archive.version_statuses()[e.id] for e in archive.regulations}
    assert statuses["示例民事法总则2020-05-28"] == VersionStatus.CURRENT
    assert statuses["示例民事法物权编2020-05-28"] == statuses["示例民事法合同编2020-05-28"] == VersionStatus.CURRENT
    assert statuses["示例法2010-01-01"] == VersionStatus.SUPERSEDED and statuses["示例法2020-01-01"] == VersionStatus.CURRENT
    assert version_key("示例民事法", "物权编") != version_key("示例民事法", "合同编") != version_key("示例民事法")
