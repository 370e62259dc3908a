"""build_schema(): the four grains in one Whoosh index, told apart by `kind`."""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import bigram_analyzer, word_analyzer

# bump whenever fields or analysis change: `xuncha reindex --if-needed` then rebuilds
SCHEMA_VERSION = 10  # 9: rectification (issue 12); 10: problem_title stored for measures (Hit.heading)

KINDS = ("document", "problem", "measure", "article")
FACETS = ("kind", "doc_type", "publisher", "year", "category", "reg_category", "region", "status", "rectification")


def build_schema() -> Schema:
    """The index schema: text fields analysed by our jieba analyzer, facets as sortable IDs."""
    words, bi = word_analyzer(), bigram_analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        doc_id=ID(stored=True),
        doc_type=ID(stored=True, sortable=True),
        doc_title=STORED(),
        title=TEXT(analyzer=words, stored=True, phrase=True),
        body=TEXT(analyzer=words, stored=True, phrase=True),
        # where the unit sits: the document's title and the problem category or chapter
        context=TEXT(analyzer=words, phrase=True),
        # recall fallback: character bigrams of title and body
        bigram=TEXT(analyzer=bi, phrase=True),
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
        article_num=NUMERIC(stored=True),
        problem=STORED(),
        problem_title=STORED(),  # a measure's problem's title, for its readable heading (not searched)
        category_num=STORED(),
        measure=STORED(),
        source_path=STORED(),
        sha=STORED(),
        ord=NUMERIC(stored=True, sortable=True),
    )
