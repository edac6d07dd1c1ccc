"""genrelib.pipeline.records: the typed records of a run (``RunMetrics``, ``RunConfig``,
``SetSizes``, ``RunResult``, ``RunRecord``) and the JSON they are written as.

A fresh run's metrics.json and config.json read back into the same JSON exactly; the
records ``train_run`` returns are the ones it saved; and every run record committed under
results/reference (written by earlier genrelib versions: some without intervals, top-k or
data-wait fractions) still loads, losing nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from genrelib import runs
from genrelib.config import FeatureConfig, TrainConfig
from genrelib.evaluation import EvaluationSummary
from genrelib.pipeline import (RunConfig, RunMetrics, RunRecord, SetSizes, describe_run,
                               load_run_record)

REFERENCE = Path(__file__).resolve().parents[1] / "results" / "reference"
#: Records of the first reference runs (2026-11-26; no intervals, no data-wait fraction), kept
#: here when their runs were recorded again with per-track predictions: the old format stays
#: covered whatever results/reference holds.
OLD_RECORDS = Path(__file__).resolve().parent / "data" / "old_run_records"

#: What RunConfig/RunMetrics.to_dict add to an old record: fields written since, at their
#: "not recorded" values (no device plan, no data-wait measure, the recipe's float32).
ADDED_TO_OLD = {"metrics.json": {"data_wait_fraction": None},
                "config.json": {"devices": None, "train_config.devices": None,
                                "train_config.precision": "float32", "aggregation": "vote",
                                "skipped": []}}


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _flat(record: dict, prefix: str = "") -> dict:
    """{"a.b": value} for nested dicts (lists and other values as they are)."""
    out = {}
    for key, value in record.items():
        if isinstance(value, dict) and value:
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


# --------------------------------------------------------------------------- fresh runs


@pytest.fixture(scope="module")
def fresh_runs(tiny_run, cli_classical_runs) -> dict[str, Path]:
    """A deep run and two classical ones (no epochs, no device plan, no test set)."""
    return {"cnn": tiny_run.run_dir, **cli_classical_runs}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cnn", "logreg", "svm"])
def test_a_fresh_runs_records_read_back_into_the_same_json(kind, fresh_runs) -> None:
    """to_dict(from_dict(x)) == x for metrics.json, config.json and each evaluation in them,
    keys in the same order (the file written again would be the same).

    Break tried: RunMetrics.to_dict without data_wait_fraction; EvaluationSummary.from_dict
    dropping top_k_accuracy; RunConfig.from_dict not reading feature_config's kind back (a
    FeatureConfig() default) -> this test fails for the cases they touch."""
    run_dir = fresh_runs[kind]
    metrics, config = _json(run_dir / runs.METRICS_FILE), _json(run_dir / runs.CONFIG_FILE)
    again = RunMetrics.from_dict(metrics).to_dict()
    assert again == metrics and list(again) == list(metrics)
    for level in ("valid", "test"):
        if metrics[level] is not None:
            summary = EvaluationSummary.from_dict(metrics[level]).to_dict()
            assert summary == metrics[level] and list(summary) == list(metrics[level])
    again = RunConfig.from_dict(config).to_dict()
    assert again == config and list(again) == list(config)
    assert json.dumps(again, indent=2) == json.dumps(config, indent=2)


@pytest.mark.slow
def test_the_records_train_run_returns_are_the_ones_it_saved(tiny_run) -> None:
    """RunResult.metrics/.config/.valid/.test are what metrics.json and config.json hold, and
    load_run_record reads the same records back.

    Break tried: RunConfig.from_dict keeping model_options as given (before the fix) -> the
    fresh config holds filters (4, 8), the loaded one [4, 8], and the configs differ."""
    run_dir = tiny_run.run_dir
    metrics, config = _json(run_dir / runs.METRICS_FILE), _json(run_dir / runs.CONFIG_FILE)
    assert tiny_run.metrics.to_dict() == metrics and tiny_run.config.to_dict() == config
    assert tiny_run.valid.to_dict() == metrics["valid"] and tiny_run.test.to_dict() == metrics["test"]
    record = load_run_record(run_dir)
    assert isinstance(record, RunRecord) and record.run_dir == run_dir
    assert record.config == tiny_run.config  # model_options as JSON holds them, fresh or loaded
    # the fresh RunMetrics holds EvaluationResults (per-track arrays too), the loaded one
    # EvaluationSummaries: equal as records
    assert record.metrics.to_dict() == tiny_run.metrics.to_dict()
    assert record.metrics.test == EvaluationSummary.from_dict(tiny_run.test.to_dict())
    assert {k: v for k, v in record.split.items() if k != "content"} == tiny_run.split.to_dict()
    pd.testing.assert_frame_equal(record.history, tiny_run.history.reset_index(drop=True),
                                  check_dtype=False)
    assert load_run_record(str(run_dir)).metrics == record.metrics


@pytest.mark.slow
def test_typed_attributes_read_what_the_json_holds(tiny_run) -> None:
    """One access path: result.metrics.test.track_accuracy is metrics.json's test track
    accuracy, result.config.parameters config.json's parameters, ..."""
    metrics = _json(tiny_run.run_dir / runs.METRICS_FILE)
    config = _json(tiny_run.run_dir / runs.CONFIG_FILE)
    m, c = tiny_run.metrics, tiny_run.config
    assert m.test.track_accuracy == metrics["test"]["track_accuracy"] == tiny_run.test.track_accuracy
    assert m.valid.segment_accuracy == metrics["valid"]["segment_accuracy"]
    assert m.test.macro_f1 == metrics["test"]["macro_f1"]
    assert m.test.per_genre["blues"].support == metrics["test"]["per_genre"]["blues"]["support"]
    assert m.test.confusion.tolist() == metrics["test"]["confusion"]
    assert m.test.track_accuracy_ci == tuple(metrics["test"]["track_accuracy_ci"])
    assert m.test.top_k_accuracy == {int(k): v for k, v in metrics["test"]["top_k_accuracy"].items()}
    assert m.test.track_accuracy_by_method == {"vote": metrics["test"]["track_accuracy_vote"],
                                               "mean": metrics["test"]["track_accuracy_mean"],
                                               "geometric": metrics["test"]["track_accuracy_geometric"]}
    assert m.n_segments == SetSizes(**metrics["n_segments"]) and m.n_segments.train == metrics["n_segments"]["train"]
    assert m.n_tracks.test == 10 and (m.epochs_run, m.best_epoch) == (1, 1)
    assert (m.model, m.protocol) == ("cnn", "random") and m.train_seconds == metrics["train_seconds"]
    assert c.parameters == config["parameters"] > 0 and c.model_options == config["model_options"]
    assert c.train_config == TrainConfig.from_dict(config["train_config"]) and c.train_config.epochs == 1
    assert c.feature_config == FeatureConfig.from_dict(config["feature_config"])
    assert c.genres == tuple(config["genres"]) and len(c.genres) == 10
    assert (c.seed, c.split, c.valid_fraction, c.test_fraction) == (0, "random", 0.34, 0.34)
    assert c.devices == config["devices"] and c.versions == config["versions"]
    from genrelib.provenance import source_digest
    assert config["versions"]["genrelib_source"] == source_digest()[:16]  # which code made the run
    import sys

    import keras

    from genrelib.provenance import machine_description
    backend = keras.backend.backend()  # what else decides a run's last digits: the kernels and the CPU
    assert config["versions"]["backend_version"] == sys.modules[backend].__version__
    assert {"librosa", "scipy"} <= set(config["versions"]) and config["machine"] == machine_description()
    assert (c.finished, c.machine, c.device) == (config["finished"], config["machine"], config["device"])
    assert c.extra == {}


