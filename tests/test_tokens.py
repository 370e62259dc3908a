"""Segment once: kept tokens give the very index jieba gives, rebuilds reuse them, re-ingests segment only new text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from whoosh import index as windex

from archive.database import Archive
from archive.pipeline import ingest
from archive.tokens import TokenStore
from indexer import analysis, tokens
from indexer.analysis import Segmented, encode
from indexer.backends.whoosh.analyzer import word_analyzer
from indexer.backends.whoosh.build import current_dir, full_rebuild, reindex
from indexer.documents import grain_records
from indexer.backends.whoosh.schema import build_schema
from tests.conftest import SAMPLES
from xuncha.settings import Settings


def _postings(directory: Path) -> tuple[dict, dict]:
    """Every posting by (field, term) and every stored record, keyed by unit id (not by document number)."""
    ix = windex.open_dir(str(directory))
    with ix.searcher() as s:
        r = s.reader()
        ids = {n: f["id"] for n, f in r.iter_docs()}
        stored = {f["id"]: f for _, f in r.iter_docs()}
        out: dict = {}
        for field, term in r.all_terms():
            if field not in ("title", "body", "context"):
                continue
            m = r.postings(field, term)
            rows = []
            while m.is_active():
                rows.append((ids[m.id()], m.weight(), tuple(m.value_as("positions"))
                             if m.supports("positions") else ()))
                m.next()
            out[(field, term)] = sorted(rows)
        lengths = {(ids[n], f): r.doc_field_length(n, f) for n in ids for f in ("title", "body", "context")}
    return out, {"stored": stored, "lengths": lengths}


def _plain(archive: Archive, directory: Path) -> Path:
    """The index as Whoosh builds it from the raw text (jieba inside the analyzer, no store)."""
    directory.mkdir()
    ix = windex.create_in(str(directory), build_schema())
    with ix.writer() as w:
        for rec in grain_records(archive):
            w.add_document(**{k: v for k, v in rec.items() if v is not None and v != ""})
    return directory


def test_encoded_tokens_read_back_as_the_analyzer_gives_them() -> None:
    text = "第5条规定，公务用车实行政府采购，年度预算20万元。中华人民共和国 ABC-12"
    enc = encode(text)
    assert enc is not None
    direct = [(t.text, t.pos) for t in word_analyzer()(text, positions=True)]
    kept = [(t.text, t.pos) for t in word_analyzer()(Segmented(enc), positions=True)]
    assert kept == direct and len(direct) > 10
    assert encode("a\x1fb") is None  # a separator in the text: segmented at build time, never kept
    with pytest.raises(ValueError):
        list(word_analyzer()(Segmented(enc), chars=True))


@pytest.mark.parametrize("workers", [1, 2])
def test_kept_tokens_build_the_same_index(samples_home: Settings, tmp_path: Path, workers: int) -> None:
    s = dataclasses.replace(samples_home, workers=workers)
    with Archive.open(s.db_path) as a:
        expected = _postings(_plain(a, tmp_path / "plain"))
        full_rebuild(a, s.index_options())  # cold: segments everything and keeps it
        cold = _postings(current_dir(s.index_root))  # type: ignore[arg-type]
        full_rebuild(a, s.index_options())  # warm: segments nothing
        warm = _postings(current_dir(s.index_root))  # type: ignore[arg-type]
    assert cold == expected and warm == expected
    assert len(expected[0]) > 1000


def test_rebuild_and_unchanged_reingest_segment_nothing(samples_home: Settings, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    with Archive.open(samples_home.db_path) as a:
        full_rebuild(a, samples_home.index_options())
    with TokenStore(samples_home.index_options().tokens_path, analysis.analysis_version()) as ts:  # type: ignore[arg-type]
        kept = ts.count()
    assert kept > 100

    calls = []
    real = analysis.segment
    monkeypatch.setattr(analysis, "segment", lambda *a, **k: (calls.append(a[0]), real(*a, **k))[1])
    analysis._SHORT_CACHE.clear()
    with Archive.open(samples_home.db_path) as a:
        full_rebuild(a, samples_home.index_options())  # e.g. after a schema change: every text is kept already
        assert calls == []
        report = ingest(a, samples_home.ingest_options(), [str(SAMPLES)])  # nothing changed
        assert report.count("added") == 0
        assert reindex(a, samples_home.index_options()).mode == "none" and calls == []
        # one new notice: only its texts are segmented, and they are kept
        new = tmp_path / "new"
        new.mkdir()
        src = sorted((SAMPLES / "notices").glob("*.txt"))[0]
        (new / "另一份通报.txt").write_text(src.read_text(encoding="utf-8").replace("整改", "整改落实", 3),
                                          encoding="utf-8")
        ingest(a, samples_home.ingest_options(), [str(new)])
        assert reindex(a, samples_home.index_options()).mode == "incremental"
    assert calls and all(len(c) < 20_000 for c in calls)
    with TokenStore(samples_home.index_options().tokens_path, analysis.analysis_version()) as ts:  # type: ignore[arg-type]
        assert ts.count() > kept


def test_a_new_analysis_version_empties_the_store(tmp_path: Path) -> None:
    path = tmp_path / "tokens.sqlite3"
    with TokenStore(path, "1:a") as ts:
        ts.put({b"k" * 16: b"v"})
        assert ts.get([b"k" * 16, b"x" * 16]) == {b"k" * 16: b"v"}
        assert ts.keep_only([b"x" * 16]) == 1 and ts.count() == 0
        ts.put({b"k" * 16: b"v"})
    with TokenStore(path, "2:a") as ts:
        assert ts.count() == 0


def test_a_full_build_keeps_only_what_its_units_use(samples_home: Settings, tmp_path: Path) -> None:
    with Archive.open(samples_home.db_path) as a:
        full_rebuild(a, samples_home.index_options())
    path = samples_home.index_options().tokens_path
    assert path is not None
    with TokenStore(path, analysis.analysis_version()) as ts:
        before = ts.count()
        ts.put({tokens.text_key("没有任何单元的文字"): b"x"})
    with Archive.open(samples_home.db_path) as a:
        full_rebuild(a, samples_home.index_options())
    with TokenStore(path, analysis.analysis_version()) as ts:
        assert ts.count() == before
