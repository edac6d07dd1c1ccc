"""Training with the study's recipe, and the run folder every training leaves behind.

Recipe (``TrainConfig``): Adam 1e-3, sparse categorical cross-entropy, batch 32, at most
50 epochs, early stopping on validation loss with the best weights restored, learning
rate divided by 10 on a plateau, stop on NaN, L2 1e-4 on the kernels (in the model),
a checkpoint of the best weights and a CSV history.

``fit_model`` trains any compiled-or-not Keras model on arrays; ``train_run`` is the whole
pipeline used by ``genrelib train`` and the notebooks: index the data, split by track,
extract features, fit the standardiser on the training tracks only, build, train,
evaluate (segment and track level) and write the run folder (see ``genrelib.runs``).
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd

from genrelib import runs
from genrelib.config import FeatureConfig, TrainConfig, get_profile
from genrelib.evaluation import EvaluationResult, evaluate_predictions, save_json
from genrelib.models import build_model, feature_kind, input_shape_for, model_input

CHECKPOINT_FILE = "checkpoint.weights.h5"


def set_seed(seed: int, *, deterministic: bool = True) -> None:
    """Seed Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).

    With ``deterministic`` on TensorFlow, also ``tf.config.experimental.enable_op_determinism()``
    so that the same seed on a CPU gives the same weights and metrics run after run
    (for the whole process; a few GPU ops become slower).
    Notebook: 03_cnn.ipynb
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


class EpochTimer(keras.callbacks.Callback):
    """Adds ``epoch_seconds`` (wall time of the epoch, validation included) to the logs.

    Notebook: 03_cnn.ipynb
    """

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["epoch_seconds"] = time.perf_counter() - self._start


def make_callbacks(
    train: TrainConfig, *, run_dir: str | Path | None = None, monitor: str = "val_loss"
) -> list[keras.callbacks.Callback]:
    """The study's callbacks: EpochTimer, TerminateOnNaN, EarlyStopping (restore best weights),
    ReduceLROnPlateau (factor ``train.reduce_lr_factor``) and, with ``run_dir``,
    ModelCheckpoint (best weights, ``checkpoint.weights.h5``) and CSVLogger (``history.csv``).
    Notebook: 03_cnn.ipynb
    """
    callbacks: list[keras.callbacks.Callback] = [
        EpochTimer(),
        keras.callbacks.TerminateOnNaN(),
        keras.callbacks.EarlyStopping(
            monitor=monitor, patience=train.early_stopping_patience, restore_best_weights=True
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor=monitor, factor=train.reduce_lr_factor, patience=train.reduce_lr_patience,
            min_lr=train.min_learning_rate,
        ),
    ]
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        callbacks += [
            keras.callbacks.ModelCheckpoint(
                str(run_dir / CHECKPOINT_FILE), monitor=monitor, save_best_only=True,
                save_weights_only=True,
            ),
            keras.callbacks.CSVLogger(str(run_dir / runs.HISTORY_FILE)),
        ]
    return callbacks


