"""Local shards (indexer/backends/sphinx/process.py): a cluster comes up whole or not at all."""

from pathlib import Path

import pytest

from indexer.backends.sphinx import process


def test_a_shard_that_does_not_start_stops_the_ones_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    running: set[int] = set()

    def start(options, shard, wait_s=60.0):  # type: ignore[no-untyped-def]
        if shard.number == 1:
            running.add(1)  # started, then never answers
            raise process.ClusterError(f"{shard.name}: searchd started but does not answer")
        running.add(shard.number)
        return 1000 + shard.number

    def stop(options, number, wait_s=20.0):  # type: ignore[no-untyped-def]
        running.discard(number)
        return True

    monkeypatch.setattr(process, "start_shard", start)
    monkeypatch.setattr(process, "stop_shard", stop)
    monkeypatch.setattr(process, "pid_of", lambda options, number: None)
    monkeypatch.setattr(process, "write_empty_idf", lambda options: None)
    with pytest.raises(process.ClusterError, match="does not answer"):
        process.up(tmp_path / "cluster", 3, 19990)
    assert running == set()  # neither shard 0 (up) nor shard 1 (half up) is left; shard 2 was never started
