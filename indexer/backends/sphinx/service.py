"""SphinxBackend: the SearchBackend protocol (indexer/backend.py) over a cluster of searchd shards.

A search reads the generation pointer once and asks one shard's distributed index of that slot (the first
shard that answers coordinates; the others answer as its agents). A shard that is down or slower than the
agent timeout is named in SHOW META's warning: the answer comes from the others, marked partial
(Matched.missing_shards), never an error. Work is bounded by `OPTION max_query_time`.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.kinds import DocType

from ...vocabulary import FILE as VOCABULARY_FILE
from ...backend import (ALL_FEATURES, FACET_VALUES, Batch, DocumentUnits, Feature, IndexHealth, Matched,
                        SearchRequest, ShardHealth, Sort)
from ...querytree import And, AndNot, Every, Node, Or, Term
from ...rescore import Scorer, Statistics, UnitTokens, query_terms
from . import client, crosscheck
from .config import FACET_ATTRS, dist_index, local_index
from .generations import Generation, Writer, read_pointer, read_stats, vocabulary_dir
from .match import compile_match
from .ranking import field_weights, idf_one, ranker
from .options import ClusterOptions, Shard
from .rows import SEQ, STORED, key_token, row_id, unpack, value_key

# IDF log(N/n) without the division by the query's keyword count (Whoosh's is per term)
IDF = "'plain,tfidf_unnormalized'"
_AGENT = re.compile(r"agent ([\w.\-]+):(\d+)")
_SELECT = ("uid", "kind", "doc_id", "published", *FACET_ATTRS, "stored", "superseded")
# relevance answers: the best WINDOW units by the ranker expression (each shard's best WINDOW at most) are scored
# again exactly as the Whoosh engine scores the query tree (indexer/rescore.py) and the best `limit` of them kept;
# measured on the whole corpus (docs/design/h-fid32.md): the window's share of Whoosh's top 10 and its cost
WINDOW = 300


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit a shard found (indexer.backend.FoundUnit)."""

    id: str
    kind: str
    score: float
    _fields: Mapping[str, Any] = field(default_factory=dict)

    def fields(self) -> Mapping[str, Any]:
        return self._fields

    @property
    def order(self) -> int:
        """The unit's Sphinx document id (rows.row_id): searches order equal weights by it."""
        return row_id(self.id)


