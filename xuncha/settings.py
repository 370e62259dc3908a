"""One frozen Settings, built once at the entry point: defaults, then a TOML file, then XUNCHA_* variables."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archive.options import ExtractOptions, IngestOptions
from indexer.options import IndexOptions, SearchOptions

if TYPE_CHECKING:  # importing webui.options imports the web UI (Flask): only the commands that run jobs need it
    from webui.options import JobOptions


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable; passed down explicitly, never read from the environment later."""

    home: Path = Path("xuncha-data")
    # every untrusted file is extracted in a child process under these limits (archive/extract/sandbox.py)
    extract_timeout_s: float = 60.0
    extract_memory_mb: int = 1024
    # a document's text is cut here, with a warning: one huge page must not stall parsing and indexing
    max_text_chars: int = 1_000_000
    # files larger than this are refused before they are read
    max_file_mb: int = 100
    # "auto": OCR scanned PDFs when tesseract is installed; "off": report them as needing OCR
    ocr: str = "auto"
    ocr_lang: str = "chi_sim"
    # Whoosh's parser is quadratic in the query length: refuse longer queries
    max_query_chars: int = 200
    per_page: int = 20
    workers: int = 0  # 0: one per core
    host: str = "127.0.0.1"
    port: int = 5000
    # operators and jobs (issue 16): one upload request holds at most this much (each file: max_file_mb)
    upload_max_mb: int = 200
    # a folder `xuncha serve` / `make serve` watches for new files ("" = none); see `xuncha watch`
    watch_dir: str = ""
    watch_keep: bool = False  # leave ingested files where they are instead of moving them to done/
    watch_settle_s: float = 2.0  # a file is taken once its size has not changed for this long
    serve_worker: bool = True  # run the job queue's worker thread inside `xuncha serve`
    serve_processes: int = 0  # `xuncha serve`'s processes sharing the port (0: one per core; xuncha/serving.py)
    export_max_rows: int = 1000  # rows of /export.csv and /export.xlsx
    login_attempts: int = 5  # failed sign-ins per address per login_window_s before 429
    login_window_s: int = 300
    # the search engine (issue 32): "whoosh" (embedded, the default) or "sphinx" (searchd shards, `xuncha cluster`)
    backend: str = "whoosh"
    # the Sphinx shards as host:sql_port:api_port, comma-separated, in shard order ("": those `xuncha cluster up`
    # started under HOME/cluster); every host's searchd config lists the others as agents
    sphinx_agents: str = ""
    sphinx_base_port: int = 9406  # `xuncha cluster up`: shard i on ports base + 2i (SphinxQL) and base + 2i + 1

    @property
    def db_path(self) -> Path:
        return self.home / "archive.sqlite3"

    @property
    def originals_dir(self) -> Path:
        return self.home / "originals"

    @property
    def index_root(self) -> Path:
        return self.home / "index"

    @property
    def worker_count(self) -> int:
        return self.workers or (os.cpu_count() or 1)

    def extract_options(self) -> ExtractOptions:
        return ExtractOptions(timeout_s=self.extract_timeout_s, memory_mb=self.extract_memory_mb,
                              max_text_chars=self.max_text_chars, ocr=self.ocr, ocr_lang=self.ocr_lang)

    def ingest_options(self) -> IngestOptions:
        return IngestOptions(originals_dir=self.originals_dir, max_file_mb=self.max_file_mb,
                             extract=self.extract_options())

    def index_options(self) -> IndexOptions:
        return IndexOptions(root=self.index_root, workers=self.workers, backend=self.backend,
                            sphinx_agents=self.sphinx_agents)

    def job_options(self) -> JobOptions:
        from webui.options import JobOptions

        return JobOptions(home=self.home, ingest=self.ingest_options(), index=self.index_options(),
                          search=self.search_options(),
                          watch_dir=self.watch_dir, watch_settle_s=self.watch_settle_s, watch_keep=self.watch_keep)

    def search_options(self) -> SearchOptions:
        return SearchOptions(index_root=self.index_root, db_path=self.db_path, max_query_chars=self.max_query_chars,
                             backend=self.backend, sphinx_agents=self.sphinx_agents)

    @property
    def cluster_dir(self) -> Path:
        """The Sphinx shards' folders (configs, data, pids, logs) and the generation pointer."""
        return self.home / "cluster"


BACKENDS = ("whoosh", "sphinx")
_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
# names of earlier releases, still read (the limits used to apply to PDFs only)
_ALIASES = {"pdf_timeout_s": "extract_timeout_s", "pdf_memory_mb": "extract_memory_mb"}


def _coerce(name: str, raw: object, source: str) -> object:
    """Convert a TOML or environment value to the field's type, naming the source on error."""
    default = _FIELDS[name].default
    try:
        if isinstance(default, Path):
            return Path(str(raw)).expanduser()
        if isinstance(default, bool):
            return str(raw).lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)  # type: ignore[arg-type]
        if isinstance(default, float):
            return float(raw)  # type: ignore[arg-type]
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{source}: {name} = {raw!r} is not a valid {type(default).__name__}") from exc


def load_settings(config: Path | None = None, environ: Mapping[str, str] | None = None,
                  **overrides: object) -> Settings:
    """Build Settings from defaults, a TOML file (XUNCHA_CONFIG or HOME/xuncha.toml), env vars, then overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    # --home names the archive whose xuncha.toml is read; XUNCHA_HOME only when no --home is given
    home = Path(str(overrides.get("home") or env.get("XUNCHA_HOME") or Settings.home))
    config = config or (Path(env["XUNCHA_CONFIG"]) if env.get("XUNCHA_CONFIG") else home / "xuncha.toml")
    if config.is_file():
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"{config}: not valid TOML: {exc}") from exc
        for key, raw in data.items():
            key = _ALIASES.get(key, key)
            if key not in _FIELDS:
                raise ValueError(f"{config}: unknown setting {key!r}")
            values[key] = _coerce(key, raw, str(config))
    for old, name in _ALIASES.items():
        if f"XUNCHA_{old.upper()}" in env:
            values[name] = _coerce(name, env[f"XUNCHA_{old.upper()}"], f"XUNCHA_{old.upper()}")
    for name in _FIELDS:
        var = f"XUNCHA_{name.upper()}"
        if var in env:
            values[name] = _coerce(name, env[var], var)
    for name, raw in overrides.items():
        name = _ALIASES.get(name, name)
        if raw is not None:
            values[name] = _coerce(name, raw, "option")
    if values.get("backend", "whoosh") not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)} (got {values['backend']!r})")
    return Settings(**values)  # type: ignore[arg-type]
