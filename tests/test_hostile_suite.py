"""The generated hostile suite: a few hundred hostile files (built here, not committed) through one ingest,
each checked on its own: stored (and not garbled), or exactly one one-line failure naming it."""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import sqlite3
import time
from pathlib import Path

import pytest

from archive import store
from archive.database import Archive
from archive.pipeline import IngestReport, ingest
from tests import fixtures_build as fb
from tests.test_hostile import _one_failure, _outcomes
from xuncha.settings import Settings


SUFFIXES = [".txt", ".text", ".md", ".markdown", ".html", ".htm", ".shtml", ".pdf", ".docx"]
CN = "示例区巡察整改情况通报：针对公务用车管理不规范问题，修订制度三项，清退资金一万二千元。"
STORED, FAILED, SKIPPED = "added", "failed", "skipped"
STORED_OR_TIMED_OUT = "added-or-timed-out"  # linear work, but the 3 s test limit is tight on a busy machine


_CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                  '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
                  'document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
PACKAGE = {"[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _RELS}  # what every Word package carries


def _nested_docx(depth: int) -> bytes:
    import io
    import zipfile

    body = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + "<w:p>" * depth + "<w:r><w:t>示例</w:t></w:r>" + "</w:p>" * depth + "</w:body></w:document>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, part in PACKAGE.items():
            zf.writestr(name, part)
        zf.writestr("word/document.xml", body)
    return buf.getvalue()


def _huge_pages_pdf() -> bytes:
    objects = fb.page_objects()
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>"
    return fb.pdf_from_objects(objects)


def _type3_pdf() -> bytes:
    objects = fb.page_objects()
    objects[4] = (b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1 1] /FontMatrix [1 0 0 1 0 0] "
                  b"/CharProcs << >> /Encoding << /Differences [65 /A] >> /FirstChar 65 /LastChar 65 /Widths [1] >>")
    return fb.pdf_from_objects(objects)


def _no_tounicode_pdf() -> bytes:
    objects = fb.page_objects()
    objects[3] = fb.stream(b"BT /F1 12 Tf 72 720 Td <0001000200030004> Tj ET")
    objects[4] = b"<< /Type /Font /Subtype /Type0 /BaseFont /Fake /Encoding /Identity-H /DescendantFonts [] >>"
    return fb.pdf_from_objects(objects)


