"""`xuncha user`, `xuncha token`, `xuncha worker` (xuncha/ops_cli.py)."""

from __future__ import annotations

from click.testing import CliRunner

from archive import accounts, jobs
from archive.database import Archive
from xuncha.cli import main
from xuncha.settings import Settings


def test_user_add_list_remove(runner: CliRunner, settings: Settings) -> None:
    assert "no operators" in runner.invoke(main, ["user", "list"]).output
    result = runner.invoke(main, ["user", "add", "王科长"], input="s3cret-pass\n")
    assert result.exit_code == 0 and "added operator 王科长" in result.output
    conn = Archive.open(settings.db_path)
    assert accounts.authenticate(conn, "王科长", "s3cret-pass") is not None
    row = conn.conn.execute("SELECT password_hash FROM users").fetchone()
    assert row[0].startswith("scrypt:") and "s3cret" not in row[0]
    conn.close()
    assert "王科长" in runner.invoke(main, ["user", "list"]).output
    dup = runner.invoke(main, ["user", "add", "王科长"], input="another-pass\n")
    assert dup.exit_code == 1 and "exists already" in dup.output and "hint:" in dup.output
    short = runner.invoke(main, ["user", "add", "li"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    bad = runner.invoke(main, ["user", "add", "a b"], input="long-enough\n")
    assert bad.exit_code == 1 and "name 'a b'" in bad.output
    assert runner.invoke(main, ["user", "remove", "王科长"]).exit_code == 0
    gone = runner.invoke(main, ["user", "remove", "王科长"])
    assert gone.exit_code == 1 and "no user" in gone.output


def test_token_create_list_revoke(runner: CliRunner, settings: Settings) -> None:
    runner.invoke(main, ["user", "add", "alice"], input="long-enough\n")
    result = runner.invoke(main, ["token", "create", "alice", "--label", "scanner"])
    assert result.exit_code == 0
    secret = result.stdout.strip().splitlines()[0]
    assert secret.startswith("xc_") and len(secret) > 40
    conn = Archive.open(settings.db_path)
    assert accounts.user_for_token(conn, secret).name == "alice"
    assert secret not in str(conn.conn.execute("SELECT * FROM api_tokens").fetchall()[0][:])  # stored hashed
    conn.close()
    listing = runner.invoke(main, ["token", "list"]).output
    assert "scanner" in listing and "active" in listing and secret not in listing
    assert runner.invoke(main, ["token", "revoke", "1"]).exit_code == 0
    assert "revoked" in runner.invoke(main, ["token", "list"]).output
    again = runner.invoke(main, ["token", "revoke", "1"])
    assert again.exit_code == 1 and "no active token" in again.output
    nobody = runner.invoke(main, ["token", "create", "bob"])
    assert nobody.exit_code == 1 and "xuncha user add" in nobody.output
    conn = Archive.open(settings.db_path)
    assert accounts.user_for_token(conn, secret) is None
    conn.close()


def test_worker_once_runs_queue(runner: CliRunner, settings: Settings) -> None:
    conn = Archive.open(settings.db_path)
    jobs.create_reindex(conn, "alice", full=True)
    conn.close()
    result = runner.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0 and "1 job(s) run" in result.output
    conn = Archive.open(settings.db_path)
    job = jobs.recent(conn)[0]
    conn.close()
    assert job.state == "done" and job.message.startswith("全部重建：0 份文件")