@pytest.mark.slow
def test_a_classical_run_has_no_epochs(fresh_runs) -> None:
    record = load_run_record(fresh_runs["logreg"])
    m = record.metrics
    assert (m.epochs_run, m.best_epoch, m.seconds_per_epoch, m.data_wait_fraction) == (None,) * 4
    assert m.test is None and m.n_tracks == SetSizes(train=20, valid=10, test=0)
    assert record.config.devices is None and record.config.model == "logreg"
    assert m.valid.n_tracks == 10 and m.train_seconds >= 0


@pytest.mark.slow
def test_describe_run(tiny_run) -> None:
    m = tiny_run.metrics
    assert describe_run(tiny_run).splitlines() == [
        f"run folder: {tiny_run.run_dir}",
        f"epochs: 1 (best 1), {m.train_seconds} s",
        f"valid: track accuracy {m.valid.track_accuracy:.3f}, segment accuracy "
        f"{m.valid.segment_accuracy:.3f}, macro F1 {m.valid.macro_f1:.3f} (10 tracks)",
        f"test: track accuracy {m.test.track_accuracy:.3f}, segment accuracy "
        f"{m.test.segment_accuracy:.3f}, macro F1 {m.test.macro_f1:.3f} (10 tracks)"]
    from dataclasses import replace

    untested = describe_run(replace(tiny_run, metrics=replace(m, test=None))).splitlines()
    assert untested[-1].startswith("test: none, the split has no test tracks")


