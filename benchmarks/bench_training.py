"""Seconds per epoch: genrelib's training loop vs a plain ``model.fit`` on the same arrays.

Synthetic arrays of the GTZAN size (15,200 segments of 128 x 130 log-mel, or 20 x 130 MFCC
for the RNN; fewer with ``--segments`` on a CPU), 90 % train / 10 % validation, batch 32.
"genrelib" is ``genrelib.training.fit_model`` (the study's callbacks: early stopping,
plateau, NaN stop, checkpoint, CSV log, epoch timer); "plain" is ``model.fit`` with only a
timer. The first epoch (tracing/compilation) is reported separately from the steady state.
Works under any ``KERAS_BACKEND`` (tensorflow, jax, torch).

    python benchmarks/bench_training.py --segments 1520 --epochs 3
    KERAS_BACKEND=jax python benchmarks/bench_training.py --models cnn crnn

Prints one Markdown table row per (model, loop) and, with --json, writes the results.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from genrelib import models  # noqa: E402
from genrelib.config import MODEL_KINDS, TrainConfig  # noqa: E402
from genrelib.training import (EpochTimer, compile_model, device_description, fit_model,  # noqa: E402
                               set_seed)


def _arrays(kind: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rows = 20 if kind == "rnn" else 128
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, rows, 130)).astype("float32")
    y = rng.integers(0, 10, size=n)
    return models.model_input(X, kind), y


def _build(kind: str, x: np.ndarray) -> keras.Model:
    return models.build_model(kind, input_shape=x.shape[1:], n_classes=10)


def bench(kind: str, *, segments: int, epochs: int, batch_size: int, seed: int) -> list[dict]:
    x, y = _arrays(kind, segments, seed)
    n_valid = max(1, segments // 10)
    xt, yt, xv, yv = x[n_valid:], y[n_valid:], x[:n_valid], y[:n_valid]
    # patience large enough that early stopping never cuts the benchmark short
    train = TrainConfig(epochs=epochs, batch_size=batch_size, early_stopping_patience=epochs + 1,
                        reduce_lr_patience=epochs + 1, seed=seed)
    rows = []
    for loop in ("genrelib", "plain"):
        set_seed(seed)
        model = _build(kind, x)
        if loop == "genrelib":
            with tempfile.TemporaryDirectory() as run_dir:
                history = fit_model(model, xt, yt, xv, yv, train=train, run_dir=run_dir, verbose=0)
            seconds = history["epoch_seconds"].tolist()
        else:
            compile_model(model, train)
            timer_logs = model.fit(xt, yt, batch_size=batch_size, epochs=epochs, validation_data=(xv, yv),
                                   callbacks=[EpochTimer()], verbose=0).history
            seconds = timer_logs["epoch_seconds"]
        steady = seconds[1:] or seconds
        rows.append({
            "model": kind, "loop": loop, "segments": segments, "train_segments": len(xt),
            "epochs": epochs, "first_epoch_s": round(seconds[0], 2),
            "s_per_epoch": round(float(np.median(steady)), 2),
            "ms_per_segment": round(1000 * float(np.median(steady)) / len(xt), 2),
            "s_per_epoch_gtzan": round(float(np.median(steady)) * 13_680 / len(xt), 1),
            "parameters": int(model.count_params()),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODEL_KINDS), choices=MODEL_KINDS)
    parser.add_argument("--segments", type=int, default=15_200, help="segments (GTZAN: 15,200)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs per loop (the first is reported apart)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    env = {"backend": keras.backend.backend(), "keras": keras.__version__, "device": device_description(),
           "python": platform.python_version(), "machine": platform.machine()}
    print(f"# {env}")
    print("| model | loop | train segments | first epoch (s) | s/epoch | ms/segment | "
          "s/epoch at GTZAN size (13,680 train) |")
    print("|---|---|---|---|---|---|---|")
    results = []
    for kind in args.models:
        for row in bench(kind, segments=args.segments, epochs=args.epochs,
                         batch_size=args.batch_size, seed=args.seed):
            results.append(row)
            print(f"| {row['model']} | {row['loop']} | {row['train_segments']} | {row['first_epoch_s']} | "
                  f"{row['s_per_epoch']} | {row['ms_per_segment']} | {row['s_per_epoch_gtzan']} |", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"environment": env, "results": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
