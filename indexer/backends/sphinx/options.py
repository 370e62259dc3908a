"""The Sphinx backend's small frozen options: where the cluster's files live and how to reach its shards."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_PORT = 9406  # shard i listens for SphinxQL on base + 2i and for agents (Sphinx API) on base + 2i + 1


@dataclass(frozen=True, slots=True)
class Shard:
    """One searchd: SphinxQL (mysql41) port for clients, Sphinx API port for the other shards' agents."""

    number: int
    host: str
    sql_port: int
    api_port: int

    @property
    def name(self) -> str:
        return f"shard{self.number}@{self.host}:{self.sql_port}"


def local_shards(count: int, base_port: int = DEFAULT_BASE_PORT, host: str = "127.0.0.1") -> tuple[Shard, ...]:
    """`count` shards on one host, on consecutive port pairs from `base_port`."""
    return tuple(Shard(i, host, base_port + 2 * i, base_port + 2 * i + 1) for i in range(count))


def parse_agents(text: str) -> tuple[Shard, ...]:
    """`host:sql_port:api_port` entries separated by commas (xuncha.toml's sphinx_agents), in shard order."""
    shards = []
    for i, item in enumerate(x.strip() for x in text.split(",") if x.strip()):
        parts = item.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            raise ValueError(f"sphinx_agents: {item!r} is not host:sql_port:api_port")
        shards.append(Shard(i, parts[0], int(parts[1]), int(parts[2])))
    return tuple(shards)


@dataclass(frozen=True, slots=True)
class ClusterOptions:
    """Where the cluster's files live (configs, pids, logs, the generation pointer) and its bounds."""

    root: Path  # the archive's cluster folder (HOME/cluster)
    shards: tuple[Shard, ...]
    connect_timeout_s: float = 1.0  # a client's connection to a shard
    query_timeout_s: float = 5.0  # a client's read of an answer
    agent_connect_ms: int = 300  # a shard's connection to another shard (agent_connect_timeout)
    agent_query_ms: int = 2000  # a shard's wait for another shard's answer (agent_query_timeout)
    max_query_ms: int = 800  # OPTION max_query_time: each shard's search work, then the best found so far
    global_idf: bool = True  # document frequencies of the whole cluster (a global_idf file), not one shard's

    def shard_dir(self, number: int) -> Path:
        return self.root / f"shard{number}"