def test_an_unfinished_folder_has_no_run_record(tmp_path) -> None:
    (tmp_path / runs.CONFIG_FILE).write_text("{}")
    with pytest.raises(FileNotFoundError, match="has no metrics.json: it is not a finished run"):
        load_run_record(tmp_path)


def test_set_sizes() -> None:
    sizes = SetSizes.from_dict({"train": 20, "valid": 5})  # an absent set counts 0
    assert sizes == SetSizes(train=20, valid=5, test=0)
    assert sizes.to_dict() == {"train": 20, "valid": 5, "test": 0}


# --------------------------------------------------------------------------- old run folders


def _reference_records() -> list[Path]:
    return sorted(REFERENCE.rglob("metrics.json")) + sorted(OLD_RECORDS.rglob("metrics.json"))


def _is_ensemble(folder: Path) -> bool:
    """``genrelib reference --ensemble`` records: their config.json names members, not a
    run's settings, and their metrics.json holds the ensemble's test evaluation only."""
    return "members" in _json(folder / runs.CONFIG_FILE)


def test_every_committed_run_record_still_loads() -> None:
    """Every metrics.json and config.json under results/reference (earlier genrelib versions)
    and tests/data/old_run_records (the first runs' format) reads with
    RunMetrics/RunConfig.from_dict, and writing it again loses nothing: every key and value
    is kept, only the fields written since are added at their "not recorded" values
    (ADDED_TO_OLD). The ``--ensemble`` records are skipped: their config.json is not a run's
    (members, member_dirs, made_by) and their metrics.json has no training fields (they are
    read by results.load_records, tests/test_results.py).

    Break tried: RunMetrics.from_dict reading data["data_wait_fraction"] (required) and
    EvaluationSummary.from_dict requiring track_accuracy_ci -> the records written before
    those existed fail; tests/data/old_run_records left out -> too few of the old format."""
    paths = _reference_records()
    ensembles = [p for p in paths if _is_ensemble(p.parent)]
    run_records = [p for p in paths if p not in ensembles]
    assert len(run_records) >= 90 and 0 < len(ensembles) < 20
    without_intervals = 0
    for metrics_path in run_records:
        folder = metrics_path.parent
        for name, cls in (("metrics.json", RunMetrics), ("config.json", RunConfig)):
            old = _json(folder / name)
            new = _flat(cls.from_dict(old).to_dict())
            flat_old = _flat(old)
            lost = {k: v for k, v in flat_old.items() if k not in new or new[k] != v}
            assert not lost, f"{folder / name}: {lost}"
            added = {k: v for k, v in new.items() if k not in flat_old}
            assert added.items() <= ADDED_TO_OLD[name].items(), f"{folder / name}: {added}"
        test = _json(metrics_path)["test"]
        if test and "track_accuracy_ci" not in test:
            without_intervals += 1
            assert RunMetrics.from_dict(_json(metrics_path)).test.track_accuracy_ci is None
    assert without_intervals >= 10  # the old format is really covered
    for metrics_path in ensembles:  # skipped, as said: not run records
        assert "train_seconds" not in _json(metrics_path)


