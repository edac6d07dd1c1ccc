"""One tuning trial: a ``train_run`` on a fixed split, turned into a record.

The split is made once per sweep (from the base spec's seed) and handed to every trial, so
every trial is judged on the same validation tracks; a trial's seed changes the initial
weights and the batch order only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrelib.config import FeatureConfig
from genrelib.datasets import DatasetIndex
from genrelib.datasets.source import DataSource
from genrelib.datasets.splits import TrackSplit, make_split
from genrelib.evaluation import EvaluationSummary
from genrelib.pipeline import Hardware, RunResult, RunSpec, capped_index, train_run
from genrelib.tuning.records import trial_key

__all__ = ["SweepContext", "prepare_context"]


@dataclass
class SweepContext:
    """What every trial of a sweep or search shares: the data (index and fingerprint), the
    base spec (model, profile, epochs, split protocol and its seed, features), the split
    made once, and where runs go."""

    index: DatasetIndex
    fingerprint: str
    spec: RunSpec
    split: TrackSplit
    out_dir: Path
    cache_dir: str | Path | None = None
    verbose: int | str = 0

    def features_for(self, settings: dict[str, Any]) -> FeatureConfig:
        """The base features with the trial's segment length."""
        return self.spec.feature_config.with_(segment_seconds=float(settings["segment_seconds"]))

    def identity(self, settings: dict[str, Any], seed: int) -> dict[str, Any]:
        """Everything that makes a trial's training run what it is (``records.trial_key``)."""
        spec = self.spec
        identity = {"model": spec.model, "profile": spec.profile, "epochs": spec.epochs,
                    "options": settings["options"], "batch_size": settings["batch_size"],
                    "learning_rate": settings["learning_rate"],
                    "feature_config": self.features_for(settings).to_dict(),
                    "split": spec.split, "split_seed": spec.seed,
                    "valid_fraction": spec.valid_fraction, "test_fraction": spec.test_fraction,
                    "data_fingerprint": self.fingerprint, "seed": int(seed)}
        return {**identity, "augment": list(spec.augment)} if spec.augment else identity

    def train(self, settings: dict[str, Any], seed: int) -> dict[str, Any]:
        """Train one trial (``train_run`` into ``out_dir/runs/<key>``) and return the
        record's measured part: validation and test metrics, epochs, seconds, device."""
        key = trial_key(self.identity(settings, seed))
        spec = self.spec.with_(options=settings["options"], learning_rate=settings["learning_rate"],
                               features=self.features_for(settings), seed=seed, split=self.split)
        result = train_run(self.index, spec, out_dir=self.out_dir / "runs" / key,
                           hardware=Hardware(batch_size=settings["batch_size"]),
                           overwrite=True, cache_dir=self.cache_dir, verbose=self.verbose)
        return measured(result, run_dir=f"runs/{key}")


def _scores(result: EvaluationSummary | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"track_accuracy": result.track_accuracy, "segment_accuracy": result.segment_accuracy,
            "macro_f1": result.macro_f1, "n_tracks": result.n_tracks,
            "track_accuracy_ci": [float(v) for v in result.track_accuracy_ci]}


def measured(result: RunResult, *, run_dir: str) -> dict[str, Any]:
    """The measured fields of a trial record from a finished ``train_run``."""
    metrics, valid = result.metrics, result.valid
    return {
        "valid": _scores(valid), "test": _scores(result.test),
        "valid_tracks": {"track_ids": [str(t) for t in valid.track_ids],
                         "true": [int(v) for v in valid.track_true],
                         "pred": [int(v) for v in valid.track_pred]} if valid else None,
        "epochs": metrics.epochs_run, "best_epoch": metrics.best_epoch,
        "seconds": metrics.train_seconds, "seconds_per_epoch": metrics.seconds_per_epoch,
        "train_segments": metrics.n_segments.train,
        "parameters": result.config.parameters, "device": result.config.device,
        "finished": result.config.finished, "run_dir": run_dir,
    }


def prepare_context(data: DataSource, spec: RunSpec, *, out_dir: str | Path,
                    cache_dir: str | Path | None = None, verbose: int | str = 0) -> SweepContext:
    """Index ``data`` (the profile's cap applied), make ``spec``'s split once (with
    ``spec.seed``) and return the SweepContext.

    Raises
    ------
    ValueError
        When the split is not a protocol name, or would leave no validation track.
    """
    if not isinstance(spec.split, str):
        raise ValueError("a sweep makes its split once from a protocol name: give spec.split "
                         "as 'random', 'artist' or 'lists:DIR'")
    if not spec.valid_fraction > 0:
        raise ValueError("tuning selects on validation accuracy: valid_fraction must be > 0, "
                         f"got {spec.valid_fraction}")
    index = capped_index(data, profile=spec.profile, progress=False)
    track_split = make_split(index.tracks, spec.split, valid_fraction=spec.valid_fraction,
                             test_fraction=spec.test_fraction, seed=spec.seed)
    if not len(track_split.valid):
        raise ValueError(f"the {spec.split} split left no validation track: raise valid_fraction")
    return SweepContext(index=index, fingerprint=index.fingerprint(), spec=spec, split=track_split,
                        out_dir=Path(out_dir), cache_dir=cache_dir, verbose=verbose)
