#!/usr/bin/env bash
# Run the whole test suite (sets everything up on first use): ruff first, then pytest.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh dev
export HF_HUB_OFFLINE=1 SDL_VIDEODRIVER=dummy MUJOCO_GL=egl GRADIO_ANALYTICS_ENABLED=False PYTHONUNBUFFERED=1 OMP_WAIT_POLICY=PASSIVE
# Lint (rules and line length in pyproject.toml); a finding fails the run before any test starts.
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q "$@"
