"""Several runs on the same tracks: ``genrelib evaluate RUN_DIR RUN_DIR ...`` (members and
their ensemble) and ``genrelib compare RUN_A RUN_B`` (paired tests), against computations
made here from each run's segment probabilities.

Two tiny CNNs that differ only in their seed are trained once for the module (a few
seconds each). Runs with other genre lists or other segment settings are made from them
by editing the metadata inside a copy of ``model.keras`` (same network, other names or
other segments), which costs no training.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("keras")

from genrelib.cli import main  # noqa: E402
from genrelib.evaluation import compare_predictions, evaluate_predictions  # noqa: E402
from genrelib.pipeline import evaluate_runs, run_predictions  # noqa: E402

#: Small enough to train in seconds, large enough to predict several genres.
TINY_CNN = ["--option", "filters=[4,8]", "--option", "dense_units=16",
            "--option", "dropout=0", "--option", "dense_dropout=0"]
NAMES = ["cnn-seed1", "cnn-seed2"]
#: The runs trained and validated on every track of the data they are scored on here: each
#: run's record says so (pipeline.seen_in_training), which a direct evaluation cannot know.
SEEN = {"seen_in_training": {"train": 20, "valid": 10}}


@pytest.fixture(scope="module")
def runs(tiny_synthetic, tmp_path_factory, module_cache) -> list[Path]:
    root = tmp_path_factory.mktemp("compare")
    for name, seed in zip(NAMES, (1, 2)):
        assert main(["train", str(tiny_synthetic), "--model", "cnn", "--out", str(root / name),
                     "--epochs", "6", "--seed", str(seed), "--val-fraction", "0.34",
                     "--test-fraction", "0", "--quiet", *TINY_CNN]) == 0
    return [root / name for name in NAMES]


@pytest.fixture(scope="module")
def predictions(runs, tiny_synthetic):
    """Each run's segment probabilities on every track (pipeline.run_predictions, checked
    against the folders and evaluate_run in test_evaluate_run.py)."""
    return [run_predictions(run, tiny_synthetic, progress=False) for run in runs]


def _cli_json(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _edited_run(run: Path, out: Path, edit) -> Path:
    """A copy of ``run``'s model.keras (and metrics.json: a finished run) in ``out`` whose
    genrelib.json metadata went through ``edit``."""
    out.mkdir(parents=True)
    shutil.copy(run / "metrics.json", out)
    with zipfile.ZipFile(run / "model.keras") as source, \
            zipfile.ZipFile(out / "model.keras", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "genrelib.json":
                metadata = json.loads(data)
                edit(metadata)
                data = json.dumps(metadata).encode()
            target.writestr(item, data)
    return out


def _rename_genre(old: str, new: str):
    def edit(metadata: dict) -> None:
        metadata["genres"] = [new if g == old else g for g in metadata["genres"]]
    return edit


def test_the_two_runs_disagree(predictions) -> None:
    """The ensemble and comparison tests lose their power when both runs answer alike."""
    first, second = (p.evaluate().track_pred for p in predictions)
    assert len(set(first.tolist())) >= 3 and len(set(second.tolist())) >= 3
    assert np.sum(first != second) >= 5


# --------------------------------------------------------------------------- evaluate, several runs


@pytest.fixture(scope="module")
def ensemble_record(runs, tiny_synthetic, predictions, module_cache) -> dict:
    import contextlib  # capsys is function-scoped: capture by hand
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["evaluate", *map(str, runs), "--data", str(tiny_synthetic), "--json"]) == 0
    return json.loads(out.getvalue())


@pytest.mark.parametrize("method", ["vote", "mean"])
def test_evaluate_several_runs_json(method, runs, tiny_synthetic, predictions, ensemble_record,
                                    capsys) -> None:
    record = ensemble_record if method == "vote" else _cli_json(
        capsys, "evaluate", *map(str, runs), "--data", str(tiny_synthetic), "--method", method)
    assert list(record) == ["members", "ensemble"] and list(record["members"]) == NAMES
    for name, member in zip(NAMES, predictions):
        assert record["members"][name] == {**member.evaluate(method=method).to_dict(), **SEEN}
    first, second = predictions
    mean = (first.probs + second.probs) / 2  # the same segments, in the same order
    expected = evaluate_predictions(mean, first.y, first.track_ids, genres=first.genres,
                                    method=method).to_dict()
    ensemble = record["ensemble"]
    # Each track once: trained on by either run, else validated on (the ensemble's score is
    # no test either; the key was missing, break tried: no union in evaluate_runs).
    trained = set().union(*(json.loads((run / "split.json").read_text())["train"] for run in runs))
    seen = {"train": len(trained), **({"valid": 30 - len(trained)} if len(trained) < 30 else {})}
    assert ensemble == {**expected, "ensemble_of": NAMES, "ensemble_level": "segment", "seen_in_training": seen}
    assert ensemble["aggregation"] == method and ensemble["n_segments"] == 30 * 19
    for key in ("track_accuracy_ci", "macro_f1_ci", "top_k_accuracy"):
        assert key in ensemble and all(key in m for m in record["members"].values())
    assert ensemble["segment_accuracy"] != record["members"][NAMES[0]]["segment_accuracy"]


def test_without_method_each_run_and_the_pair_use_the_rule_they_record(runs, tiny_synthetic, predictions,
                                                                       tmp_path) -> None:
    """A run whose config.json says "geometric" is scored with it by evaluate_runs and, when both
    runs say it, by compare_runs; runs that differ are compared, and ensembled, by the vote.

    Breaks tried: evaluate_runs scoring every member with "vote", and compare_runs taking
    the first run's rule when the two differ -> this test fails."""
    from genrelib.pipeline import compare_runs

    def with_rule(run: Path, name: str) -> Path:
        copy = tmp_path / name
        shutil.copytree(run, copy)
        config = json.loads((copy / "config.json").read_text())
        (copy / "config.json").write_text(json.dumps({**config, "aggregation": "geometric"}))
        return copy

    geometric = [with_rule(run, name) for run, name in zip(runs, NAMES)]
    mixed = evaluate_runs([geometric[0], runs[1]], tiny_synthetic, progress=False)
    assert [r.method for r in mixed.members.values()] == ["geometric", "vote"]
    assert mixed.members[NAMES[0]].to_dict() == {**predictions[0].evaluate(method="geometric").to_dict(), **SEEN}
    assert mixed.ensemble.method == "vote"
    assert evaluate_runs(geometric, tiny_synthetic, progress=False).ensemble.method == "geometric"
    assert compare_runs(geometric[0], runs[1], tiny_synthetic, progress=False).a.method == "vote"
    both = compare_runs(*geometric, tiny_synthetic, progress=False)
    assert (both.a.method, both.b.method) == ("geometric", "geometric")


