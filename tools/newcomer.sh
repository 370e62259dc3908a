#!/usr/bin/env bash
# The newcomer check (CI's first step): install xuncha as a new user would, with the pip that ships
# with Python (never upgraded), not editable, then run `xuncha --version` and every subcommand's
# --help from a folder outside the checkout, so nothing is imported from the source tree.
# Fails (exit 1) on the first command that does not start; prints one line per command that does.
set -euo pipefail
checkout="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
echo "newcomer: $("$work/venv/bin/pip" --version | cut -d' ' -f1-2) (stock, not upgraded)"
# a copy of the checkout, so the in-tree build leaves no build/ or egg-info in it
mkdir "$work/src"
git -C "$checkout" ls-files -z --cached --others --exclude-standard \
  | (cd "$checkout" && xargs -0 cp --parents -t "$work/src" 2>/dev/null || true)
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$work/src" 2>&1 \
  | grep -v "^WARNING: Location '.*' is ignored" || true
"$work/venv/bin/pip" show --quiet xuncha >/dev/null
mkdir "$work/elsewhere"
cd "$work/elsewhere"
# first as the user types it: an import error shows here as it would to them
"$work/venv/bin/xuncha" --version
"$work/venv/bin/python" "$checkout/tools/newcomer_commands.py" "$work/venv/bin/xuncha"
# and the installed package does real work: the samples in, one notice cross-checked (data files shipped)
"$work/venv/bin/xuncha" --home "$work/home" ingest "$checkout/corpus" >/dev/null
notice="$(ls "$checkout"/corpus/notices/*.txt | head -1)"
"$work/venv/bin/xuncha" --home "$work/home" check "$notice" --json >"$work/check.json"
"$work/venv/bin/python" -c "import json,sys; r=json.load(open(sys.argv[1])); print(f'newcomer: ok ingest corpus/ and check: {len(r[\"measures\"])} measures')" "$work/check.json"
