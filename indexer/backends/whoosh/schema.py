"""build_schema(): the four grains in one Whoosh index, told apart by `kind`."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from ...backend import FACETS, KINDS
from .analyzer import word_analyzer

# bump whenever fields or analysis change: `xuncha reindex --if-needed` then rebuilds
SCHEMA_VERSION = 12  # 9: rectification (issue 12); 10: problem_title stored for measures (Hit.heading);
# 11: no bigram field, context without positions, one term per number (issue 14: a third of the postings);
# 12: each segment's weights file (indexer/backends/whoosh/weights.py)

__all__ = ["FACETS", "KINDS", "SCHEMA_VERSION", "build_schema"]  # the facets and grains are the seam's (backend.py)


def build_schema() -> Schema:
    """The index schema: text fields analysed by our jieba analyzer, facets as sortable IDs."""
    words = word_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        doc_id=ID(stored=True),
        doc_type=ID(stored=True, sortable=True),
        doc_title=STORED(),
        title=TEXT(analyzer=words, stored=True, phrase=True),
        # not stored: SQLite holds the text, and snippets are cut from it (issue 14: a tenth of the index)
        body=TEXT(analyzer=words, phrase=True),
        # where the unit sits: the document's title and the problem category or chapter; never in a phrase,
        # so without positions. (A character-bigram field was the recall fallback until SCHEMA_VERSION 11:
        # 45% of the postings and most of a query's time; without it, whole corpus, nDCG@10 tune 0.738 → 0.733,
        # test 0.651 → 0.673, mean query 206 → 122 ms: the index-mode sub-words and split_word cover it.
        # See benchmarks/quality/TUNING.md.)
        context=TEXT(analyzer=words, phrase=False),
        category=ID(stored=True, sortable=True),
        publisher=ID(stored=True, sortable=True),
        year=ID(stored=True, sortable=True),
        published=ID(stored=True, sortable=True),
        region=ID(stored=True, sortable=True),
        reg_category=ID(stored=True, sortable=True),
        status=ID(stored=True, sortable=True),
        # a problem's stated rectification status (done | in_progress | not_done | ongoing); its measures share it
        rectification=ID(stored=True, sortable=True),
        version=ID(stored=True),
        # comparable keys (title_key and short title) of every regulation this unit cites, and key#N per article
        cites=KEYWORD(stored=True, commas=True, scorable=True),
        # for articles and regulation documents: the regulation's short-title key
        reg_key=ID(stored=True),
        article=ID(stored=True),
        # numbers are matched exactly and sorted, never ranged: one term each, not Whoosh's 8 tiers
        article_num=NUMERIC(stored=True, shift_step=0),
        problem=STORED(),
        problem_title=STORED(),  # a measure's problem's title, for its readable heading (not searched)
        category_num=STORED(),
        measure=STORED(),
        source_path=STORED(),
        sha=STORED(),
        ord=NUMERIC(stored=True, sortable=True, shift_step=0),
    )
