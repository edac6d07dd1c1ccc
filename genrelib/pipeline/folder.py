"""Writing a run folder safely: a new run is trained in a hidden ``.<name>.partial`` folder
beside it and moved into place only when complete, so a finished run is never mixed with a
half-trained one, and is replaced only when asked.

Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from genrelib import runs, training
from genrelib.datasets.splits import TrackSplit
from genrelib.errors import GenrelibWarning
from genrelib.provenance import machine_description, source_digest, versions
from genrelib.features import Standardizer
from genrelib.models import is_classical
from genrelib.pipeline.records import RunConfig, RunMetrics, RunRecord, load_run_record

#: The package versions a run's configuration records.
RUN_PACKAGES: tuple[str, ...] = ("genrelib", "keras", "numpy", "scipy", "librosa", "scikit-learn")
PARTIAL_SUFFIX = ".partial"
#: The sources this process loaded: 16 hex digits of ``provenance.source_digest()``, taken
#: when the training machinery is imported, so a run names the code that trained it even
#: when the files are edited while it trains (a long ``genrelib reference``).
LOADED_SOURCE = source_digest()[:16]


class RunFolderError(ValueError):
    """``out_dir`` cannot hold a run: a file is there, it is not writable, or it holds a
    finished run or other files that would be replaced."""


RunExistsError = RunFolderError


def _partial(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}{PARTIAL_SUFFIX}"


def check_out_dir(out_dir: Path) -> None:
    """Raise RunFolderError (one line: the path and the cause) unless a run folder can be
    written at ``out_dir``; creates its parent folders."""
    if out_dir.exists() and not out_dir.is_dir():
        raise RunFolderError(f"run folder {out_dir}: a file is there, not a folder; choose another path")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise RunFolderError(f"run folder {out_dir}: cannot create {out_dir.parent} "
                             f"({error.strerror or error})") from None
    if not os.access(out_dir.parent, os.W_OK | os.X_OK):
        raise RunFolderError(f"run folder {out_dir}: {out_dir.parent} is not writable")


def is_finished(out_dir: Path) -> bool:
    """Whether ``out_dir`` holds a finished run (its metrics.json and a model file)."""
    return (out_dir / runs.METRICS_FILE).is_file() and any(
        (out_dir / name).is_file() for name in runs.MODEL_FILES)


def refuse_to_replace(out_dir: Path, *, allowed: bool) -> None:
    """Raise RunFolderError when training into ``out_dir`` would destroy something: a
    finished run (unless ``allowed``) or files that are not a run's."""
    if not out_dir.is_dir():
        return
    names = {p.name for p in out_dir.iterdir()}
    if not names:
        return
    if not names & {*runs.RUN_FILES, *runs.MODEL_FILES, runs.CHECKPOINT_FILE}:
        raise RunFolderError(f"run folder {out_dir}: the folder holds other files ({len(names)}), "
                             "not a genrelib run; choose a new or empty folder")
    if is_finished(out_dir) and not allowed:
        raise RunFolderError(f"run folder {out_dir} holds a finished run: pass --overwrite "
                             "(in Python: overwrite=True) to replace it, or choose another folder")


@contextlib.contextmanager
def writing(out_dir: Path, *, keep: bool) -> Iterator[Path]:
    """The folder to write a run into: ``out_dir`` itself when ``keep`` (a reused run's
    records are rewritten in place), else a fresh ``.<name>.partial`` folder that replaces
    ``out_dir`` when the block ends without error (and is removed when it fails)."""
    if keep:
        yield out_dir
        return
    partial = _partial(out_dir)
    shutil.rmtree(partial, ignore_errors=True)  # left by a killed run
    partial.mkdir(parents=True)
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    (partial / runs.CHECKPOINT_FILE).unlink(missing_ok=True)  # model.keras holds the best weights
    old = out_dir.parent / f".{out_dir.name}.old"
    if out_dir.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(out_dir, old)
    os.replace(partial, out_dir)
    shutil.rmtree(old, ignore_errors=True)


def builder_record(builder: Callable[..., Any] | None) -> dict[str, Any]:
    """{"builder": {"name", "source_sha256"}} for a model built outside the library (so a
    run of an edited builder is never reused for another), {} for the library's."""
    if builder is None:
        return {}
    name = f"{getattr(builder, '__module__', '?')}.{getattr(builder, '__qualname__', repr(builder))}"
    try:
        digest = hashlib.sha256(inspect.getsource(builder).encode()).hexdigest()[:16]
    except (OSError, TypeError):  # no source to read: never reused
        digest = os.urandom(8).hex()
    return {"builder": {"name": name, "source_sha256": digest}}


