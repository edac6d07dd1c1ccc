"""One tuning trial: a ``train_run`` on a fixed split, turned into a record.

The split is made once per sweep (from ``split_seed``) and handed to every trial, so every
trial is judged on the same validation tracks; a trial's seed changes the initial weights
and the batch order only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrelib.config import FeatureConfig, get_profile
from genrelib.datasets import DatasetIndex, index_dataset
from genrelib.datasets.splits import TrackSplit, make_split
from genrelib.evaluation import EvaluationResult
from genrelib.models import default_feature_config
from genrelib.pipeline import RunResult, train_run
from genrelib.tuning.records import trial_key

__all__ = ["SweepContext", "prepare_context"]


@dataclass
class SweepContext:
    """What every trial of a sweep or search shares: the data (index and fingerprint), the
    model, the profile and epochs, the fixed split, the base features and where runs go."""

    index: DatasetIndex
    fingerprint: str
    model: str
    profile: str
    epochs: int | None
    split: TrackSplit
    split_spec: str
    split_seed: int
    valid_fraction: float
    test_fraction: float
    feature_config: FeatureConfig
    out_dir: Path
    cache_dir: str | Path | None = None
    verbose: int | str = 0

    def features_for(self, settings: dict[str, Any]) -> FeatureConfig:
        """The base features with the trial's segment length."""
        return self.feature_config.with_(segment_seconds=float(settings["segment_seconds"]))

    def identity(self, settings: dict[str, Any], seed: int) -> dict[str, Any]:
        """Everything that makes a trial's training run what it is (``records.trial_key``)."""
        return {"model": self.model, "profile": self.profile, "epochs": self.epochs,
                "options": settings["options"], "batch_size": settings["batch_size"],
                "learning_rate": settings["learning_rate"],
                "feature_config": self.features_for(settings).to_dict(),
                "split": self.split_spec, "split_seed": self.split_seed,
                "valid_fraction": self.valid_fraction, "test_fraction": self.test_fraction,
                "data_fingerprint": self.fingerprint, "seed": int(seed)}

    def train(self, settings: dict[str, Any], seed: int) -> dict[str, Any]:
        """Train one trial (``train_run`` into ``out_dir/runs/<key>``) and return the
        record's measured part: validation and test metrics, epochs, seconds, device."""
        key = trial_key(self.identity(settings, seed))
        result = train_run(self.index, model=self.model, profile=self.profile,
                           out_dir=self.out_dir / "runs" / key, epochs=self.epochs, seed=seed,
                           split=self.split, batch_size=settings["batch_size"],
                           learning_rate=settings["learning_rate"],
                           feature_config=self.features_for(settings), cache_dir=self.cache_dir,
                           verbose=self.verbose, **settings["options"])
        return measured(result, run_dir=f"runs/{key}")


def _scores(result: EvaluationResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"track_accuracy": result.track_accuracy, "segment_accuracy": result.segment_accuracy,
            "macro_f1": result.macro_f1, "n_tracks": int(len(result.track_ids)),
            "track_accuracy_ci": [float(v) for v in result.track_accuracy_ci]}


def measured(result: RunResult, *, run_dir: str) -> dict[str, Any]:
    """The measured fields of a trial record from a finished ``train_run``."""
    metrics, valid = result.metrics, result.valid
    return {
        "valid": _scores(valid), "test": _scores(result.test),
        "valid_tracks": {"track_ids": [str(t) for t in valid.track_ids],
                         "true": [int(v) for v in valid.track_true],
                         "pred": [int(v) for v in valid.track_pred]} if valid else None,
        "epochs": metrics["epochs_run"], "best_epoch": metrics["best_epoch"],
        "seconds": metrics["train_seconds"], "seconds_per_epoch": metrics["seconds_per_epoch"],
        "train_segments": metrics["n_segments"]["train"],
        "parameters": result.config.get("parameters"), "device": result.config.get("device"),
        "finished": result.config.get("finished"), "run_dir": run_dir,
    }


def prepare_context(data: Any, *, model: str, profile: str, out_dir: str | Path,
                    epochs: int | None = None, split: str = "random", split_seed: int = 0,
                    valid_fraction: float = 0.1, test_fraction: float = 0.1,
                    feature_config: FeatureConfig | None = None,
                    cache_dir: str | Path | None = None, verbose: int | str = 0) -> SweepContext:
    """Index ``data`` (a folder or DatasetIndex; the profile's cap applied), make the split
    once and return the SweepContext. ValueError when there would be no validation track.
    """
    if not valid_fraction > 0:
        raise ValueError("tuning selects on validation accuracy: valid_fraction must be > 0, "
                         f"got {valid_fraction}")
    if epochs is not None and epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    index = data if isinstance(data, DatasetIndex) else index_dataset(data, progress=False)
    cap = get_profile(profile).max_tracks_per_genre
    if cap:  # the same cap train_run applies, so the split holds only tracks it trains on
        index = index.subset(index.tracks.groupby("genre", sort=False).head(cap)["track_id"].tolist())
    if len(index.tracks) == 0:
        raise ValueError(f"no readable audio tracks found in {index.root}")
    track_split = make_split(index.tracks, split, valid_fraction=valid_fraction,
                             test_fraction=test_fraction, seed=split_seed)
    if not len(track_split.valid):
        raise ValueError(f"the {split} split left no validation track: raise valid_fraction")
    return SweepContext(index=index, fingerprint=index.fingerprint(), model=model, profile=profile,
                        epochs=epochs, split=track_split, split_spec=split, split_seed=split_seed,
                        valid_fraction=valid_fraction, test_fraction=test_fraction,
                        feature_config=feature_config or default_feature_config(model),
                        out_dir=Path(out_dir), cache_dir=cache_dir, verbose=verbose)
