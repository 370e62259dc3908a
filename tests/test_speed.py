"""benchmarks/speed.py's percentile, which speed, scale and scale_cluster report latencies with."""

from __future__ import annotations

from benchmarks.speed import percentile_ms


def test_nearest_rank_percentiles_in_milliseconds() -> None:
    times = [0.010, 0.020, 0.030, 0.040, 0.050, 0.060, 0.070, 0.080, 0.090, 0.100]
    assert percentile_ms(times, 0.5) == 50.0
    assert percentile_ms(times, 0.95) == 100.0
    assert percentile_ms(list(reversed(times)), 0.1) == 10.0
    assert percentile_ms([0.0123], 0.99) == 12.3
    assert percentile_ms([], 0.95) == 0.0  # a run that timed nothing reports no latency instead of failing
