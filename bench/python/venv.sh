#!/usr/bin/env bash
# bench/python/venv.sh NAME: prints the python of the bench virtualenv .tier0/bench-venv-NAME (repository root),
# creating it from bench/python/requirements-NAME.txt (pinned, pip freeze) on first use or when that file changed.
# The same pattern as native/export/prepare-test-models.sh: a marker holds the requirements' sha256.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
name="${1:?usage: venv.sh NAME (ort-same | ort-newest)}"
req="$here/requirements-$name.txt"
[[ -f "$req" ]] || { echo "no $req" >&2; exit 2; }
venv="$root/.tier0/bench-venv-$name"
marker="$venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [[ ! -f "$marker" || "$(cat "$marker")" != "$want" ]] || ! "$venv/bin/python" -c 'import onnxruntime, tokenizers, numpy' 2>/dev/null; then
  echo "[bench] creating $venv from $(basename "$req")" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv" >&2 || { echo "python3 -m venv failed (Debian/Ubuntu: apt-get install python3-venv)" >&2; exit 1; }
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" >&2
  echo "$want" > "$marker"
fi
echo "$venv/bin/python"
