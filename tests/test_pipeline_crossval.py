"""genrelib.pipeline.crossval: one run per fold, every track tested once and never trained on
in its own fold, the out-of-fold predictions, and the settings every fold receives."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import make_tracks

import genrelib.pipeline.crossval as crossval
from genrelib import runs
from genrelib.datasets.splits import kfold_splits
from genrelib.pipeline import (Hardware, RunSpec, cross_validate, cross_validated_predictions,
                               fold_dirs)


def test_every_fold_gets_the_spec_the_hardware_and_its_own_split(monkeypatch, tmp_path) -> None:
    """Each fold trains the spec with the fold's split, into out_dir/fold<k>, with the same
    hardware (a Dask scheduler reaches every fold: moved from test_features_cluster.py); the
    folds are kfold_splits' with the spec's seed and valid_fraction.

    Break tried: ``seed=spec.seed`` dropped from the kfold_splits call (seed 0) -> the test sets
    differ from seed 3's, the kfold_splits assert fails."""
    seen = []
    monkeypatch.setattr(crossval, "train_run", lambda data, spec, **k: seen.append((spec, k)))
    tracks = make_tracks(3, genres=("a", "b", "c"))
    monkeypatch.setattr(crossval, "capped_index", lambda *a, **k: SimpleNamespace(tracks=tracks))
    hardware = Hardware(scheduler="tcp://h:8786")
    spec = RunSpec(model="logreg", seed=3, valid_fraction=0.34)
    cross_validate("data", spec, out_dir=tmp_path, n_folds=3, hardware=hardware, verbose=0)
    assert [k["hardware"] for _, k in seen] == [hardware] * 3
    assert [k["out_dir"] for _, k in seen] == [tmp_path / f"fold{i}" for i in range(3)]
    assert [s.split.fold for s, _ in seen] == [0, 1, 2]
    assert all(s.with_(split="random") == spec.with_(split="random") for s, _ in seen)
    tested = [t for s, _ in seen for t in s.split.test]
    assert sorted(tested) == sorted(tracks["track_id"])  # every track tested once
    expected = kfold_splits(tracks, n_folds=3, valid_fraction=0.34, seed=3)
    assert [s.split.test for s, _ in seen] == [w.test for w in expected]  # the spec's seed
    with pytest.raises(ValueError, match=r"protocol must be one of \['kfold', 'artist_kfold'\]"):
        cross_validate("data", spec, out_dir=tmp_path, protocol="loo")


def test_fold_dirs(tmp_path) -> None:
    with pytest.raises(ValueError, match="holds no fold<k> run folder with a split.json"):
        fold_dirs(tmp_path)
    for k in (10, 2, 0):
        (tmp_path / f"fold{k}").mkdir()
        (tmp_path / f"fold{k}" / runs.SPLIT_FILE).write_text("{}")
    (tmp_path / "fold5").mkdir()  # no split.json: not a fold run
    assert [p.name for p in fold_dirs(tmp_path)] == ["fold0", "fold2", "fold10"]


@pytest.fixture(scope="module")
def logreg_cv(tiny_synthetic, tmp_path_factory, cli_cache) -> Path:
    """A 3-fold cross-validation of logistic regression on the tiny synthetic set (30
    tracks: 10 tested per fold)."""
    out = tmp_path_factory.mktemp("cv") / "logreg"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GENREBOOK_CACHE", str(cli_cache))  # the stats features of cli_classical_runs
        results = cross_validate(tiny_synthetic, RunSpec(model="logreg", seed=0, valid_fraction=0.2),
                                 out_dir=out, n_folds=3, verbose=0)
    assert [r.run_dir for r in results] == [out / f"fold{k}" for k in range(3)]
    return out


@pytest.mark.slow
def test_no_track_is_in_two_folds_tests_or_in_its_own_folds_training(logreg_cv, tiny_synthetic) -> None:
    """Guard: a track's segments are never in two folds' test sets, nor in the training or
    validation set of the fold that tests it (through the whole run: split.json and the
    segments each fold's metrics counted); the out-of-fold predictions hold every track's
    segments exactly once.

    Break tried: kfold_splits giving every fold the test set of fold 0
    (``test=sorted(ids[first_test_idx])``): check_leakage passes each fold, this test fails
    (tracks tested three times, two thirds never)."""
    folds = fold_dirs(logreg_cv)
    assert len(folds) == 3
    all_tracks = set()
    tested: list[str] = []
    for fold in folds:
        split = runs.load_json(fold / runs.SPLIT_FILE)
        assert split["protocol"] == "kfold"
        test, seen = set(split["test"]), set(split["train"]) | set(split["valid"])
        assert not test & seen, f"{fold.name} trains on a track it tests"
        tested += split["test"]
        all_tracks |= test | seen
        metrics = runs.load_json(fold / runs.METRICS_FILE)
        assert metrics["n_tracks"] == {"train": len(split["train"]), "valid": len(split["valid"]),
                                       "test": len(split["test"])}
    assert len(all_tracks) == 30 and sorted(tested) == sorted(all_tracks)
    oof = cross_validated_predictions(logreg_cv, tiny_synthetic)
    ids, counts = np.unique(oof.track_ids, return_counts=True)
    assert set(ids) == all_tracks
    per_track = 19  # 30 s clips, 3 s segments, 50 % overlap
    assert set(counts) == {per_track} and len(oof.y) == 30 * per_track
    # each fold's model scored exactly its own test tracks, in fold order
    first = runs.load_json(folds[0] / runs.SPLIT_FILE)["test"]
    assert set(oof.track_ids[:len(first) * per_track]) == set(first)
    assert oof.evaluate().n_tracks == 30


@pytest.mark.slow
def test_out_of_fold_predictions_refuse_data_whose_track_ids_changed(logreg_cv, tiny_synthetic, tmp_path) -> None:
    """Track ids are file names, ``genre/name`` where a name repeats: one added file named like
    another re-keyed every track, and the out-of-fold predictions came back empty (then "no
    predictions to evaluate"). Now: an error that says why when no tested track is found, a
    warning naming the count when some are missing.

    Break tried: without _check_tested_tracks -> an empty SegmentPredictions, no error."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(tiny_synthetic, data, symlinks=True)
    first, second = sorted((data / "genres").iterdir())[:2]
    some = sorted(first.glob("*.wav"))[0]
    shutil.copy(some, second / some.name)  # the same name in two genres: ids become genre/name
    with pytest.raises(ValueError, match=r"30 of the 30 tracks the folds tested are not in .*track ids are "
                                         r"file names \(genre/name where a name repeats"):
        cross_validated_predictions(logreg_cv, data)
    (second / some.name).unlink()
    (first / some.name).unlink()  # one tested track gone: the others are scored, with a word
    with pytest.warns(UserWarning, match="1 of the 30 tracks the folds tested are not in"):
        assert cross_validated_predictions(logreg_cv, data).evaluate().n_tracks == 29
