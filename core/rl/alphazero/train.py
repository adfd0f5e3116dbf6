"""AlphaZero self-play training (Silver et al. 2017), small enough for a few CPU minutes.

Each iteration plays games of the current net against itself with noisy root searches, records for every
position the search's visit distribution π and the final result z from the mover's point of view, and then
fits the net to them: loss = (z - v)² - π·log p + weight decay. Games sample moves in proportion to the
visits for the first few plies (temperature 1) so openings vary, then play the most visited move.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

from core import checkpoints
from core.checkpoints import ManifestEntry
from core.registry import TrainContext, register_checkpoint
from core.rl.alphazero import arena, games, mcts
from core.rl.alphazero.net import PolicyValueNet, evaluator
from core.training import seed_everything
from core.training.optim import make_optimizer


@dataclass(frozen=True)
class AZConfig:
    """One self-play training run."""

    game: str = "tictactoe"
    """'tictactoe' or 'connect4'."""
    hidden: int = 128
    """Units of the net's two hidden layers."""
    simulations: int = 48
    """Search simulations per self-play move (play uses more: the page's slider, 200 in the match table)."""
    dirichlet_alpha: float = 1.0
    """Root noise concentration in self-play (about 10 / typical number of legal moves)."""
    sample_plies: int = 3
    """Plies played by sampling from the visit counts before switching to the most visited move."""
    iterations: int = 40
    """Self-play + training rounds."""
    games_per_iteration: int = 32
    """Self-play games per round."""
    train_steps: int = 60
    """Adam steps per round on the replay buffer."""
    batch_size: int = 128
    buffer: int = 20_000
    """Positions kept (with symmetries), newest first out last."""
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    max_seconds: float = 240.0
    """Stop after the round in which this much time has passed (the run records how many it finished)."""
    seed: int = 0
    """Seeds torch and the self-play searches."""
    eval_simulations: int = 200
    """Simulations per move of both AlphaZero and pure MCTS in the match table."""
    eval_games: int = 60
    """Games against each opponent in the match table (half with each colour)."""


QUICK = {"iterations": 1, "games_per_iteration": 2, "train_steps": 2, "simulations": 8,
         "eval_simulations": 8, "eval_games": 2}
"""A smoke-test run: a few steps, not meant to be shipped."""
SHIPPED = {"alphazero-tictactoe": AZConfig(),
           "alphazero-connect4": AZConfig(game="connect4", hidden=256, simulations=64, sample_plies=8,
                                          games_per_iteration=12, train_steps=80, max_seconds=300,
                                          iterations=200, eval_games=20)}


