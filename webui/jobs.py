"""Upload and jobs: /upload, /jobs/<id> (progress that survives a reload), /ops (re-index, jobs, audit),
and the same writes under /api/ for scripts with a bearer token."""

from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from archive import accounts, jobs
from archive.extract import supported
from archive.jobs import Job, NewFile

from .context import get_archive, not_found, settings
from .auth import audit, current_name, operator_required, too_large
from .worker import upload_root

bp = Blueprint("jobs", __name__)
ACCEPT = (".pdf", ".docx", ".xlsx", ".html", ".htm", ".txt", ".md")
OUTCOME_LABELS = {"pending": "等待处理", "added": "新增", "updated": "已更新", "unchanged": "未变化",
                  "failed": "失败", "skipped": "已跳过", "cancelled": "已取消"}
STATE_LABELS = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败", "cancelled": "已取消"}
KIND_LABELS = {"ingest": "上传收录", "reindex": "重建索引"}
MAX_FILES = 2000
ACTION_LABELS = {"sign in": "登录", "upload": "上传", "reindex": "重建索引", "cancel": "取消任务",
                 "job done": "任务完成", "job failed": "任务失败", "job cancelled": "任务已取消",
                 "watch ingest": "监视文件夹收录"}


def clean_name(raw: str, ord_: int) -> str:
    """A relative path as uploaded (folder uploads send dir/sub/file.pdf) made safe: no .., no control chars."""
    parts = []
    for part in re.split(r"[\\/]+", raw or ""):
        part = "".join(ch for ch in unicodedata.normalize("NFC", part) if unicodedata.category(ch)[0] != "C").strip()
        if part and part not in (".", "..") and not part.startswith("."):
            parts.append(part[:120])
    return "/".join(parts[-6:]) or f"upload-{ord_ + 1}"


def _wake() -> None:
    worker = current_app.extensions.get("xuncha.worker")
    if worker is not None:
        worker.wake()


def _stage(uploads: list[FileStorage]) -> list[NewFile]:
    """Write each upload to uploads/incoming/<batch>/, refusing unsupported and too large files one by one."""
    cfg = settings()
    limit = cfg.max_file_mb * 1024 * 1024
    folder = upload_root(cfg.job_options()) / "incoming" / uuid.uuid4().hex
    out: list[NewFile] = []
    for i, up in enumerate(uploads):
        name = clean_name(up.filename or "", i)
        suffix = PurePosixPath(name).suffix.lower()
        if not supported(PurePosixPath(name)) or suffix not in ACCEPT:  # type: ignore[arg-type]
            out.append(NewFile(name, None, 0, "skipped", f"不支持的文件类型 {suffix or '（无后缀）'}；"
                                                         f"可上传 {'、'.join(ACCEPT)}"))
            continue
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{i:05d}{suffix}"
        size = 0
        with open(target, "wb") as fh:
            while chunk := up.stream.read(1 << 16):
                size += len(chunk)
                if size > limit:
                    break
                fh.write(chunk)
        if size > limit:
            target.unlink()
            out.append(NewFile(name, None, size, "failed",
                               f"文件过大：超过单个文件上限 {cfg.max_file_mb} MB（设置 max_file_mb）"))
            continue
        out.append(NewFile(name, str(target), size))
    return out


def _uploads() -> list[FileStorage]:
    try:
        files = [f for f in request.files.getlist("files") if f.filename]
    except RequestEntityTooLarge as exc:
        raise too_large() from exc
    if not files:
        raise BadRequest(description="files: choose at least one file or folder to upload")
    if len(files) > MAX_FILES:
        raise BadRequest(description=f"files: at most {MAX_FILES} files in one batch (got {len(files)})")
    return files


def new_ingest_job() -> Job:
    staged = _stage(_uploads())
    job = jobs.create_ingest(get_archive(), current_name(), staged)
    audit("upload", f"任务 #{job.id}：{len(staged)} 个文件", [f.name for f in staged])
    _wake()
    return job


def new_reindex_job() -> Job:
    full = request.values.get("mode") == "full"
    job = jobs.create_reindex(get_archive(), current_name(), full)
    audit("reindex", f"任务 #{job.id}：{'全部重建' if full else '增量更新'}")
    _wake()
    return job


