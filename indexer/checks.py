"""Suggested articles kept in the archive, so that a cross-check reads them instead of searching.

Suggestions for a measure cost one search over the whole index (about 0.2 s on the whole corpus; a
large notice has 90 measures): the cross-check page took 20 s on its first load. They depend on the
measure's topic (records.topic_key, a content hash) and on what the index holds for regulations: the
`index_key` here. They are computed once per (topic, index_key), right after an index update
(`prepare`, called by `xuncha ingest`, `xuncha reindex` and the web UI's jobs), and kept in SQLite.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any, Protocol

from archive import store
from archive.crosscheck import measure_topics
from archive.database import Archive
from archive.kinds import DocType
from archive.records import MeasureTopic, Suggestion

from .analysis import dictionary_version
from .backends.whoosh.schema import SCHEMA_VERSION
from .vocabulary import vocabulary_version


class Preparing(Protocol):
    """What `prepare` asks of indexer.search.SearchService (which imports this module)."""

    def keep_tables(self) -> None: ...

    def suggest_articles(self, topic: MeasureTopic, limit: int = 3) -> tuple[Suggestion, ...]: ...

    def suggestion_key(self) -> str: ...


SUGGEST_VERSION = 4  # bump when indexer/suggest.py changes what it suggests: kept suggestions are then recomputed
SUGGEST = 3  # articles per measure, as the check page, the exports and `xuncha check` show them


def index_key(s: Any) -> str:  # the Whoosh backend's searcher (its documents(kind=, doc_type=))
    """What suggestions are computed on: the regulation versions in the index (ids and content hashes), the
    schema, the dictionary, the vocabulary rules and the suggestion code. New notices do not change it."""
    h = hashlib.sha1(f"{SCHEMA_VERSION}:{dictionary_version()}:{vocabulary_version()}:{SUGGEST_VERSION}".encode())
    regs = sorted((f["doc_id"], f.get("sha", "")) for f in s.documents(kind="document", doc_type=DocType.REGULATION.value))
    for doc_id, sha in regs:
        h.update(f"{doc_id}:{sha};".encode())
    return h.hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Prepared:
    """What `prepare` did."""

    notices: int
    measures: int
    pruned: int
    seconds: float


def prepare(archive: Archive, service: Preparing) -> Prepared:
    """Compute and keep the suggestions of every notice's measures for the current index (the ones already
    kept are read, not recomputed); drop those of earlier index states. The index's facet tables are kept
    beside it too (SearchService.keep_tables), so that no server's first page computes them."""
    start = time.monotonic()
    service.keep_tables()
    notices = archive.documents_of_type(DocType.NOTICE)
    measures = 0
    for d in notices:  # the topics only: resolving the citations of a whole report is not needed here
        for *_, topic in measure_topics(d, archive.notice_tree(d.id)):
            service.suggest_articles(topic, SUGGEST)
            measures += 1
    key = service.suggestion_key()
    with archive.transaction() as conn:
        pruned = store.prune_suggestions(conn, key)
    return Prepared(len(notices), measures, pruned, time.monotonic() - start)
