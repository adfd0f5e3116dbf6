#!/usr/bin/env bash
# Set up everything the gallery needs on a fresh Debian machine: system packages (offline data, a
# browser for the tests) and a virtual environment with the pinned stack. Idempotent: a second run
# only checks. Usage: scripts/setup.sh [app|dev]
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-app}"

apt_pkgs=(dataset-fashion-mnist)
[ "$mode" = dev ] && apt_pkgs+=(chromium fonts-dejavu-core)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ -z "$sudo" ] || command -v sudo >/dev/null; then
    echo "== installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "!! cannot install ${missing[*]} (not root, no sudo); the gallery will say which data is missing" >&2
  fi
fi

py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || { echo "== creating .venv"; "$py" -m venv .venv; }
req=requirements.txt
[ "$mode" = dev ] && req=requirements-dev.txt
stamp=".venv/.installed-$mode"
want="$(cat requirements.txt "$req" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== installing Python packages from $req (first time: a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$req"
  echo "$want" > "$stamp"
fi
