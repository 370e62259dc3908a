# Two commands: `make serve` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# the sample archive has its own folder: never the CLI's default home (./xuncha-data), a user's archive
SERVE_HOME ?= xuncha-sample
HOST ?= 127.0.0.1
PORT ?= 5000
# files dropped here are ingested by the running server (the watch_dir setting; done/ and failed/ inside)
WATCH_DIR ?= xuncha-inbox

.PHONY: serve test install lock newcomer system-deps bench bench-quick quality clean cluster-check scale-cluster

# Exact versions from the lock (what CI tested), with the pip the venv comes with; then the project
# itself, editable, without resolving anything again. pyproject.toml keeps the ranges for library users.
$(BIN)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(BIN)/.installed

# Refreshes requirements.lock from pyproject.toml's ranges (runtime and test extras), with pip-tools
# in a venv of its own so the lock's tools never enter the project's venv. Commit the result.
PIP_TOOLS ?= pip-tools==7.7.0
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet '$(PIP_TOOLS)'
	.venv-lock/bin/pip-compile --quiet --strip-extras --extra test --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock pyproject.toml

# A new user's install: stock pip, `pip install .`, every command's --help from another folder.
newcomer:
	PYTHON=$(PYTHON) bash tools/newcomer.sh

# The sample corpus in its own archive (SERVE_HOME), then the web UI. Nothing is ever deleted: an
# archive already there is updated in place (unchanged files are skipped, so a current one is reused).
# A file that fails to ingest is reported in the summary but never stops the server from starting.
serve: install
	-$(BIN)/xuncha --home $(SERVE_HOME) ingest corpus
	XUNCHA_WATCH_DIR=$(WATCH_DIR) $(BIN)/xuncha --home $(SERVE_HOME) serve --host $(HOST) --port $(PORT)

# Debian chromium, CJK fonts, tesseract chi_sim and poppler, when missing (needs root).
system-deps:
	bash tools/system-deps.sh

test: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 --durations=15

# speed, size and memory against stock in the same run; the table lands in README.md (Performance)
bench: install
	nice -n 10 $(BIN)/python -m benchmarks.speed

bench-quick: install
	$(BIN)/python -m benchmarks.speed --quick

quality: install
	$(BIN)/python -m benchmarks.quality

# never an archive, not even the sample one: delete xuncha-sample/ yourself if you want it gone
clean:
	rm -rf $(VENV) .venv-lock test-artifacts

# The Sphinx backend on 2 loopback shards against Whoosh in the same run (issue 32; needs searchd: system-deps)
cluster-check: install
	$(BIN)/python -m benchmarks.cluster_check

# The synthetic archive at SCALE × the real one (kept under SCALE_ROOT and reused) on Whoosh, then on 2 and 4
# loopback Sphinx shards: build, p50/p95, memory and disk per shard, ratios (docs/scaling.md)
SCALE ?= 10
SCALE_ROOT ?= /tmp/xuncha-scale
scale-cluster: install
	nice -n 10 $(BIN)/python -m benchmarks.scale_cluster --factor $(SCALE) --root $(SCALE_ROOT)
