"""Training speed: genrelib's training loop vs a plain ``model.fit`` on random arrays, and
(``--full``) the whole full-profile run on real features of the synthetic GTZAN.

Synthetic arrays of the GTZAN size (15,200 segments of 128 x 130 log-mel, or 20 x 130 MFCC
for the RNN; fewer with ``--segments`` on a CPU), 90 % train / 10 % validation, batch 32.
"genrelib" is ``genrelib.training.fit_model`` (the study's callbacks: early stopping,
plateau, NaN stop, checkpoint, CSV log, epoch timer); "plain" is ``model.fit`` with only a
timer. The first epoch (tracing/compilation) is reported separately from the steady state.
Works under any ``KERAS_BACKEND`` (tensorflow, jax, torch).

    python benchmarks/bench_training.py --segments 1520 --epochs 3
    KERAS_BACKEND=jax python benchmarks/bench_training.py --models cnn crnn

``--full`` times what a reader runs: ``genrelib.pipeline.train_run`` with the full profile
(at most 50 epochs, early stopping) on the log-mel features of the synthetic GTZAN (1,000
tracks of 30 s by default; generated and featurised once, cached, timed apart), once per
``--runs BATCH:PRECISION`` (default ``32:float32 128:mixed``: the study's batch, then a GPU
setting with the learning rate scaled by the linear rule, 4e-3 at 128). Each row gives the
whole fit (compilation included), the first epoch, the median later epoch, the share of
training time spent waiting for data, and the test accuracy beside the speed:

    KERAS_BACKEND=jax python benchmarks/bench_training.py --full --model crnn --json crnn.json
    KERAS_BACKEND=jax python benchmarks/bench_training.py --full --tracks-per-genre 10 --epochs 3

Prints Markdown table rows and, with --json, writes the results.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from genrelib import models  # noqa: E402
from genrelib.commands.train import parse_options  # noqa: E402
from genrelib.config import GTZAN_TRAIN_SEGMENTS, PRECISIONS, TrainConfig  # noqa: E402
from genrelib.models import CLASSICAL_KINDS, MODEL_KINDS  # noqa: E402
from genrelib.provenance import versions  # noqa: E402

#: The Keras model kinds (the classical ones train in one scikit-learn fit: nothing to time here).
KERAS_KINDS = [k for k in MODEL_KINDS if k not in CLASSICAL_KINDS]
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
            "s_per_epoch_gtzan": round(float(np.median(steady)) * GTZAN_TRAIN_SEGMENTS / len(xt), 1),
            "parameters": int(model.count_params()),
        })
    return rows


def _run_setting(text: str) -> tuple[int, str]:
    """``"128:mixed"`` -> (128, "mixed")."""
    batch, _, precision = text.partition(":")
    if not batch.isdigit() or int(batch) < 1 or precision not in PRECISIONS:
        raise argparse.ArgumentTypeError(f"expected BATCH:PRECISION with PRECISION one of "
                                         f"{', '.join(PRECISIONS)}, e.g. 128:mixed; got {text!r}")
    return int(batch), precision


def full_data(tracks_per_genre: int, seconds: float, *, seed: int, cache_dir: Path | None) -> tuple[Path, dict]:
    """The synthetic GTZAN (generated once into the cache) and its log-mel features (extracted
    once, cached); returns the folder and the seconds each step took here (0 when cached)."""
    from genrelib.models import default_feature_config
    from genrelib.datasets import index_dataset
    from genrelib.datasets.resolve import synthetic_cache_dir
    from genrelib.datasets.synthetic import generate_synthetic_gtzan
    from genrelib.features import extract_features

    folder = synthetic_cache_dir(tracks_per_genre=tracks_per_genre, seconds=seconds, seed=seed,
                                 cache_dir=cache_dir)
    start = time.perf_counter()
    if not folder.is_dir():
        generate_synthetic_gtzan(folder, tracks_per_genre=tracks_per_genre, seconds=seconds, seed=seed)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    extract_features(index_dataset(folder), default_feature_config("cnn"), cache_dir=cache_dir)
    return folder, {"generate_s": round(generated, 1), "features_s": round(time.perf_counter() - start, 1)}


def bench_full(model: str, data: Path, *, runs: list[tuple[int, str]], epochs: int | None, seed: int,
               cache_dir: Path | None, options: dict) -> list[dict]:
    """``train_run`` with the full profile, once per (batch size, precision)."""
    from genrelib.pipeline import Hardware, RunSpec, train_run

    rows = []
    spec = RunSpec(model=model, profile="full", epochs=epochs, seed=seed, options=options)
    for batch_size, precision in runs:
        with tempfile.TemporaryDirectory() as out_dir:
            start = time.perf_counter()
            result = train_run(data, spec, out_dir=out_dir,
                               hardware=Hardware(batch_size=batch_size, precision=precision),
                               cache_dir=cache_dir, verbose=0)
            wall = time.perf_counter() - start
        seconds = result.history["epoch_seconds"].tolist()
        metrics, test = result.metrics, result.metrics.test
        rows.append({
            "model": model, "options": options, "batch_size": batch_size, "precision": precision,
            "learning_rate": result.config.train_config.learning_rate,
            "devices": result.config.devices, "train_segments": metrics.n_segments.train,
            "epochs_run": metrics.epochs_run, "best_epoch": metrics.best_epoch,
            "fit_s": round(metrics.train_seconds, 1), "run_s": round(wall, 1),
            "first_epoch_s": round(seconds[0], 2),
            "s_per_epoch": round(float(np.median(seconds[1:] or seconds)), 2),
            "data_wait_fraction": metrics.data_wait_fraction,
            "test_segment_accuracy": round(test.segment_accuracy, 4),
            "test_track_accuracy": round(test.track_accuracy, 4),
        })
    return rows


def _print_full(rows: list[dict]) -> None:
    print("| model | batch | precision | lr | devices | train segments | epochs (best) | fit incl. "
          "compilation (s) | first epoch (s) | s/epoch | data wait | test acc. segment / track |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['batch_size']} | {r['precision']} | {r['learning_rate']:g} | "
              f"{r['devices']['count']} {r['devices']['kind']} | {r['train_segments']} | "
              f"{r['epochs_run']} ({r['best_epoch']}) | {r['fit_s']} | {r['first_epoch_s']} | "
              f"{r['s_per_epoch']} | {100 * r['data_wait_fraction']:.1f} % | "
              f"{100 * r['test_segment_accuracy']:.1f} % / {100 * r['test_track_accuracy']:.1f} % |",
              flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="time the full-profile train_run on the synthetic GTZAN's features")
    parser.add_argument("--model", default="crnn", choices=KERAS_KINDS, help="--full: the model")
    parser.add_argument("--runs", nargs="+", type=_run_setting, default=[(32, "float32"), (128, "mixed")],
                        metavar="BATCH:PRECISION", help="--full: settings (default 32:float32 128:mixed)")
    parser.add_argument("--tracks-per-genre", type=int, default=100, help="--full: synthetic set size")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="--full: a model option, as genrelib train --option")
    parser.add_argument("--cache-dir", type=Path, help="--full: data and feature cache (default the book's)")
    parser.add_argument("--models", nargs="+", default=list(KERAS_KINDS), choices=KERAS_KINDS)
    parser.add_argument("--segments", type=int, default=15_200, help="segments (GTZAN: 15,200)")
    parser.add_argument("--epochs", type=int, help="epochs per loop (default 3; --full: the profile's 50)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    env = {"backend": keras.backend.backend(), "keras": keras.__version__, "device": device_description(),
           "python": platform.python_version(), "machine": platform.machine(),
           "date": time.strftime("%Y-%m-%d"), "load_average_before": round(os.getloadavg()[0], 2)}
    if args.full:
        env.update({name: version for name, version in versions(
            ("genrelib", "jax", "jaxlib", "tensorflow", "tensorflow-cpu", "numpy")).items()
            if version != "not installed"})
        print(f"# {env}")
        data, prep = full_data(args.tracks_per_genre, 30.0, seed=args.seed, cache_dir=args.cache_dir)
        print(f"# data {data}: {args.tracks_per_genre * 10} tracks; {prep}")
        rows = bench_full(args.model, data, runs=args.runs, epochs=args.epochs, seed=args.seed,
                          cache_dir=args.cache_dir, options=parse_options(args.option))
        _print_full(rows)
        if args.json:
            args.json.write_text(json.dumps({"environment": env, "data": {"tracks": args.tracks_per_genre * 10, **prep},
                                             "full": rows}, indent=2) + "\n")
        return 0
    args.epochs = args.epochs or 3
    print(f"# {env}")
    print("| model | loop | train segments | first epoch (s) | s/epoch | ms/segment | "
          f"s/epoch at GTZAN size ({GTZAN_TRAIN_SEGMENTS:,} train) |")
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