def compile_model(model: keras.Model, train: TrainConfig) -> keras.Model:
    """Compile with Adam(``train.learning_rate``), sparse categorical cross-entropy, accuracy.

    Notebook: 03_cnn.ipynb
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=train.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    return model


def fit_model(
    model: keras.Model, x_train: np.ndarray, y_train: np.ndarray,
    x_valid: np.ndarray | None = None, y_valid: np.ndarray | None = None, *,
    train: TrainConfig = TrainConfig(), run_dir: str | Path | None = None, verbose: int | str = 2,
) -> pd.DataFrame:
    """Compile and train ``model`` on model-shaped arrays; returns the history, one row per epoch.

    ``x_*`` as given by ``models.model_input`` (e.g. (n, 128, 130, 1)), ``y_*`` int (n,).
    Without validation data, early stopping and the plateau rule watch the training loss.
    The best weights (lowest monitored loss) are in the model on return. History columns:
    ``epoch`` (1-based), ``loss``, ``accuracy``, [``val_loss``, ``val_accuracy``],
    ``learning_rate``, ``epoch_seconds``. ``verbose``: 0 silent, 1 progress bar, 2 one line
    per epoch. Call ``set_seed`` before building the model for repeatable runs.
    Notebook: 03_cnn.ipynb
    """
    if len(x_train) == 0:
        raise ValueError("no training segments: the training split is empty")
    for name, x in (("training", x_train), ("validation", x_valid)):
        if x is not None and not np.isfinite(x).all():
            bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
            raise ValueError(f"the {name} features contain {bad} NaN/inf values: recompute them "
                             "(genrelib features) or drop the clips they come from")
    has_valid = x_valid is not None and y_valid is not None and len(x_valid) > 0
    monitor = "val_loss" if has_valid else "loss"
    compile_model(model, train)
    history = model.fit(
        x_train, np.asarray(y_train), batch_size=train.batch_size, epochs=train.epochs,
        validation_data=(x_valid, np.asarray(y_valid)) if has_valid else None,
        callbacks=make_callbacks(train, run_dir=run_dir, monitor=monitor),
        shuffle=True, verbose=verbose,
    )
    frame = pd.DataFrame(history.history)
    frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    if not all(np.isfinite(w).all() for w in model.get_weights()):
        raise FloatingPointError(
            f"training diverged (loss NaN/inf by epoch {len(frame)}) before any epoch ended with "
            f"finite weights: lower the learning rate (now {train.learning_rate})"
        )
    return frame


def predict_probs(model: keras.Model, X: np.ndarray, *, kind: str, batch_size: int = 64) -> np.ndarray:
    """Class probabilities (n_segments, n_classes) for raw features X (n, n_features, frames).

    Notebook: 03_cnn.ipynb
    """
    if len(X) == 0:
        return np.zeros((0, int(model.output_shape[-1])), dtype=np.float32)
    return np.asarray(model.predict(model_input(X, kind), batch_size=batch_size, verbose=0))


def default_feature_config(kind: str, *, n_mfcc: int = 20) -> FeatureConfig:
    """The features model ``kind`` reads: log-mel (128 x 130) for cnn/crnn, 20 MFCCs for rnn.

    Notebook: 04_rnn.ipynb
    """
    if feature_kind(kind) == "mfcc":
        return FeatureConfig(kind="mfcc", n_mfcc=n_mfcc)
    return FeatureConfig()


@dataclass
class RunResult:
    """What ``train_run`` returns: the run folder, the trained model (best weights), its
    history (DataFrame), ``metrics`` (the metrics.json dict), ``valid``/``test``
    EvaluationResults (None for an empty set), the split and the genre names.
    Notebook: 03_cnn.ipynb
    """

    run_dir: Path
    model: Any
    history: pd.DataFrame
    metrics: dict[str, Any]
    valid: EvaluationResult | None
    test: EvaluationResult | None
    split: Any
    genres: tuple[str, ...]
    config: dict[str, Any] = field(default_factory=dict)


def _make_split(tracks: pd.DataFrame, split: Any, *, valid_fraction: float,
                test_fraction: float, seed: int) -> Any:
    from genrelib.datasets import artist_split, random_split, split_from_lists

    if not isinstance(split, str):
        return split  # already a TrackSplit
    if split == "random":
        return random_split(tracks, valid_fraction=valid_fraction, test_fraction=test_fraction, seed=seed)
    if split == "artist":
        return artist_split(tracks, valid_fraction=valid_fraction, test_fraction=test_fraction, seed=seed)
    if split.startswith("lists:"):
        return split_from_lists(tracks, split[len("lists:"):])
    raise ValueError(f"unknown split {split!r}: use 'random', 'artist' or 'lists:DIR'")


def _cap_tracks(index: Any, max_per_genre: int | None) -> Any:
    if not max_per_genre:
        return index
    keep = index.tracks.groupby("genre", sort=False).head(max_per_genre)["track_id"]
    return index.subset(keep.tolist())


def _versions() -> dict[str, str]:
    from genrelib.explore import versions

    return {**versions(("genrelib", "keras", "numpy", "scikit-learn")),
            "backend": keras.backend.backend(), "platform": sys.platform}


def evaluate_model(model: keras.Model, features: Any, *, kind: str, genres: Sequence[str],
                   method: str = "vote") -> EvaluationResult | None:
    """Segment- and track-level evaluation of ``model`` on a FeatureSet (None when empty).

    ``features.y`` must index ``genres`` (the model's outputs). Notebook: 03_cnn.ipynb
    """
    if features is None or len(features) == 0:
        return None
    probs = predict_probs(model, features.X, kind=kind)
    return evaluate_predictions(probs, features.y, features.track_ids, genres=genres, method=method)


def train_run(
    data: Any, *, model: str = "cnn", profile: str = "quick", out_dir: str | Path,
    epochs: int | None = None, seed: int = 0, split: Any = "random",
    valid_fraction: float = 0.1, test_fraction: float = 0.1,
    feature_config: FeatureConfig | None = None, cache_dir: str | Path | None = None,
    verbose: int | str = 2, reuse: bool = False, **model_options: Any,
) -> RunResult:
    """Train model ``model`` ("cnn", "rnn", "crnn") on a dataset and write a run folder.

    ``data``: a folder (GTZAN in either layout, or any ``<genre>/<audio>`` tree) or a
    DatasetIndex. ``profile`` ("quick"/"full") gives the TrainConfig and caps real data
    (``max_tracks_per_genre``); ``epochs`` overrides its epochs. ``split``: "random"
    (stratified by track), "artist" (no artist in two sets), "lists:DIR" (split lists) or
    a TrackSplit; ``test_fraction`` 0 puts every track in train/validation. Features:
    ``feature_config`` or the model's default (log-mel 128 x 130, or 20 MFCCs for rnn),
    cached under ``cache_dir``. ``model_options`` go to the builder (e.g. ``kernel_size=5``,
    ``rnn="lstm"``). Writes ``out_dir``/{model.keras, config.json, history.csv,
    metrics.json, split.json} and returns a RunResult. With ``reuse``, a finished run in
    ``out_dir`` made with exactly the same settings and data is loaded instead of retrained
    (the notebooks use this so chapter 5 can compare with chapter 3's CNN).
    Notebook: 03_cnn.ipynb
    """
    from genrelib.datasets import DatasetIndex, check_leakage, index_dataset
    from genrelib.features import Standardizer, extract_features

    feature_kind(model)  # unknown model kinds fail before any work
    prof = get_profile(profile)
    train_cfg = prof.train.with_(seed=seed)
    if epochs is not None:
        train_cfg = train_cfg.with_(epochs=int(epochs))
    model_options.setdefault("l2", train_cfg.l2)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    index = data if isinstance(data, DatasetIndex) else index_dataset(data, progress=verbose not in (0, "0"))
    index = _cap_tracks(index, prof.max_tracks_per_genre)
    if len(index.tracks) == 0:
        raise ValueError(f"no readable audio tracks found in {index.root}")
    track_split = _make_split(index.tracks, split, valid_fraction=valid_fraction,
                              test_fraction=test_fraction, seed=seed)
    check_leakage(track_split, index.tracks, by_artist=split == "artist")
    cfg = feature_config or default_feature_config(model)
    if cfg.kind != feature_kind(model):
        raise ValueError(f"model {model!r} reads {feature_kind(model)!r} features, got kind={cfg.kind!r}")
    features = extract_features(index, cfg, cache_dir=cache_dir, progress=verbose not in (0, "0"))
    genres = features.genres
    sets = features.split(track_split)
    train_fs, valid_fs, test_fs = sets["train"], sets["valid"], sets["test"]
    standardizer = Standardizer().fit(train_fs.X)

    settings = {
        "model": model, "model_options": model_options, "profile": profile,
        "train_config": train_cfg.to_dict(), "feature_config": cfg.to_dict(),
        "data_fingerprint": index.fingerprint(),
        "split": split if isinstance(split, str) else "custom",
        "valid_fraction": valid_fraction, "test_fraction": test_fraction, "seed": seed,
    }
    previous = _finished_run(out_dir, settings) if reuse else None
    if previous is not None:
        net, _ = runs.load_run_model(out_dir)
        history = previous["history"]
        seconds = float(previous["metrics"]["train_seconds"])
    else:
        (out_dir / runs.METRICS_FILE).unlink(missing_ok=True)  # an unfinished run is never reused
        set_seed(seed)
        net = build_model(model, input_shape=input_shape_for(model, cfg.segment_shape),
                          n_classes=len(genres), standardizer=standardizer, **model_options)
        start = time.perf_counter()
        history = fit_model(
            net, model_input(train_fs.X, model), train_fs.y,
            model_input(valid_fs.X, model) if len(valid_fs) else None,
            valid_fs.y if len(valid_fs) else None,
            train=train_cfg, run_dir=out_dir, verbose=verbose,
        )
        seconds = time.perf_counter() - start
        history.to_csv(out_dir / runs.HISTORY_FILE, index=False)

    valid = evaluate_model(net, valid_fs, kind=model, genres=genres)
    test = evaluate_model(net, test_fs, kind=model, genres=genres)
    monitor = "val_loss" if "val_loss" in history else "loss"
    best_epoch = int(history[monitor].idxmin()) + 1 if history[monitor].notna().any() else None
    metrics = {
        "model": model, "protocol": getattr(track_split, "protocol", str(split)),
        "epochs_run": int(len(history)), "best_epoch": best_epoch,
        "train_seconds": round(seconds, 2),
        "seconds_per_epoch": round(float(history["epoch_seconds"].mean()), 3)
        if "epoch_seconds" in history else None,
        "n_segments": {k: int(len(v)) for k, v in sets.items()},
        "n_tracks": {k: int(v.n_tracks) for k, v in sets.items()},
        "valid": valid.to_dict() if valid else None,
        "test": test.to_dict() if test else None,
    }
    config = {
        **settings, "data": str(index.root), "n_tracks": int(len(index.tracks)),
        "genres": list(genres), "parameters": int(net.count_params()), "versions": _versions(),
    }
    metadata = {
        "genres": list(genres), "feature_config": cfg.to_dict(), "standardizer": standardizer.to_dict(),
        "model_kind": model, "model_options": model_options, "input": "raw features; the model standardises",
    }
    if previous is None:
        runs.save_run_model(net, out_dir / runs.MODEL_FILE, metadata)
    save_json(config, out_dir / runs.CONFIG_FILE)
    save_json(metrics, out_dir / runs.METRICS_FILE)
    save_json(track_split.to_dict(), out_dir / runs.SPLIT_FILE)
    return RunResult(run_dir=out_dir, model=net, history=history, metrics=metrics, valid=valid,
                     test=test, split=track_split, genres=tuple(genres), config=config)


def _finished_run(out_dir: Path, settings: dict[str, Any]) -> dict[str, Any] | None:
    """The run in ``out_dir`` when it is complete and was made with ``settings``."""
    if not all((out_dir / name).is_file() for name in
               (runs.MODEL_FILE, runs.CONFIG_FILE, runs.METRICS_FILE, runs.HISTORY_FILE)):
        return None
    previous = runs.load_run(out_dir)
    wanted = json.loads(json.dumps(settings))  # tuples -> lists, as stored
    if any(previous["config"].get(key) != value for key, value in wanted.items()):
        return None
    return previous


def evaluate_run(run_dir: str | Path, data: Any, *, method: str = "vote",
                 cache_dir: str | Path | None = None, progress: bool = True) -> EvaluationResult:
    """Evaluate a saved run on every track of ``data`` (a folder or DatasetIndex).

    Features are computed with the run's FeatureConfig; genres are matched to the model's
    outputs by name (a genre the model does not know raises ValueError naming it).
    Notebook: 07_evaluation.ipynb
    """
    from genrelib.datasets import DatasetIndex, index_dataset
    from genrelib.features import extract_features

    net, meta = runs.load_run_model(run_dir)
    kind = meta["model_kind"]
    cfg = FeatureConfig.from_dict(meta["feature_config"])
    model_genres = tuple(meta["genres"])
    index = data if isinstance(data, DatasetIndex) else index_dataset(data, progress=progress)
    unknown = sorted(set(index.genres) - set(model_genres))
    if unknown:
        raise ValueError(
            f"{index.root} has genre folders the model was not trained on: {unknown}; "
            f"it knows {list(model_genres)}"
        )
    features = extract_features(index, cfg, cache_dir=cache_dir, progress=progress)
    if len(features) == 0:
        raise ValueError(f"no usable audio in {index.root}")
    remap = np.array([model_genres.index(g) for g in features.genres])
    probs = predict_probs(net, features.X, kind=kind)
    return evaluate_predictions(probs, remap[features.y], features.track_ids,
                                genres=model_genres, method=method)


def describe_run(result: RunResult) -> str:
    """A short text summary of a run (used by the CLI). Notebook: 03_cnn.ipynb"""
    m = result.metrics
    lines = [f"run folder: {result.run_dir}",
             f"epochs: {m['epochs_run']} (best {m['best_epoch']}), {m['train_seconds']} s"]
    for name in ("valid", "test"):
        r = m.get(name)
        if r:
            lines.append(f"{name}: track accuracy {r['track_accuracy']:.3f}, segment accuracy "
                         f"{r['segment_accuracy']:.3f}, macro F1 {r['macro_f1']:.3f} "
                         f"({r['n_tracks']} tracks)")
    return "\n".join(lines)