def size_label(n: int) -> str:
    """2.0 KB, 3.9 MB; — for a file refused before it was read."""
    if not n:
        return "—"
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def progress_label(job: Job) -> str:
    if job.state == "queued" and not job.total:
        return "等待开始"
    return f"已处理 {job.done} / {job.total} {'个文件' if job.kind == 'ingest' else '份文件'}"


def job_json(job: Job) -> dict[str, Any]:
    archive = get_archive()
    files = jobs.files(archive, job.id)
    return {"id": job.id, "kind": job.kind, "state": job.state, "state_label": STATE_LABELS[job.state],
            "full": job.full, "created_by": job.created_by, "created_at": job.created_at,
            "started_at": job.started_at, "finished_at": job.finished_at, "done": job.done, "total": job.total,
            "message": job.message, "finished": job.finished, "ahead": 0 if job.finished else jobs.position(archive, job.id),
            "cancel_requested": job.cancel_requested,
            "counts": {k: sum(1 for f in files if f.outcome == k) for k in OUTCOME_LABELS},
            "progress_label": progress_label(job),
            "files": [{"name": f.name, "size": f.size, "size_label": size_label(f.size), "outcome": f.outcome, "label": OUTCOME_LABELS.get(f.outcome, f.outcome),
                       "reason": f.reason, "doc_id": f.doc_id,
                       "doc_url": url_for("docs.document", doc_id=f.doc_id) if f.doc_id else None} for f in files]}


def _job_or_404(job_id: int) -> Job:
    job = jobs.get(get_archive(), job_id)
    if job is None:
        raise not_found(f"job_id: no job {job_id}", "没有这个任务。")
    return job


@bp.get("/upload")
@operator_required
def upload_form() -> Any:
    cfg = settings()
    return render_template("upload.html", accept=",".join(ACCEPT), max_file_mb=cfg.max_file_mb,
                           upload_max_mb=cfg.upload_max_mb, recent=jobs.recent(get_archive(), 5),
                           STATE_LABELS=STATE_LABELS, JOB_KINDS=KIND_LABELS)


@bp.post("/upload")
@operator_required
def upload() -> Any:
    return redirect(url_for("jobs.job_page", job_id=new_ingest_job().id), code=303)


@bp.get("/jobs/<int:job_id>")
def job_page(job_id: int) -> Any:
    job = _job_or_404(job_id)
    return render_template("job.html", job=job, data=job_json(job), JOB_KINDS=KIND_LABELS,
                           OUTCOME_LABELS=OUTCOME_LABELS)


@bp.post("/jobs/<int:job_id>/cancel")
@operator_required
def cancel(job_id: int) -> Any:
    _job_or_404(job_id)
    jobs.request_cancel(get_archive(), job_id)
    audit("cancel", f"任务 #{job_id}")
    return redirect(url_for("jobs.job_page", job_id=job_id), code=303)


@bp.get("/ops")
@operator_required
def ops() -> Any:
    archive = get_archive()
    return render_template("ops.html", recent=jobs.recent(archive, 30), entries=accounts.audit_log(archive, 200),
                           users=accounts.list_users(archive), tokens=accounts.list_tokens(archive),
                           STATE_LABELS=STATE_LABELS, JOB_KINDS=KIND_LABELS, ACTION_LABELS=ACTION_LABELS)


@bp.post("/ops/reindex")
@operator_required
def reindex() -> Any:
    return redirect(url_for("jobs.job_page", job_id=new_reindex_job().id), code=303)


@bp.get("/api/jobs/<int:job_id>")
def api_job(job_id: int) -> Any:
    return jsonify(job_json(_job_or_404(job_id)))


@bp.post("/api/upload")
@operator_required
def api_upload() -> Any:
    job = new_ingest_job()
    return jsonify(job_json(job)), 202


@bp.post("/api/reindex")
@operator_required
def api_reindex() -> Any:
    return jsonify(job_json(new_reindex_job())), 202


@bp.post("/api/jobs/<int:job_id>/cancel")
@operator_required
def api_cancel(job_id: int) -> Any:
    _job_or_404(job_id)
    jobs.request_cancel(get_archive(), job_id)
    audit("cancel", f"任务 #{job_id}")
    return jsonify(job_json(_job_or_404(job_id)))
