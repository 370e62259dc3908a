"""xuncha — 巡察整改档案检索: the command line and settings that tie archive, indexer and web UI together."""

__version__ = "0.1.0"
