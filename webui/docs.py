"""Document pages `/doc/<id>` (notice, regulation, other) and the stored original `/doc/<id>/original`."""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePath, PureWindowsPath
from typing import Any

from flask import Blueprint, current_app, g, render_template, request, send_file, url_for

from archive.kinds import DocType
from archive.records import DocumentRecord
from indexer.backend import NoIndex

from .context import get_archive, load_document, not_found, search_service, settings
from .check import report_for
from .docmodel import chapters, cited_by, notice_outline, regulation_versions, status_counts
from .params import clean_text

bp = Blueprint("docs", __name__)
_HEX = re.compile(r"[0-9a-f]{64}")
_SUFFIX = re.compile(r"(?:\.[a-z0-9]{1,10})?")


def highlight_words(q: str) -> tuple[str, ...]:
    """The words the search would highlight for q (nothing when q is empty, too long or there is no index)."""
    q = clean_text(q)
    if not q or len(q) > settings().max_query_chars:
        return ()
    try:
        return tuple(search_service().build(q, {}).highlight)
    except (ValueError, NoIndex):
        return ()


def original_name(doc: DocumentRecord) -> str:
    """The file name the original was ingested under (either path style)."""
    src = doc.source_path or ""
    name = PureWindowsPath(src).name if "\\" in src else PurePath(src).name
    return name or f"{doc.id}{doc.suffix}"


@bp.get("/doc/<doc_id>")
def document(doc_id: str) -> Any:
    """One document: a notice's tree, a regulation's articles, or another file's text."""
    archive = get_archive()
    record = load_document(doc_id)
    doc = archive.detail(record).to_json()
    q = clean_text(request.args.get("q", "") or "")[: settings().max_query_chars]
    g.hl_words = highlight_words(q)
    ctx: dict[str, Any] = {"doc": doc, "q": q, "hl_words": g.hl_words, "file_name": original_name(record),
                           "full_text": record.text or "", "max_q": settings().max_query_chars}
    if record.doc_type == DocType.NOTICE:
        lead, outline = notice_outline(doc, report_for(record, suggest=0), record.text)
        check_url = url_for("check.page", doc_id=record.id) if "check.page" in current_app.view_functions else None
        return render_template("notice.html", outline=outline, lead=lead, check_url=check_url,
                               statuses=status_counts(doc), **ctx)
    if record.doc_type == DocType.REGULATION:
        status, versions = regulation_versions(archive, record)
        return render_template("regulation.html", status=status, versions=versions,
                               chapters=chapters(doc["articles"]), cited=cited_by(archive, record), **ctx)
    return render_template("other.html", **ctx)


@bp.get("/doc/<doc_id>/original")
def original(doc_id: str) -> Any:
    """The stored original file, under the name it was ingested with."""
    doc = load_document(doc_id)
    sha, suffix = doc.sha256 or "", (doc.suffix or "").lower()
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
    return send_file(path, mimetype=mime, as_attachment=True, download_name=original_name(doc), max_age=3600)