class ReplacedRunWarning(GenrelibWarning):
    """``train_run(reuse=True)`` trains again over a finished run made with other settings."""


def changed_settings(out_dir: Path, settings: dict[str, Any], track_split: TrackSplit) -> list[str] | None:
    """How the finished run in ``out_dir`` differs from a run of ``settings`` on ``track_split``:
    None when no finished run of this model is there, else the configuration keys that differ
    (``"builder"`` when only the old run had one, ``"split"`` for other tracks in a set; a
    custom split, e.g. a k-fold fold, is compared by content); ``[]`` means the very same run."""
    if not all((out_dir / name).is_file() for name in runs.run_files(settings["model"])):
        return None
    previous = runs.load_run(out_dir)
    wanted = json.loads(json.dumps(settings))  # tuples -> lists, as stored
    changed = [key for key, value in wanted.items() if previous["config"].get(key) != value]
    if "builder" in previous["config"] and "builder" not in wanted:
        changed.append("builder")
    if {k: v for k, v in (previous["split"] or {}).items() if k != runs.SPLIT_CONTENT} != track_split.to_dict():
        changed.append("split")
    return changed


def finished_run(out_dir: Path, settings: dict[str, Any], track_split: TrackSplit) -> RunRecord | None:
    """The run in ``out_dir`` when it is finished and was made with ``settings`` on the very
    same tracks in each set, else None; for a finished run made with other settings (which
    ``train_run`` then trains again and replaces) it warns ``ReplacedRunWarning``, naming
    what changed."""
    changed = changed_settings(out_dir, settings, track_split)
    if changed:
        warnings.warn(f"{out_dir}: the finished run there was made with another {', '.join(changed)}; "
                      "it is trained again and replaced (give another out_dir to keep both)",
                      ReplacedRunWarning, stacklevel=3)
    return load_run_record(out_dir) if changed == [] else None


def load_model(out_dir: Path) -> Any:
    """The trained model of a run folder."""
    return runs.load_run_model(out_dir)[0]


def save_run(run_dir: Path, *, net: Any | None, history: Any | None, config: RunConfig,
             metrics: RunMetrics, split: TrackSplit, standardizer: Standardizer | None,
             content: dict[str, str] | None = None) -> None:
    """Write the model (unless ``net`` is None: a reused run keeps its own), its history,
    config.json, metrics.json and split.json (with ``content``, the training and validation
    tracks' content keys, when given), each atomically."""
    if net is not None:
        runs.save_history(history, run_dir)
        classical = is_classical(config.model)
        runs.save_run_model(net, run_dir / runs.model_file_name(config.model), {
            "genres": list(config.genres), "feature_config": config.feature_config.to_dict(),
            "standardizer": None if standardizer is None else standardizer.to_dict(),
            "model_kind": config.model, "model_options": config.model_options,
            "input": "raw features; the model standardises" + (
                " (its Pipeline's StandardScaler, no separate standardiser)" if classical else "")})
    runs.save_json(config, run_dir / runs.CONFIG_FILE)
    runs.save_json(metrics, run_dir / runs.METRICS_FILE)
    runs.save_json({**split.to_dict(), **({runs.SPLIT_CONTENT: content} if content else {})},
                   run_dir / runs.SPLIT_FILE)


def run_versions() -> dict[str, str]:
    """The versions a run records: packages (the features' librosa and scipy included),
    ``genrelib_source`` (``LOADED_SOURCE``: which code, where the version number stays the
    same), the Keras backend and its own version
    (``backend_version``: TensorFlow's, JAX's or PyTorch's), the platform."""
    import keras  # here, not at the top: importing genrelib.pipeline loads no Keras

    backend = keras.backend.backend()  # also the name of its module, loaded by Keras
    backend_version = getattr(sys.modules.get(backend), "__version__", "unknown")
    return {**versions(RUN_PACKAGES), "genrelib_source": LOADED_SOURCE,
            "backend": backend, "backend_version": backend_version, "platform": sys.platform}


def provenance() -> dict[str, str]:
    """When and where a run finished: its record says so beside every number."""
    return {"finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": machine_description(), "device": training.device_description()}
