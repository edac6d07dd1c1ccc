"""Run folders: what a training run leaves behind, and how to read it back.

A run folder holds::

    model.keras     the trained model; its first layer standardises raw features, and a
                    member ``genrelib.json`` inside the zip stores the label names, the
                    FeatureConfig, the fitted standardiser and the model options
    model.skops     instead of model.keras for a classical model (logreg, svm): the
                    scikit-learn Pipeline (its scaler inside) in the skops format (no
                    pickle: loading builds only ``SKOPS_TRUSTED_TYPES``), with the same
                    ``genrelib.json`` member (its standardizer null)
    config.json     everything that defined the run (data, split, profile, model options)
    history.csv     one row per epoch (loss, accuracy, val_loss, val_accuracy, learning rate);
                    a classical run's one row: fit_seconds, loss, accuracy, val_loss, val_accuracy
    metrics.json    validation and test results, segment and track level
    split.json      the track ids of train / valid / test (and the training and validation
                    tracks' content keys)
    checkpoint.weights.h5   the best weights so far, written during training (Keras only)

Every file is written atomically (``genrelib.cache.atomic_file``). This module imports no
stage of the pipeline (Keras and skops only inside the functions that load or save a
model), so the training loop and the pipeline above it both take the file names from here.
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
from genrelib.models.kinds import is_classical

MODEL_FILE = "model.keras"
#: The model file of a classical (scikit-learn) run.
SKOPS_MODEL_FILE = "model.skops"
#: What to do about a damaged or unfinished model file (one home for every such message).
RETRAIN_ADVICE = ("train it again with `genrelib train ... --out` a new folder or `--overwrite`, "
                  "or restore the file from a copy")
#: The model files a run folder may hold (one of them).
MODEL_FILES: tuple[str, ...] = (MODEL_FILE, SKOPS_MODEL_FILE)
CONFIG_FILE = "config.json"
HISTORY_FILE = "history.csv"
METRICS_FILE = "metrics.json"
SPLIT_FILE = "split.json"
#: The key of split.json that holds ``{track_id: content key}`` of the training and validation
#: tracks (``datasets.content``): how ``evaluate`` tells the tracks a run has seen.
SPLIT_CONTENT = "content"
CHECKPOINT_FILE = "checkpoint.weights.h5"
#: The files of a finished Keras run (the checkpoint is a by-product of training);
#: ``run_files(kind)`` for any model kind.
RUN_FILES: tuple[str, ...] = (MODEL_FILE, CONFIG_FILE, HISTORY_FILE, METRICS_FILE, SPLIT_FILE)
METADATA_MEMBER = "genrelib.json"
#: The only non-builtin types a model.skops file may hold: exactly those of the classical
#: models (``genrelib.models.classical``). Loading refuses a file with any other type, by name.
SKOPS_TRUSTED_TYPES: tuple[str, ...] = (
    "numpy.float64",
    "numpy.ndarray",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.svm._classes.SVC",
)
_SKOPS_SCHEMA = "schema.json"


def model_file_name(kind: str) -> str:
    """The model file of a run of model ``kind``: model.skops for logreg/svm, model.keras else."""
    return SKOPS_MODEL_FILE if is_classical(kind) else MODEL_FILE


def run_files(kind: str) -> tuple[str, ...]:
    """The files of a finished run of model ``kind`` (``RUN_FILES`` with its model file)."""
    return (model_file_name(kind), *RUN_FILES[1:])


def default_run_dir(name: str, *, profile: str = "quick", seed: int = 0,
                    cache_dir: str | Path | None = None) -> Path:
    """Where the notebooks keep their runs: ``<cache>/runs/<name>-<profile>-seed<seed>``.

    ``<cache>`` is ``cache_dir``, else $GENREBOOK_CACHE, else ~/.cache/genre-book.
    Notebook: 03_cnn.ipynb
    """
    return default_cache_dir("runs", root=cache_dir) / f"{name}-{profile}-seed{seed}"


def save_run_model(model: Any, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Save a model with ``metadata`` stored inside it: a Keras model to a .keras file, a
    classical scikit-learn Pipeline to a .skops file (``skops.io.dump``, no pickle).

    ``metadata`` (JSON-ready: ``genres``, ``feature_config``, ``standardizer``,
    ``model_kind``, ``model_options``) becomes the zip member ``genrelib.json`` of either
    file (both are zip archives); Keras and skops ignore that member when loading. Written
    atomically (``genrelib.cache.atomic_path``).
    """
    path = Path(path)
    if path.suffix not in (".keras", ".skops"):
        raise ValueError(f"model file must end in .keras or .skops, got {path}")
    with atomic_path(path) as tmp:
        if path.suffix == ".keras":
            model.save(tmp)
        else:
            import skops.io

            skops.io.dump(model, tmp, compression=zipfile.ZIP_DEFLATED)
        with zipfile.ZipFile(tmp, "a") as archive:
            archive.writestr(METADATA_MEMBER, json.dumps(metadata, indent=2))
    return path


