"""Lecture 7, deep reinforcement learning: environments, vanilla policy gradient, SB3 agents.

``core.rl.load_agent(name)`` rebuilds a shipped agent (``ppo-CartPole-v1``, ``sac-Pendulum-v1``, ...) from
its safetensors weights and JSON hyperparameters; ``predict(obs, deterministic=True)`` acts in the
gymnasium environment named by its manifest entry's ``config['env_id']``.
"""

from core.rl.agents import load_agent

__all__ = ["load_agent"]