def self_play(game: games.Game, evaluate: mcts.Evaluator, cfg: AZConfig,
              rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """One game of the net against itself: (board, visit distribution π, result z for the side to move)."""
    search = mcts.SearchConfig(cfg.simulations, dirichlet_alpha=cfg.dirichlet_alpha)
    board, history = np.zeros(game.cells, dtype=np.int8), []
    while (result := games.outcome(game, board)) is None:
        res = mcts.search(game, board, evaluate, search, rng)
        pi = res.visits / res.visits.sum()
        history.append((board, pi, games.to_move(board)))
        a = int(rng.choice(len(pi), p=pi)) if len(history) <= cfg.sample_plies else res.action
        board = games.play(game, board, a)
    return [(b, pi, float(result * side)) for b, pi, side in history]


def train(cfg: AZConfig) -> tuple[PolicyValueNet, dict[str, float]]:
    """Train a net by self-play; returns it (eval mode) and the run's record."""
    seed_everything(cfg.seed)
    game, rng = games.game_of(cfg.game), np.random.default_rng(cfg.seed)
    net = PolicyValueNet(cfg.game, cfg.hidden)
    opt = make_optimizer("adam", net.parameters(), cfg.learning_rate, cfg.weight_decay, kernel="single")
    xs: list[np.ndarray] = []
    pis: list[np.ndarray] = []
    zs: list[float] = []
    start, done, played = time.perf_counter(), 0, 0
    for _ in range(cfg.iterations):
        net.eval()
        evaluate = evaluator(net)
        for _ in range(cfg.games_per_iteration):
            for b, pi, z in self_play(game, evaluate, cfg, rng):
                for sb, spi in games.symmetries(game, b, pi):
                    xs.append(games.encode(sb))
                    pis.append(spi)
                    zs.append(z)
            played += 1
        del xs[: -cfg.buffer], pis[: -cfg.buffer], zs[: -cfg.buffer]
        x, p, z = (torch.tensor(np.array(a), dtype=torch.float32) for a in (xs, pis, zs))
        net.train()
        for _ in range(cfg.train_steps):
            idx = torch.from_numpy(rng.integers(0, len(x), size=min(cfg.batch_size, len(x))))
            logits, v = net(x[idx])
            loss = F.mse_loss(v, z[idx]) - (p[idx] * F.log_softmax(logits, dim=-1)).sum(-1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        done += 1
        if time.perf_counter() - start > cfg.max_seconds:
            break
    net.eval()
    return net, {"iterations": done, "self_play_games": played, "positions": len(xs),
                 "seconds": time.perf_counter() - start}


def match_metrics(net: PolicyValueNet, simulations: int, n_games: int) -> dict[str, float]:
    """The match table (AlphaZero's wins/draws/losses against random and pure MCTS), flat for the manifest;
    tic-tac-toe adds how often the net's raw prior picks a perfect-play move."""
    evaluate, out = evaluator(net), {}
    for opponent in arena.OPPONENTS:
        tally = arena.match(net.game, evaluate, opponent, n_games, simulations, seed=10_000)
        out.update({f"vs_{opponent}_{k}": v for k, v in tally.items()})
    out.update({"games_per_opponent": n_games, "simulations": simulations})
    if net.game.name == "tictactoe":
        out["prior_optimal_rate"] = round(arena.optimal_rate(evaluate), 4)
    return out


def measure(net: PolicyValueNet, ent: ManifestEntry) -> dict[str, float]:
    """Re-play the entry's match table from the shipped weights (games are seeded: counts are exact)."""
    return match_metrics(net, int(ent.metrics["simulations"]), int(ent.metrics["games_per_opponent"]))


def train_shipped(name: str, ctx: TrainContext) -> ManifestEntry:
    cfg = replace(SHIPPED[name], **QUICK) if ctx.quick else SHIPPED[name]
    net, record = train(cfg)
    metrics = match_metrics(net, cfg.eval_simulations, cfg.eval_games)
    params = sum(p.numel() for p in net.parameters())
    return checkpoints.save_checkpoint(
        name, net, lecture=7, builder="alphazero-net", train_seconds=record["seconds"],
        architecture=f"policy-value MLP {2 * net.game.cells}-{cfg.hidden}-{cfg.hidden} -> "
                     f"{net.game.n_actions} logits + value, {params:,} parameters",
        config={**asdict(cfg), "self_play_iterations": record["iterations"]},
        dataset={"name": f"self-play {cfg.game}",
                 "provenance": f"{record['self_play_games']:,} self-play games of {cfg.game} in "
                               f"{record['iterations']} rounds ({cfg.simulations} simulations a move, seed "
                               f"{cfg.seed}); no human games", "self_play_games": record["self_play_games"]},
        metrics={**metrics, **({"quick": 1} if ctx.quick else {})}, directory=ctx.directory)


def _register(name: str, seconds: float) -> None:
    cfg = SHIPPED[name]

    @register_checkpoint(name, 7, f"AlphaZero on {cfg.game}: policy-value net trained by self-play + MCTS",
                         seconds, measure=measure)
    def train_it(ctx: TrainContext) -> ManifestEntry:
        return train_shipped(name, ctx)


_register("alphazero-tictactoe", 120)
_register("alphazero-connect4", 400)