@functools.cache
def hostile_files() -> dict[str, tuple[bytes, str, str]]:
    """name → (bytes, expected outcome, pattern its reason or its stored text must match)."""
    files: dict[str, tuple[bytes, str, str]] = {}
    for i, sfx in enumerate(SUFFIXES):
        stem = sfx.lstrip(".")
        files[f"empty-{stem}{sfx}"] = (b"", FAILED, r"^empty file$")
        files[f"spaces-{stem}{sfx}"] = (b"   \n\t\n", FAILED, r"^empty file$")
        files[f"nul-{stem}{sfx}"] = (b"\x00" * 512, FAILED, r"^empty file$|binary|not a|damaged|not HTML")
        files[f"one-byte-{stem}{sfx}"] = (bytes([0x80 + i * 13]), FAILED, r".")
        for seed in range(5):
            files[f"junk{seed}-{stem}{sfx}"] = (fb.junk(3000 + 997 * seed, seed=seed + 11), FAILED,
                                                r"binary|not a|damaged|encoding|not HTML|UTF-16")
        files[f"pdf-inside-{stem}{sfx}"] = (fb.simple_pdf(), STORED if sfx == ".pdf" else FAILED,
                                            r"quick brown fox" if sfx == ".pdf" else r"PDF|not a \.docx|zip")
        files[f"png-inside-{stem}{sfx}"] = (b"\x89PNG\r\n\x1a\n" + fb.junk(800), FAILED, r"PNG|binary|not a")
        files[f"zip-inside-{stem}{sfx}"] = (fb.zip_bomb_docx(1)[:600], FAILED, r"zip|not a|damaged|binary")
    text_suffixes = [".txt", ".text", ".md", ".markdown", ".html", ".htm", ".shtml"]
    encodings = {"gbk": CN.encode("gbk"), "gb18030": (CN + "𠀀㐀").encode("gb18030"), "big5":
                 "示例區巡察整改情況通報：針對公務用車管理不規範問題，修訂制度三項。".encode("big5"),
                 "utf16le-bom": CN.encode("utf-16"), "utf16be-bom": b"\xfe\xff" + CN.encode("utf-16-be"),
                 "utf16bom-utf8": b"\xff\xfe" + CN.encode("utf-8"), "utf8-bom": b"\xef\xbb\xbf" + CN.encode(),
                 "mixed": CN.encode() + b"\n" + CN.encode("gb18030"), "nul-in-text": CN.encode() + b"\x00" + b"x"}
    for sfx in text_suffixes:
        for enc, data in encodings.items():
            if enc == "nul-in-text":
                files[f"enc-{enc}{sfx}"] = (data, FAILED, r"binary")
            elif "htm" in sfx:
                files[f"enc-{enc}{sfx}"] = (b"<html><body><p>" + data.split(b"\n")[0] + b"</p></body></html>"
                                            if enc.startswith("utf16") is False else data, STORED, r"巡察整改|巡察")
            else:
                files[f"enc-{enc}{sfx}"] = (data, STORED, r"巡察整改情[况況]")
    pdf = fb.simple_pdf()
    for cut in (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        files[f"truncated-{cut}.pdf"] = (pdf[:int(len(pdf) * cut)], FAILED, r"truncated|damaged|not a PDF")
    # cut inside the trailer only: pdfminer still reads the whole text layer, which is then stored
    files["truncated-0.97.pdf"] = (pdf[:int(len(pdf) * 0.97)], STORED, r"quick brown fox")
    import io
    import zipfile

    def _zip(entries: dict[str, str]) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for n, body in entries.items():
                zf.writestr(n, body)
        return buf.getvalue()

    w = '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{}</w:body></w:document>'
    files.update({
        "no-body.docx": (_zip({"[Content_Types].xml": "<Types/>"}), FAILED, r"word/document\.xml is missing"),
        "empty-body.docx": (_zip({**PACKAGE, "word/document.xml": w.format("")}), FAILED, r"has no text"),
        "bad-xml.docx": (_zip({**PACKAGE, "word/document.xml": w.format("<w:p><w:t>未闭合")}), FAILED, r"damaged \.docx"),
        "good.docx": (_zip({**PACKAGE, "word/document.xml": w.format(f"<w:p><w:r><w:t>{CN}</w:t></w:r></w:p>")}), STORED,
                      r"巡察整改"),
        "bom-only.txt": (b"\xef\xbb\xbf", FAILED, r"empty file"), "crlf-only.md": (b"\r\n" * 50, FAILED, r"empty file"),
        "controls.txt": (bytes(range(1, 32)) * 20, FAILED, r"binary"), "rtf.txt": (b"{\\rtf1\\ansi " + CN.encode(), FAILED,
                                                                               r"an RTF file"),
        "elf.md": (b"\x7fELF" + fb.junk(500), FAILED, r"a program|binary"),
        "latin1.txt": ("Café résumé naïve façade déjà vu, quelques mots en français.".encode("cp1252"), STORED,
                       r"Café résumé"),
    })
    files.update({
        "locked-user.pdf": (fb.encrypted_pdf(b"secret"), FAILED, r"^encrypted PDF \(password required\)$"),
        "locked-owner-only.pdf": (fb.encrypted_pdf(b""), STORED, r"quick brown fox"),
        "pages-loop.pdf": (fb.reference_loop_pdf(), FAILED, r"timed out after 3 s"),
        "deep-pages.pdf": (fb.deep_pages_pdf(), FAILED, r"nesting too deep|timed out"),
        "huge-page-count.pdf": (_huge_pages_pdf(), STORED, r"quick brown fox"),
        "type3-font.pdf": (_type3_pdf(), STORED, r"Ar"),  # glyphs without CharProcs: the codes still read
        "no-tounicode.pdf": (_no_tounicode_pdf(), FAILED, r"needs OCR|damaged"),
        "bomb.docx": (fb.zip_bomb_docx(80), FAILED, r"inflates to 80 MB: refused"),
        "lying-bomb.docx": (fb.zip_bomb_docx(80, declared_size=1000), FAILED, r"zip bomb|not a readable"),
        "bomb.xlsx": (fb.zip_bomb_docx(80), FAILED, r"inflates|zip bomb|not a \.xlsx"),
        "laughs.docx": (fb.billion_laughs_docx(), FAILED, r"damaged \.docx"),
        "nested-20000.docx": (_nested_docx(20000), FAILED, r"timed out after 3 s|Excessive depth"),  # lxml's cap
        "nested-100000.html": (b"<div>" * 100_000 + "巡察整改情况的说明文字".encode() + b"</div>" * 100_000,
                               STORED_OR_TIMED_OUT,
                               r"巡察整改"),
        "page-50mb.html": (b"<html><body>" + ("<p>" + CN + "</p>\n").encode() * 360_000 + b"</body></html>",
                           FAILED, r"timed out after 3 s"),
        "long-2mb.txt": ((CN + "\n").encode() * 30_000, STORED, r"巡察整改"),
    })
    return files


ODD = {"带 空格.txt": STORED, "it's \"quoted\".txt": STORED, "..txt": STORED, "...dots...txt": STORED,
       "new\nline.txt": STORED, "back\\slash.txt": STORED, "$(echo pwned).txt": STORED, "*?[].txt": STORED}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, IngestReport, sqlite3.Connection, float]:
    """Write the suite, then ingest it once with short limits (3 s, 256 MB, 1 MB files, 1 M characters)."""
    from xuncha.settings import load_settings

    tmp = tmp_path_factory.mktemp("hostile")
    folder = tmp / "in"
    for name, (data, _, _) in hostile_files().items():
        fb.write(folder / name, data)
    for i, name in enumerate(ODD):
        fb.write(folder / "odd" / name, f"{CN}第{i}号。")
    with open(os.path.join(os.fsencode(folder / "odd"), b"\xff\xfebad-\xe9.txt"), "wb") as fh:
        fh.write(CN.encode())
    outside = fb.write(tmp / "outside.txt", CN)
    (folder / "link-out.txt").symlink_to(outside)
    (folder / "link-passwd.txt").symlink_to("/etc/passwd")
    (folder / "link-dotdot.txt").symlink_to("../outside.txt")
    (folder / "link-inside.txt").symlink_to(folder / "enc-gbk.txt")  # read before, as itself
    os.mkfifo(folder / "fifo.txt")
    with open(folder / "oversize.txt", "wb") as fh:
        fh.truncate(70 * 2**20)  # sparse: over the 60 MB limit, and never read
    settings = load_settings(environ={}, home=tmp / "home", extract_timeout_s=3, extract_memory_mb=512,
                             max_file_mb=60, max_text_chars=1_000_000)
    conn = store.connect(settings.db_path)
    started = time.monotonic()
    report = ingest(Archive(conn), dataclasses.replace(settings.ingest_options(), max_file_mb=60), [str(folder)])
    return folder, report, conn, time.monotonic() - started


