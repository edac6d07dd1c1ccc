"""``genrelib reference``: cross-validations written as records, and ``--ensemble`` records of
finished cross-validations equal to the library's ensemble of their out-of-fold predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from genrelib.cli import main


@pytest.fixture(scope="module")
def reference(tiny_synthetic, tmp_path_factory, module_cache):
    """Two 2-fold logreg cross-validations (seeds 0 and 1) of the tiny synthetic set."""
    root = tmp_path_factory.mktemp("reference")
    for name, seed in (("lr", "0"), ("lr-seed1", "1")):
        assert main(["reference", str(tiny_synthetic), "--runs", str(root / "runs"), "--records",
                     str(root / "records"), "--models", "logreg", "--folds", "2", "--protocols", "kfold",
                     "--name", name, "--seed", seed, "--quiet"]) == 0
    return tiny_synthetic, root


def test_cross_validations_become_records(reference) -> None:
    _, root = reference
    for name in ("lr", "lr-seed1"):
        folds = sorted((root / "records" / name / "kfold2").glob("fold*"))
        assert [f.name for f in folds] == ["fold0", "fold1"]
        assert not list((root / "records").rglob("model.*"))  # no weights in the records


def test_the_records_keep_every_test_tracks_prediction(reference) -> None:
    """Each fold's record keeps predictions.csv: its split's test tracks, as many right as its
    metrics say; the two seeds' records pair by track. Break tried: the reference command
    without write_predictions -> no predictions.csv in the records, fails."""
    import pandas as pd

    from genrelib.results import PREDICTIONS_FILE, paired_records

    _, root = reference
    for fold in sorted((root / "records" / "lr" / "kfold2").glob("fold*")):
        kept = pd.read_csv(fold / PREDICTIONS_FILE, dtype=str)
        split = json.loads((fold / "split.json").read_text())
        test = json.loads((fold / "metrics.json").read_text())["test"]
        assert list(kept.columns) == ["track_id", "true", "predicted"]
        assert sorted(kept["track_id"]) == sorted(split["test"]) and len(kept) == test["n_tracks"]
        assert (kept["true"] == kept["predicted"]).mean() == pytest.approx(test["track_accuracy"])
    paired = paired_records("lr/kfold2", "lr-seed1/kfold2", root=root / "records")
    assert paired.n_tracks == 30  # every track, each once



def test_runs_made_with_other_settings_are_said_to_be_replaced(reference, capsys) -> None:
    """The same --name with another option retrains and replaces the finished runs and their
    records: said in a note (it was silent); the same command again reuses them, no note.

    Break tried: run_reference without the finished_runs comparison -> no note."""
    data, root = reference
    argv = ["reference", str(data), "--runs", str(root / "runs"), "--records", str(root / "records"),
            "--models", "logreg", "--folds", "2", "--protocols", "kfold", "--name", "lr-c", "--quiet"]
    assert main(argv) == 0
    assert "note:" not in capsys.readouterr().out  # new runs: nothing replaced
    assert main([*argv, "--option", "C=0.01"]) == 0
    out = capsys.readouterr().out
    assert (f"note: 2 finished run(s) under {root / 'runs' / 'lr-c'} were made with other settings and are "
            "replaced (with their records)") in out and "give --name to keep both" in out
    assert main([*argv, "--option", "C=0.01"]) == 0
    assert "note:" not in capsys.readouterr().out  # reused

def test_aggregation_makes_the_records_of_another_track_rule(reference) -> None:
    """--aggregation geometric: every fold's record (config, metrics, predictions.csv) uses the
    geometric mean; its accuracy is the one the vote's records list for that rule. Break
    tried: run_reference not passing --aggregation to the RunSpec -> the records say "vote"."""
    import pandas as pd

    from genrelib.results import PREDICTIONS_FILE

    data, root = reference
    assert main(["reference", str(data), "--runs", str(root / "runs"), "--records", str(root / "records"),
                 "--models", "logreg", "--folds", "2", "--protocols", "kfold", "--name", "lr-geometric",
                 "--aggregation", "geometric", "--quiet"]) == 0
    for fold in ("fold0", "fold1"):
        geometric, vote = (root / "records" / name / "kfold2" / fold for name in ("lr-geometric", "lr"))
        assert json.loads((geometric / "config.json").read_text())["aggregation"] == "geometric"
        test = json.loads((geometric / "metrics.json").read_text())["test"]
        assert test["aggregation"] == "geometric"
        assert test["track_accuracy"] == json.loads((vote / "metrics.json").read_text())["test"][
            "track_accuracy_geometric"]
        kept = pd.read_csv(geometric / PREDICTIONS_FILE, dtype=str)
        assert (kept["true"] == kept["predicted"]).mean() == pytest.approx(test["track_accuracy"])


def test_ensemble_record_equals_the_library_ensemble(reference, capsys) -> None:
    from genrelib.evaluation import ensemble_predictions
    from genrelib.pipeline import cross_validated_predictions

    data, root = reference
    assert main(["reference", str(data), "--runs", str(root / "runs"), "--records", str(root / "records"),
                 "--folds", "2", "--ensemble", "lr-2seeds=lr+lr-seed1"]) == 0
    assert "lr-2seeds kfold: track accuracy" in capsys.readouterr().out
    folder = root / "records" / "lr-2seeds" / "kfold2"
    config = json.loads((folder / "config.json").read_text())
    metrics = json.loads((folder / "metrics.json").read_text())
    assert config["members"] == ["lr", "lr-seed1"] and config["member_dirs"] == ["lr/kfold2", "lr-seed1/kfold2"]
    assert config["made_by"] == "genrelib reference --ensemble lr-2seeds=lr+lr-seed1"
    assert (metrics["model"], metrics["protocol"]) == ("ensemble", "kfold")
    preds = [cross_validated_predictions(root / "runs" / n / "kfold2", data) for n in ("lr", "lr-seed1")]
    expected = ensemble_predictions(preds, names=["lr", "lr-seed1"]).evaluate()
    assert metrics["test"]["track_accuracy"] == pytest.approx(expected.track_accuracy)
    assert np.array_equal(metrics["test"]["confusion"], expected.to_dict()["confusion"])
    assert len(expected.track_ids) == 30  # every track, each once, out of fold
    kept = (folder / "predictions.csv").read_text().splitlines()
    assert len(kept) == 31 and kept[0] == "track_id,true,predicted"  # the ensemble's too
    from genrelib.results import load_records

    records = load_records(root / "records")
    assert "lr-2seeds" in set(records["model"])


@pytest.mark.parametrize("spec", ["noequals", "=lr", "x=", "x=lr@0", "x=lr@abc", "a/b=lr"])
def test_bad_ensemble_specs_are_refused(spec, tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["reference", str(tmp_path), "--runs", str(tmp_path), "--records", str(tmp_path), "--ensemble", spec])
    assert stop.value.code == 2
    assert "expected LABEL=MEMBER[@HOP]+MEMBER[@HOP]" in capsys.readouterr().err


def test_a_missing_member_is_named(reference, capsys) -> None:
    data, root = reference
    assert main(["reference", str(data), "--runs", str(root / "runs"), "--records", str(root / "records"),
                 "--folds", "2", "--ensemble", "x=lr+nothing-here"]) == 2
    err = capsys.readouterr().err
    assert "--ensemble x: no finished cross-validation in" in err and "nothing-here/kfold2" in err
    assert main(["reference", str(data), "--runs", str(root / "runs"), "--records", str(root / "records"),
                 "--protocols", "artist", "--ensemble", "x=lr"]) == 2
    assert "use --protocols kfold and/or artist_kfold" in capsys.readouterr().err


def test_the_printed_summary_has_no_nan(reference) -> None:
    """The study reports no logreg figure: its column shows "-", not NaN.

    Break tried: ``na_rep`` left out of format_summary -> "NaN" in the table."""
    from genrelib.commands.reference import format_summary
    from genrelib.results import load_records, summarize

    _, root = reference
    summary = summarize(load_records(root / "records"))
    lines = format_summary(summary).splitlines()
    assert lines[0].split() == ["model", "protocol", "data", "runs", "test_tracks", "track_accuracy",
                                "macro_f1", "study"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert {"lr", "lr-seed1"} <= set(rows) and "NaN" not in "\n".join(lines)  # + other tests' records
    for name, row in rows.items():
        record = summary.set_index("model").loc[name]
        assert row[-3:] == [f"{record.track_accuracy:.3f}", f"{record.macro_f1:.3f}", "-"]



# --------------------------------------------------------------------------- no training


@pytest.mark.parametrize("extra, message", [
    (["--folds", "1"], "--folds must be >= 2, got 1"),
    (["--models", "logreg,svm", "--name", "mine"],
     "--name labels the runs of one model: give one --models"),
])
def test_one_fold_and_a_name_for_several_models_are_refused(extra: list[str], message: str,
                                                           tmp_path: Path, capsys) -> None:
    """--folds 1 and --name for two models: exit 2, one line, nothing created."""
    argv = ["reference", str(tmp_path), "--runs", str(tmp_path / "runs"),
            "--records", str(tmp_path / "rec")]
    assert main([*argv, *extra]) == 2
    assert capsys.readouterr().err == f"genrelib reference: error: {message}\n"
    assert not (tmp_path / "runs").exists() and not (tmp_path / "rec").exists()


def test_a_missing_data_folder_is_named(tmp_path: Path, capsys) -> None:
    """DATA that does not exist: one line naming it, exit 2, nothing created."""
    missing = tmp_path / "no-data"
    assert main(["reference", str(missing), "--runs", str(tmp_path / "runs"),
                 "--records", str(tmp_path / "rec"), "--models", "logreg"]) == 2
    assert capsys.readouterr().err == (f"genrelib reference: error: DATA folder {str(missing)!r} "
                                       "does not exist\n")
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("flag", ["--models", "--protocols"])
def test_an_empty_list_of_models_or_protocols_is_refused(flag: str, tmp_path: Path, capsys) -> None:
    """``--models ,`` or ``--protocols ,`` (nothing to run) is a usage error naming the flag."""
    with pytest.raises(SystemExit) as stop:
        main(["reference", str(tmp_path), "--runs", str(tmp_path / "r"),
              "--records", str(tmp_path / "s"), flag, ","])
    assert stop.value.code == 2
    assert f"argument {flag}: unknown " in capsys.readouterr().err


def test_the_replaced_note_names_three_runs_and_counts_the_rest(tmp_path: Path, monkeypatch,
                                                                capsys) -> None:
    """Runs trained again are noted (the first three named, then "..."); new runs are not."""
    import os
    from types import SimpleNamespace

    import genrelib.pipeline as pipeline
    import genrelib.results as results
    from genrelib.commands import reference

    def cross_validate(data, spec, *, n_folds, protocol, reuse, verbose, out_dir):
        for i in range(n_folds):  # a finished run each, its model file a new file moved in
            fold = Path(out_dir) / f"fold{i}"
            fold.mkdir(parents=True, exist_ok=True)
            (fold / "metrics.json").write_text("{}")
            (fold / "new.skops").write_bytes(b"weights")
            os.replace(fold / "new.skops", fold / "model.skops")
        return [SimpleNamespace(test=None, run_dir=Path(out_dir) / f"fold{i}")
                for i in range(n_folds)]

    def three_folds(*args, n_folds, **kwargs):
        return cross_validate(*args, n_folds=3, **kwargs)

    monkeypatch.setattr(pipeline, "cross_validate", cross_validate)
    monkeypatch.setattr(results, "export_records", lambda runs, records: None)
    monkeypatch.setattr(results, "load_records", lambda records: None)
    monkeypatch.setattr(results, "summarize", lambda records: None)
    monkeypatch.setattr(reference, "format_summary", lambda summary: "(summary)")
    runs = tmp_path / "runs"
    argv = ["reference", str(tmp_path), "--runs", str(runs), "--records", str(tmp_path / "rec"),
            "--models", "logreg", "--folds", "4", "--protocols", "kfold", "--quiet"]
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines() == ["== logreg: kfold", "(summary)"]
    assert main(argv) == 0
    folds = ", ".join(str(runs / "logreg" / "kfold4" / f"fold{i}") for i in range(3))
    assert capsys.readouterr().out.splitlines()[1] == (
        f"note: 4 finished run(s) under {runs / 'logreg'} were made with other settings and are "
        f"replaced (with their records): {folds}, ...; give --name to keep both")
    monkeypatch.setattr(pipeline, "cross_validate", three_folds)
    assert main(argv) == 0
    note = capsys.readouterr().out.splitlines()[1]
    assert note.endswith(f": {folds}; give --name to keep both")
