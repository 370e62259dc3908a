"""Units, rounds and problem links in the store (issue 30): the migration, the writes, and the typed reads
that Archive inherits (LinkQueries). Every statement about these tables is here.

Units, placements, pairs, links and clusters are derived data: archive/links.py recomputes them and
`write_links` replaces them in the caller's one transaction. Operators' corrections (`unit_corrections`) are
the only rows here that are not derived: keyed by alias names, they survive re-ingest and full rebuilds. No
derived table has a foreign key to the problems: a re-ingest of unchanged bytes rewrites a notice's rows under
the same ids and its pairs stay valid; refresh drops the pairs of problems that are gone or changed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence

from .clustering import Cluster, Component
from .linktypes import Link, LinkProblem, Pair
from .records import CommonCluster, ProblemBrief, ProblemLink, ProblemMark, StatusStep, UnitNotice, UnitRecord
from .units import Correction, PlannedUnit, same_unit, unit_name

MIGRATION = """
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region TEXT,
    kind TEXT NOT NULL
);
CREATE TABLE unit_aliases (
    alias TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id) ON DELETE CASCADE
);
CREATE TABLE document_units (
    doc_id TEXT PRIMARY KEY,
    unit_id TEXT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    alias TEXT NOT NULL,
    round_key TEXT NOT NULL,
    round_label TEXT NOT NULL,
    round_no INTEGER,
    stage TEXT NOT NULL CHECK (stage IN ('feedback', 'rectification', 'progress', 'revisit')),
    ord INTEGER NOT NULL,
    inferred INTEGER NOT NULL,
    on_date TEXT,
    warning TEXT
);
CREATE INDEX document_units_unit ON document_units(unit_id, ord);
CREATE TABLE unit_corrections (
    id INTEGER PRIMARY KEY,
    action TEXT NOT NULL CHECK (action IN ('merge', 'split')),
    alias TEXT NOT NULL,
    target TEXT,
    user_name TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE problem_pairs (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    score REAL NOT NULL,
    same_kind INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX problem_pairs_b ON problem_pairs(b);
CREATE TABLE problem_links (
    kind TEXT NOT NULL CHECK (kind IN ('same_round', 'recurring')),
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    score REAL NOT NULL,
    explicit INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    PRIMARY KEY (kind, a, b)
);
CREATE INDEX problem_links_b ON problem_links(b);
CREATE TABLE common_clusters (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL
);
CREATE TABLE cluster_members (
    cluster_id INTEGER NOT NULL REFERENCES common_clusters(id) ON DELETE CASCADE,
    problem_id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    PRIMARY KEY (cluster_id, problem_id)
);
CREATE INDEX cluster_members_problem ON cluster_members(problem_id);
CREATE TABLE link_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key TEXT NOT NULL,
    docs_json TEXT NOT NULL,
    at TEXT NOT NULL
)
"""


# store migration 7: the candidate pairs as a row per problem (their scores are recomputed at every refresh with
# the archive's current term weights, so only which pairs are candidates is kept); the old table's 1.9 M rows at 10×
# the archive took a third of the relink to write. The link state goes with it: the next refresh relinks in full.
CANDIDATES_MIGRATION = """
DROP TABLE problem_pairs;
CREATE TABLE problem_candidates (
    a TEXT PRIMARY KEY,
    partners TEXT NOT NULL
);
DELETE FROM link_state
"""

# store migration 8: the kept fit of the link scores (archive/linkfit.py) and the scored pairs in place of the
# candidates: with the fit kept, a pair's score no longer moves when a notice comes, so an incremental relink keeps
# the others' pairs as scored instead of rescoring every candidate (a row per problem a, its partners b each with
# the score: "b score b score …"), and each component of the joining pairs with its problems and its clusters
# (clustering.by_component), so that one no change touched need not be clustered again. The link state goes with
# it: the next refresh relinks in full.
FIT_MIGRATION = """
DROP TABLE problem_candidates;
CREATE TABLE scored_pairs (
    a TEXT PRIMARY KEY,
    partners TEXT NOT NULL
);
CREATE TABLE link_fit (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    method TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE TABLE link_components (
    fingerprint TEXT PRIMARY KEY,
    members TEXT NOT NULL,
    clusters_json TEXT NOT NULL
);
DELETE FROM link_state
"""

# --- writes (the caller holds the transaction) ---------------------------------------------------------


def add_correction(conn: sqlite3.Connection, correction: Correction, user: str, at: str) -> None:
    conn.execute("INSERT INTO unit_corrections (action, alias, target, user_name, at) VALUES (?,?,?,?,?)",
                 (correction.action, correction.alias, correction.target, user, at))


def put_pairs(conn: sqlite3.Connection, pairs: Iterable[Pair]) -> None:
    """Replace the scored pairs (a < b) kept for the next refresh: a row per problem a with its partners b and their
    scores space-joined (ids hold no space; scores keep the 4 decimals they are rounded to): 10 k rows at 10× the
    archive, not 1.2 M, since they are read and written whole."""
    conn.execute("DELETE FROM scored_pairs")
    partners: dict[str, list[tuple[str, float]]] = {}
    for p in pairs:
        partners.setdefault(p.a, []).append((p.b, p.score))
    conn.executemany("INSERT INTO scored_pairs (a, partners) VALUES (?, ?)",
                     [(a, " ".join(f"{b} {x:.4f}" for b, x in sorted(bs))) for a, bs in sorted(partners.items())])


def put_components(conn: sqlite3.Connection, parts: Mapping[str, Component]) -> None:
    """Replace the components of the joining pairs (fingerprint → its problems and its clusters)."""
    conn.execute("DELETE FROM link_components")
    conn.executemany("INSERT INTO link_components (fingerprint, members, clusters_json) VALUES (?, ?, ?)",
                     [(k, " ".join(c.members), json.dumps([[x.label, list(x.members)] for x in c.clusters],
                                                          ensure_ascii=False))
                      for k, c in sorted(parts.items())])


def put_fit(conn: sqlite3.Connection, method: str, body: bytes) -> None:
    """The fit of the link scores (linkfit.dumps) under the method key it was fitted with."""
    conn.execute("INSERT OR REPLACE INTO link_fit (id, method, body) VALUES (1, ?, ?)", (method, body))


def write_links(conn: sqlite3.Connection, units: Sequence[PlannedUnit], placements: Sequence[UnitNotice],
                links: Sequence[Link], clusters: Sequence[Cluster], key: str, docs: dict[str, str],
                at: str) -> None:
    """Replace the units, placements, links and clusters, and record the state they were computed on."""
    for table in ("cluster_members", "common_clusters", "problem_links", "document_units", "unit_aliases", "units"):
        conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    conn.executemany("INSERT INTO units (id, name, region, kind) VALUES (?,?,?,?)",
                     [(u.id, u.name, u.region, str(u.kind)) for u in units])
    conn.executemany("INSERT INTO unit_aliases (alias, unit_id) VALUES (?,?)",
                     [(a, u.id) for u in units for a in u.aliases])
    conn.executemany("INSERT INTO document_units (doc_id, unit_id, alias, round_key, round_label, round_no, stage, "
                     "ord, inferred, on_date, warning) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                     [(p.doc_id, p.unit_id, p.alias, p.round_key, p.round_label, p.round_no, p.stage, p.order,
                       int(p.inferred), p.on_date, p.warning) for p in placements])
    conn.executemany("INSERT INTO problem_links (kind, a, b, score, explicit, reason) VALUES (?,?,?,?,?,?)",
                     [(l.kind, l.a, l.b, l.score, int(l.explicit), l.reason) for l in links])
    for i, c in enumerate(clusters, 1):
        conn.execute("INSERT INTO common_clusters (id, label) VALUES (?, ?)", (i, c.label))
        conn.executemany("INSERT INTO cluster_members (cluster_id, problem_id, ord) VALUES (?,?,?)",
                         [(i, m, k) for k, m in enumerate(c.members)])
    conn.execute("INSERT OR REPLACE INTO link_state (id, key, docs_json, at) VALUES (1, ?, ?, ?)",
                 (key, json.dumps(docs, sort_keys=True), at))


# --- reads (Archive inherits these) --------------------------------------------------------------------


def _unit_notice(r: sqlite3.Row) -> UnitNotice:
    return UnitNotice(r["doc_id"], r["title"], r["unit_id"], r["alias"], r["round_key"], r["round_label"],
                      r["round_no"], r["stage"], r["ord"], bool(r["inferred"]), r["on_date"], r["warning"])


class LinkQueries:
    """The typed reads of units, rounds and links; mixed into archive.database.Archive."""

    conn: sqlite3.Connection

    # inputs of linking

    def link_problems(self) -> tuple[LinkProblem, ...]:
        """Every problem of every notice (sub-problems too) with the titles it and its measures cite."""
        cites: dict[str, list[str]] = {}
        for r in self.conn.execute("SELECT problem_id, title FROM citations WHERE problem_id IS NOT NULL "
                                   "ORDER BY id"):
            cites.setdefault(r[0], []).append(r[1])
        rows = self.conn.execute("SELECT p.id, p.doc_id, p.title, p.text, p.status FROM problems p JOIN documents d "
                                 "ON d.id = p.doc_id WHERE d.doc_type = 'notice' ORDER BY p.doc_id, p.ord")
        return tuple(LinkProblem(r[0], r[1], r[2], r[3], tuple(dict.fromkeys(cites.get(r[0], ()))), r[4])
                     for r in rows)

    def notice_hashes(self) -> dict[str, str]:
        """doc id → content hash of every notice (what the link state is keyed on)."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, sha256 FROM documents WHERE doc_type = 'notice'")}

    def unit_corrections(self) -> tuple[Correction, ...]:
        return tuple(Correction(r[0], r[1], r[2]) for r in
                     self.conn.execute("SELECT action, alias, target FROM unit_corrections ORDER BY id"))

    def link_state(self) -> tuple[str, dict[str, str]] | None:
        """The key of the archive state the links were computed on, and the notices (id → hash) they cover."""
        row = self.conn.execute("SELECT key, docs_json FROM link_state WHERE id = 1").fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def scored_pairs(self) -> tuple[tuple[str, str, float], ...]:
        """The scored pairs (a < b, score) the last refresh kept: every pair that can be a link or count in a cluster
        under its options, scored with the kept fit."""
        out = []
        for a, partners in self.conn.execute("SELECT a, partners FROM scored_pairs"):
            parts = partners.split()
            out.extend((a, b, float(x)) for b, x in zip(parts[0::2], parts[1::2]))
        return tuple(out)

    def link_components(self) -> dict[str, Component]:
        """The components of the joining pairs the last refresh clustered: fingerprint → its problems, its clusters."""
        return {r[0]: Component(tuple(r[1].split()), tuple(Cluster(label, tuple(m)) for label, m in json.loads(r[2])))
                for r in self.conn.execute("SELECT fingerprint, members, clusters_json FROM link_components")}

    def link_fit(self) -> tuple[str, bytes] | None:
        """The kept fit of the link scores: the method key it was fitted with and its body (linkfit.loads)."""
        row = self.conn.execute("SELECT method, body FROM link_fit WHERE id = 1").fetchone()
        return (row[0], bytes(row[1])) if row else None

    # units and rounds

    def units(self) -> tuple[UnitRecord, ...]:
        """Every unit with its aliases and its notices in round order, by name."""
        aliases: dict[str, list[str]] = {}
        for r in self.conn.execute("SELECT alias, unit_id FROM unit_aliases ORDER BY alias"):
            aliases.setdefault(r[1], []).append(r[0])
        docs: dict[str, list[str]] = {}
        for r in self.conn.execute("SELECT u.doc_id, u.unit_id FROM document_units u JOIN documents d ON d.id = u.doc_id "
                                   "ORDER BY u.unit_id, u.ord"):
            docs.setdefault(r[1], []).append(r[0])
        return tuple(UnitRecord(r["id"], r["name"], r["region"], r["kind"], tuple(aliases.get(r["id"], ())),
                                tuple(docs.get(r["id"], ())))
                     for r in self.conn.execute("SELECT * FROM units ORDER BY name, id"))

    def unit(self, ref: str) -> UnitRecord | None:
        """A unit by id, display name or any alias (whitespace ignored), else by another spelling of one unit's
        name (unit_name/same_unit), when exactly one unit answers to it."""
        ref = "".join((ref or "").split())
        row = self.conn.execute("SELECT u.id FROM units u LEFT JOIN unit_aliases a ON a.unit_id = u.id WHERE "
                                "u.id = :r OR u.name = :r OR a.alias = :r LIMIT 1", {"r": ref}).fetchone()
        units = self.units()
        if row:
            return next((u for u in units if u.id == row[0]), None)
        wanted = unit_name(ref)  # another spelling of a unit's name (中共…党组, the full or the short form)
        found = [u for u in units if any(same_unit(wanted, unit_name(a)) for a in u.aliases)]
        return found[0] if len(found) == 1 else None

    def unit_notices(self, unit_id: str | None = None) -> tuple[UnitNotice, ...]:
        """A unit's notices (or every placed notice) in round order, with rounds, stages and warnings."""
        rows = self.conn.execute(
            "SELECT u.*, d.title, d.published, d.header_json FROM document_units u JOIN documents d ON d.id = u.doc_id "
            "WHERE :u IS NULL OR u.unit_id = :u ORDER BY u.unit_id, u.ord", {"u": unit_id})
        return tuple(_unit_notice(r) for r in rows)

    def unit_of(self, doc_id: str) -> UnitNotice | None:
        row = self.conn.execute("SELECT u.*, d.title, d.published, d.header_json FROM document_units u JOIN "
                                "documents d ON d.id = u.doc_id WHERE u.doc_id = ?", (doc_id,)).fetchone()
        return _unit_notice(row) if row else None

    # links

    def problem_links(self, kind: str | None = None, problem_id: str | None = None) -> tuple[ProblemLink, ...]:
        """same_round and recurring links (of one kind, of one problem), by (a, b)."""
        rows = self.conn.execute(
            "SELECT * FROM problem_links WHERE (:k IS NULL OR kind = :k) AND (:p IS NULL OR a = :p OR b = :p) "
            "ORDER BY kind, a, b", {"k": kind, "p": problem_id})
        return tuple(ProblemLink(r["kind"], r["a"], r["b"], r["score"], bool(r["explicit"]), r["reason"]) for r in rows)

    def status_history(self, problem_id: str) -> tuple[StatusStep, ...]:
        """A problem's status in each report of its round (its same_round chain), in report order."""
        chain, todo = {problem_id}, [problem_id]
        while todo:
            p = todo.pop()
            for r in self.conn.execute("SELECT a, b FROM problem_links WHERE kind = 'same_round' AND (a = ? OR b = ?)",
                                       (p, p)):
                for x in r:
                    if x not in chain:
                        chain.add(x)
                        todo.append(x)
        rows = self.conn.execute(
            "SELECT p.id, p.doc_id, p.status, p.title, d.published, d.header_json, u.on_date, COALESCE(u.ord, 0) AS ord "
            "FROM problems p JOIN documents d ON d.id = p.doc_id LEFT JOIN document_units u ON u.doc_id = p.doc_id "
            "WHERE p.id IN (SELECT value FROM json_each(?)) ORDER BY ord, p.id", (json.dumps(sorted(chain)),))
        return tuple(StatusStep(r["id"], r["doc_id"], r["on_date"] or r["published"] or json.loads(
            r["header_json"] or "{}").get("feedback_date"), r["status"], r["title"]) for r in rows)

    def status_histories(self, unit_id: str) -> dict[str, tuple[StatusStep, ...]]:
        """Every problem of a unit's notices → its status history (as status_history gives it), read in one
        query for the unit: the problems with their same-round partners, the chains joined here."""
        rows = self.conn.execute(
            "SELECT p.id, p.doc_id, p.status, p.title, d.published, d.header_json, u.on_date, COALESCE(u.ord, 0) "
            "AS ord, (SELECT json_group_array(CASE WHEN l.a = p.id THEN l.b ELSE l.a END) FROM problem_links l "
            "WHERE l.kind = 'same_round' AND (l.a = p.id OR l.b = p.id)) AS partners "
            "FROM document_units u JOIN problems p ON p.doc_id = u.doc_id JOIN documents d ON d.id = p.doc_id "
            "WHERE u.unit_id = ? ORDER BY ord, p.id", (unit_id,)).fetchall()
        step = {r["id"]: StatusStep(r["id"], r["doc_id"], r["on_date"] or r["published"] or json.loads(
            r["header_json"] or "{}").get("feedback_date"), r["status"], r["title"]) for r in rows}
        order = {r["id"]: i for i, r in enumerate(rows)}
        partners = {r["id"]: [x for x in json.loads(r["partners"] or "[]") if x in step] for r in rows}
        out: dict[str, tuple[StatusStep, ...]] = {}
        for pid in step:
            if pid in out:
                continue
            chain, todo = {pid}, [pid]
            while todo:
                for x in partners[todo.pop()]:
                    if x not in chain:
                        chain.add(x)
                        todo.append(x)
            history = tuple(step[x] for x in sorted(chain, key=order.__getitem__))
            out.update((x, history) for x in chain)
        return out

    def common_clusters(self, problem_id: str | None = None) -> tuple[CommonCluster, ...]:
        """The common faults (those holding one problem), largest first, with each member's unit and year."""
        rows = self.conn.execute(
            "SELECT c.id, c.label, m.problem_id, u.unit_id, d.published, d.header_json FROM common_clusters c "
            "JOIN cluster_members m ON m.cluster_id = c.id LEFT JOIN problems p ON p.id = m.problem_id "
            "LEFT JOIN documents d ON d.id = p.doc_id LEFT JOIN document_units u ON u.doc_id = p.doc_id "
            "WHERE :p IS NULL OR c.id IN (SELECT cluster_id FROM cluster_members WHERE problem_id = :p) "
            "ORDER BY c.id, m.ord", {"p": problem_id})
        got: dict[int, list[sqlite3.Row]] = {}
        for r in rows:
            got.setdefault(r["id"], []).append(r)

        def year(r: sqlite3.Row) -> str | None:
            when = r["published"] or json.loads(r["header_json"] or "{}").get("feedback_date")
            return when[:4] if when else None

        return tuple(CommonCluster(cid, rs[0]["label"], tuple(r["problem_id"] for r in rs),
                                   tuple(r["unit_id"] or "" for r in rs), tuple(year(r) for r in rs))
                     for cid, rs in got.items())

    # marks (the web pages and the index's problem records)

    def problem_marks(self, doc_ids: Iterable[str] | None = None) -> dict[str, ProblemMark]:
        """problem id → its unit, recurring links and common cluster, for every problem of the given notices
        (or of every notice): one pass over the link tables, not a query per problem."""
        want = None if doc_ids is None else json.dumps(sorted(set(doc_ids)))
        rows = self.conn.execute(
            "SELECT p.id, p.doc_id, u.unit_id FROM problems p JOIN documents d ON d.id = p.doc_id "
            "LEFT JOIN document_units u ON u.doc_id = p.doc_id WHERE d.doc_type = 'notice' AND "
            "(:w IS NULL OR p.doc_id IN (SELECT value FROM json_each(:w))) ORDER BY p.doc_id, p.ord", {"w": want})
        base = {r[0]: (r[1], r[2]) for r in rows}
        # the links and clusters of these problems only (an index build asks notice by notice)
        mine = None if want is None else json.dumps(sorted(base))
        earlier: dict[str, list[str]] = {}
        later: dict[str, list[str]] = {}
        for a, b in self.conn.execute(
                "SELECT a, b FROM problem_links WHERE kind = 'recurring' AND (:m IS NULL OR a IN (SELECT value FROM "
                "json_each(:m)) OR b IN (SELECT value FROM json_each(:m))) ORDER BY score DESC, a", {"m": mine}):
            earlier.setdefault(b, []).append(a)
            later.setdefault(a, []).append(b)
        cluster: dict[str, tuple[int, str]] = {}
        for pid, cid, label in self.conn.execute(
                "SELECT m.problem_id, c.id, c.label FROM cluster_members m JOIN common_clusters c ON c.id = "
                "m.cluster_id WHERE :m IS NULL OR m.problem_id IN (SELECT value FROM json_each(:m)) ORDER BY c.id",
                {"m": mine}):
            cluster.setdefault(pid, (cid, label))
        return {pid: ProblemMark(pid, doc, unit, tuple(earlier.get(pid, ())), tuple(later.get(pid, ())),
                                 *(cluster.get(pid) or (None, None)))
                for pid, (doc, unit) in base.items()}

    def problem_briefs(self, ids: Iterable[str]) -> dict[str, ProblemBrief]:
        """problem id → its notice, number, title and status, for the given problems (those that exist)."""
        rows = self.conn.execute(
            "SELECT p.id, p.doc_id, d.title AS doc_title, p.number, p.title, p.status, d.published FROM problems p "
            "JOIN documents d ON d.id = p.doc_id WHERE p.id IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(set(ids))),))
        return {r["id"]: ProblemBrief(r["id"], r["doc_id"], r["doc_title"], r["number"], r["title"], r["status"],
                                      r["published"]) for r in rows}
