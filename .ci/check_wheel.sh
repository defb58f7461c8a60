#!/usr/bin/env bash
# Build the wheel, install it into a throwaway venv, start the app headless once and
# check that a rule from styles/ reached the installed app.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q build
"$work/venv/bin/python" -m build -q --wheel --outdir "$work/dist" . >/dev/null
"$work/venv/bin/pip" install -q "$work"/dist/*.whl
cp .ci/wheel_smoke.py "$work/"
(cd "$work" && "$work/venv/bin/python" wheel_smoke.py)
