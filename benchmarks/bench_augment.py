"""Seconds per epoch with and without augmentation, and what the augmentation itself costs.

Random log-mel segments of the GTZAN mini set's training size under 5-fold CV (64 tracks x 19
segments of 128 x 130; ``--tracks`` to change), the chapter's small CNN (filters
16-32-64-64-64, dense 64), batch 32, ``fit_model`` for ``--epochs`` epochs (the first,
tracing, epoch left out of the mean). For each augmentation list: the mean seconds per epoch,
the share of training time spent waiting for a batch (``data_wait_fraction``), and the
seconds one thread needs to prepare one epoch of augmented batches alone (``Augmenter``, no
model). Then the one-off cost of the audio-level augmentations: one augmented copy of a 30 s
clip (``augment_audio`` with noise, pitch and stretch, then ``clip_features``).

    python benchmarks/bench_augment.py --epochs 3
    KERAS_BACKEND=jax python benchmarks/bench_augment.py      # on a GPU

Prints a Markdown table; ``--json FILE`` writes the numbers.
Notebook: 08_small_data.ipynb
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from genrelib.augment import Augmenter, augment_audio, parse_augment  # noqa: E402
from genrelib.config import FeatureConfig, TrainConfig  # noqa: E402
from genrelib.features import FeatureSet, clip_features  # noqa: E402
from genrelib.models import build_model, model_input  # noqa: E402
from genrelib.training import BatchFeed, device_description, fit_model, set_seed  # noqa: E402

LISTS = ("none", "crop", "freq_mask,time_mask", "gain", "mixup", "default", "crop,freq_mask,time_mask,gain,mixup")
SMALL = {"filters": (16, 32, 64, 64, 64), "dense_units": 64}


def _features(tracks: int, seed: int) -> FeatureSet:
    cfg = FeatureConfig()
    n = cfg.segments_per_clip
    rng = np.random.default_rng(seed)
    X = rng.normal(-30, 15, size=(tracks * n, *cfg.segment_shape)).astype("float32")
    return FeatureSet(X=X, y=np.repeat(np.arange(tracks) % 10, n),
                      track_ids=np.repeat([f"t{i:03d}" for i in range(tracks)], n),
                      genres=tuple(f"g{i}" for i in range(10)), config=cfg)


def _feed_seconds(augmenter: Augmenter, train: FeatureSet, batch_size: int) -> float:
    feed = BatchFeed(train.X, train.y, batch_size=batch_size, seed=0, prefetch=0, augment=augmenter)
    start = time.perf_counter()
    for _ in range(feed.steps):
        feed.next_batch()
    return time.perf_counter() - start


def bench(names: str, train: FeatureSet, valid: FeatureSet, epochs: int) -> dict:
    augment = parse_augment(names)
    augmenter = Augmenter(augment, train, model_kind="cnn") if augment else None
    set_seed(0)
    model = build_model("cnn", input_shape=(128, 130, 1), n_classes=10, **SMALL)
    history = fit_model(model, model_input(train.X, "cnn"), train.y, model_input(valid.X, "cnn"), valid.y,
                        train=TrainConfig(epochs=epochs, early_stopping_patience=epochs), verbose=0,
                        augment=augmenter)
    steady = history["epoch_seconds"].iloc[1:] if len(history) > 1 else history["epoch_seconds"]
    return {"augment": names, "epochs": len(history), "first_epoch_s": round(float(history["epoch_seconds"].iloc[0]), 2),
            "seconds_per_epoch": round(float(steady.mean()), 2),
            "data_wait_fraction": round(float(history["data_wait_fraction"].iloc[1:].mean()), 4),
            "prepare_epoch_s": round(_feed_seconds(augmenter, train, 32), 2) if augmenter else 0.0}


def audio_copy_seconds(seed: int) -> float:
    rng = np.random.default_rng(seed)
    t = np.arange(30 * 22050) / 22050
    y = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.normal(size=t.size)).astype("float32")
    start = time.perf_counter()
    clip_features(augment_audio(y, rng, ("noise", "pitch", "stretch"), sample_rate=22050), FeatureConfig())
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=64, help="training tracks (19 segments each)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lists", nargs="*", default=list(LISTS), help="augmentation lists to time")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    train, valid = _features(args.tracks, 0), _features(8, 1)
    print(f"device: {device_description()}; {len(train)} training segments of (128, 130), small CNN, batch 32")
    print("| augment | s/epoch (epochs 2+) | first epoch s | data wait | one thread prepares an epoch in s |")
    print("|---|---|---|---|---|")
    rows = []
    for names in args.lists:
        row = bench(names, train, valid, args.epochs)
        rows.append(row)
        print(f"| {names} | {row['seconds_per_epoch']} | {row['first_epoch_s']} | {row['data_wait_fraction']:.1%} "
              f"| {row['prepare_epoch_s']} |", flush=True)
    copy = audio_copy_seconds(0)
    print(f"\none augmented audio copy of a 30 s clip (noise, pitch, stretch + features): {copy:.2f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"device": device_description(), "rows": rows,
                                               "audio_copy_s": round(copy, 2)}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
