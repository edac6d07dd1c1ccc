"""Benchmark: how fast is the synthetic GTZAN generated?

Generates ``--tracks-per-genre`` clips per genre (default 100, i.e. the full 1,000 clips
of 30 s) into a temporary folder with every CPU core and prints clips/s and the total
time. Nothing is written anywhere else; copy the figure into benchmarks/RESULTS.md by hand.

    python benchmarks/bench_synthetic.py                       # 1,000 clips
    python benchmarks/bench_synthetic.py --tracks-per-genre 10 # a quick run
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from genrelib.datasets.synthetic import SYNTHETIC_VERSION, generate_synthetic_gtzan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks-per-genre", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: all cores)")
    args = parser.parse_args(argv)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_jobs = args.n_jobs or cores
    clips = 10 * args.tracks_per_genre
    print(f"synthetic GTZAN v{SYNTHETIC_VERSION}: {clips} clips x {args.seconds:g} s, n_jobs={n_jobs}, "
          f"{cores} usable cores, Python {platform.python_version()}, {platform.machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as tmp:
        start = time.perf_counter()
        out = generate_synthetic_gtzan(Path(tmp) / "synthetic", tracks_per_genre=args.tracks_per_genre,
                                       seconds=args.seconds, seed=args.seed, n_jobs=n_jobs)
        total = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (out / "genres").rglob("*.wav"))
    print(f"total {total:.1f} s, {clips / total:.1f} clips/s, {size / 2**20:.0f} MiB written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
