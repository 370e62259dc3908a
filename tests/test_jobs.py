"""Upload batches and re-index runs as jobs (archive/jobs.py, webui/jobs.py, webui/worker.py): per-file results,
the size limits, a queue in order, cancelling, and a restart that resumes a job without reading a file twice."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from archive import jobs
from archive.database import Archive
from archive.jobs import JobState, NewFile
from tests.ops_helpers import bearer, fresh_archive, make_app, sign_in
from webui.jobs import clean_name
from webui.worker import Worker, library_path
from xuncha.settings import Settings

STREET = "示例街道党工委关于巡察整改情况的通报"
STREET_TEXT = (
    "2023年3月1日至4月10日，区委第二巡察组对示例街道党工委开展了常规巡察，并于2023年5月8日反馈了意见。"
    "现将整改情况公布如下。\n"
    "一、整改工作的组织\n街道党工委召开专题会议部署整改，列出问题清单、任务清单和责任清单。\n"
    "二、反馈问题的整改落实情况\n"
    "（一）关于落实主体责任不到位方面问题的整改落实情况\n"
    "1.针对社区议事协商流于形式的问题。一是修订社区议事规则，明确每季度召开一次居民议事会。"
    "二是对6个社区的议事记录逐一核查，补齐缺失的会议纪要。\n"
    "2.针对防汛物资台账管理混乱的问题。一是重新盘点防汛仓库，建立物资出入库登记簿。"
    "二是对照《示例市党政机关公务用车管理办法》第十四条，清理借用的车辆3台。\n"
)


@pytest.fixture
def settings(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return fresh_archive(tmp_path, tmp_path_factory.getbasetemp())


@pytest.fixture
def client(settings: Settings):  # type: ignore[no-untyped-def]
    client = make_app(settings).test_client()
    client.csrf = sign_in(client)  # type: ignore[attr-defined]
    return client


def multipart(fields: dict) -> tuple[bytes, str]:  # type: ignore[type-arg]
    """The body in memory (the test client spools bodies over 500 KB to a temporary file it never closes)."""
    from werkzeug.datastructures import MultiDict
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart(MultiDict(fields))
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client, files: list[tuple[str, bytes]], path: str = "/upload", **kw):  # type: ignore[no-untyped-def]
    fields = [("csrf_token", client.csrf)] if path == "/upload" else []
    from werkzeug.datastructures import FileStorage

    body, ctype = multipart(fields + [("files", FileStorage(io.BytesIO(b), filename=name)) for name, b in files])
    return client.post(path, data=body, content_type=ctype, **kw)


def job_id(resp) -> int:  # type: ignore[no-untyped-def]
    assert resp.status_code == 303, resp.get_data(as_text=True)[:400]
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def run_all(settings: Settings) -> int:
    w, n = Worker(settings.job_options()), 0
    try:
        while w.run_once():
            n += 1
    finally:
        w.release()
    return n


def test_upload_runs_and_becomes_searchable(settings: Settings, client) -> None:
    jid = job_id(upload(client, [(f"batch/{STREET}.txt", STREET_TEXT.encode("utf-8")),
                                 ("batch/tool.exe", b"MZ\x00"), ("batch/empty.txt", b"")]))
    before = client.get(f"/api/jobs/{jid}").json
    assert before["state"] == "queued" and before["total"] == 3 and before["done"] == 1
    assert [f["outcome"] for f in before["files"]] == ["pending", "skipped", "pending"]
    assert "不支持的文件类型 .exe" in before["files"][1]["reason"]
    assert client.get("/api/search?q=%22防汛仓库%22").json["total"] == 0
    assert run_all(settings) == 1
    after = client.get(f"/api/jobs/{jid}").json
    assert after["state"] == "done" and after["done"] == 3 and after["counts"]["added"] == 1
    first = after["files"][0]
    assert first["name"] == f"batch/{STREET}.txt" and first["outcome"] == "added"
    assert first["doc_url"] == f"/doc/{first['doc_id']}"
    assert after["files"][2]["outcome"] == "failed" and after["files"][2]["reason"]
    hits = client.get("/api/search?q=%22防汛仓库%22").json["hits"]
    assert hits and hits[0]["doc_id"] == first["doc_id"]
    assert library_path(settings.job_options(), f"batch/{STREET}.txt").is_file()
    page = client.get(f"/jobs/{jid}").get_data(as_text=True)  # survives a reload: all from SQLite
    assert f'href="/doc/{first["doc_id"]}"' in page and "新增" in page and "已跳过" in page
    assert not list((settings.home / "uploads" / "incoming").glob("*/*"))  # staging cleaned


def test_reupload_updates_or_leaves_unchanged(settings: Settings, client) -> None:
    name = f"{STREET}.txt"
    job_id(upload(client, [(name, STREET_TEXT.encode())]))
    run_all(settings)
    second = job_id(upload(client, [(name, STREET_TEXT.encode())]))
    third = job_id(upload(client, [(name, (STREET_TEXT + "三、下一步打算\n持续巩固整改成果。\n").encode())]))
    run_all(settings)
    assert client.get(f"/api/jobs/{second}").json["files"][0]["outcome"] == "unchanged"
    assert client.get(f"/api/jobs/{third}").json["files"][0]["outcome"] == "updated"


def test_file_over_the_limit_refused_clearly(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp(), max_file_mb=1, upload_max_mb=3)
    client = make_app(settings).test_client()
    client.csrf = sign_in(client)  # type: ignore[attr-defined]
    jid = job_id(upload(client, [("big.txt", b"x" * (1024 * 1024 + 10)), (f"{STREET}.txt", STREET_TEXT.encode())]))
    files = client.get(f"/api/jobs/{jid}").json["files"]
    assert files[0]["outcome"] == "failed" and "超过单个文件上限 1 MB" in files[0]["reason"]
    assert files[1]["outcome"] == "pending"
    # a raw body (the test client spools a multipart one to a temporary file it then leaks when refused unread)
    body = b"y" * (3 * 1024 * 1024 + 10)
    resp = client.post("/upload", data=body, content_type="multipart/form-data; boundary=b")
    assert resp.status_code == 413
    text = resp.get_data(as_text=True)
    assert "超过 3 MB 的上限" in text and "upload_max_mb" in text
    api = client.post("/api/upload", headers=bearer(settings), data=body,
                      content_type="multipart/form-data; boundary=b")
    assert api.status_code == 413 and "upload_max_mb = 3 MB" in api.json["error"]


def test_upload_without_files(client) -> None:
    resp = client.post("/upload", data={"csrf_token": client.csrf}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "files" in resp.get_data(as_text=True)


def test_second_batch_queues_behind_first_and_cancel(settings: Settings, client) -> None:
    a = job_id(upload(client, [(f"{STREET}.txt", STREET_TEXT.encode())]))
    b = job_id(upload(client, [("二.txt", "示例文本，用于排队测试。".encode())]))
    c = job_id(upload(client, [("三.txt", "示例文本，将被取消。".encode())]))
    assert client.get(f"/api/jobs/{b}").json["ahead"] == 1 and client.get(f"/api/jobs/{c}").json["ahead"] == 2
    resp = client.post(f"/jobs/{c}/cancel", data={"csrf_token": client.csrf})
    assert resp.status_code == 303
    cancelled = client.get(f"/api/jobs/{c}").json
    assert cancelled["state"] == "cancelled" and cancelled["files"][0]["outcome"] == "cancelled"
    w = Worker(settings.job_options())
    assert w.run_once()  # oldest first: a is done, b still waits
    assert client.get(f"/api/jobs/{a}").json["state"] == "done"
    assert client.get(f"/api/jobs/{b}").json["state"] == "queued" and client.get(f"/api/jobs/{b}").json["ahead"] == 0
    assert w.run_once() and not w.run_once()
    w.release()
    assert client.get(f"/api/jobs/{b}").json["state"] == "done"
    assert client.get(f"/api/jobs/{c}").json["state"] == "cancelled"
    assert not library_path(settings.job_options(), "三.txt").exists()


def test_running_job_cancelled_between_files(settings: Settings, client) -> None:
    jid = job_id(upload(client, [("一.txt", "第一份示例文本。".encode()), ("二.txt", "第二份示例文本。".encode())]))
    conn = Archive.open(settings.db_path)
    job = jobs.claim_next(conn)
    jobs.request_cancel(conn, jid)
    assert jobs.get(conn, jid).state == JobState.RUNNING and jobs.get(conn, jid).cancel_requested
    jobs.file_done(conn, jid, jobs.pending_files(conn, jid)[0].id, "added", None, None)
    conn.close()
    # a worker restarting now honours the cancel instead of resuming
    Worker(settings.job_options()).start().stop()
    data = client.get(f"/api/jobs/{jid}").json
    assert data["state"] == "cancelled" and job is not None


def test_restart_resumes_without_reading_twice(settings: Settings, client) -> None:
    """A worker killed mid-job leaves it running; the next worker re-queues it and reads only what is left."""
    jid = job_id(upload(client, [(f"{STREET}.txt", STREET_TEXT.encode()), ("二.txt", "第二份示例文本。".encode())]))
    conn = Archive.open(settings.db_path)
    w = Worker(settings.job_options())
    job = jobs.claim_next(conn)
    first = jobs.pending_files(conn, jid)[0]
    # do the first file as the worker would, then "crash": the job stays running
    from archive.pipeline import ingest

    target = library_path(settings.job_options(), first.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    Path(first.staged_path).replace(target)
    out = []
    ingest(conn, settings.ingest_options(), [str(target)], progress=out.append)
    jobs.file_done(conn, jid, first.id, out[0].outcome, None, out[0].doc_id)
    assert jobs.get(conn, jid).state == JobState.RUNNING and job is not None
    logged = conn.conn.execute("SELECT COUNT(*) FROM ingest_log").fetchone()[0]
    assert jobs.recover(conn) == 1 and jobs.get(conn, jid).state == JobState.QUEUED
    conn.close()
    assert w.run_once()
    w.release()
    data = client.get(f"/api/jobs/{jid}").json
    assert data["state"] == "done" and [f["outcome"] for f in data["files"]] == ["added", "added"]
    assert data["message"] == "新增或更新 1 份文件"  # only the second file was read by the resumed run
    conn = Archive.open(settings.db_path)
    assert conn.conn.execute("SELECT COUNT(*) FROM ingest_log").fetchone()[0] == logged + 1
    conn.close()
    assert client.get("/api/search?q=%22防汛仓库%22").json["total"] >= 1


def test_one_worker_per_archive(settings: Settings, runner) -> None:  # type: ignore[no-untyped-def]
    """A second worker is refused while the first lives, so recover() never re-queues a job being run."""
    from webui.worker import WorkerBusy
    from xuncha.cli import main

    first = Worker(settings.job_options()).claim()
    try:
        with pytest.raises(WorkerBusy):
            Worker(settings.job_options()).claim()
        result = runner.invoke(main, ["--home", str(settings.home), "worker", "--once"])
        assert result.exit_code == 1 and "another worker runs the job queue" in result.output
        assert "hint:" in result.output
    finally:
        first.release()
    second = Worker(settings.job_options()).claim()  # free again
    second.release()


def test_worker_thread_picks_up_and_serves(settings: Settings) -> None:
    """The worker thread `xuncha serve` runs: a job submitted through the app is woken and finished."""
    from webui.ops import start_background

    app = make_app(settings)
    started = start_background(app)
    try:
        client = app.test_client()
        client.csrf = sign_in(client)  # type: ignore[attr-defined]
        jid = job_id(upload(client, [(f"{STREET}.txt", STREET_TEXT.encode())]))
        import time

        deadline = time.monotonic() + 60
        while client.get(f"/api/jobs/{jid}").json["state"] != "done" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert client.get(f"/api/jobs/{jid}").json["counts"]["added"] == 1
    finally:
        for s in started:
            s.stop()  # type: ignore[attr-defined]


def test_reindex_job_from_ops_page(settings: Settings, client) -> None:
    page = client.get("/ops").get_data(as_text=True)
    assert "重建检索索引" in page and 'value="full"' in page
    resp = client.post("/ops/reindex", data={"csrf_token": client.csrf, "mode": "full"})
    jid = job_id(resp)
    run_all(settings)
    data = client.get(f"/api/jobs/{jid}").json
    assert data["state"] == "done" and data["full"] and data["message"].startswith("全部重建：28 份文件，移除 0 份")  # 28: the samples with corpus/party and corpus/rounds
    assert data["done"] == data["total"] == 28
    html = client.get(f"/jobs/{jid}").get_data(as_text=True)
    assert "全部重建" in html and "已完成" in html
    ops = client.get("/ops").get_data(as_text=True)
    assert "<td>重建索引</td>" in ops and f"任务 #{jid}：全部重建" in ops  # the audit trail


def test_api_upload_with_token(settings: Settings, client) -> None:
    resp = client.post("/api/upload", headers=bearer(settings),
                       data={"files": [(io.BytesIO(STREET_TEXT.encode()), f"{STREET}.txt")]})
    assert resp.status_code == 202 and resp.json["files"][0]["name"] == f"{STREET}.txt"
    run_all(settings)
    assert client.get(f"/api/jobs/{resp.json['id']}").json["counts"]["added"] == 1


def test_unknown_job(client) -> None:
    assert client.get("/jobs/999").status_code == 404
    assert client.get("/api/jobs/999").json["status"] == 404


@pytest.mark.parametrize("raw,clean", [("a/b/c.txt", "a/b/c.txt"), ("../../etc/passwd.txt", "etc/passwd.txt"),
                                       ("C:\\Users\\x\\通报.docx", "C:/Users/x/通报.docx"), ("", "upload-1"),
                                       ("dir/.hidden/x.md", "dir/x.md"), ("a\x00b.txt", "ab.txt")])
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw, 0) == clean


def test_new_file_refused_counts_as_done(settings: Settings) -> None:
    conn = Archive.open(settings.db_path)
    job = jobs.create_ingest(conn, "alice", [NewFile("a.exe", None, 3, "skipped", "unsupported")])
    assert job.done == 1 and job.total == 1
    conn.close()


def test_api_cancel_with_token(settings: Settings, client) -> None:
    jid = job_id(upload(client, [("一.txt", "示例文本。".encode())]))
    anonymous = make_app(settings).test_client()
    assert anonymous.post(f"/api/jobs/{jid}/cancel").status_code == 401
    assert client.post(f"/api/jobs/{jid}/cancel").status_code == 400  # a session needs its CSRF token
    resp = client.post(f"/api/jobs/{jid}/cancel", headers=bearer(settings))
    assert resp.status_code == 200 and resp.json["state"] == "cancelled"
    assert client.post("/api/jobs/999/cancel", headers=bearer(settings)).status_code == 404


def test_reindex_cancelled_midway_keeps_the_old_index(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelling a running full rebuild stops it at the next progress report; searches still see the old index."""
    import webui.worker as worker_mod

    # one process: progress is reported per document
    settings = fresh_archive(tmp_path, tmp_path_factory.getbasetemp(), workers=1)
    client = make_app(settings).test_client()
    client.csrf = sign_in(client)  # type: ignore[attr-defined]

    monkeypatch.setattr(worker_mod, "PROGRESS_EVERY_S", 0.0)
    jid = job_id(client.post("/ops/reindex", data={"csrf_token": client.csrf, "mode": "full"}))
    conn = Archive.open(settings.db_path)
    before = sorted(p.name for p in (settings.index_root).glob("gen-*"))
    real = jobs.set_progress

    def cancel_then_report(archive, job_id, done, total, message=""):  # type: ignore[no-untyped-def]
        real(archive, job_id, done, total, message)
        if done:
            jobs.request_cancel(conn, job_id)

    monkeypatch.setattr(jobs, "set_progress", cancel_then_report)
    run_all(settings)
    conn.close()
    data = client.get(f"/api/jobs/{jid}").json
    assert data["state"] == "cancelled" and data["message"] == "已由操作员取消"
    assert sorted(p.name for p in settings.index_root.glob("gen-*")) == before
    assert client.get("/api/search?q=公车").json["total"] > 0
