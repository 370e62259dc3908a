"""Segments' weights files (indexer/weights.py): what the blocks hold, and scores with the very bits of the blocks'."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as windex
from whoosh import query as Q
from whoosh.fields import ID, TEXT, Schema
from whoosh.scoring import bm25
from whoosh.util.numeric import byte_to_length

from archive.kinds import VersionStatus
from indexer.backends.whoosh import docsets, postings, weights
from indexer.backends.whoosh.docsets import evaluate
from indexer.backends.whoosh.execution import TermCache
from indexer.backends.whoosh.parallel import FastSegmentWriter
from indexer.backends.whoosh.weighting import WEIGHTING, DisMax
from indexer.backends.whoosh.weights import EXT, open_weights

OLD = VersionStatus.SUPERSEDED.value
DOCS = [("a", "alpha beta gamma", "alpha", "x", ""), ("b", "beta beta delta", "beta", "y", OLD),
        ("c", "gamma delta alpha alpha", "", "x", ""), ("d", "alpha beta", "delta", "y", ""),
        ("e", "epsilon alpha beta gamma delta", "gamma", "x", OLD), ("f", "beta", "beta", "y", ""),
        ("g", "alpha gamma gamma gamma", "alpha beta", "x", ""), ("h", "delta beta alpha", "", "y", "")]
QUERIES = [
    Q.Term("body", "alpha"),
    Q.Term("title", "beta", boost=2.5),
    Q.Or([Q.Term("body", "alpha"), Q.Term("title", "beta"), Q.Term("body", "gamma")], boost=1.7),
    Q.And([Q.Term("body", "alpha"), Q.Term("body", "beta")], boost=0.5),
    Q.And([Q.Term("body", "alpha"), Q.Or([Q.Term("body", "gamma"), Q.Term("title", "delta")])]),
    DisMax([Q.Term("body", "alpha"), Q.Term("title", "gamma", boost=4.0)], boost=1.2),
    Q.And([DisMax([Q.Term("body", "beta"), Q.Term("title", "delta")]), Q.Term("tag", "y")]),
    Q.AndNot(Q.Term("body", "alpha"), Q.Term("tag", "y")),
    Q.Phrase("body", ["alpha", "beta"]),
    Q.Phrase("body", ["gamma", "gamma"]),
    Q.Phrase("body", ["alpha", "gamma", "gamma"]),
    Q.Phrase("body", ["alpha", "gamma"], slop=2),
    Q.Phrase("body", ["delta", "alpha"], slop=3, boost=2.0),
    Q.And([Q.Phrase("body", ["beta", "gamma"]), Q.Term("tag", "x")]),
    Q.Or([Q.Phrase("body", ["gamma", "delta"]), Q.Phrase("body", ["beta", "delta"], boost=2.0)]),
]


@pytest.fixture()
def on_disk(tmp_path, monkeypatch):
    """An index on disk of three segments written by xuncha's writer, one document deleted, superseded
    versions, a field boost that makes weights fractional; every term kept in the weights files."""
    monkeypatch.setattr(weights, "MIN_POSTINGS", 1)
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(phrase=True), title=TEXT(field_boost=1.5),
                    tag=ID, status=ID)
    ix = windex.create_in(str(tmp_path), schema)
    for chunk in (DOCS[:3], DOCS[3:5], DOCS[5:]):
        writer = FastSegmentWriter(ix)
        for i, body, title, tag, status in chunk:
            writer.add_document(id=i, body=body, title=title, tag=tag, **({"status": status} if status else {}))
        writer.commit(merge=False)
    writer = FastSegmentWriter(ix)
    writer.delete_by_term("id", "c")
    writer.commit(merge=False)
    return ix


def test_each_segment_gets_a_file_holding_what_its_blocks_hold(on_disk) -> None:
    with on_disk.searcher() as s:
        assert len(s.subsearchers) == 3
        compared = 0
        for sub, _ in s.leaf_searchers():
            reader = sub.reader()
            stored = open_weights(reader)
            assert stored is not None and (Path(on_disk.storage.folder) / f"{reader._segment.segment_id()}{EXT}").is_file()
            assert set(stored.terms) == {"body", "title"}  # the scored fields only
            for field, text in [(f, t) for f, terms in stored.terms.items() for t in terms]:
                ids, ws = stored.get(field, text)
                m = reader.postings(field, text)
                blocks = m.child if hasattr(m, "child") else m  # the file keeps deleted documents, as blocks do
                want = list(blocks.items_as("weight"))
                assert list(zip(ids.tolist(), ws.tolist())) == want
                compared += 1
                if field == "body":  # and its positions, in the order of the documents
                    ids, counts, flat = stored.positions(field, text)
                    m = reader.postings(field, text)
                    m = m.child if hasattr(m, "child") else m
                    positions = [p for _, p in m.items_as("positions")]
                    assert counts.tolist() == [len(p) for p in positions]
                    assert flat.tolist() == [x for p in positions for x in p]
        assert compared > 10
    assert any(w != int(w) for _, w in _all_weights(on_disk, "title"))  # the float64 code is exercised


def _all_weights(ix, field):
    with ix.searcher() as s:
        for sub, _ in s.leaf_searchers():
            stored = open_weights(sub.reader())
            for f, text in [(f, t) for f, terms in stored.terms.items() for t in terms]:
                if f == field:
                    yield from zip(*map(np.ndarray.tolist, stored.get(f, text)))


@pytest.mark.parametrize("q", QUERIES, ids=[repr(q)[:60] for q in QUERIES])
def test_scores_from_the_files_equal_the_blocks_to_the_bit(on_disk, q, monkeypatch) -> None:
    read, chained = [], []
    real, chain = docsets.Leaf._stored, docsets.Leaf._chained
    monkeypatch.setattr(docsets.Leaf, "_stored", lambda *a: read.append(found := real(*a)) or found)
    monkeypatch.setattr(docsets.Leaf, "_chained", lambda *a: chained.append(1) or chain(*a))
    with on_disk.searcher(weighting=WEIGHTING) as s:
        ours = evaluate(s, q)
        theirs = {r.docnum: r.score for r in s.search(q, limit=None)}
        assert ours.keys() == theirs.keys()
        assert ours == pytest.approx(theirs, rel=1e-9)
        monkeypatch.setattr(docsets, "KEEP_MIN_DF", 1)
        assert evaluate(s, q, memo={}, terms=(terms := TermCache(1000)), generation="g") == ours  # kept whole
        assert evaluate(s, q, memo={}, terms=terms, generation="g") == ours  # then from the cache
        with monkeypatch.context() as m:
            m.setattr(docsets, "open_weights", lambda reader: None)
            m.setattr(postings, "open_weights", lambda reader: None)
            before = len(read), len(chained)
            blocks = evaluate(s, q)
            assert not any(found is not None for found in read[before[0]:]) and len(chained) == before[1]  # blocks only
    assert any(found is not None for found in read) and ours == blocks  # == on floats: the same bits
    assert bool(chained) == ("Phrase" in repr(q))  # phrases chained from the file's positions


def test_an_incremental_update_and_a_merge_keep_one_file_per_live_segment(on_disk, monkeypatch) -> None:
    folder = on_disk.storage.folder
    writer = FastSegmentWriter(on_disk)
    writer.add_document(id="i", body="alpha omega", title="omega", tag="x")
    writer.commit(optimize=True)  # the old segments merged into the new one
    with on_disk.searcher() as s:
        live = {sub.reader()._segment.segment_id() for sub, _ in s.leaf_searchers()}
        assert len(live) == 1
        assert all(open_weights(sub.reader()) is not None for sub, _ in s.leaf_searchers())
    files = {p.name.removesuffix(EXT) for p in Path(folder).glob("*" + EXT)}
    assert files == live  # the merged segments' files went with them (Whoosh's clean_files)
    assert not list(Path(folder).glob(".*.tmp"))


def test_a_failed_segment_leaves_no_file(on_disk, monkeypatch) -> None:
    writer = FastSegmentWriter(on_disk)
    writer.add_document(id="j", body="alpha zeta", title="zeta", tag="y")
    monkeypatch.setattr(type(writer).__mro__[1], "_assemble_segment", lambda self: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        writer.commit(merge=False)
    writer.cancel()
    assert not list(Path(on_disk.storage.folder).glob(".*.tmp"))
    assert len(list(Path(on_disk.storage.folder).glob("*" + EXT))) == 3


def test_the_archives_index_is_read_from_its_files(service) -> None:
    s = service.searcher()
    for sub, _ in s.leaf_searchers():
        stored = open_weights(sub.reader())
        assert stored is not None and set(stored.terms) == {"title", "body", "context", "cites"}
        assert sum(type(e) is tuple for e in stored.terms["body"].values()) > 100  # terms with their arrays
        for field, terms in stored.terms.items():  # every term of the field, with Whoosh's document frequency
            assert len(terms) == len(list(sub.reader().lexicon(field)))
            for text in list(terms)[:200]:
                assert stored.doc_frequency(field, text) == sub.reader().doc_frequency(field, text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 65535), st.integers(0, 255)), min_size=1, max_size=50),
       st.floats(0.01, 50.0), st.floats(0.1, 5000.0), st.floats(0.0, 1.0), st.floats(0.0, 3.0))
def test_bm25_over_arrays_is_whooshs_bm25_to_the_bit(postings, idf, avgfl, B, K1) -> None:
    tf = np.array([t for t, _ in postings], dtype=np.float64)
    lengths = np.array([b for _, b in postings], dtype=np.uint8)
    got = weights.bm25_arrays(idf, tf, lengths, avgfl, B, K1).tolist()
    want = [bm25(idf, float(t), byte_to_length(b), avgfl, B, K1) for t, b in postings]
    assert got == want



def test_readers_of_one_segment_share_its_file(on_disk) -> None:
    """Each thread has its own searcher: their readers share one open file (and its table of terms)."""
    with on_disk.searcher() as a, on_disk.searcher() as b:
        for (x, _), (y, _) in zip(a.leaf_searchers(), b.leaf_searchers()):
            assert x.reader() is not y.reader()
            assert open_weights(x.reader()) is open_weights(y.reader()) is not None
