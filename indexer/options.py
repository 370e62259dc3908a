"""The small frozen option objects of the indexer (built from Settings at the entry points)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .citing import CitedOptions
from .feedback import FeedbackOptions
from .frame import FrameOptions
from .fusion import FusionOptions
from .minmatch import MinMatchOptions
from .related import RelatedOptions
from .variants import VariantOptions


@dataclass(frozen=True, slots=True)
class IndexOptions:
    """Where the index generations live and how many processes segment text for a build."""

    root: Path
    workers: int = 0  # 0: one per core
    sphinx_agents: str = ""  # the Sphinx shards (host:sql_port:api_port, …); "": HOME/cluster/cluster.json
    keep_tokens: bool = True  # segmented text kept by content hash beside the index (tokens_path)
    related_words: bool = False  # learn related words from the kept tokens at a full build (indexer/related.py)
    # a long query (6 content words or more) leaves out the words that frame a finding (落实, 不到位, 存在, 问题:
    # indexer/frame.py); None: off. On since round 5 of issue 31: tune's new pasted titles 0.691 → 0.732 (stock-OR
    # 0.736), no change on any other kind of tune, test or fresh, new +0.012 (title 0.86× → 0.96× stock-OR;
    # results_31_frame.md)
    frame: FrameOptions | None = FrameOptions()
    backend: str = "whoosh"  # the engine (indexer/backends): whoosh | sphinx

    @property
    def tokens_path(self) -> Path | None:
        """The token store (archive.tokens): derived, deletable; None when tokens are not kept."""
        return self.root / "tokens.sqlite3" if self.keep_tokens else None

    @property
    def worker_count(self) -> int:
        return self.workers or (os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class SearchOptions:
    """What a search service needs: the index, the archive (snippets come from its text) and the bounds."""

    index_root: Path
    db_path: Path  # the archive the index was built from: snippets come from its text
    sphinx_agents: str = ""  # the Sphinx shards (host:sql_port:api_port, …); "": HOME/cluster/cluster.json
    max_query_chars: int = 200
    result_cache: int = 512  # answers kept per process (keyed by index generation); 0: none
    time_limit_s: float = 0.8  # thread CPU a search's evaluation may take; then Whoosh's collector, one more bound
    term_cache_postings: int = 4_000_000  # common terms' scores kept across searches (12 bytes each); 0: none
    feedback: FeedbackOptions | None = None  # pseudo-relevance feedback (indexer/feedback.py); None: off
    related: RelatedOptions | None = None  # expansion by words learned to co-occur (indexer/related.py); None: off
    cited: CitedOptions | None = None  # the cited article's references as candidates (indexer/citing.py); None: off
    fusion: FusionOptions | None = None  # the engine's ranking fused with plain BM25-OR's (indexer/fusion.py); None: off
    # a long query's relaxed form asks a share of its words (indexer/minmatch.py); None: off. On since h-mm31: round
    # 3 of issue 31 measured these options ahead on every split once pool 3 was judged (results_31.md: tune +0.014,
    # test +0.022, fresh +0.0001, new +0.040 nDCG@10), and the engines now answer alike (Sphinx matches a MinMatch
    # exactly, by quorum or its k-of-n ANDs; tests/test_rescore.py: counts and top 10s equal on every sample tree)
    min_match: MinMatchOptions | None = MinMatchOptions(spec="50%", above=2, weight=0.6)
    # traditional → simplified and homophone typos (indexer/variants.py), on since round 3b of issue 31: no change on
    # tune, test and fresh, new +0.054 nDCG@10 (variant kind 0.96× → 1.88× stock-OR; results_31_variants.md); None: off
    variants: VariantOptions | None = VariantOptions()
    # a long query (6 content words or more) leaves out the words that frame a finding (落实, 不到位, 存在, 问题:
    # indexer/frame.py); None: off. On since round 5 of issue 31: tune's new pasted titles 0.691 → 0.732 (stock-OR
    # 0.736), no change on any other kind of tune, test or fresh, new +0.012 (title 0.86× → 0.96× stock-OR;
    # results_31_frame.md)
    frame: FrameOptions | None = FrameOptions()
    backend: str = "whoosh"  # the engine (indexer/backends): whoosh | sphinx
