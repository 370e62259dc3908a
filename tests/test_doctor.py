"""`xuncha doctor`: reports disagreement between records, originals and index; --fix repairs it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from archive import doctor, ids
from archive.database import Archive
from archive.pipeline import ingest
from indexer.backends.whoosh.build import full_rebuild
from indexer.backends.whoosh.health import check_index
from tests import fixtures_build as fb
from xuncha.cli import main
from xuncha.settings import Settings


def _archive(tmp_path: Path, archive: Archive, settings: Settings) -> list[Path]:
    files = [fb.write(tmp_path / "in" / fb.NOTICE_NAME, fb.NOTICE_TEXT),
             fb.write(tmp_path / "in" / fb.REGULATION_NAME, fb.REGULATION_TEXT),
             fb.write(tmp_path / "in" / "简报.txt", "示例档案室工作简报，本期介绍库房整理情况。")]
    assert not ingest(archive, settings.ingest_options(), [str(tmp_path / "in")]).failures
    full_rebuild(archive, settings.index_options())
    return files


def test_a_healthy_archive_agrees(tmp_path: Path, archive: Archive, settings: Settings,
                                  runner: CliRunner) -> None:
    _archive(tmp_path, archive, settings)
    assert doctor.check(archive, settings.originals_dir) == []
    assert check_index(settings.index_root, archive.hashes()).ok
    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 0 and "records, originals and index agree" in result.output


def test_disagreement_is_reported_then_repaired(tmp_path: Path, archive: Archive, settings: Settings,
                                                runner: CliRunner) -> None:
    files = _archive(tmp_path, archive, settings)
    import hashlib

    sha = hashlib.sha256(files[0].read_bytes()).hexdigest()
    originals = [settings.originals_dir / sha[:2] / f"{sha}.txt"]
    originals[0].unlink()  # a lost original whose source is still there: restorable
    (settings.originals_dir / "ab").mkdir(exist_ok=True)
    orphan = settings.originals_dir / "ab" / ("ab" + "0" * 62 + ".txt")
    orphan.write_bytes(b"nobody's")
    temp = settings.originals_dir / "ab" / ".tmp-killed"
    temp.write_bytes(b"half")
    unfinished = settings.index_root / "gen-20990101-000000-1-abcdef"
    unfinished.mkdir()
    gone = ids.document_id(str(files[2].resolve()))
    with archive.transaction() as conn:  # a document removed from the records but still in the index
        conn.execute("DELETE FROM documents WHERE id = ?", (gone,))
    kinds = {p.kind for p in doctor.check(archive, settings.originals_dir)}
    assert kinds == {doctor.Finding.MISSING_ORIGINAL, doctor.Finding.ORPHAN_ORIGINAL, doctor.Finding.TEMP_FILE}
    health = check_index(settings.index_root, archive.hashes())
    assert health.extra == (gone,) and health.unfinished == (unfinished.name,)

    result = runner.invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "missing-original" in result.output and f"index: indexed but no longer stored: {gone}" in result.output
    assert "hint: run `xuncha doctor --fix`" in result.output

    result = runner.invoke(main, ["doctor", "--fix"])
    assert result.exit_code == 0, result.output
    assert "restored from" in result.output and "removed unfinished generation" in result.output
    assert originals[0].is_file() and not orphan.exists() and not temp.exists() and not unfinished.exists()
    again = runner.invoke(main, ["doctor"])
    assert again.exit_code == 0 and "agree" in again.output, again.output


def test_an_original_that_cannot_be_restored_is_named(tmp_path: Path, archive: Archive,
                                                      settings: Settings, runner: CliRunner) -> None:
    files = _archive(tmp_path, archive, settings)
    files[0].unlink()
    for p in settings.originals_dir.rglob("*.txt"):
        p.unlink()
    result = runner.invoke(main, ["doctor", "--fix"])
    assert result.exit_code == 1
    assert "not repaired:" in result.output and "ingest it again" in result.output
    assert "hint: ingest the named files again" in result.output
