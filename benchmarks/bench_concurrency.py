"""Do two jobs at once go faster than one after the other on this machine?

`make test` runs two pytest workers and `make book` two chapters side by side. Whether that
helps depends on what the cores share. This times, each in fresh processes:

- ``cnn``: steady-state epochs of the study's CNN (TensorFlow, float32, batch 32) on random
  log-mel segments: one process alone with the default pools, one process with one thread
  per pool, then two processes at once (default pools, and one thread per pool each), the
  pools sized by the variables of ``genrelib.cpu_threads.THREAD_VARIABLES``;
- ``numpy``: 600 x 600 matrix products (OpenBLAS, as in librosa's mel filter bank and
  scikit-learn's solvers), the same four settings;
- ``python``: a pure-Python loop (no vector units), alone and two at once.

"throughput" is work per second relative to one default process alone: 2.0 would mean two
independent cores, 1.0 that the two jobs only share one core's worth of that work.

    python benchmarks/bench_concurrency.py --segments 608 --epochs 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genrelib.cpu_threads import THREAD_VARIABLES  # noqa: E402

#: Run in a child process: time `epochs` CNN epochs after one warm-up batch; print seconds/epoch.
#: Its thread pools are sized by the environment, as genrelib.cpu_threads sizes them.
CNN_CHILD = """
import sys, time
import numpy as np
from genrelib.models import build_cnn
segments, epochs = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
X = rng.normal(size=(segments, 128, 130, 1)).astype("float32")
y = rng.integers(0, 10, segments)
model = build_cnn()
model.compile("adam", "sparse_categorical_crossentropy")
model.fit(X[:64], y[:64], batch_size=32, epochs=1, verbose=0)  # tracing, apart
start = time.perf_counter()
model.fit(X, y, batch_size=32, epochs=epochs, verbose=0)
print((time.perf_counter() - start) / epochs)
"""

#: Matrix products through numpy's BLAS: print their seconds.
NUMPY_CHILD = """
import time
import numpy as np
rng = np.random.default_rng(0)
a, b = rng.normal(size=(600, 600)), rng.normal(size=(600, 600))
start = time.perf_counter()
for _ in range(150):
    c = a @ b
print(time.perf_counter() - start)
"""

#: A pure-Python loop: print its seconds.
PYTHON_CHILD = """
import time
start, total = time.perf_counter(), 0
for i in range(40_000_000):
    total += i
print(time.perf_counter() - start)
"""


#: The "one thread" settings: every pool genrelib sizes for processes side by side, at 1.
ONE_THREAD = {name: "1" for name in THREAD_VARIABLES}


def _at_once(commands: list[list[str]], extra_env: dict[str, str] | None = None) -> list[float]:
    """Start every command together; the last line of each one's output, as a float."""
    env = {name: value for name, value in os.environ.items() if name not in THREAD_VARIABLES}
    env.update(TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(ROOT), **(extra_env or {}))
    children = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                 env=env) for c in commands]
    outputs = [child.communicate()[0] for child in children]
    for command, child, out in zip(commands, children, outputs):
        if child.returncode != 0:
            raise SystemExit(f"bench_concurrency: a child failed ({child.returncode}): {command[:3]}\n{out}")
    return [float(out.strip().splitlines()[-1]) for out in outputs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=608, help="training segments per epoch")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs per process")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    cnn = [sys.executable, "-c", CNN_CHILD, str(args.segments), str(args.epochs)]
    numpy = [sys.executable, "-c", NUMPY_CHILD]
    python = [sys.executable, "-c", PYTHON_CHILD]
    rows = []

    def row(work: str, setting: str, seconds: list[float], unit: str, base: float | None) -> float:
        per_job = sum(seconds) / len(seconds)
        throughput = len(seconds) * (base or per_job) / per_job
        rows.append({"work": work, "setting": setting, "processes": len(seconds),
                     f"seconds ({unit})": [round(s, 2) for s in seconds],
                     "throughput": round(throughput, 2)})
        print(f"| {work} | {setting} | {len(seconds)} | {', '.join(f'{s:.2f}' for s in seconds)} "
              f"| {throughput:.2f} |", flush=True)
        return per_job

    print("| work | setting | processes | seconds each | throughput |\n|---|---|---|---|---|")
    alone = row("cnn", "default threads", _at_once([cnn]), "per epoch", None)
    row("cnn", "1 thread", _at_once([cnn], ONE_THREAD), "per epoch", alone)
    row("cnn", "default threads", _at_once([cnn] * 2), "per epoch", alone)
    row("cnn", "1 thread each", _at_once([cnn] * 2, ONE_THREAD), "per epoch", alone)
    products = row("numpy", "default threads", _at_once([numpy]), "in all", None)
    row("numpy", "1 thread", _at_once([numpy], ONE_THREAD), "in all", products)
    row("numpy", "default threads", _at_once([numpy] * 2), "in all", products)
    row("numpy", "1 thread each", _at_once([numpy] * 2, ONE_THREAD), "in all", products)
    loop = row("python", "a loop", _at_once([python]), "in all", None)
    row("python", "a loop each", _at_once([python] * 2), "in all", loop)

    if args.json:
        args.json.write_text(json.dumps({
            "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
                        "python": platform.python_version()},
            "segments": args.segments, "epochs": args.epochs, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
