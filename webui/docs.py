"""Document pages `/doc/<id>` (notice, regulation, other) and the stored original `/doc/<id>/original`."""

from __future__ import annotations

import mimetypes
import re
import sqlite3
from pathlib import PurePath, PureWindowsPath
from typing import Any

from flask import Blueprint, current_app, g, render_template, request, send_file, url_for

from archive import records
from indexer.build import NoIndex

from . import get_db, not_found, search_service, settings
from .docmodel import chapters, cited_by, notice_outline, regulation_versions
from .params import clean_text

bp = Blueprint("docs", __name__)
_HEX = re.compile(r"[0-9a-f]{64}")
_SUFFIX = re.compile(r"(?:\.[a-z0-9]{1,10})?")


def load_row(conn: sqlite3.Connection, doc_id: str) -> sqlite3.Row:
    """The document's row, or a 404 in both languages."""
    row = records.find_document(conn, doc_id) if doc_id and "\x00" not in doc_id else None
    if row is None:
        raise not_found(f"doc_id: no document {doc_id[:80]!r} in the archive",
                        "档案中没有这份文件，链接可能有误，或文件已被移出档案。")
    return row


def highlight_words(q: str) -> tuple[str, ...]:
    """The words the search would highlight for q (nothing when q is empty, too long or there is no index)."""
    q = clean_text(q)
    if not q or len(q) > settings().max_query_chars:
        return ()
    try:
        return tuple(search_service().build(q, {}).highlight)
    except (ValueError, NoIndex):
        return ()


def original_name(row: sqlite3.Row) -> str:
    """The file name the original was ingested under (either path style)."""
    src = row["source_path"] or ""
    name = PureWindowsPath(src).name if "\\" in src else PurePath(src).name
    return name or f"{row['id']}{row['suffix']}"


@bp.get("/doc/<doc_id>")
def document(doc_id: str) -> Any:
    """One document: a notice's tree, a regulation's articles, or another file's text."""
    conn = get_db()
    row = load_row(conn, doc_id)
    doc = records.document_json(conn, row)
    q = clean_text(request.args.get("q", "") or "")[: settings().max_query_chars]
    g.hl_words = highlight_words(q)
    ctx: dict[str, Any] = {"doc": doc, "q": q, "hl_words": g.hl_words, "file_name": original_name(row),
                           "full_text": row["text"] or "", "max_q": settings().max_query_chars}
    if doc["doc_type"] == "notice":
        lead, outline = notice_outline(conn, doc, row["text"])
        check_url = url_for("check.page", doc_id=doc["id"]) if "check.page" in current_app.view_functions else None
        return render_template("notice.html", outline=outline, lead=lead, check_url=check_url, **ctx)
    if doc["doc_type"] == "regulation":
        status, versions = regulation_versions(conn, row)
        return render_template("regulation.html", status=status, versions=versions,
                               chapters=chapters(doc["articles"]), cited=cited_by(conn, row), **ctx)
    return render_template("other.html", **ctx)


@bp.get("/doc/<doc_id>/original")
def original(doc_id: str) -> Any:
    """The stored original file, under the name it was ingested with."""
    row = load_row(get_db(), doc_id)
    sha, suffix = row["sha256"] or "", (row["suffix"] or "").lower()
    # by id only: the path is built from the stored hash, never from the request; absolute, because
    # send_file reads a relative path against the package folder, not the working directory (a relative --home)
    if not _HEX.fullmatch(sha) or not _SUFFIX.fullmatch(suffix):
        raise not_found(f"doc_id: the original file of {doc_id!r} is not stored",
                        "这份文件的原始文件不在档案中（可能已被清理），请查看上面的文本内容。")
    path = (settings().originals_dir / sha[:2] / f"{sha}{suffix}").absolute()
    if not path.is_file():
        raise not_found(f"doc_id: the original file of {doc_id!r} is not stored",
                        "这份文件的原始文件不在档案中（可能已被清理），请查看上面的文本内容。")
    mime = mimetypes.guess_type(f"x{suffix}")[0] or "application/octet-stream"
    if mime.startswith("text/") or "html" in mime or "xml" in mime or "javascript" in mime:
        # the bytes as stored, never rendered by the browser: the encoding (UTF-8, GB18030 …) is not ours to
        # claim, and a saved page's scripts must not run on this site
        mime = "application/octet-stream"
    return send_file(path, mimetype=mime, as_attachment=True, download_name=original_name(row), max_age=3600)