class DamagedModelError(ValueError):
    """A model file that is damaged or unfinished; its message names the file and ends with
    ``RETRAIN_ADVICE``."""


def read_model_metadata(path: str | Path) -> dict[str, Any]:
    """The ``genrelib.json`` stored in a .keras or .skops file or a run folder's model
    (neither Keras nor skops needed).
    Notebook: 09_using_the_model.ipynb
    """
    path = find_model_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read(METADATA_MEMBER))
    except KeyError:
        raise ValueError(
            f"{path} has no {METADATA_MEMBER}: it was not saved by genrelib "
            "(train it with `genrelib train`)"
        ) from None
    except zipfile.BadZipFile:
        raise DamagedModelError(f"{path} is not a {path.suffix or 'genrelib'} model file (not a zip archive): "
                         f"if it was one, it is damaged: {RETRAIN_ADVICE}") from None


def find_model_file(path: str | Path) -> Path:
    """The model file of a run folder (its model.keras or model.skops), or ``path`` itself
    when it is a file. FileNotFoundError when there is none, ValueError when a folder holds
    both or is an unfinished run (a model but no metrics.json). ``~`` is the home folder.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        found = [path / name for name in MODEL_FILES if (path / name).is_file()]
        if len(found) > 1:
            raise ValueError(f"{path} holds {' and '.join(MODEL_FILES)}: a run folder holds one "
                             "model; delete the stale one or give the file")
        if found and not (path / METRICS_FILE).is_file():
            raise DamagedModelError(f"{path} holds an unfinished run (a model but no {METRICS_FILE}: "
                             f"its training stopped before the end); {RETRAIN_ADVICE}")
        path = found[0] if found else path / MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no model at {path}: give a run folder or its model file "
                                f"({' or '.join(MODEL_FILES)})")
    return path


def load_run_model(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """Load (model, metadata) from a .keras or .skops file or a run folder.

    The model takes raw (unstandardised) features shaped by ``models.model_input``;
    ``metadata["genres"]`` names its outputs, ``metadata["feature_config"]`` says how to
    compute its features (``FeatureConfig.from_dict``), ``metadata["model_kind"]`` what it
    is (a Keras model, or a scikit-learn Pipeline for "logreg"/"svm"). Notebook: 03_cnn.ipynb
    """
    path = find_model_file(path)
    metadata = read_model_metadata(path)
    if path.suffix == ".skops":
        return _load_skops(path), metadata
    import keras

    model = keras.saving.load_model(path, compile=False)
    return model, metadata


def _schema_types(node: Any) -> set[str]:
    """Every ``module.class`` named anywhere in a skops schema."""
    found: set[str] = set()
    if isinstance(node, dict):
        if "__class__" in node and "__module__" in node:
            found.add(f"{node['__module__']}.{node['__class__']}")
        for value in node.values():
            found |= _schema_types(value)
    elif isinstance(node, list):
        for value in node:
            found |= _schema_types(value)
    return found


def _load_skops(path: Path) -> Any:
    """The object in a .skops file, after checking that it holds only builtins and
    ``SKOPS_TRUSTED_TYPES`` (ValueError naming any other type, or saying what is wrong)."""
    try:
        with zipfile.ZipFile(path) as archive:
            schema = json.loads(archive.read(_SKOPS_SCHEMA))
    except (KeyError, json.JSONDecodeError):
        raise DamagedModelError(f"{path} is not a skops model file (no readable {_SKOPS_SCHEMA}): if it "
                         f"was one, it is damaged: {RETRAIN_ADVICE}") from None
    untrusted = sorted(t for t in _schema_types(schema)
                       if not t.startswith("builtins.") and t not in SKOPS_TRUSTED_TYPES)
    if untrusted:
        raise ValueError(f"{path} holds types that genrelib does not load: {untrusted}; a "
                         f"classical run's model holds only {list(SKOPS_TRUSTED_TYPES)}")
    import skops.io

    try:
        return skops.io.load(path, trusted=list(SKOPS_TRUSTED_TYPES))
    except Exception as error:  # corrupt members, a schema skops cannot read, ...
        raise DamagedModelError(f"{path}: skops could not load it ({type(error).__name__}: {error}): the "
                         f"file is damaged: {RETRAIN_ADVICE}") from None


def load_run(run_dir: str | Path) -> dict[str, Any]:
    """Read a run folder's records: ``config``, ``metrics``, ``history`` (DataFrame),
    ``split`` (dict of track id lists). Missing files give None. No Keras needed.
    """
    run_dir = Path(run_dir).expanduser()
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
    """Read a record written by :func:`save_json`; FileNotFoundError naming a missing file,
    ValueError naming a damaged one (not JSON, or not UTF-8 text)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no record at {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is damaged, not a JSON record ({error}); restore it, or write it "
                         "again (a run: `genrelib train ... --overwrite`)") from None
