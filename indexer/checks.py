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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from archive import store
from archive.crosscheck import Suggester, measure_topics
from archive.database import Archive
from archive.kinds import DocType
from archive.records import DocumentRecord, MeasureTopic, Suggestion, topic_key

from .analysis import dictionary_version
from .backend import SearchBackend
from .kept import tag_of
from .vocabulary import vocabulary_version


class SearchService(Protocol):
    """What this module asks of indexer.search.SearchService (which imports this module)."""

    def keep_tables(self) -> None: ...

    def suggest_articles(self, topic: MeasureTopic, limit: int = 3) -> tuple[Suggestion, ...]: ...

    def suggestion_key(self) -> str: ...


SUGGEST_VERSION = 5  # bump when indexer/suggest.py changes what it suggests: kept suggestions are then recomputed
SUGGEST = 3  # articles per measure, as the check page, the exports and `xuncha check` show them


def index_key(backend: SearchBackend) -> str:
    """What suggestions are computed on: the regulation versions in the index (ids and content hashes), the
    engine's index format, the dictionary, the vocabulary rules and the suggestion code. New notices do not
    change it.

    The regulations' part reads every regulation's stored fields on Whoosh (0.6 s on the whole corpus, most of a
    kept check's time in a new process): the backend keeps it beside the index generation (indexer/kept.py
    through SearchBackend.keep_text) and later processes read it back."""
    code = f"{backend.format_version()}:{dictionary_version()}:{vocabulary_version()}:{SUGGEST_VERSION}"
    regs = backend.keep_text("regulations", tag_of(Path(__file__)), lambda: regulations_digest(backend.regulations()))
    return hashlib.sha1(f"{code}|{regs}".encode()).hexdigest()[:20]


def regulations_digest(regulations: Iterable[tuple[str, str]]) -> str:
    """A hash of the ids and content hashes of the regulation versions in the index."""
    h = hashlib.sha1()
    for doc_id, sha in sorted(regulations):
        h.update(f"{doc_id}:{sha};".encode())
    return h.hexdigest()


def notice_suggester(service: SearchService, archive: Archive, doc: DocumentRecord, limit: int = SUGGEST) -> Suggester:
    """The Suggester for one notice's cross-check: the suggestions kept for its measures read in one query
    (not one per measure); a measure with none kept (a new index state, a new topic) is computed and kept."""
    topics = [t for *_, t in measure_topics(doc, archive.notice_tree(doc.id))]
    kept = archive.suggestions_of((topic_key(t, limit) for t in topics), service.suggestion_key())

    def suggest(topic: MeasureTopic, n: int) -> Sequence[Suggestion]:
        found = kept.get(topic_key(topic, n)) if n == limit else None
        return found if found is not None else service.suggest_articles(topic, n)

    return suggest


@dataclass(frozen=True, slots=True)
class Prepared:
    """What `prepare` did."""

    notices: int
    measures: int
    pruned: int
    seconds: float


def prepare(archive: Archive, service: SearchService) -> Prepared:
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
