"""The search engines behind the seam (indexer/backend.py), chosen by name: `whoosh` (embedded, the default) or
`sphinx` (searchd shards over SphinxQL, indexer/backends/sphinx/).

The entry points above the engines (indexer/search.py, xuncha/, webui/) open a backend here and write through the
functions here, never through an engine's own modules."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

from archive.database import Archive

from ..backend import IndexHealth, SearchBackend
from ..options import IndexOptions, SearchOptions

NAMES = ("whoosh", "sphinx")


def _engine(name: str) -> Any:
    if name not in NAMES:
        raise ValueError(f"backend must be one of {', '.join(NAMES)} (got {name!r})")
    return import_module(f"{__name__}.{name}")


def open_backend(options: SearchOptions) -> SearchBackend:
    """The backend `options.backend` names, opened for searching."""
    return _engine(options.backend).open_backend(options)


def reindex(archive: Archive, options: IndexOptions, **kwargs: Any) -> Any:
    """`xuncha reindex` on the backend `options.backend` names (a BuildReport)."""
    return _engine(options.backend).reindex(archive, options, **kwargs)


def update(archive: Archive, options: IndexOptions, **kwargs: Any) -> Any:
    """Re-index the documents whose content changed, on the backend `options.backend` names (a BuildReport)."""
    return _engine(options.backend).update(archive, options, **kwargs)


def check(options: IndexOptions, stored: Mapping[str, str]) -> IndexHealth:
    """`xuncha doctor`, index side: the current index against the archive's {doc id: sha256}."""
    return _engine(options.backend).check(options, stored)


def remove_unfinished(options: IndexOptions) -> list[str]:
    """Remove what builds that were killed left behind (unless a build runs now); the names removed."""
    return _engine(options.backend).remove_unfinished(options)
