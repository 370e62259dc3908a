"""Progress of a long job in any output: a tqdm bar on a terminal, periodic lines otherwise
(`indexed 400 of 3,550 documents, 12/s, ETA 5 min`), so logs of `make serve` or a cron job show it too."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def _eta(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 5400 else f"{seconds / 3600:.1f} h"


class Lines:
    """tqdm's update()/close() as a line every `every_s` seconds (and one at the end)."""

    def __init__(self, verb: str, noun: str, total: int | None, stream: TextIO, every_s: float = 10.0) -> None:
        self.verb, self.noun, self.total, self.stream, self.every_s = verb, noun, total, stream, every_s
        self.n = 0
        self.start = self.last = time.monotonic()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.n / elapsed
        of = f" of {self.total:,}" if self.total else ""
        eta = f", ETA {_eta((self.total - self.n) / rate)}" if self.total and rate > 0 and self.n < self.total else ""
        return f"{self.verb} {self.n:,}{of} {self.noun}, {rate:,.0f}/s{eta}"

    def update(self, n: int = 1) -> None:
        self.n += n
        now = time.monotonic()
        if now - self.last >= self.every_s:
            self.last = now
            print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        if self.n:
            print(self.line(), file=self.stream, flush=True)


def meter(verb: str, noun: str, total: int | None = None, stream: TextIO | None = None,
          every_s: float = 10.0) -> Any:
    """A progress meter with update(n) and close(): a bar on a terminal, periodic lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        from tqdm import tqdm

        return tqdm(desc=verb, total=total, unit=f" {noun}", file=stream, dynamic_ncols=True)
    return Lines(verb, noun, total, stream, every_s)