def _text_of(conn: sqlite3.Connection, path: Path) -> str:
    return conn.execute("SELECT text FROM documents WHERE source_path = ?", (str(path),)).fetchone()["text"]


@pytest.mark.parametrize("name", sorted(hostile_files()))
def test_hostile_file(hostile_run: tuple[Path, IngestReport, sqlite3.Connection, float], name: str) -> None:
    folder, report, conn, _ = hostile_run
    _, expected, pattern = hostile_files()[name]
    got = _outcomes(report, folder / name)
    if expected == STORED_OR_TIMED_OUT:
        expected = STORED if got[0][0] == STORED else FAILED
        pattern = pattern if expected == STORED else r"^HTML extraction timed out after 3 s"
    assert len(got) == 1 and got[0][0] == expected, got
    if expected == STORED:
        text = _text_of(conn, folder / name)
        assert re.search(pattern, text), text[:200]
        assert "\ufffd" not in text and "锟" not in text  # never silently garbled
    else:
        assert got[0][1] and "\n" not in got[0][1] and re.search(pattern, got[0][1]), got


def test_hostile_suite_is_big_and_the_batch_completes(
        hostile_run: tuple[Path, IngestReport, sqlite3.Connection, float]) -> None:
    folder, report, conn, seconds = hostile_run
    assert len(hostile_files()) >= 200
    assert len(report.outcomes) == len(hostile_files()) + len(ODD) + 1 + 4 + 2
    assert {o.outcome for o in report.outcomes} == {STORED, FAILED, SKIPPED, "unchanged"}
    assert seconds < 120  # three files are cut off at 3 s each; the rest are quick
    # nothing half written: every stored record has its original, every failure is logged once
    from archive import doctor

    assert doctor.check(Archive(conn), Path(str(folder.parent / "home" / "originals"))) == []


