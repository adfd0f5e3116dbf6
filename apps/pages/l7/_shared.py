"""Cached, read-only pieces shared by the lecture 7 pages."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.rl import agents, showcase


@st.cache_resource(show_spinner="Loading the shipped agent…", max_entries=8)
def shipped_agent(name: str) -> Any:
    """A shipped agent rebuilt from its safetensors weights (read-only, shared by all sessions)."""
    return agents.load_agent(name)


@st.cache_data(show_spinner="Playing an episode…", max_entries=32)
def episode(name: str, seed: int) -> showcase.EpisodeView:
    """One rendered episode of the shipped agent ``name`` (cached: a GIF is ~1 MB)."""
    return showcase.play(shipped_agent(name), showcase.shipped()[name].config["env_id"], seed)


@st.cache_data(show_spinner=False, max_entries=32)
def bands(env_id: str, algos: tuple[str, ...]) -> list[showcase.SeedBand]:
    """The shipped agents ``algos`` of ``env_id`` as mean and range over their seeds (read once)."""
    return showcase.seed_bands(env_id, algos)
