"""searchd configuration, one file per shard, written by the project (never by hand).

Each shard holds two real-time indexes of units, slots `a` and `b` (blue/green generations: a rebuild
truncates and fills the slot not in use, then the pointer file switches, see generations.py), and two
distributed indexes `dist_a`/`dist_b` over its own slot (`local`) and every other shard's (`agent`), so
any shard answers for the cluster. Text goes in pre-segmented by the project's analyzer: tokens joined by
spaces; `charset_table` keeps CJK characters (and the digits, `.` and `%` of 12.5%, 第26条) inside words;
same-position sub-words (人民 in 中华人民共和国) and aliases (第五条 beside 第5条) go to a sub-word field beside
each text field (title_x …), so that they match a word, count in its field's length, and never break a phrase.
"""

from __future__ import annotations

from pathlib import Path

from ...backend import FACETS
from .options import ClusterOptions, Shard

SLOTS = ("a", "b")
TEXT_FIELDS = ("title", "body", "context")
SUB_FIELDS = tuple(f"{f}_x" for f in TEXT_FIELDS)  # each text field's same-position sub-words and aliases
KEY_FIELDS = ("cites", "reg_key", "article_num", "version")  # exact keys, one hashed token each (rows.key_token)
FACET_ATTRS = FACETS  # indexer/backend.py's facet fields, each a string attribute and a CRC-32 one for filters
# CJK unified ideographs (with extension A and the compatibility block), Latin, digits, and the . and % of numbers
CHARSET = ("0..9, A..Z->a..z, _, a..z, U+25, U+2E, U+3400..U+4DBF, U+4E00..U+9FFF, U+F900..U+FAFF")


def local_index(shard: int, slot: str) -> str:
    return f"u{shard}_{slot}"


def dist_index(slot: str) -> str:
    return f"dist_{slot}"


def idf_path(options: ClusterOptions, slot: str) -> Path:
    """The cluster's document frequencies for a slot (indextool --buildidf output), shared by every shard."""
    return options.root / f"global_{slot}.idf"


def _rt_index(options: ClusterOptions, shard: Shard, slot: str) -> str:
    name = local_index(shard.number, slot)
    lines = [f"index {name}", "{", "  type = rt", f"  path = {options.shard_dir(shard.number) / 'data' / name}"]
    lines += [f"  rt_field = {f}" for f in (*TEXT_FIELDS, *SUB_FIELDS, *KEY_FIELDS)]
    lines += [f"  rt_attr_string = {a}" for a in ("uid", "doc_id", "published", *FACET_ATTRS)]
    # filters compare 32-bit hashes of the values (rows.value_key): integer IN / NOT IN, the same in 2.2.11 and Manticore
    lines += [f"  rt_attr_uint = h_{a}" for a in FACET_ATTRS]
    lines += ["  rt_attr_uint = doc", "  rt_attr_uint = superseded", "  rt_attr_bigint = ord",
              "  rt_attr_json = stored",
              # each unit's tokens for the second phase (rows.pack, indexer/rescore.py): returned, never searched
              "  rt_attr_string = toks",
              f"  charset_table = {CHARSET}", "  min_word_len = 1", "  dict = keywords",
              "  index_field_lengths = 1", "  rt_mem_limit = 256M"]
    if options.global_idf:
        lines.append(f"  global_idf = {idf_path(options, slot)}")
    return "\n".join(lines + ["}"])


def _dist_index(options: ClusterOptions, shard: Shard, slot: str) -> str:
    lines = [f"index {dist_index(slot)}", "{", "  type = distributed", f"  local = {local_index(shard.number, slot)}"]
    lines += [f"  agent = {o.host}:{o.api_port}:{local_index(o.number, slot)}"
              for o in options.shards if o.number != shard.number]
    lines += [f"  agent_connect_timeout = {options.agent_connect_ms}",
              f"  agent_query_timeout = {options.agent_query_ms}", "}"]
    return "\n".join(lines)


def shard_config(options: ClusterOptions, shard: Shard) -> str:
    """The whole sphinx.conf of one shard."""
    folder = options.shard_dir(shard.number)
    parts = [_rt_index(options, shard, s) for s in SLOTS] + [_dist_index(options, shard, s) for s in SLOTS]
    listen = "127.0.0.1" if shard.host in ("127.0.0.1", "localhost") else "0.0.0.0"
    parts.append("\n".join([
        "searchd", "{", f"  listen = {listen}:{shard.sql_port}:mysql41", f"  listen = {listen}:{shard.api_port}",
        f"  log = {folder / 'searchd.log'}", f"  query_log = {folder / 'query.log'}",
        f"  pid_file = {folder / 'searchd.pid'}", f"  binlog_path = {folder / 'data'}",
        "  workers = threads", "  max_packet_size = 32M", "  read_timeout = 5", "  client_timeout = 300",
        "  seamless_rotate = 1", "  preopen_indexes = 1", "  unlink_old = 1", "}"]))
    return "# written by xuncha (indexer/backends/sphinx/config.py); regenerated on `xuncha cluster up`\n" \
        + "\n\n".join(parts) + "\n"


def write_configs(options: ClusterOptions, only: int | None = None) -> list[Path]:
    """Write every shard's sphinx.conf under the cluster folder (or only shard `only`'s); returns their paths."""
    paths = []
    for shard in options.shards:
        if only is not None and shard.number != only:
            continue
        folder = options.shard_dir(shard.number)
        (folder / "data").mkdir(parents=True, exist_ok=True)
        path = folder / "sphinx.conf"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(shard_config(options, shard), encoding="utf-8")
        tmp.replace(path)
        paths.append(path)
    return paths
