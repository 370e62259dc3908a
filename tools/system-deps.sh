#!/usr/bin/env bash
# Installs the Debian packages the test suite drives (when missing): a real Chromium for the
# browser tests, Noto CJK so Chinese renders as text rather than boxes, and tesseract chi_sim
# with poppler's pdftoppm for the OCR path,
# and Sphinx 2.2.11's searchd for the distributed backend (indexer/backends/sphinx, `xuncha cluster`). Never downloads a browser of its own.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
# dpkg -s, not `… | grep -q`: under pipefail grep -q's early exit fails the pipe (SIGPIPE)
dpkg -s tesseract-ocr-chi-sim >/dev/null 2>&1 || missing+=(tesseract-ocr tesseract-ocr-chi-sim)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v searchd >/dev/null 2>&1 || missing+=(sphinxsearch)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${missing[*]}; run as root (or apt-get install them) to run every test" >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
