"""Grain records → SphinxQL rows: stable ids, shard routing by document, pre-segmented text, key tokens."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import zlib
from typing import Any

from archive.kinds import VersionStatus

from ...analysis import SEP, SUB, Segmented, encode
from ...rescore import SCORED, UnitTokens, payload
from .config import FACET_ATTRS, KEY_FIELDS, SUB_FIELDS, TEXT_FIELDS

# what a hit shows (results.Hit) beyond the attributes: kept in the JSON attribute `stored`
STORED = ("doc_title", "source_path", "title", "article", "problem", "measure", "category", "version", "reg_key",
          "problem_title")

# characters the charset_table keeps inside a word (config.CHARSET); anything else splits a token there
_OUTSIDE = re.compile(r"[^0-9a-z_%.\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SUB_TOKEN = re.compile(f"{SEP}{SUB}([^{SEP}]*)")  # a sub-word or alias token (what follows SUB)
COLUMNS = ("id", *TEXT_FIELDS, *SUB_FIELDS, *KEY_FIELDS, "uid", "doc_id", "published", *FACET_ATTRS,
           *(f"h_{a}" for a in FACET_ATTRS), "doc", "superseded", "ord", "stored", "toks")


def value_key(value: Any) -> int:
    """A facet value as the integer filters compare (h_<facet> attributes): CRC-32 of its text."""
    return zlib.crc32(str(value).encode("utf-8"))


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def row_id(unit_id: str) -> int:
    """A unit's Sphinx document id: 63 bits of a hash of its id (never 0)."""
    return (_hash64(unit_id) & ((1 << 63) - 1)) or 1


def doc_key(doc_id: str) -> int:
    """The `doc` attribute: 32 bits of a hash of the document id (a document's units are found by it)."""
    return _hash64(doc_id) & 0xFFFFFFFF


def shard_of(doc_id: str, shards: int) -> int:
    """The shard a document and all its units live on: a stable hash of the document id."""
    return _hash64("shard:" + doc_id) % shards


def key_token(field: str, value: Any) -> str:
    """An exact key (a cited regulation's key, key#N, a version date, an article number) as one ASCII word."""
    return "k" + hashlib.blake2b(f"{field}\x00{value}".encode("utf-8"), digest_size=10).hexdigest()


def word_pieces(word: str) -> list[str]:
    """A token as Sphinx's charset_table reads it (lower-cased; other characters split it)."""
    return [p for p in _OUTSIDE.split(word.lower()) if p]


def text_value(value: Any) -> tuple[str, str]:
    """A text field as Sphinx gets it: its primary words in order, and its sub-words and aliases (the _x field)."""
    if not value:
        return "", ""
    enc = str(value) if type(value) is Segmented else encode(str(value))
    if enc is None:
        return "", ""
    if not enc:
        return "", ""
    # the whole field at once (word_pieces of every token, joined: a few regex passes in C, not a loop over
    # tokens: the largest client cost of a build); SEP, SUB and the space are outside the charset too
    enc = SEP + enc
    return _pieces(_SUB_TOKEN.sub("", enc)), _pieces(" ".join(_SUB_TOKEN.findall(enc)))


def _pieces(text: str) -> str:
    """word_pieces of every space-separated token of `text`, joined by single spaces."""
    return " ".join(_OUTSIDE.sub(" ", text.lower()).split()) if text else ""


def keys_value(field: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    values = [v for v in str(value).split(",") if v] if field == "cites" else [value]
    return " ".join(key_token(field, v) for v in values)


def to_row(rec: dict[str, Any]) -> tuple[Any, ...]:
    """One REPLACE row (COLUMNS order) from a grain record (indexer.documents)."""
    stored = {k: (str(rec[f"_stored_{k}"]) if f"_stored_{k}" in rec else rec.get(k))
              for k in STORED if rec.get(k) not in (None, "")}
    stored = {k: (v if isinstance(v, (int, float)) else str(v)) for k, v in stored.items()}
    texts = [text_value(rec.get(f)) for f in TEXT_FIELDS]
    return (row_id(rec["id"]), *(t[0] for t in texts), *(t[1] for t in texts),
            *(keys_value(f, rec.get(f)) for f in KEY_FIELDS),
            rec["id"], rec["doc_id"], str(rec.get("published") or ""),
            *(str(rec.get(a) or "") for a in FACET_ATTRS), *(value_key(rec.get(a) or "") for a in FACET_ATTRS),
            doc_key(rec["doc_id"]),
            int(rec.get("status") == VersionStatus.SUPERSEDED.value), int(rec.get("ord") or 0),
            json.dumps(stored, ensure_ascii=False), pack({**payload(rec), SEQ: time.time_ns()}))


# when the row was made: later rows, later numbers, as the Whoosh engine numbers its units in the order they are
# written (a rebuild in grain_records order, an update's units after all others); equal scores are in that order
SEQ = "seq"


def pack(values: dict[str, Any]) -> str:
    """A unit's second-phase payload (indexer/rescore.payload: its encoded text fields and keys) as the ASCII
    string attribute `toks`: JSON, deflated, base64 (about the size of the text itself)."""
    return base64.b64encode(zlib.compress(json.dumps(values, ensure_ascii=False).encode("utf-8"), 6)).decode("ascii")


def unpack(text: str | bytes | None) -> dict[str, Any]:
    if not text:
        return {}
    return json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))


def field_words(row: tuple[Any, ...]) -> dict[str, list[str]]:
    """Each scored field's tokens (words, same-position sub-words and aliases; cites) exactly as the Whoosh
    field holds them, one entry per occurrence: the statistics of the second phase (indexer/rescore.py)."""
    unit = UnitTokens.of(unpack(row[COLUMNS.index("toks")]), False)
    return {f: [t for t, at in unit.positions[f].items() for _ in at] for f in SCORED}


def words_of(row: tuple[Any, ...]) -> set[str]:
    """The distinct words of a row's text and key fields (for the cluster's document frequencies)."""
    out: set[str] = set()
    for text in row[1:1 + 2 * len(TEXT_FIELDS) + len(KEY_FIELDS)]:
        out.update(text.split())
    return out