@dataclass(frozen=True, slots=True)
class _Answer:
    units: list[Unit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    missing: tuple[str, ...]
    timed_out: bool
    payloads: tuple[tuple[str, bool], ...] = ()  # each unit's (rows.pack payload, superseded) for the second phase


class _Batch:
    """indexer.backend.Batch over a generations.Writer."""

    def __init__(self, writer: Writer) -> None:
        self.writer, self._done = writer, False

    def put(self, document: DocumentUnits) -> None:
        self.writer.put(document.doc_id, document.sha, [dict(u) for u in document.units])

    def delete(self, doc_id: str) -> None:
        self.writer.delete(doc_id)

    def commit(self) -> str:
        self._done = True
        return self.writer.commit().token

    def abort(self) -> None:
        self._done = True
        self.writer.abort()

    def __enter__(self) -> _Batch:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self._done:
            return
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def _where(filters: Node | None) -> list[str]:
    """Filter tree → WHERE conditions on the hashed facet attributes (And of Terms, AndNot, same-field Or)."""
    if filters is None:
        return []
    if isinstance(filters, Term):
        return [f"h_{filters.field}={value_key(filters.text)}"]
    if isinstance(filters, And):
        return [c for sub in filters.clauses for c in _where(sub)]
    if isinstance(filters, Or) and all(isinstance(c, Term) for c in filters.clauses) \
            and len({c.field for c in filters.clauses}) == 1:  # type: ignore[union-attr]
        name = filters.clauses[0].field  # type: ignore[union-attr]
        return [f"h_{name} IN ({','.join(str(value_key(c.text)) for c in filters.clauses)})"]  # type: ignore[union-attr]
    if isinstance(filters, AndNot) and isinstance(filters.negative, Term):
        return _where(filters.positive) + [f"h_{filters.negative.field}!={value_key(filters.negative.text)}"]
    raise ValueError(f"not a filter Sphinx can apply: {filters!r}")


class SphinxBackend:
    """The Sphinx/Manticore engine: thread-safe for searches (a connection per call), one writer at a time."""

    name = "sphinx"

    def __init__(self, options: ClusterOptions, on_switch: Any = None) -> None:
        self.options, self.on_switch = options, on_switch
        self._stats: tuple[Generation | None, dict[str, Any]] | None = None
        self._pool = client.Pool(options)
        self.window = WINDOW  # 0: the first phase's order (no second phase)
        self._scorer: tuple[Generation | None, Scorer] | None = None

    # 1, 2: documents and generations
    def begin_update(self) -> Batch:
        return _Batch(Writer(self.options, rebuild=False))

    def begin_rebuild(self) -> Batch:
        return _Batch(Writer(self.options, rebuild=True, on_switch=self.on_switch))

    def generation(self) -> Generation | None:
        return read_pointer(self.options.root)

    def version(self) -> str:
        gen = self.generation()
        return gen.token if gen else "sphinx:none"

    def _stat(self) -> dict[str, Any]:
        gen = self.generation()
        if self._stats is None or self._stats[0] != gen:
            self._stats = (gen, read_stats(self.options.root, gen.slot if gen else "a"))
        return self._stats[1]

    def synonym_files(self) -> tuple[Path, ...]:
        return self.generation_files(VOCABULARY_FILE)

    def generation_files(self, name: str) -> tuple[Path, ...]:
        gen = self.generation()
        kept = vocabulary_dir(self.options.root, gen.slot) / name if gen else None
        return (kept,) if kept is not None and kept.is_file() else ()

    def _ranker(self) -> str:
        stats = self._stat()
        units = max(1, int(stats.get("units", 0)))
        return ranker({f: n / units for f, n in stats.get("lengths", {}).items()}, idf_one(units))

    def scorer(self) -> Scorer:
        """The second phase's scorer over the serving generation's statistics (the cluster's DFs and lengths)."""
        gen = self.generation()
        if self._scorer is None or self._scorer[0] != gen:
            stats = self._stat()
            df = stats.get("df", {})
            self._scorer = (gen, Scorer(Statistics(int(stats.get("units", 0)), dict(stats.get("lengths", {})),
                                                   lambda f, t: int(df.get(f, {}).get(t, 0)))))
        return self._scorer[1]

    def indexed(self) -> Mapping[str, str]:
        return dict(self._stat().get("docs", {}))

    def indexed_links(self) -> Mapping[str, str]:
        """Each indexed notice's link digest (indexer/documents.link_digest) as it was indexed."""
        return dict(self._stat().get("links", {}))

    def features(self) -> frozenset[Feature]:
        # Sphinx sums alternatives (no DisMax) and has no per-field B
        return ALL_FEATURES - {Feature.DISMAX, Feature.FIELD_B}

    def regulation_keys(self) -> frozenset[str]:
        return frozenset(self._stat().get("reg_versions", {}))

    def regulation_versions(self, key: str) -> tuple[str, ...]:
        return tuple(self._stat().get("reg_versions", {}).get(key, ()))

    def doc_frequency(self, field_name: str, term: str) -> int:
        return int(self._stat().get("df", {}).get(field_name, {}).get(str(term).lower(), 0))

    def unit_count(self) -> int:
        return int(self._stat().get("units", 0))

    def key_terms(self, text: str, count: int, field_name: str = "body") -> tuple[tuple[str, float], ...]:
        return crosscheck.key_terms(text, count, self.unit_count(), lambda w: self.doc_frequency(field_name, w),
                                    self._stat().get("cf", {}).get(field_name))

    # 3: search
    def _query(self, match: str | None, where: list[str], limit: int, sort: Sort, time_limit_s: float,
               facets: Sequence[str], facet_values: int, tree: Node | None = None) -> _Answer:
        """One statement: the best `limit` units (with `tree`, a relevance order and a window: the best
        self.window by the ranker, scored again by the tree, the best `limit` of those), total, facets."""
        if match is None:
            return _Answer([], 0, {f: [] for f in facets}, (), False)
        second = tree is not None and sort == Sort.RELEVANCE and self.window > 0 and limit > 1
        fetch = max(limit, self.window) if second else limit
        gen = self.generation()
        slot = gen.slot if gen else "a"
        conds = ([f"MATCH(%s)"] if match else []) + where
        order = "published DESC, WEIGHT() DESC" if sort == Sort.DATE else "WEIGHT() DESC, id ASC"
        opts = [f"ranker={self._ranker()}", f"field_weights=({field_weights()})", f"idf={IDF}",
                f"max_matches={max(1000, fetch)}", f"max_query_time={max(1, int(time_limit_s * 1000))}"]
        if self.options.global_idf and gen is not None:
            opts.append("global_idf=1")
        sql = (f"SELECT {', '.join(_SELECT)}, {'toks' if second else 'ord'}, WEIGHT() "
               f"FROM {dist_index(slot)}" + (f" WHERE {' AND '.join(conds)}" if conds else "")
               + f" ORDER BY {order} LIMIT {max(1, fetch)} OPTION {', '.join(opts)}"
               + "".join(f" FACET {f} ORDER BY COUNT(*) DESC LIMIT {facet_values * 3}" for f in facets))
        args = (match,) if match else ()
        down: list[str] = []
        for shard in self._coordinators():
            try:
                sets, info = self._pool.run(shard, lambda conn: (client.result_sets(conn, sql, args), client.meta(conn)))
            except (client.Error, OSError):
                down.append(shard.name)
                continue
            answer = self._answer(sets, info, fetch, facets, facet_values, down)
            return self._rescored(answer, tree, limit) if second else answer  # type: ignore[arg-type]
        return _Answer([], 0, {f: [] for f in facets}, tuple(down), False)

    def _rescored(self, answer: _Answer, tree: Node, limit: int) -> _Answer:
        """The window's units in the tree's exact scores (ties in the order they were indexed, as Whoosh's:
        rows.SEQ), the best `limit`; a unit the tree does not match (a proximity the phrase does not chain) is
        left out."""
        scorer, scored, wanted = self.scorer(), [], query_terms(tree)
        for n, (unit, (toks, superseded)) in enumerate(zip(answer.units, answer.payloads)):
            values = unpack(toks)
            value = scorer.score(tree, UnitTokens.of(values, superseded, wanted))
            if value is not None:
                scored.append((-value, int(values.get(SEQ, 0)), n, Unit(unit.id, unit.kind, value, unit._fields)))
        scored.sort(key=lambda x: x[:3])
        return dataclasses.replace(answer, units=[x[3] for x in scored[:limit]], payloads=())

    def _coordinators(self) -> list[Shard]:
        return list(self.options.shards)

    def _answer(self, sets: list[list[tuple]], info: dict[str, str], limit: int, facets: Sequence[str],
                facet_values: int, down: list[str]) -> _Answer:
        units, payloads = [], []
        for row in sets[0][:limit]:
            uid, kind, doc_id, published, *attrs = row[:-4]
            stored_json, superseded, toks, score = row[-4:]
            fields: dict[str, Any] = {"id": uid, "kind": kind, "doc_id": doc_id, "published": published}
            fields.update({a: v for a, v in zip(FACET_ATTRS, attrs)})
            fields.update(json.loads(stored_json) if stored_json else {})
            units.append(Unit(uid, kind, float(score) / 1000.0, {k: v for k, v in fields.items() if v != ""}))
            payloads.append((toks if isinstance(toks, (str, bytes)) else "", bool(superseded)))
        counted: dict[str, list[tuple[str, int]]] = {}
        for name, rows in zip(facets, sets[1:]):
            pairs = sorted(((str(v), int(n)) for v, n in rows if v not in ("", None)), key=lambda p: (-p[1], p[0]))
            counted[name] = pairs[:facet_values]
        for name in facets:
            counted.setdefault(name, [])
        by_port = {(s.host, s.api_port): s.name for s in self.options.shards}
        warning = info.get("warning", "")
        missing = list(down)
        for host, port in _AGENT.findall(warning):
            name = by_port.get((host, int(port)), f"{host}:{port}")
            if name not in missing:
                missing.append(name)
        timed_out = "max_query_time" in warning or "time" in warning and "exceeded" in warning
        return _Answer(units, int(info.get("total_found", 0)), counted, tuple(missing), timed_out, tuple(payloads))

    def search(self, request: SearchRequest) -> Matched:
        where = _where(request.filters)
        strict = compile_match(request.strict)
        facets = tuple(request.facets)
        bound = request.time_limit_s
        # AND or OR is decided on the query alone, before filters (a facet's count is what clicking it gives)
        first = self._query(strict, [], request.limit if not where else 1, request.sort, bound,
                            facets if not where else (), request.facet_values, request.strict)
        relaxed = first.total < request.relax_below
        missing = set(first.missing)
        if not relaxed and not where:
            answer, full = first, first.total
        else:
            tree = request.relaxed if relaxed else request.strict
            form = compile_match(tree) if relaxed else strict
            answer = self._query(form, where, request.limit, request.sort, bound, facets, request.facet_values, tree)
            if relaxed and answer.total == 0 and request.any_word is not None:
                answer = self._query(compile_match(request.any_word), where, request.limit, request.sort, bound,
                                     facets, request.facet_values, request.any_word)
            if where:
                full = self._query(strict, where, 1, request.sort, bound, (), request.facet_values).total \
                    if relaxed else answer.total
            else:
                full = first.total
        missing.update(answer.missing)
        return Matched(units=answer.units, matched=answer.total, full_matches=min(full, answer.total) if not relaxed
                       else full, relaxed=relaxed, facets=answer.facets,
                       timed_out=first.timed_out or answer.timed_out, missing_shards=tuple(sorted(missing)))

    # health
    def shard_health(self) -> tuple[ShardHealth, ...]:
        gen = self.generation()
        slot = gen.slot if gen else "a"
        out = []
        for shard in self.options.shards:
            try:
                with client.session(shard, self.options) as conn:
                    rows = client.result_sets(conn, f"SELECT COUNT(*) FROM {local_index(shard.number, slot)}")[0]
                out.append(ShardHealth(shard.name, True, int(rows[0][0]) if rows else 0))
            except client.Error as exc:
                out.append(ShardHealth(shard.name, False, 0, str(exc)))
        return tuple(out)

    def health(self, stored: Mapping[str, str]) -> IndexHealth:
        gen = self.generation()
        indexed = self.indexed()
        return IndexHealth(
            reason=None if gen else "no index yet",
            missing=tuple(sorted(d for d in stored if d not in indexed)),
            stale=tuple(sorted(d for d, sha in stored.items() if d in indexed and indexed[d] != sha)),
            extra=tuple(sorted(d for d in indexed if d not in stored)),
            shards=self.shard_health())

    def warm(self) -> None:
        self._stat()

    # what the cross-check's suggestions ask besides (indexer/backend.py, end of the protocol; crosscheck.py)

    def _select(self, columns: str, match: str | None, conds: list[str], limit: int,
                max_matches: int = 1000) -> tuple[list[list[tuple]], dict[str, str]]:
        """One SELECT over the active slot's distributed index, ranked as searches are; no rows for a None match."""
        if match is None:
            return [[]], {}
        gen = self.generation()
        where = (["MATCH(%s)"] if match else []) + conds
        opts = [f"ranker={self._ranker()}", f"field_weights=({field_weights()})", f"idf={IDF}",
                f"max_matches={max(max_matches, limit)}", "max_query_time=2000"]
        if self.options.global_idf and gen is not None:
            opts.append("global_idf=1")
        sql = (f"SELECT {columns} FROM {dist_index(gen.slot if gen else 'a')}"
               + (f" WHERE {' AND '.join(where)}" if where else "")
               + f" ORDER BY WEIGHT() DESC, id ASC LIMIT {max(1, limit)} OPTION {', '.join(opts)}")
        args = (match,) if match else ()
        for shard in self._coordinators():
            try:
                return self._pool.run(shard, lambda conn: (client.result_sets(conn, sql, args), client.meta(conn)))
            except (client.Error, OSError):
                continue
        return [[]], {}

    def _derived(self) -> dict[Any, Any]:
        """Values derived from the current generation alone (documents of keys, the regulations, digests)."""
        token = self.version()
        kept = getattr(self, "_derived_values", None)
        if kept is None or kept[0] != token:
            kept = self._derived_values = (token, {})
        return kept[1]

    def _documents_of(self, key_field: str, keys: tuple[Any, ...]) -> list[int]:
        """The `doc` keys of the documents whose units hold one of these exact keys (once per generation)."""
        if not keys:
            return []
        derived = self._derived()
        if ("docs", key_field, keys) not in derived:
            match = f"@{key_field} (" + " | ".join(key_token(key_field, k) for k in keys) + ")"
            rows = self._select("doc", match, [], 100000, 100000)[0][0]
            derived[("docs", key_field, keys)] = sorted({int(r[0]) for r in rows})
        return derived[("docs", key_field, keys)]

    def best(self, query: Node, within: Node | None, limit: int) -> Sequence[Unit]:
        conds, expr = crosscheck.conditions(within, self._documents_of)
        # the columns _answer reads: _SELECT, a payload column (`ord`: no second phase here), WEIGHT()
        sets, info = self._select(", ".join((*([expr] if expr else []), *_SELECT, "ord", "WEIGHT()")),
                                  compile_match(query), conds, limit)
        rows = [r[1:] for r in sets[0]] if expr else sets[0]
        return self._answer([rows], info, limit, (), FACET_VALUES, []).units

    def scores(self, query: Node, units: Sequence[Any]) -> tuple[float, ...]:
        found: dict[str, float] = {}
        ids, match = [row_id(u.id) for u in units], compile_match(query)
        for k in range(0, len(ids), 1000):
            part = ids[k:k + 1000]
            rows = self._select("uid, WEIGHT()", match, [f"id IN ({', '.join(map(str, part))})"], len(part))[0][0]
            found.update((str(r[0]), float(r[1]) / 1000.0) for r in rows)
        return tuple(found.get(u.id, 0.0) for u in units)

    def count(self, within: Node) -> int:
        if isinstance(within, Every):
            return self.unit_count()
        conds, expr = crosscheck.conditions(within, self._documents_of)
        return int(self._select(", ".join((*([expr] if expr else []), "uid")), "", conds, 1)[1].get("total_found", 0))

    def regulations(self) -> Sequence[tuple[str, str]]:
        derived = self._derived()
        if "regulations" not in derived:
            conds = [f"h_kind={value_key('document')}", f"h_doc_type={value_key(DocType.REGULATION.value)}"]
            rows = self._select("doc_id", "", conds, 100000, 100000)[0][0]
            shas = self._stat().get("docs", {})
            derived["regulations"] = sorted((str(r[0]), str(shas.get(r[0], ""))) for r in rows)
        return derived["regulations"]

    def format_version(self) -> str:
        return crosscheck.format_version()

    def keep_text(self, name: str, tag: str, compute: Callable[[], str]) -> str:
        derived = self._derived()
        if ("text", name, tag) not in derived:
            derived[("text", name, tag)] = compute()
        return derived[("text", name, tag)]
