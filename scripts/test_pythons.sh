#!/usr/bin/env bash
# `make test-pythons`: the fast part of the suite (generated/ up to date, unit, services, HTTP API,
# middleware, infra tests; SQLite) under every other CPython this machine has, each in its own
# .venv-3.X with the pinned set. `make test` covers the main .venv's Python (3.11) with everything.
#
# An interpreter is `python3.X` on PATH when it runs, else pyenv's newest 3.X.* (pyenv's shims
# refuse a version that is not selected). OTHER_PYTHONS picks the minors (default 3.12-3.15);
# the ones not found are named and skipped, and finding none is not an error (README "Supported
# Pythons" says which ones CI has).
set -euo pipefail
cd "$(dirname "$0")/.."

OTHER_PYTHONS=${OTHER_PYTHONS:-"3.12 3.13 3.14 3.15"}
FAST_TESTS=(tests/unit tests/services tests/api tests/http tests/infra)

find_python() {
  local minor=$1 candidate
  candidate=$(command -v "python${minor}" || true)
  if [ -n "$candidate" ] && "$candidate" -c 'pass' >/dev/null 2>&1; then
    echo "$candidate"
    return
  fi
  local root=${PYENV_ROOT:-$HOME/.pyenv}
  candidate=$(ls -d "$root"/versions/"${minor}".*/bin/"python${minor}" 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$candidate" ] && "$candidate" -c 'pass' >/dev/null 2>&1; then
    echo "$candidate"
  fi
}

tested=()
missing=()
for minor in $OTHER_PYTHONS; do
  python=$(find_python "$minor")
  if [ -z "$python" ]; then
    missing+=("$minor")
    continue
  fi
  venv=".venv-${minor}"
  stamp="$venv/.installed"
  echo "== CPython ${minor}: $("$python" -c 'import sys; print(sys.version.split()[0])') ($python)"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet -c constraints.txt -e '.[dev]'
    touch "$stamp"
  fi
  "$venv/bin/python" scripts/generate.py --check
  "$venv/bin/python" -m pytest "${FAST_TESTS[@]}" -q -p no:cacheprovider
  tested+=("$minor")
done

echo "test-pythons: tested ${tested[*]:-none}; not on this machine: ${missing[*]:-none}"
