"""The watch folder (webui/watch.py, `xuncha watch`): a file is taken only once it stops growing; successes go
to done/, failures to failed/ with a .reason.txt."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from archive.database import Archive
from indexer.search import SearchService
from tests.ops_helpers import fresh_archive
from tests.test_jobs import STREET, STREET_TEXT
from webui.watch import Watcher
from xuncha.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return fresh_archive(tmp_path, tmp_path_factory.getbasetemp(), watch_settle_s=0.4)


def _scan_until(watcher: Watcher, seconds: float) -> list:  # type: ignore[type-arg]
    deadline, taken = time.monotonic() + seconds, []
    while time.monotonic() < deadline and not taken:
        taken = watcher.scan_once()
        time.sleep(0.05)
    return taken


def test_growing_file_waits_until_complete(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    target = inbox / "sub" / f"{STREET}.txt"
    data = STREET_TEXT.encode("utf-8")
    chunks = [data[i: i + 40] for i in range(0, len(data), 40)]
    watcher = Watcher(settings.job_options(), inbox)
    seen_early: list = []  # type: ignore[type-arg]

    def write_slowly() -> None:
        with open(target, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                fh.flush()
                time.sleep(0.12)  # well under watch_settle_s between writes

    writer = threading.Thread(target=write_slowly)
    writer.start()
    while writer.is_alive():
        seen_early += watcher.scan_once()
        time.sleep(0.05)
    writer.join()
    assert seen_early == [] and len(chunks) > 10  # never taken half written
    taken = _scan_until(watcher, 5)
    assert [(t.outcome, t.moved_to) for t in taken] == [("added", inbox / "done" / "sub" / f"{STREET}.txt")]
    assert (inbox / "done" / "sub" / f"{STREET}.txt").read_bytes() == data and not target.exists()
    conn = Archive.open(settings.db_path)
    row = conn.conn.execute("SELECT text FROM documents WHERE title = ?", (STREET,)).fetchone()
    audit = conn.conn.execute("SELECT user_name, action FROM audit").fetchall()
    conn.close()
    assert row and "防汛仓库" in row["text"]  # the whole file, not the first chunk
    assert [tuple(a) for a in audit] == [("watch", "watch ingest")]
    assert SearchService(settings.search_options()).search('"防汛仓库"').total >= 1  # indexed too


def test_failures_go_to_failed_with_reason(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "tool.exe").write_bytes(b"MZ")
    (inbox / ".hidden.txt").write_text("ignored", encoding="utf-8")
    (inbox / "~$lock.docx").write_bytes(b"x")
    watcher = Watcher(settings.job_options(), inbox)
    watcher.scan_once()
    time.sleep(0.5)
    taken = sorted(watcher.scan_once(), key=lambda t: t.source.name)
    assert [(t.source.name, t.outcome) for t in taken] == [("empty.txt", "failed"), ("tool.exe", "skipped")]
    assert (inbox / "failed" / "empty.txt.reason.txt").read_text(encoding="utf-8") == "failed: empty file\n"
    assert "unsupported file type .exe" in (inbox / "failed" / "tool.exe.reason.txt").read_text(encoding="utf-8")
    assert (inbox / ".hidden.txt").exists() and (inbox / "~$lock.docx").exists()  # never touched
    # a second file of the same name does not overwrite the first failure
    (inbox / "empty.txt").write_bytes(b"")
    watcher.scan_once()
    time.sleep(0.5)
    watcher.scan_once()
    assert (inbox / "failed" / "empty-1.txt").exists() and (inbox / "failed" / "empty-1.txt.reason.txt").exists()


def test_keep_leaves_files_and_takes_them_once(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp(), watch_settle_s=0.2, watch_keep=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / f"{STREET}.txt").write_text(STREET_TEXT, encoding="utf-8")
    watcher = Watcher(settings.job_options(), inbox)
    taken = _scan_until(watcher, 5)
    assert [(t.outcome, t.moved_to) for t in taken] == [("added", None)] and (inbox / f"{STREET}.txt").exists()
    time.sleep(0.3)
    assert watcher.scan_once() == [] and watcher.scan_once() == []


def test_cli_watch_once(runner, settings: Settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from xuncha.cli import main

    inbox = tmp_path / "cli-inbox"
    inbox.mkdir()
    (inbox / f"{STREET}.txt").write_text(STREET_TEXT, encoding="utf-8")
    result = runner.invoke(main, ["--home", str(settings.home), "watch", str(inbox), "--once"],
                           env={"XUNCHA_WATCH_SETTLE_S": "0.3"})
    assert result.exit_code == 0, result.output
    assert f"added: {inbox / (STREET + '.txt')} → {inbox / 'done' / (STREET + '.txt')}" in result.output


def test_cli_watch_needs_a_folder(runner) -> None:  # type: ignore[no-untyped-def]
    from xuncha.cli import main

    result = runner.invoke(main, ["watch"])
    assert result.exit_code == 1 and "hint: pass FOLDER or set watch_dir" in result.output


def test_pending_lists_the_waiting_files_only(settings: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for name in ("b.txt", "a.txt", ".hidden.txt", "~$draft.docx", "done/old.txt", "failed/bad.txt", "sub/c.txt",
                 ".git/x.txt"):
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_text("x", encoding="utf-8")
    watcher = Watcher(settings.job_options(), inbox)
    assert [p.relative_to(inbox).as_posix() for p in watcher.pending()] == ["a.txt", "b.txt", "sub/c.txt"]
