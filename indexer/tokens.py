"""Segment each text once: grain records' text fields replaced by their kept tokens (archive.tokens).

A build looks every text up by content hash (blake2b of the text; the store is valid for one
analysis_version: rules, dictionary, jieba), segments only those it has never seen, and keeps what it
segmented. So a full re-index after a schema change, and a re-ingest of changed documents, run jieba
on new text only (issue 14: segmentation was half of a build's CPU). Whoosh gets a Segmented value,
which the tokenizer reads without jieba; stored fields keep the original text (`_stored_<name>`).
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from archive.tokens import TokenStore

from .analysis import Segmented, encode, primary_words

TEXT_FIELDS = ("title", "body", "context")
STORED_TEXT = frozenset({"title"})  # text fields Whoosh also stores: the original goes in _stored_<name>
BATCH = 256  # records looked up together
FLUSH = 4_000  # new tokens kept in one transaction


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class Presegmenter:
    """Replaces records' text by kept tokens, segmenting (and keeping) what the store lacks."""

    def __init__(self, store: TokenStore | None) -> None:
        self.store = store
        self.used: set[bytes] = set()
        self.hits = self.misses = 0
        self._new: dict[bytes, bytes] = {}

    def records(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The same records, text fields pre-segmented, in the same order."""
        batch: list[dict[str, Any]] = []
        for rec in records:
            batch.append(rec)
            if len(batch) >= BATCH:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)
        self.flush()

    def _batch(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = {text_key(v): v for rec in batch for f in TEXT_FIELDS if (v := rec.get(f))}
        kept = self.store.get(k for k in keys if k not in self._new) if self.store is not None else {}
        tokens: dict[str, str | None] = {}  # text → its encoded tokens
        for key, text in keys.items():
            data = kept.get(key) or self._new.get(key)
            if data is not None:
                self.hits += 1
                tokens[text] = zlib.decompress(data).decode("utf-8")
                continue
            self.misses += 1
            tokens[text] = enc = encode(text)
            if enc is not None and self.store is not None:
                self._new[key] = zlib.compress(enc.encode("utf-8"), 1)
        self.used.update(keys)
        out = []
        for rec in batch:
            rec = dict(rec)
            for f in TEXT_FIELDS:
                if (v := rec.get(f)) and (enc := tokens[v]) is not None:
                    rec[f] = Segmented(enc)
                    if f in STORED_TEXT:
                        rec[f"_stored_{f}"] = v
            out.append(rec)
        if len(self._new) >= FLUSH:
            self.flush()
        return out

    def flush(self) -> None:
        """Keep the tokens segmented so far."""
        if self.store is not None and self._new:
            self.store.put(self._new)
        self._new = {}


def kept_words(store: TokenStore) -> Iterator[list[str]]:
    """Each kept text's words as the index spells them (its primary tokens, no sub-words)."""
    for data in store.values():
        yield primary_words(zlib.decompress(data).decode("utf-8"))
