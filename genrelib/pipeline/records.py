"""The typed records of a run: its configuration, its metrics and what ``train_run`` returns.

JSON appears only at the run folder (``genrelib.runs`` writes and reads the files);
everything else reads attributes: ``result.metrics.test.track_accuracy``.
Notebook: 03_cnn.ipynb
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from genrelib import runs
from genrelib.config import AGGREGATION_METHODS, GTZAN_TRAIN_SEGMENTS, FeatureConfig, TrainConfig
from genrelib.datasets.splits import TrackSplit
from genrelib.evaluation import EvaluationResult, EvaluationSummary
from genrelib.models.kinds import read_feature_config

if TYPE_CHECKING:
    from genrelib.pretrained import EmbeddingSpec


@dataclass(frozen=True)
class SetSizes:
    """A count per set of a split (segments or tracks)."""

    train: int
    valid: int
    test: int

    def to_dict(self) -> dict[str, int]:
        return {"train": self.train, "valid": self.valid, "test": self.test}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SetSizes:
        return cls(**{k: int(data.get(k, 0)) for k in ("train", "valid", "test")})


@dataclass(frozen=True, kw_only=True)
class RunMetrics:
    """A run's metrics.json.

    Attributes
    ----------
    model, protocol : str
        The model kind and the split protocol ("random", "kfold", "artist", "lists").
    epochs_run, best_epoch : int or None
        None for a classical model (fitted once).
    train_seconds : float
    seconds_per_epoch, data_wait_fraction : float or None
        Mean over epochs; ``data_wait_fraction`` is the share of training time spent waiting
        for batches.
    n_segments, n_tracks : SetSizes
    valid, test : EvaluationSummary or None
        None for an empty set.
    """

    model: str
    protocol: str
    epochs_run: int | None
    best_epoch: int | None
    train_seconds: float
    seconds_per_epoch: float | None
    data_wait_fraction: float | None
    n_segments: SetSizes
    n_tracks: SetSizes
    valid: EvaluationSummary | None
    test: EvaluationSummary | None

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "protocol": self.protocol, "epochs_run": self.epochs_run,
                "best_epoch": self.best_epoch, "train_seconds": self.train_seconds,
                "seconds_per_epoch": self.seconds_per_epoch,
                "data_wait_fraction": self.data_wait_fraction,
                "n_segments": self.n_segments.to_dict(), "n_tracks": self.n_tracks.to_dict(),
                "valid": self.valid.to_dict() if self.valid else None,
                "test": self.test.to_dict() if self.test else None}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunMetrics:
        """Read a metrics.json back (older records lack ``data_wait_fraction``: None)."""
        level = (lambda v: EvaluationSummary.from_dict(v) if v else None)
        return cls(model=data["model"], protocol=data["protocol"], epochs_run=data.get("epochs_run"),
                   best_epoch=data.get("best_epoch"), train_seconds=float(data["train_seconds"]),
                   seconds_per_epoch=data.get("seconds_per_epoch"),
                   data_wait_fraction=data.get("data_wait_fraction"),
                   n_segments=SetSizes.from_dict(data["n_segments"]),
                   n_tracks=SetSizes.from_dict(data["n_tracks"]),
                   valid=level(data.get("valid")), test=level(data.get("test")))


#: config.json keys that RunConfig reads into its own fields (the rest go to ``extra``).
_CONFIG_FIELDS = ("model", "model_options", "profile", "train_config", "feature_config",
                  "data_fingerprint", "split", "valid_fraction", "test_fraction", "seed", "data",
                  "n_tracks", "genres", "parameters", "devices", "versions", "finished",
                  "machine", "device", "aggregation", "skipped")


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """A run's config.json: what defined the run (the spec as trained) and where it ran.

    Attributes
    ----------
    model : str
    model_options : dict
        The builder's options, the recipe's L2 included for a deep model.
    profile, split : str
        ``split`` is the protocol's name or "custom" (the tracks are in split.json).
    train_config : TrainConfig
    feature_config : FeatureConfig or EmbeddingSpec
        An EmbeddingSpec for a pretrained kind (``models.read_feature_config``).
    data_fingerprint, data : str
    seed, n_tracks, parameters : int
    valid_fraction, test_fraction : float
    genres : tuple of str
    devices : dict or None
        The device plan a deep model trained under (``training.DevicePlan.to_dict``).
    versions : dict
        Package versions and the Keras backend.
    finished, machine, device : str
        When and where it finished.
    aggregation : str
        The rule of its track-level metrics and predictions ("vote" in records written
        before a run could choose).
    skipped : list of dict
        Every audio file of the data left out, ``{"path", "reason"}``: those the index could
        not read (not counted in ``n_tracks``), then the clips the features could not use
        (with their ``track_id``: in split.json and ``n_tracks``, not in the metrics'
        ``n_tracks``). Empty in records written before.
    extra : dict
        Any other key (e.g. ``builder`` for a model built outside the library).
    """

    model: str
    model_options: dict[str, Any]
    profile: str
    train_config: TrainConfig
    feature_config: FeatureConfig | EmbeddingSpec
    data_fingerprint: str
    split: str
    valid_fraction: float
    test_fraction: float
    seed: int
    data: str
    n_tracks: int
    genres: tuple[str, ...]
    parameters: int
    devices: dict[str, Any] | None
    versions: dict[str, str]
    finished: str
    machine: str
    device: str
    aggregation: str = AGGREGATION_METHODS[0]
    skipped: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        record = {name: getattr(self, name) for name in _CONFIG_FIELDS}
        record.update(train_config=self.train_config.to_dict(),
                      feature_config=self.feature_config.to_dict(), genres=list(self.genres))
        return {**record, **self.extra}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunConfig:
        known = {k: data.get(k) for k in _CONFIG_FIELDS}
        train = dict(data["train_config"])
        if "augment" in train:
            train["augment"] = tuple(train["augment"])
        known.update(train_config=TrainConfig.from_dict(train),
                     feature_config=read_feature_config(data["feature_config"]),
                     genres=tuple(data["genres"]),
                     model_options=json.loads(json.dumps(dict(data.get("model_options") or {}))),
                     versions=dict(data.get("versions") or {}),
                     aggregation=str(data.get("aggregation") or AGGREGATION_METHODS[0]),
                     skipped=[dict(item) for item in data.get("skipped") or []])
        return cls(**known, extra={k: v for k, v in data.items() if k not in _CONFIG_FIELDS})


@dataclass
class RunResult:
    """What ``train_run`` returns.

    Attributes
    ----------
    run_dir : Path
    model : keras.Model or sklearn Pipeline
        The trained model (best weights).
    history : pd.DataFrame
        One row per epoch (one row for a classical fit).
    metrics : RunMetrics
    config : RunConfig
    valid, test : EvaluationResult or None
        With the per-track outcome; None for an empty set.
    split : TrackSplit
    genres : tuple of str
    """

    run_dir: Path
    model: Any
    history: pd.DataFrame
    metrics: RunMetrics
    config: RunConfig
    valid: EvaluationResult | None
    test: EvaluationResult | None
    split: TrackSplit
    genres: tuple[str, ...]


@dataclass(frozen=True)
class RunRecord:
    """A finished run folder read back without its model: ``load_run_record``."""

    run_dir: Path
    config: RunConfig
    metrics: RunMetrics
    history: pd.DataFrame | None
    split: dict[str, Any] | None


def load_run_record(run_dir: str | Path) -> RunRecord:
    """The typed records of a finished run folder (no Keras needed).

    Raises
    ------
    FileNotFoundError
        When the folder, its config.json or its metrics.json is missing (an unfinished run).
    """
    raw = runs.load_run(run_dir)
    for name in ("config", "metrics"):
        if raw[name] is None:
            raise FileNotFoundError(f"{run_dir} has no {name}.json: it is not a finished run")
    return RunRecord(run_dir=Path(run_dir).expanduser(), config=RunConfig.from_dict(raw["config"]),
                     metrics=RunMetrics.from_dict(raw["metrics"]), history=raw["history"],
                     split=raw["split"])


def describe_run(result: RunResult) -> str:
    """A short text summary of a run (what ``genrelib train`` prints); a track rule other
    than the vote is named, and so is a C chosen in training, and the genres a set lacks: without a training track
    (config.json's ``untrained_genres``: the model cannot predict them) or without a track
    of the set (their F1 counts as 0 in its macro F1)."""
    m = result.metrics
    lines = [f"run folder: {result.run_dir}",
             f"epochs: {m.epochs_run} (best {m.best_epoch}), {m.train_seconds} s"
             if m.epochs_run is not None else f"one fit (no epochs), {m.train_seconds} s"]
    if "C" in result.history.columns:  # chosen among the candidates of --option 'C=[...]' (choose_C)
        lines.append(f"C chosen in training: {result.history['C'].iloc[-1]:g} (history.csv; mean inner "
                     f"log loss {result.history['inner_log_loss'].iloc[-1]:.3f})")
    untrained = result.config.extra.get("untrained_genres") or []
    if untrained:
        those = "that genre" if len(untrained) == 1 else "those genres"
        lines.append(f"note: no training track of {', '.join(untrained)} in this split: "
                     f"the model cannot predict {those} (their tracks are all in validation or test, "
                     "or the data holds none)")
    for name, r in (("valid", m.valid), ("test", m.test)):
        if r:
            rule = "" if r.method == AGGREGATION_METHODS[0] else f" ({r.method})"  # the study's vote goes unsaid
            lines.append(f"{name}: track accuracy{rule} {r.track_accuracy:.3f}, segment accuracy "
                         f"{r.segment_accuracy:.3f}, macro F1 {r.macro_f1:.3f} "
                         f"({r.n_tracks} track{'s' if r.n_tracks != 1 else ''})")
            if r.untested_genres:
                lines.append(f"  no {name} track of {', '.join(r.untested_genres)}: the macro F1 counts "
                             "their F1 as 0")
    if m.test is None:
        lines.append("test: none, the split has no test tracks (a test fraction of 0, or split lists whose "
                     "test tracks the data lacks); `genrelib evaluate` scores the run on other music")
    return "\n".join(lines)


def estimate_epoch_seconds(metrics: RunMetrics, *, train_segments: int = GTZAN_TRAIN_SEGMENTS) -> float:
    """Seconds per epoch for ``train_segments`` training segments, scaled linearly from the
    seconds per epoch a run measured.

    An ESTIMATE for the same machine, never a measurement: it scales the whole measured
    epoch linearly (validation included, although it does not grow with the training set),
    the mean over the run's epochs includes the first epoch's one-off start-up (tracing the
    model), which inflates it on short runs, and it ignores any effect of the batch count.

    Parameters
    ----------
    metrics : RunMetrics
        A finished deep run's (``seconds_per_epoch`` over ``n_segments.train``).
    train_segments : int
        Default: the full GTZAN's 15,200 (``config.GTZAN_TRAIN_SEGMENTS``).

    Returns
    -------
    float
        Seconds.

    Notebook: 03_cnn.ipynb
    """
    if not metrics.seconds_per_epoch or not metrics.n_segments.train:
        raise ValueError("the run's metrics hold no measured seconds per epoch and training "
                         "segments: train a deep model first (genrelib train)")
    return float(metrics.seconds_per_epoch) * int(train_segments) / int(metrics.n_segments.train)
