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


# local Sphinx shards (`xuncha cluster`): the engine's processes under the archive's folder. Errors are RuntimeErrors
# (no searchd, a shard that does not start, no cluster configured) whose message names the file or shard.

def cluster_up(index_root: Any, shards: int, base_port: int) -> list[Any]:
    """Start `shards` loopback searchd processes under HOME/cluster; each shard's status once it answers."""
    sphinx = _engine("sphinx")
    sphinx.process.up(sphinx.engine.cluster_root(index_root), shards, base_port)
    return cluster_status(index_root)


def cluster_status(index_root: Any, agents: str = "") -> list[Any]:
    """Each shard: its address, pid, whether it answers and the units it serves (sphinx.process.ShardStatus)."""
    sphinx = _engine("sphinx")
    return sphinx.process.status(sphinx.engine.cluster_options(index_root, agents))


def cluster_down(index_root: Any, agents: str = "") -> tuple[int, int]:
    """Stop the shards started here: (stopped, shards)."""
    sphinx = _engine("sphinx")
    options = sphinx.engine.cluster_options(index_root, agents)
    return len(sphinx.process.down(options)), len(options.shards)
