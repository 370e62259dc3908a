"""The Sphinx 2.2.11 backend (SphinxQL over real-time indexes, distributed over shards; Manticore speaks the same).

Only this package talks to searchd. config.py writes each shard's sphinx.conf, process.py starts and stops
the local shards, client.py is the PyMySQL connection layer, rows.py turns grain records into rows,
generations.py keeps the two slots and the pointer, match.py compiles a query tree to MATCH(), service.py is
the SearchBackend, and engine.py the entry points indexer/backends picks by name.
"""

from . import engine, process
from .engine import check, open_backend, reindex, remove_unfinished, update

__all__ = ["check", "engine", "open_backend", "process", "reindex", "remove_unfinished", "update"]
