"""Benchmarks for xuncha (run as modules, e.g. `python -m benchmarks.quality`)."""
