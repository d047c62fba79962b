"""Issue 15's rows alone, short enough for one locked run at 1M: the model's part of an
append (``measure_append``: growth, density, first filter; median of 3 appends) and the
explorer's (``measure_live``: one explorer process, an append per round, write → painted).

    flock /tmp/big-run.lock python bench/live.py 1M --rounds none [--cache DIR] [--scratch DIR]
        [--reopen --cache-dir DIR]

A round is ``none`` (no filter), ``actor`` (the most frequent actor) or ``word`` (a text
search for the appended events' word); ``bench/run.py --only live`` runs all three, and
takes about 17 minutes at 1M (each round waits for the background work it leaves).

The explorer reads the copy afresh (``cache=False``), unless ``--reopen``: then a first
session reads it, writes its cache and word index, and the explorer reopens it from that
cache; the first round listed is the first append after the reopen (put ``word`` first to
time a word filter kept over a text mapped from the cache), the later ones grow a text held
in a scratch file. The model's row always reads the file afresh.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (bench/run.py: the measurements themselves)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("size", help="events: 100k, 1M, ...")
    ap.add_argument("--rounds", default="none", help="comma-separated: none, actor, word (default none)")
    ap.add_argument("--no-model", action="store_true", help="skip the model's row")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, default=run.DEFAULT_CACHE, help="folder of the generated inputs")
    ap.add_argument("--scratch", type=Path, help="folder for the appended-to copy (default: --cache)")
    ap.add_argument("--cache-dir", type=Path, help="the measured processes' on-disk cache (used only with --reopen)")
    ap.add_argument("--reopen", action="store_true",
                    help="the explorer reopens the copy from a cache (and word index) a first session wrote")
    args = ap.parse_args(argv)
    if args.cache_dir:
        run.CACHE_DIR = args.cache_dir
    n = run.parse_count(args.size)
    rounds = tuple(r.strip() for r in args.rounds.split(",") if r.strip())
    print(run.machine(), flush=True)
    started = time.perf_counter()
    load = os.getloadavg()
    rows = [] if args.no_model else [run.measure_append(n, args.seed, args.cache, scratch=args.scratch)]
    rows += run.measure_live(n, args.seed, args.cache, rounds=rounds, scratch=args.scratch, reopen=args.reopen)
    after = os.getloadavg()
    print(run.table(f"{run.label(n)} events, seed {args.seed}: live reload rows ({', '.join(rounds)}); "
                    f"load {load[0]:.1f} → {after[0]:.1f}", rows), flush=True)
    print(f"({run.label(n)} took {time.perf_counter() - started:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
