"""Run folders: what a training run leaves behind, and how to read it back.

A run folder holds::

    model.keras     the trained model; its first layer standardises raw features, and a
                    member ``genrelib.json`` inside the zip stores the label names, the
                    FeatureConfig, the fitted standardiser and the model options
    config.json     everything that defined the run (data, split, profile, model options)
    history.csv     one row per epoch (loss, accuracy, val_loss, val_accuracy, learning rate)
    metrics.json    validation and test results, segment and track level
    split.json      the track ids of train / valid / test

Keras is imported only inside the functions that load or save a model.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.json"
HISTORY_FILE = "history.csv"
METRICS_FILE = "metrics.json"
SPLIT_FILE = "split.json"
METADATA_MEMBER = "genrelib.json"


def default_run_dir(name: str, *, profile: str = "quick", seed: int = 0,
                    cache_dir: str | Path | None = None) -> Path:
    """Where the notebooks keep their runs: ``<cache>/runs/<name>-<profile>-seed<seed>``.

    ``<cache>`` is ``cache_dir``, else $GENREBOOK_CACHE, else ~/.cache/genre-book.
    Notebook: 03_cnn.ipynb
    """
    from genrelib.cache import default_cache_dir

    runs = Path(cache_dir) / "runs" if cache_dir else default_cache_dir("runs")
    return runs / f"{name}-{profile}-seed{seed}"


def save_run_model(model: Any, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Save a Keras model to ``path`` (.keras) with ``metadata`` stored inside it.

    ``metadata`` (JSON-ready: ``genres``, ``feature_config``, ``standardizer``,
    ``model_kind``, ``model_options``) becomes the zip member ``genrelib.json``; Keras
    ignores that member when loading. Written to a temporary file then renamed.
    Notebook: 03_cnn.ipynb
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"model file must end in .keras, got {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.keras")
    model.save(tmp)
    with zipfile.ZipFile(tmp, "a") as archive:
        archive.writestr(METADATA_MEMBER, json.dumps(metadata, indent=2))
    tmp.replace(path)
    return path


def read_model_metadata(path: str | Path) -> dict[str, Any]:
    """The ``genrelib.json`` stored in a .keras file (no Keras needed).

    Notebook: 03_cnn.ipynb
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
    Notebook: 03_cnn.ipynb
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"no run folder at {run_dir}")

    def _json(name: str) -> Any:
        p = run_dir / name
        return json.loads(p.read_text()) if p.is_file() else None

    history_path = run_dir / HISTORY_FILE
    return {
        "run_dir": run_dir,
        "config": _json(CONFIG_FILE),
        "metrics": _json(METRICS_FILE),
        "split": _json(SPLIT_FILE),
        "history": pd.read_csv(history_path) if history_path.is_file() else None,
    }
