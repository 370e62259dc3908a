"""Hostile input: every bad file gives one clear failure naming it, the batch goes on, good files are stored."""

from __future__ import annotations

import dataclasses
import os
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from archive import ids
from archive import store
from archive.database import Archive
from archive.pipeline import IngestReport, ingest
from tests import fixtures_build as fb
from xuncha.settings import Settings

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
CHILD_TABLES = ("categories", "problems", "measures", "articles", "citations", "figures", "warnings")


@pytest.fixture
def quick(settings: Settings) -> Settings:
    """Settings whose extraction child gives up after 3 s."""
    return dataclasses.replace(settings, extract_timeout_s=3)


def _outcomes(report: IngestReport, path: Path) -> list[tuple[str, str | None]]:
    return [(o.outcome, o.reason) for o in report.outcomes if o.source_path == str(path)]


def _one_failure(report: IngestReport, path: Path, pattern: str) -> str:
    """The file failed exactly once, with a one-line reason matching pattern."""
    got = _outcomes(report, path)
    assert len(got) == 1, got
    outcome, reason = got[0]
    assert outcome == "failed", got
    assert reason and "\n" not in reason
    assert re.search(pattern, reason), reason
    return reason


def _stored(conn: sqlite3.Connection) -> set[str]:
    return {Path(r["source_path"]).name for r in conn.execute("SELECT source_path FROM documents")}


# name → (file contents, what its single failure line must say)
HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "empty.txt": (lambda: b"", r"^empty file$"),
    "empty.pdf": (lambda: b"", r"^empty file$"),
    "blank.md": (lambda: b" \n\t\r\n   \n", r"^empty file$"),
    "blank-with-bom.md": (lambda: b"\xef\xbb\xbf\n\n\xe3\x80\x80\n", r"^empty file$"),
    "junk.txt": (lambda: fb.junk(5000), r"binary data"),
    "junk-with-utf16-bom.txt": (lambda: b"\xff\xfe" + fb.junk(4001), r"UTF-16|binary data"),
    "junk-with-utf8-bom.txt": (lambda: b"\xef\xbb\xbf" + fb.junk(4000), r"binary data"),
    "binary.html": (lambda: b"\x89PNG\r\n\x1a\n" + fb.junk(3000), r"binary data, not HTML|not HTML: the file is a PNG"),
    "binary-gb2312.html": (lambda: b'<meta charset="gb2312">' + fb.junk(3000), r"binary data, not HTML|not HTML: the file is a PNG"),
    "not-a-pdf.pdf": (lambda: "巡察整改情况".encode() * 20, r"not a PDF"),
    "half.pdf": (lambda: fb.simple_pdf()[:len(fb.simple_pdf()) // 2], r"damaged PDF.*truncated"),
    "locked.pdf": (lambda: fb.encrypted_pdf(b"secret"), r"^encrypted PDF \(password required\)$"),
    "loop.pdf": (fb.reference_loop_pdf, r"timed out"),
    "deep.pdf": (fb.deep_pages_pdf, r"damaged PDF: nesting too deep"),
    "corrupt.docx": (lambda: b"PK\x03\x04" + fb.junk(2000), r"not a readable \.docx"),
    "truncated.docx": (lambda: fb.zip_bomb_docx(1)[:300], r"not a readable \.docx"),
    "bomb.docx": (lambda: fb.zip_bomb_docx(80), r"inflates to 80 MB: refused"),
    "lying-bomb.docx": (lambda: fb.zip_bomb_docx(80, declared_size=1000), r"not a readable \.docx|zip bomb"),
    "laughs.docx": (fb.billion_laughs_docx, r"damaged \.docx"),
    "protected.docx": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + fb.junk(3000), r"password-protected"),
}


