"""kill -9 of `xuncha reindex --full` and of `xuncha ingest` at random moments, and what must survive it.

    python -m benchmarks.crash [--kills 20] [--seed 1] [--home DIR] [--corpus PATH ...]

Each round starts the command in its own process group, kills the leader with SIGKILL after a random
delay, then checks: no process of that group outlives it (Whoosh's writer workers included); the
previous index still opens and answers a search; no document is half stored (doctor: the records and
their originals agree; an original written before its record is a leftover `doctor --fix` removes);
and the next run of the same command completes on its own (no lock left, unfinished generations
removed). Prints the tally; exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XUNCHA = [str(Path(sys.executable).parent / "xuncha")]


@dataclass
class Tally:
    """Kills made and what went wrong after them."""

    kills: int = 0
    finished_first: int = 0  # the command ended before the kill landed
    by_command: dict[str, int] = field(default_factory=dict)  # kills that landed, per command
    survivors: int = 0  # processes of the killed group still alive after it
    failures: list[str] = field(default_factory=list)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNCHA_")}
    env.update(XUNCHA_HOME=str(home), PYTHONPATH=str(ROOT), XUNCHA_WORKERS="2")
    return env


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes whose process group is pgid."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(entry))
    return out


def kill_at_random(args: list[str], home: Path, delay_s: float) -> tuple[bool, list[int]]:
    """Run `xuncha args` in a new group, SIGKILL its leader after delay_s; (killed before it ended, survivors)."""
    proc = subprocess.Popen(XUNCHA + args, env=_env(home), cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay_s)
        return False, []
    except subprocess.TimeoutExpired:
        pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5  # workers die on their parent's death (PDEATHSIG), give them a moment
    while (left := group_members(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:  # do not let one failure poison the next round
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return True, left


def run(args: list[str], home: Path, timeout_s: float = 600) -> subprocess.CompletedProcess[str]:
    """`xuncha args` to the end."""
    return subprocess.run(XUNCHA + args, env=_env(home), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout_s, check=False)


def searchable(home: Path) -> str | None:
    """None when the current index opens and finds the sample's words; else what went wrong."""
    result = run(["search", "--json", "整改"], home, 120)
    if result.returncode != 0:
        return f"search failed: {result.stderr.strip()[-300:]}"
    if '"total": 0' in result.stdout:
        return "search found nothing"
    return None


def consistent(home: Path) -> str | None:
    """None when no document is half stored (records and originals agree, SQLite intact)."""
    sys.path.insert(0, str(ROOT))
    from archive import doctor
    from archive.database import Archive

    with Archive.open(home / "archive.sqlite3") as archive:
        bad = [p for p in doctor.check(archive, home / "originals")
               if p.kind not in (doctor.Finding.TEMP_FILE, doctor.Finding.ORPHAN_ORIGINAL)]
    return "; ".join(f"{p.kind}: {p.detail}" for p in bad[:3]) or None


def unfinished(home: Path) -> list[str]:
    root = home / "index"
    cur = os.readlink(root / "current") if (root / "current").is_symlink() else None
    return [p.name for p in root.glob("gen-*") if p.name != cur and not (p / "xuncha-meta.json").is_file()]


def reindex_round(home: Path, rng: random.Random, tally: Tally, max_delay_s: float) -> None:
    killed, left = kill_at_random(["reindex", "--full"], home, rng.uniform(0.3, max_delay_s))
    tally.kills += killed
    tally.by_command["reindex --full"] = tally.by_command.get("reindex --full", 0) + killed
    tally.finished_first += not killed
    if left:
        tally.survivors += len(left)
        tally.failures.append(f"reindex: {len(left)} processes outlived their killed parent")
    if problem := searchable(home):
        tally.failures.append(f"reindex: old index not searchable after the kill: {problem}")
    again = run(["reindex", "--full"], home)
    if again.returncode != 0:
        tally.failures.append(f"reindex: the next run failed: {again.stderr.strip()[-300:]}")
    elif left_over := unfinished(home):
        tally.failures.append(f"reindex: unfinished generations left after the next run: {left_over}")


def ingest_round(home: Path, corpus: list[str], rng: random.Random, tally: Tally, max_delay_s: float) -> None:
    killed, left = kill_at_random(["ingest", "--force", *corpus], home, rng.uniform(0.2, max_delay_s))
    tally.kills += killed
    tally.by_command["ingest --force"] = tally.by_command.get("ingest --force", 0) + killed
    tally.finished_first += not killed
    if left:
        tally.survivors += len(left)
        tally.failures.append(f"ingest: {len(left)} processes outlived their killed parent")
    if problem := consistent(home):
        tally.failures.append(f"ingest: half-stored after the kill: {problem}")
    if problem := searchable(home):
        tally.failures.append(f"ingest: index not searchable after the kill: {problem}")
    again = run(["ingest", *corpus], home)
    if again.returncode not in (0, 1) or "Traceback" in again.stderr:
        tally.failures.append(f"ingest: the next run failed: {again.stderr.strip()[-300:]}")


def prepare(home: Path, corpus: list[str]) -> None:
    """A first complete ingest and index, so every kill has an old index to keep."""
    first = run(["ingest", *corpus], home, 3600)
    if first.returncode not in (0, 1):
        raise SystemExit(f"crash: the first ingest failed: {first.stderr[-500:]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kills", type=int, default=20, help="kills of each command")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--corpus", nargs="*", default=None, help="what to ingest (default: the sample corpus plus "
                    "../shared/corpus/regulations/经济法 when present)")
    ap.add_argument("--max-delay", type=float, default=4.0, help="latest kill, in seconds after the start")
    args = ap.parse_args(argv)
    corpus = args.corpus
    if corpus is None:
        corpus = [str(ROOT / "corpus")]
        shared = ROOT.parent / "shared" / "corpus" / "regulations" / "经济法"
        if shared.is_dir():
            corpus.append(str(shared))
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="xuncha-crash-") as tmp:
        home = args.home or Path(tmp) / "home"
        prepare(home, corpus)
        tally = Tally()
        started = time.monotonic()
        # rounds until each command has been killed --kills times (a run may end before its kill)
        for _ in range(args.kills * 3):
            if tally.by_command.get("reindex --full", 0) >= args.kills:
                break
            reindex_round(home, rng, tally, args.max_delay)
        for _ in range(args.kills * 3):
            if tally.by_command.get("ingest --force", 0) >= args.kills:
                break
            ingest_round(home, corpus, rng, tally, args.max_delay)
        took = time.monotonic() - started
    print(f"crash: {tally.kills} kills {tally.by_command} ({tally.finished_first} runs ended before their kill) "
          f"in {took:.0f} s; "
          f"{tally.survivors} processes outlived a killed parent; failures {len(tally.failures)}")
    for line in tally.failures[:40]:
        print("  " + line)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
