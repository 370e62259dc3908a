"""The Whoosh engine (embedded, the default backend): schema, posting blocks and weights files, the evaluation
over them, facet tables, the parallel writer, generations. The only package that imports whoosh."""

from __future__ import annotations

from collections.abc import Mapping

from ...backend import IndexHealth
from ...options import IndexOptions, SearchOptions
from . import health
from .build import reindex, update


def open_backend(options: SearchOptions):  # type: ignore[no-untyped-def]
    from .backend import WhooshBackend

    return WhooshBackend(options)


def check(options: IndexOptions, stored: Mapping[str, str]) -> IndexHealth:
    return health.check_index(options.root, stored)


def remove_unfinished(options: IndexOptions) -> list[str]:
    return health.remove_unfinished(options.root)


__all__ = ["check", "open_backend", "reindex", "remove_unfinished", "update"]
