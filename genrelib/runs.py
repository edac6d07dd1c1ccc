"""Run folders: what a training run leaves behind, and how to read it back.

A run folder holds::

    model.keras     the trained model; its first layer standardises raw features, and a
                    member ``genrelib.json`` inside the zip stores the label names, the
                    FeatureConfig, the fitted standardiser and the model options
    config.json     everything that defined the run (data, split, profile, model options)
    history.csv     one row per epoch (loss, accuracy, val_loss, val_accuracy, learning rate)
    metrics.json    validation and test results, segment and track level
    split.json      the track ids of train / valid / test
    checkpoint.weights.h5   the best weights so far, written during training

Every file is written atomically (``genrelib.cache.atomic_file``). This module imports no
stage of the pipeline (Keras only inside the functions that load or save a model), so the
training loop and the pipeline above it both take the file names from here.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genrelib.cache import atomic_file, atomic_path, atomic_write_text, default_cache_dir
from genrelib.config import GTZAN_TRAIN_SEGMENTS

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"
HISTORY_FILE = "history.csv"
METRICS_FILE = "metrics.json"
SPLIT_FILE = "split.json"
CHECKPOINT_FILE = "checkpoint.weights.h5"
#: The files of a finished run (the checkpoint is a by-product of training).
RUN_FILES: tuple[str, ...] = (MODEL_FILE, CONFIG_FILE, HISTORY_FILE, METRICS_FILE, SPLIT_FILE)
METADATA_MEMBER = "genrelib.json"


def default_run_dir(name: str, *, profile: str = "quick", seed: int = 0,
                    cache_dir: str | Path | None = None) -> Path:
    """Where the notebooks keep their runs: ``<cache>/runs/<name>-<profile>-seed<seed>``.

    ``<cache>`` is ``cache_dir``, else $GENREBOOK_CACHE, else ~/.cache/genre-book.
    Notebook: 03_cnn.ipynb
    """
    return default_cache_dir("runs", root=cache_dir) / f"{name}-{profile}-seed{seed}"


def save_run_model(model: Any, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Save a Keras model to ``path`` (.keras) with ``metadata`` stored inside it.

    ``metadata`` (JSON-ready: ``genres``, ``feature_config``, ``standardizer``,
    ``model_kind``, ``model_options``) becomes the zip member ``genrelib.json``; Keras
    ignores that member when loading. Written atomically (``genrelib.cache.atomic_file``).
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"model file must end in .keras, got {path}")
    with atomic_path(path) as tmp:
        model.save(tmp)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(METADATA_MEMBER, json.dumps(metadata, indent=2))
    return path


def read_model_metadata(path: str | Path) -> dict[str, Any]:
    """The ``genrelib.json`` stored in a .keras file (no Keras needed).
    """
    path = _model_path(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read(METADATA_MEMBER))
    except KeyError:
        raise ValueError(
            f"{path} has no {METADATA_MEMBER}: it was not saved by genrelib "
            "(train it with `genrelib train`)"
        ) from None
    except zipfile.BadZipFile:
        raise ValueError(f"{path} is not a .keras model file (not a zip archive)") from None


def _model_path(path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no model at {path}: give a run folder or its model.keras")
    return path


def load_run_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load (model, metadata) from a .keras file or a run folder.

    The model takes raw (unstandardised) features shaped by ``models.model_input``;
    ``metadata["genres"]`` names its outputs, ``metadata["feature_config"]`` says how to
    compute its features (``FeatureConfig.from_dict``). Notebook: 03_cnn.ipynb
    """
    import keras

    path = _model_path(path)
    metadata = read_model_metadata(path)
    model = keras.saving.load_model(path, compile=False)
    return model, metadata


def load_run(run_dir: str | Path) -> dict[str, Any]:
    """Read a run folder's records: ``config``, ``metrics``, ``history`` (DataFrame),
    ``split`` (dict of track id lists). Missing files give None. No Keras needed.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"no run folder at {run_dir}")

    def _json(name: str) -> Any:
        return load_json(run_dir / name) if (run_dir / name).is_file() else None

    history_path = run_dir / HISTORY_FILE
    return {
        "run_dir": run_dir,
        "config": _json(CONFIG_FILE),
        "metrics": _json(METRICS_FILE),
        "split": _json(SPLIT_FILE),
        "history": pd.read_csv(history_path) if history_path.is_file() else None,
    }


def save_history(history: pd.DataFrame, run_dir: str | Path) -> Path:
    """Write a training history (one row per epoch) as ``run_dir/history.csv``, atomically."""
    path = Path(run_dir) / HISTORY_FILE
    with atomic_file(path, "w", encoding="utf-8", newline="") as handle:
        history.to_csv(handle, index=False)
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _finite_or_none(value: Any) -> Any:
    """Replace NaN/inf floats by None so the JSON is standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    return value


def save_json(record: Any, path: str | Path) -> Path:
    """Write a record (a dict, or anything with ``to_dict()``, numpy values allowed) as
    indented standard JSON (NaN/inf become null), atomically. Returns the path.
    """
    if hasattr(record, "to_dict"):
        record = record.to_dict()
    plain = json.loads(json.dumps(record, default=_json_default))
    return atomic_write_text(path, json.dumps(_finite_or_none(plain), indent=2) + "\n")


def load_json(path: str | Path) -> dict[str, Any]:
    """Read a record written by :func:`save_json`; FileNotFoundError naming a missing file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no record at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def estimate_epoch_seconds(metrics: dict[str, Any], *, train_segments: int = GTZAN_TRAIN_SEGMENTS) -> float:
    """Seconds per epoch for ``train_segments`` training segments (default: the full GTZAN's
    15,200, ``config.GTZAN_TRAIN_SEGMENTS``), scaled linearly from the
    seconds per epoch a run measured (its metrics.json record, ``seconds_per_epoch`` over
    ``n_segments["train"]``). An ESTIMATE for the same machine, never a measurement: it
    ignores fixed costs per epoch (validation, start-up) and any effect of batch count.
    Notebook: 03_cnn.ipynb
    """
    measured = metrics.get("seconds_per_epoch")
    segments = (metrics.get("n_segments") or {}).get("train")
    if not measured or not segments:
        raise ValueError("the run's metrics hold no measured seconds per epoch and training "
                         "segments: train it first (genrelib train)")
    return float(measured) * int(train_segments) / int(segments)
