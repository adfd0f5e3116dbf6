"""Rebuild shipped checkpoints: ``python -m core.train NAME [NAME ...] | --all | --list``."""

from __future__ import annotations

import argparse
import sys

from core.registry import TrainContext, specs
from core.training import TqdmProgress


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.train", description=__doc__)
    parser.add_argument("names", nargs="*", help="checkpoints to rebuild")
    parser.add_argument("--all", action="store_true", help="rebuild every registered checkpoint")
    parser.add_argument("--list", action="store_true", help="list the checkpoints and exit")
    args = parser.parse_args(argv)
    registry = specs()
    if args.list or not (args.names or args.all):
        for spec in registry.values():
            print(f"{spec.name:28s} lecture {spec.lecture}  ~{spec.est_seconds:>5.0f} s  {spec.description}")
        return 0
    names = list(registry) if args.all else args.names
    unknown = [n for n in names if n not in registry]
    if unknown:
        print(f"unknown checkpoint(s): {', '.join(unknown)}; known: {', '.join(registry)}", file=sys.stderr)
        return 2
    for name in names:
        entry = registry[name].fn(TrainContext(callbacks=(TqdmProgress(name),)))
        metrics = ", ".join(f"{k}={v}" for k, v in entry["metrics"].items())
        print(f"{name}: wrote {entry['file']} in {entry['train_seconds']} s ({metrics})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