def test_hostile_batch(tmp_path: Path, conn: sqlite3.Connection, quick: Settings) -> None:
    folder = tmp_path / "in"
    for name, (build, _) in HOSTILE.items():
        fb.write(folder / name, build())
    good_notice = fb.write(folder / "sub" / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    good_reg = fb.write(folder / "zz" / fb.REGULATION_NAME, fb.REGULATION_TEXT)
    started = time.monotonic()
    report = ingest(Archive(conn), quick.ingest_options(), [str(folder)])
    assert time.monotonic() - started < 25  # the hanging PDF is cut off at 3 s, the rest is quick
    for name, (_, pattern) in HOSTILE.items():
        _one_failure(report, folder / name, pattern)
    assert _outcomes(report, good_notice) == [("added", None)]
    assert _outcomes(report, good_reg) == [("added", None)]
    assert len(report.outcomes) == len(HOSTILE) + 2
    assert _stored(conn) == {fb.NOTICE_NAME, fb.REGULATION_NAME}
    logged = conn.execute("SELECT count(*) FROM ingest_log WHERE outcome = 'failed'").fetchone()[0]
    assert logged == len(HOSTILE)


def test_big_file_is_refused_without_reading_it(tmp_path: Path, conn: sqlite3.Connection, settings: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "in" / "big.txt"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        fh.truncate(200 * 2**20)  # sparse: 200 MB that take no disk
    good = fb.write(tmp_path / "in" / "ok.txt", "示例文本，内容很短。")
    real_open = os.open

    def guarded_open(path: object, *args: object, **kwargs: object) -> int:
        assert Path(str(path)).name != "big.txt", "the pipeline opened the oversized file"
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", guarded_open)
    report = ingest(Archive(conn), settings.ingest_options(), [str(tmp_path / "in")])
    _one_failure(report, big, r"file too large \(200 MB; the limit is 100 MB")
    assert _outcomes(report, good) == [("added", None)]
    assert _stored(conn) == {"ok.txt"}
    assert len(list(settings.originals_dir.rglob("*.txt"))) == 1


ODD_NAMES = ["带 空格 的 文件.txt", "it's \"quoted\".txt", "new\nline.txt", "emoji 📄 通报.txt",
             "全角（括号）ＡＢＣ１２３.txt", "-leading-dash.txt", " leading space.md", "tab\there.txt"]


def test_odd_file_names_ingest(tmp_path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    folder = tmp_path / "in"
    for i, name in enumerate(ODD_NAMES):
        fb.write(folder / name, f"示例文本第{i}号，内容是巡察整改的说明。")
    # a Chinese name in GBK bytes, as unzipping a Windows archive leaves it: not valid UTF-8
    gbk_name = "整改通报.txt".encode("gbk")
    with open(os.path.join(os.fsencode(folder), gbk_name), "wb") as fh:
        fh.write("示例文本，文件名是GBK编码。".encode())
    report = ingest(Archive(conn), settings.ingest_options(), [str(folder)])
    assert [o for o in report.outcomes if o.outcome != "added"] == []
    assert _stored(conn) == {*ODD_NAMES, "整改通报.txt"}
    row = conn.execute("SELECT id, source_path FROM documents WHERE source_path LIKE '%整改通报.txt'").fetchone()
    assert row["source_path"] == str(folder / "整改通报.txt")
    warnings = [r[0] for r in conn.execute("SELECT message FROM warnings WHERE doc_id = ?", (row["id"],))]
    assert "file name is not UTF-8: read as GB18030" in warnings
    # and a second run finds every one of them unchanged (the odd names round-trip)
    again = ingest(Archive(conn), settings.ingest_options(), [str(folder)])
    assert {o.outcome for o in again.outcomes} == {"unchanged"}


def test_special_files_never_block(tmp_path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    folder = tmp_path / "in"
    good = fb.write(folder / "b-good.txt", "示例文本，内容正常。")
    fifo = folder / "a-pipe.txt"
    os.mkfifo(fifo)  # opening this for reading would wait for a writer forever
    dangling = folder / "c-dangling.txt"
    dangling.symlink_to(folder / "gone.txt")
    loop = folder / "d-loop.txt"
    loop.symlink_to(loop)
    linked_dir = folder / "e-linked-folder"
    linked_dir.symlink_to(tmp_path, target_is_directory=True)
    lock = fb.write(folder / "~$通报.docx", b"\x00" * 162)  # Word's owner file next to an open document
    started = time.monotonic()
    report = ingest(Archive(conn), settings.ingest_options(), [str(folder), str(fifo)])
    assert time.monotonic() - started < 10
    assert _outcomes(report, fifo) == [("skipped", "not a regular file (a named pipe)")] * 2
    _one_failure(report, dangling, r"^broken symbolic link \(to .*gone\.txt\)$")
    _one_failure(report, loop, r"^cannot read: Too many levels of symbolic links$")
    assert _outcomes(report, linked_dir) == [("skipped", "a link to a folder: not followed (ingest the folder "
                                                         "itself)")]
    assert _outcomes(report, lock) == [("skipped", "an Office lock file (~$…), not a document")]
    assert _outcomes(report, good) == [("added", None)]


def test_unreadable_file_and_folder(tmp_path: Path, conn: sqlite3.Connection, settings: Settings,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    secret = fb.write(folder / "a-secret.txt", "示例文本，没有读取权限。")
    closed = folder / "b-closed"
    fb.write(closed / "inside.txt", "示例文本，在没有权限的文件夹里。")
    good = fb.write(folder / "c-good.txt", "示例文本，内容正常。")
    if AS_ROOT:
        # root reads through chmod 000, so refuse exactly what the kernel would refuse another user
        real_open, real_path_open, real_scandir = os.open, Path.open, os.scandir

        def no_open(path: object, *args: object, **kwargs: object) -> int:
            if Path(str(path)) == secret:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

        def no_path_open(self: Path, *args: object, **kwargs: object) -> object:
            if self == secret:
                raise PermissionError(13, "Permission denied", str(self))
            return real_path_open(self, *args, **kwargs)  # type: ignore[arg-type]

        def no_scandir(path: object = ".") -> object:
            if Path(str(path)) == closed:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", no_open)
        monkeypatch.setattr(Path, "open", no_path_open)
        monkeypatch.setattr(os, "scandir", no_scandir)
    else:
        secret.chmod(0)
        closed.chmod(0)
    try:
        report = ingest(Archive(conn), settings.ingest_options(), [str(folder)])
    finally:
        secret.chmod(0o644)
        closed.chmod(0o755)
    _one_failure(report, secret, r"^cannot read: Permission denied$")
    _one_failure(report, closed, r"^cannot read folder: Permission denied$")
    assert _outcomes(report, good) == [("added", None)]
    assert _stored(conn) == {"c-good.txt"}


def _rows_for(conn: sqlite3.Connection, doc_id: str) -> dict[str, int]:
    counts = {t: conn.execute(f"SELECT count(*) FROM {t} WHERE doc_id = ?", (doc_id,)).fetchone()[0]
              for t in CHILD_TABLES}
    counts["documents"] = conn.execute("SELECT count(*) FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
    return counts


def _break_write(monkeypatch: pytest.MonkeyPatch, exc: Exception, victim: str) -> None:
    """store.write_document inserts all of the victim's rows, then fails before the commit."""
    real = store.write_document

    def broken(conn: sqlite3.Connection, **kwargs: object) -> None:
        real(conn, **kwargs)  # type: ignore[arg-type]
        if str(kwargs["source_path"]).endswith(victim):
            assert conn.execute("SELECT count(*) FROM problems").fetchone()[0] > 0  # really half way
            raise exc

    monkeypatch.setattr(store, "write_document", broken)


def test_failed_write_is_rolled_back_and_reported(tmp_path: Path, conn: sqlite3.Connection, settings: Settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    a = fb.write(tmp_path / "in" / "a" / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    b = fb.write(tmp_path / "in" / "b" / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    _break_write(monkeypatch, sqlite3.IntegrityError("UNIQUE constraint failed: measures.id"), f"a/{fb.NOTICE_NAME}")
    report = ingest(Archive(conn), settings.ingest_options(), [str(tmp_path / "in")])
    _one_failure(report, a, r"^could not store \(IntegrityError: UNIQUE constraint failed: measures\.id\)")
    assert _outcomes(report, b)[0][0] == "added"
    assert not conn.in_transaction
    a_id = ids.document_id(str(a.resolve()))
    assert set(_rows_for(conn, a_id).values()) == {0}
    assert _rows_for(conn, report.changed_ids[0])["problems"] == 3


def test_failed_rewrite_keeps_the_old_record(tmp_path: Path, conn: sqlite3.Connection, settings: Settings,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = fb.write(tmp_path / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    doc_id = ingest(Archive(conn), settings.ingest_options(), [str(path)]).changed_ids[0]
    before = _rows_for(conn, doc_id), conn.execute("SELECT sha256 FROM documents").fetchone()[0]
    fb.write(path, fb.NOTICE_TEXT.replace("36项", "48项"))
    _break_write(monkeypatch, ValueError("boom"), fb.NOTICE_NAME)
    _one_failure(ingest(Archive(conn), settings.ingest_options(), [str(path)]), path, r"^could not store \(ValueError: boom\)")
    assert (_rows_for(conn, doc_id), conn.execute("SELECT sha256 FROM documents").fetchone()[0]) == before


def test_archive_write_error_stops_the_batch_with_nothing_half_written(
        tmp_path: Path, conn: sqlite3.Connection, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    a = fb.write(tmp_path / "in" / "a" / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    fb.write(tmp_path / "in" / "b" / fb.NOTICE_NAME, fb.NOTICE_TEXT)
    _break_write(monkeypatch, sqlite3.OperationalError("database or disk is full"), f"a/{fb.NOTICE_NAME}")
    with pytest.raises(sqlite3.OperationalError, match="disk is full"):
        ingest(Archive(conn), settings.ingest_options(), [str(tmp_path / "in")])
    assert not conn.in_transaction
    assert set(_rows_for(conn, ids.document_id(str(a.resolve()))).values()) == {0}
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_extractor_bug_is_one_failure_not_a_crash(tmp_path: Path, conn: sqlite3.Connection, settings: Settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from archive import extract

    def broken(data: bytes, settings: Settings) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(extract.EXTRACTORS, ".html", broken)
    bad = fb.write(tmp_path / "in" / "a.html", "<p>示例</p>")
    good = fb.write(tmp_path / "in" / "b.txt", "示例文本，内容正常。")
    report = ingest(Archive(conn), settings.ingest_options(), [str(tmp_path / "in")])
    _one_failure(report, bad, r"^could not extract \(RecursionError: .*\); please report this$")
    assert _outcomes(report, good) == [("added", None)]