def test_decoding_warnings_are_on_the_document(hostile_run: tuple[Path, IngestReport, sqlite3.Connection, float]) -> None:
    folder, report, conn, _ = hostile_run
    warned = {Path(r["source_path"]).name: r["message"] for r in conn.execute(
        "SELECT d.source_path, w.message FROM warnings w JOIN documents d ON d.id = w.doc_id")}
    assert warned["enc-big5.txt"] == "decoded as big5"
    assert warned["enc-gbk.txt"] == "decoded as gb18030"
    assert warned["enc-utf16bom-utf8.txt"] == "decoded as utf-8 after a UTF-16 byte-order mark"
    assert warned["enc-mixed.txt"].startswith("decoded as mixed encodings (1 lines UTF-8, 1 lines GB18030)")
    assert "𠀀" in _text_of(conn, folder / "enc-gb18030.txt")  # GB18030's four-byte characters survive


def test_links_fifos_and_big_files(hostile_run: tuple[Path, IngestReport, sqlite3.Connection, float]) -> None:
    folder, report, conn, _ = hostile_run
    for name in ("link-out.txt", "link-passwd.txt", "link-dotdot.txt"):
        _one_failure(report, folder / name, r"^a symbolic link out of the ingested folder \(to /.*\): not followed$")
    assert _outcomes(report, folder / "link-inside.txt") == [("unchanged", None)]  # the same file, stored once
    assert _outcomes(report, folder / "fifo.txt") == [("skipped", "not a regular file (a named pipe)")]
    _one_failure(report, folder / "oversize.txt", r"^file too large \(70 MB; the limit is 60 MB, setting max_file_mb\)$")
    assert conn.execute("SELECT count(*) FROM documents WHERE text LIKE '%root:%'").fetchone()[0] == 0
    for name in ODD:
        assert _outcomes(report, folder / "odd" / name) == [("added", None)], name
    assert [o.outcome for o in report.outcomes if "/odd/" in o.source_path and "bad-" in o.source_path] == ["added"]


def test_oversize_and_truncated_text(tmp_path: Path, conn: sqlite3.Connection, settings: Settings) -> None:
    small = dataclasses.replace(settings, max_file_mb=1, max_text_chars=5000)
    big = fb.write(tmp_path / "in" / "big.txt", b"x" * (2 * 2**20))
    long = fb.write(tmp_path / "in" / "long.txt", (CN * 200).encode())
    report = ingest(Archive(conn), small.ingest_options(), [str(tmp_path / "in")])
    _one_failure(report, big, r"^file too large \(2 MB; the limit is 1 MB, setting max_file_mb\)$")
    row = conn.execute("SELECT id, length(text) AS n FROM documents").fetchone()
    assert row["n"] <= 5000
    warnings = [r[0] for r in conn.execute("SELECT message FROM warnings WHERE doc_id = ?", (row["id"],))]
    assert any(w.startswith("text truncated to the first 5,000 of") for w in warnings), warnings
    assert long.name in {Path(o.source_path).name for o in report.outcomes if o.outcome == "added"}


def test_cli_ingest_of_hostile_files_prints_one_line_each(tmp_path: Path, runner: "object") -> None:
    from xuncha.cli import main

    folder = tmp_path / "cli"
    for name in ("empty.txt", "junk.pdf", "pdf-inside.html", "nested.docx"):
        data = {"empty.txt": b"", "junk.pdf": fb.junk(900), "pdf-inside.html": fb.simple_pdf(),
                "nested.docx": _nested_docx(20000)}[name]
        fb.write(folder / name, data)
    fb.write(folder / "ok.txt", CN)
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    result = runner.invoke(main, ["ingest", "--no-index", str(folder)], env={"XUNCHA_EXTRACT_TIMEOUT_S": "3"})  # type: ignore[attr-defined]
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    failed = [ln for ln in result.output.splitlines() if ln.startswith("failed: ")]
    assert len(failed) == 5
    for name in ("empty.txt", "junk.pdf", "pdf-inside.html", "nested.docx", "passwd.txt"):
        assert sum(str(folder / name) + ":" in ln for ln in failed) == 1, (name, failed)
    assert "6 files: 1 added" in result.output
