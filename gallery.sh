#!/usr/bin/env bash
# Run the gallery on http://localhost:8501 (sets everything up on first use).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh app
export HF_HUB_OFFLINE="${HF_HUB_OFFLINE:-1}"
exec .venv/bin/python -m streamlit run apps/streamlit_app.py --server.address "${HOST:-127.0.0.1}" --server.port "${PORT:-8501}" "$@"