def test_evaluate_several_runs_library_equals_cli(runs, tiny_synthetic, ensemble_record) -> None:
    results = evaluate_runs(runs, tiny_synthetic, progress=False)
    assert {name: r.to_dict() for name, r in results.members.items()} == ensemble_record["members"]
    assert results.ensemble.to_dict() == ensemble_record["ensemble"]
    assert results.to_dict() == ensemble_record


def test_evaluate_several_runs_text_table(runs, tiny_synthetic, ensemble_record, capsys) -> None:
    capsys.readouterr()
    assert main(["evaluate", *map(str, runs), "--data", str(tiny_synthetic)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("tracks: 30  aggregation: vote  ensemble: mean of 2 runs' probabilities "
                        "(segment level)")
    header = lines[lines.index("") + 1].split()
    assert header[0] == "run" and header[-2:] == ["top-2", "top-3"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[lines.index("") + 2:]}
    assert list(rows) == [*NAMES, "ensemble"]
    for name, row in rows.items():
        r = ensemble_record["ensemble"] if name == "ensemble" else ensemble_record["members"][name]
        ci, f1_ci = r["track_accuracy_ci"], r["macro_f1_ci"]
        assert row == [f"{r['track_accuracy']:.3f}", f"[{ci[0]:.3f},", f"{ci[1]:.3f}]",
                       f"{r['macro_f1']:.3f}", f"[{f1_ci[0]:.3f},", f"{f1_ci[1]:.3f}]",
                       f"{r['segment_accuracy']:.3f}", f"{r['top_k_accuracy']['2']:.3f}",
                       f"{r['top_k_accuracy']['3']:.3f}"]


def test_ensemble_row_is_told_from_a_run_folder_named_ensemble(ensemble_record) -> None:
    """A member run in a folder named ``ensemble`` gave two rows labelled "ensemble".

    Break tried: the ensemble row always labelled "ensemble" -> two such rows."""
    from genrelib.commands.evaluate import format_ensemble

    record = json.loads(json.dumps(ensemble_record))
    record["members"] = {("ensemble" if name == NAMES[0] else name): r for name, r in record["members"].items()}
    rows = [line.split("  ")[0].strip() for line in format_ensemble(record).splitlines()[-3:]]
    assert rows == ["ensemble", NAMES[1], "ensemble of all"]
    assert format_ensemble(ensemble_record).splitlines()[-1].startswith("ensemble ")


def test_ensemble_table_notes_the_genres_without_a_track(ensemble_record) -> None:
    """format_ensemble names the genres without a track (none here) but gives no macro F1 of
    its own: the table holds one per run."""
    from genrelib.commands.evaluate import format_ensemble

    untested = (lambda text: [line for line in text.splitlines() if "genres have no track" in line])
    assert not untested(format_ensemble(ensemble_record))
    record = json.loads(json.dumps(ensemble_record))
    for genre in ("blues", "pop"):
        record["ensemble"]["per_genre"][genre]["support"] = 0
    notes = untested(format_ensemble(record))
    assert notes == ["note: 2 of the model's 10 genres have no track in DATA (blues, pop); "
                     "the macro averages count their F1 as 0"]


def test_ensemble_table_names_each_runs_rule_when_they_differ(ensemble_record) -> None:
    """A member scored by its own rule (geometric) beside a vote ensemble: the header names
    both, not one rule for the whole table.

    Break tried: the header printing the ensemble's rule only -> "aggregation: vote  ensemble"."""
    from genrelib.commands.evaluate import format_ensemble

    assert format_ensemble(ensemble_record).splitlines()[0].startswith("tracks: 30  aggregation: vote  ensemble")
    record = json.loads(json.dumps(ensemble_record))
    record["members"][NAMES[1]]["aggregation"] = "geometric"
    assert format_ensemble(record).splitlines()[0].startswith(
        f"tracks: 30  aggregation: vote for the ensemble; {NAMES[0]} vote, {NAMES[1]} geometric  ensemble: mean")


def test_ensemble_of_runs_with_other_segments(runs, tiny_synthetic, predictions, tmp_path) -> None:
    """A run reading 3 s segments without overlap (10 per clip, not 19) joins the ensemble
    at track level: the mean of each run's mean track probabilities."""
    def no_overlap(metadata: dict) -> None:
        metadata["feature_config"]["overlap"] = 0.0

    other = _edited_run(runs[1], tmp_path / "no-overlap", no_overlap)
    results = evaluate_runs([runs[0], other], tiny_synthetic, progress=False)
    ensemble = results.ensemble
    assert ensemble.extra == {**ensemble.extra, "ensemble_level": "track",
                              "ensemble_of": ["cnn-seed1", "no-overlap"]}
    assert results.members["no-overlap"].to_dict()["n_segments"] == 30 * 10
    other_probs = run_predictions(other, tiny_synthetic, progress=False)
    tracks = predictions[0].evaluate().track_ids
    expected = np.array([(predictions[0].probs[predictions[0].track_ids == t].mean(axis=0)
                          + other_probs.probs[other_probs.track_ids == t].mean(axis=0)) / 2
                         for t in tracks])
    assert ensemble.track_ids.tolist() == tracks.tolist()
    np.testing.assert_allclose(ensemble.track_probs, expected, rtol=1e-5)
    np.testing.assert_array_equal(ensemble.track_pred, expected.argmax(axis=1))
    assert ensemble.to_dict()["n_segments"] == 30


def test_ensemble_of_runs_with_other_genre_lists_exits_2(runs, tiny_synthetic, tmp_path,
                                                         capsys) -> None:
    other = _edited_run(runs[1], tmp_path / "polka-run", _rename_genre("rock", "polka"))
    capsys.readouterr()
    assert main(["evaluate", str(runs[0]), str(other), "--data", str(tiny_synthetic), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("genrelib evaluate: error: ensemble members must share their genre "
                            "list: polka-run differs from cnn-seed1 (only in cnn-seed1: rock; "
                            "only in polka-run: polka)\n")


# --------------------------------------------------------------------------- compare


@pytest.fixture(scope="module")
def compare_record(runs, tiny_synthetic, module_cache) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["compare", *map(str, runs), "--data", str(tiny_synthetic), "--json"]) == 0
    return json.loads(out.getvalue())


def test_compare_json_against_a_direct_computation(compare_record, predictions) -> None:
    from scipy.stats import binomtest, ttest_rel

    a, b = (p.evaluate() for p in predictions)
    genres = np.array(a.genres)
    right_a, right_b = a.track_pred == a.track_true, b.track_pred == b.track_true
    only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(~right_a & right_b))
    record = compare_record
    assert record["a"] == {"run": "cnn-seed1", "track_accuracy": pytest.approx(np.mean(right_a)),
                           "track_accuracy_ci": list(a.track_accuracy_ci), "macro_f1": a.macro_f1, **SEEN}
    assert record["b"]["run"] == "cnn-seed2"
    assert record["b"]["track_accuracy"] == pytest.approx(np.mean(right_b))
    assert record["n_tracks"] == 30 and record["aggregation"] == "vote"
    mcnemar, t_test = record["mcnemar"], record["t_test"]
    assert (mcnemar["only_a_right"], mcnemar["only_b_right"]) == (only_a, only_b)
    assert mcnemar["both_right"] == int(np.sum(right_a & right_b))
    assert only_a + only_b > 0
    assert mcnemar["pvalue"] == pytest.approx(binomtest(only_a, only_a + only_b).pvalue)
    expected_t = ttest_rel(right_a.astype(float), right_b.astype(float))
    assert t_test["statistic"] == pytest.approx(expected_t.statistic)
    assert t_test["pvalue"] == pytest.approx(expected_t.pvalue) and t_test["df"] == 29
    differ = np.flatnonzero(a.track_pred != b.track_pred)
    assert record["differ"] == [{"track_id": str(a.track_ids[i]), "true": genres[a.track_true[i]],
                                 "a": genres[a.track_pred[i]], "b": genres[b.track_pred[i]]}
                                for i in differ]
    a.extra.update(SEEN), b.extra.update(SEEN)  # what compare_runs notes of each run
    assert record == compare_predictions(a, b, names=NAMES).to_dict()


def test_compare_text_report(runs, tiny_synthetic, compare_record, capsys) -> None:
    capsys.readouterr()
    assert main(["compare", *map(str, runs), "--data", str(tiny_synthetic)]) == 0
    lines = capsys.readouterr().out.splitlines()
    r, mc, t = compare_record, compare_record["mcnemar"], compare_record["t_test"]
    low, high = r["a"]["track_accuracy_ci"]
    seen = ("note: 30 of the 30 tracks are {}'s own 20 training and 10 validation tracks (split.json): "
            "these scores are not a test; evaluate it on tracks it never saw (`--unseen` keeps only those, or give new music)")
    assert lines[:9] == [
        "tracks: 30  aggregation: vote",
        f"A cnn-seed1: track accuracy {r['a']['track_accuracy']:.3f} [{low:.3f}, {high:.3f}]",
        lines[2], seen.format("cnn-seed1"), seen.format("cnn-seed2"),
        f"both right {mc['both_right']}, only A right {mc['only_a_right']}, only B right "
        f"{mc['only_b_right']}, both wrong {mc['both_wrong']}",
        f"McNemar exact test: p = {mc['pvalue']:.4f}",
        f"paired t-test: t = {t['statistic']:.3f}, df = 29, p = {t['pvalue']:.4f}",
        f"tracks where the predictions differ: {len(r['differ'])}"]
    assert lines[2].startswith(f"B cnn-seed2: track accuracy {r['b']['track_accuracy']:.3f} [")
    assert [line.split() for line in lines[10:]] == [
        [d["track_id"], d["true"], d["a"], d["b"]] for d in r["differ"]]


def test_compare_runs_with_other_genre_lists(runs, tiny_synthetic, predictions, tmp_path,
                                             capsys) -> None:
    """The same network under another name for one genre: the runs pair by genre NAME, so
    exactly the tracks where the first run answers that genre differ, both wrong."""
    first = predictions[0].evaluate()
    names = np.array(first.genres)
    predicted, true = names[first.track_pred], names[first.track_true]
    wrong = predicted[predicted != true]
    renamed = max(set(wrong.tolist()), key=wrong.tolist().count)  # its most frequent mistake
    keep = sorted(set(true[predicted == renamed]) - {renamed})[:2]
    data = tmp_path / "data" / "genres"
    data.mkdir(parents=True)
    for genre in keep:
        (data / genre).symlink_to(tiny_synthetic / "genres" / genre)
    other = _edited_run(runs[0], tmp_path / "renamed", _rename_genre(renamed, "polka"))
    record = _cli_json(capsys, "compare", str(runs[0]), str(other), "--data", str(data.parent))
    expected = [{"track_id": str(t), "true": g, "a": renamed, "b": "polka"}
                for t, g, p in zip(first.track_ids, true, predicted) if g in keep and p == renamed]
    assert expected and record["differ"] == expected
    assert record["a"]["track_accuracy"] == record["b"]["track_accuracy"]
    assert record["mcnemar"]["only_a_right"] == record["mcnemar"]["only_b_right"] == 0
    assert record["mcnemar"]["pvalue"] == 1.0 and record["t_test"]["pvalue"] == 1.0


@pytest.mark.parametrize("case,message", [
    ("missing_run", "is not a run folder (no model.keras or model.skops)"),
    ("same_run", "is given twice"),
    ("missing_data", "--data folder"),
    ("unknown_genre", "not trained on: ['rock']"),
])
def test_compare_user_errors(case, message, runs, tiny_synthetic, tmp_path, capsys) -> None:
    run_a, run_b, data = str(runs[0]), str(runs[1]), str(tiny_synthetic)
    if case == "missing_run":
        run_b = str(tmp_path / "no-run")
    elif case == "same_run":
        run_b = str(runs[0]) + "/"
    elif case == "missing_data":
        data = str(tmp_path / "no-data")
    else:  # data with a genre run_b does not know (run_a does)
        run_b = str(_edited_run(runs[1], tmp_path / "polka-run", _rename_genre("rock", "polka")))
        data = tmp_path / "rock-data"
        data.mkdir()
        (data / "rock").symlink_to(tiny_synthetic / "genres" / "rock")
    capsys.readouterr()
    assert main(["compare", run_a, run_b, "--data", str(data), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("genrelib compare: error: ") and message in captured.err
    assert captured.err.count("\n") == 1


def test_compare_unseen_pairs_only_tracks_neither_run_trained_on(runs, tiny_synthetic, tmp_path, capsys) -> None:
    """--unseen as in evaluate: new tracks beside the runs' own are paired alone; on the runs' own
    folder (every track trained or validated on) nothing is left, said with exit 2. Break tried:
    the option parsed and not used -> 13 tracks paired."""
    from genrelib.datasets.synthetic import generate_synthetic_gtzan

    fresh = generate_synthetic_gtzan(tmp_path / "fresh", tracks_per_genre=1, seconds=30.0, seed=9)
    mix = tmp_path / "mix"
    for track in [*sorted(fresh.rglob("*.wav")), *sorted((tiny_synthetic / "genres" / "rock").glob("*.wav"))]:
        (mix / track.parent.name).mkdir(parents=True, exist_ok=True)
        (mix / track.parent.name / f"{track.parent.parent.parent.name}-{track.name}").symlink_to(track)
    record = _cli_json(capsys, "compare", str(runs[0]), str(runs[1]), "--data", str(mix), "--unseen")
    assert record["n_tracks"] == 10
    assert main(["compare", str(runs[0]), str(runs[1]), "--data", str(tiny_synthetic), "--unseen"]) == 2
    assert "no track is left to test on" in capsys.readouterr().err


def test_compare_notes_the_clips_it_left_out_and_says_its_notes_beside_json(runs, tiny_synthetic, tmp_path,
                                                                            capsys) -> None:
    """A clip shorter than one segment in DATA is left out of both runs' scores: the record
    names it (``skipped``, as evaluate's does) and the summary counts it; beside --json the
    notes (the runs' own tracks, the clip left out) go to stderr as evaluate's do. Break tried:
    run_compare without its skipped lines -> no key, no note."""
    from helpers import write_silent_wav

    data = tmp_path / "data"
    for path in sorted(Path(tiny_synthetic).glob("genres/*/*.wav"))[:4]:
        (data / path.parent.name).mkdir(parents=True, exist_ok=True)
        (data / path.parent.name / path.name).symlink_to(path)
    short = write_silent_wav(data / "blues" / "blues.short.wav", 1.0)
    capsys.readouterr()
    assert main(["compare", *map(str, runs), "--data", str(data), "--json"]) == 0
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["n_tracks"] == 4 and [item["path"] for item in record["skipped"]] == [str(short)]
    notes = [line for line in captured.err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 3 and "cnn-seed1's own" in notes[0] and "cnn-seed2's own" in notes[1]
    assert notes[2] == "note: 1 clip of DATA is left out, not scored (named above; --json lists them under \"skipped\")"
    assert main(["compare", *map(str, runs), "--data", str(data)]) == 0
    assert notes[2] in capsys.readouterr().out.splitlines()


# --------------------------------------------------------------------------- compare, no training


def _one_sided_record() -> dict:
    """A comparison where A gets every track right and B none: the paired t statistic is
    infinite (``None`` in the record); A saw 3 tracks in training, B left one clip out."""
    genres, y, tracks = ("jazz", "rock"), np.array([0, 0, 1, 1]), ["j1", "j2", "r1", "r2"]
    a = evaluate_predictions(np.eye(2)[y] * 0.8 + 0.1, y, tracks, genres=genres)
    b = evaluate_predictions(np.eye(2)[1 - y] * 0.8 + 0.1, y, tracks, genres=genres)
    a.extra["seen_in_training"] = {"train": 3}
    b.extra["seen_in_training"] = {"valid": 1}
    b.extra["skipped"] = [{"path": "/data/jazz/short.wav", "reason": "shorter than one segment"}]
    return compare_predictions(a, b, names=["run-a", "run-b"]).to_dict()


def test_compare_text_names_an_infinite_t_and_the_notes_of_both_runs() -> None:
    """t = inf where the correctness differs by the same amount on every track; each run's
    seen-in-training note and the skipped clip follow the two accuracy lines."""
    from genrelib.commands.compare import format_comparison

    record = _one_sided_record()
    assert record["t_test"]["statistic"] is None
    lines = format_comparison(record).splitlines()
    assert "paired t-test: t = inf, df = 3, p = 0.0000" in lines
    assert lines[3].startswith("note: 3 of the 4 tracks are run-a's own 3 training tracks")
    assert lines[4].startswith("note: 1 of the 4 tracks are run-b's own 1 validation tracks")
    assert lines[5].startswith("note: 1 clip of DATA is left out, not scored")


@pytest.mark.parametrize("as_json", [False, True])
def test_compare_notes_bars_and_warnings_by_output(as_json, tmp_path, monkeypatch, capsys) -> None:
    """With the summary the notes are in it and stderr stays empty; beside --json they go to
    stderr alone and no progress bar is drawn (on a terminal); the runs' seen-in-training
    warning is not repeated as a warning line (the notes say it). Break tried: notes always on
    stderr; progress with --json; the warning filter dropped."""
    import warnings

    import genrelib.pipeline as pipeline
    from genrelib.commands import compare
    from genrelib.evaluation.significance import PairedComparison
    from genrelib.pipeline import SeenTracksWarning

    record, asked = _one_sided_record(), {}

    def fake_compare_runs(run_a, run_b, data, *, method, progress) -> PairedComparison:
        asked.update(method=method, progress=progress)
        warnings.warn("3 of the 4 tracks were run-a's training tracks", SeenTracksWarning)
        return type("Comparison", (), {"to_dict": lambda self: record})()

    monkeypatch.setattr(pipeline, "compare_runs", fake_compare_runs)
    monkeypatch.setattr(compare, "progress_bars", lambda quiet=False: True)  # a terminal
    runs = []
    for name in ("run-a", "run-b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.keras").write_bytes(b"never read: compare_runs is replaced")
        runs.append(str(tmp_path / name))
    (tmp_path / "data").mkdir()
    capsys.readouterr()
    argv = ["compare", *runs, "--data", str(tmp_path / "data"), "--method", "mean"]
    assert main(argv + ["--json"] * as_json) == 0
    out, err = capsys.readouterr()
    notes = compare.comparison_notes(record)
    assert len(notes) == 3 and asked == {"method": "mean", "progress": not as_json}
    if as_json:
        assert json.loads(out) == record and err.splitlines() == notes
    else:
        assert out == compare.format_comparison(record) + "\n" and err == ""