def test_run_records_and_specs_need_no_keras() -> None:
    """Importing genrelib.pipeline, making a RunSpec without options and reading a run's
    records load no Keras (TensorFlow's start-up costs seconds and prints its log lines):
    training and predicting load it on first use.

    Breaks tried: ``import keras`` back at the top of pipeline/folder.py; check_options loading
    the builder for no options; genrelib.training importing its modules eagerly -> True."""
    folder = next(p.parent for p in _reference_records() if not _is_ensemble(p.parent))
    code = ("import sys; from genrelib.pipeline import RunSpec, describe_run, load_run_record; "
            f"RunSpec(model='cnn'); describe_run(load_run_record({str(folder)!r})); import genrelib.training; "
            "print('keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr[-2000:]


def _reference_deep_record() -> RunRecord:
    """The first committed deep run record with a measured epoch time and both sets."""
    for metrics_path in _reference_records():
        folder = metrics_path.parent
        if _is_ensemble(folder):
            continue
        record = load_run_record(folder)
        m = record.metrics
        if m.seconds_per_epoch and m.n_segments.train and m.valid and m.test:
            return record
    raise AssertionError("no deep run record under results/reference")


def test_epoch_estimate_scales_by_the_ratio_of_training_segments() -> None:
    """``estimate_epoch_seconds`` scales the measured seconds per epoch by the wanted
    training segments over the run's own: 2 s for 100 segments is 20 s for 1,000.

    Break tried: the ratio inverted (run's segments over wanted) -> 0.2 s instead of 20 s."""
    from dataclasses import replace

    from genrelib.pipeline.records import estimate_epoch_seconds

    m = replace(_reference_deep_record().metrics, seconds_per_epoch=2.0,
                n_segments=SetSizes(train=100, valid=10, test=10))
    assert estimate_epoch_seconds(m, train_segments=1000) == pytest.approx(20.0)
    assert estimate_epoch_seconds(m, train_segments=50) == pytest.approx(1.0)


def test_describe_run_names_a_rule_other_than_the_vote_and_one_untrained_genre() -> None:
    """``describe_run`` names the track rule when it is not the vote ("(mean)") and says
    nothing for the vote; one genre without a training track reads "that genre", two
    "those genres".

    Break tried: the rule never named -> no " (mean)" after "track accuracy"; "that genre"
    chosen for any non-empty list -> two genres read "that genre"."""
    from dataclasses import replace
    from types import SimpleNamespace

    record = _reference_deep_record()
    m = record.metrics
    metrics = replace(m, valid=replace(m.valid, method="mean"), test=replace(m.test, method="vote"))

    def described(untrained: list[str]) -> list[str]:
        result = SimpleNamespace(run_dir=record.run_dir, metrics=metrics, history=pd.DataFrame({"loss": [1.0]}),
                                 config=SimpleNamespace(extra={"untrained_genres": untrained}))
        return describe_run(result).splitlines()

    lines = described(["blues"])
    assert any(line.startswith("valid: track accuracy (mean) ") for line in lines), lines
    assert any(line.startswith("test: track accuracy 0") or line.startswith("test: track accuracy 1")
               for line in lines), lines
    assert any("the model cannot predict that genre" in line for line in lines), lines
    assert any("the model cannot predict those genres" in line for line in described(["blues", "jazz"]))
