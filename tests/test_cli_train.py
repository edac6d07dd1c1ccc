"""``genrelib train`` / ``genrelib evaluate`` end to end on tiny synthetic data, and the
real-data proof: CNN and CRNN (quick profile, random split) clearly above chance.

The evaluate tests compare the command's numbers with ``pipeline.evaluate_run`` and with a
computation made here from the model's segment probabilities; every user error exits 2
with one ``genrelib <command>: error: ...`` line and no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from helpers import write_silent_wav

pytest.importorskip("keras")

from genrelib.cli import main  # noqa: E402

#: Small enough to train in seconds, large enough to predict several genres (a model that
#: answers one genre for every track would let wrong metrics pass).
TINY_CNN = ["--option", "filters=[4,8]", "--option", "dense_units=16",
            "--option", "dropout=0", "--option", "dense_dropout=0"]


@pytest.fixture(scope="module")
def cli_run(tiny_synthetic, tmp_path_factory, module_cache):
    out = tmp_path_factory.mktemp("cli") / "run"
    code = main(["train", str(tiny_synthetic), "--model", "cnn", "--profile", "quick",
                 "--out", str(out), "--epochs", "6", "--seed", "1", "--split", "random",
                 "--val-fraction", "0.34", "--test-fraction", "0", "--quiet", *TINY_CNN])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def direct(cli_run, tiny_synthetic):
    """The evaluation computed here from the model's segment probabilities, with no help
    from genrelib.evaluation: labels from the folder names, votes and means by hand,
    macro F1 and confusion from scikit-learn."""
    from sklearn.metrics import confusion_matrix, f1_score

    from genrelib.config import FeatureConfig
    from genrelib.datasets import index_dataset
    from genrelib.features import extract_features
    from genrelib.runs import load_run_model
    from genrelib.training import predict_probs

    net, meta = load_run_model(cli_run)
    genres = list(meta["genres"])
    index = index_dataset(tiny_synthetic)
    features = extract_features(index, FeatureConfig.from_dict(meta["feature_config"]),
                                progress=False)
    probs = predict_probs(net, features.X, model_kind=meta["model_kind"])
    genre_of = dict(zip(index.tracks["track_id"], index.tracks["genre"]))
    y = np.array([genres.index(genre_of[t]) for t in features.track_ids])
    seg_pred = probs.argmax(axis=1)
    tracks = list(dict.fromkeys(features.track_ids))
    truth = np.array([genres.index(genre_of[t]) for t in tracks])
    vote, mean = [], []
    for track in tracks:
        rows = features.track_ids == track
        votes = np.bincount(seg_pred[rows], minlength=len(genres))
        average = probs[rows].mean(axis=0)
        vote.append(int(np.argmax(np.where(votes == votes.max(), average, -np.inf))))
        mean.append(int(np.argmax(average)))
    labels = list(range(len(genres)))
    mean_probs = np.array([probs[features.track_ids == track].mean(axis=0) for track in tracks])
    out = {"genres": genres, "tracks": tracks, "truth": truth, "mean_probs": mean_probs,
           "per_genre_tracks": index.per_genre(), "n_segments": len(y),
           "segment_accuracy": float(np.mean(seg_pred == y))}
    for method, pred in (("vote", np.array(vote)), ("mean", np.array(mean))):
        out[method] = {
            "pred": pred, "track_accuracy": float(np.mean(pred == truth)),
            "macro_f1": float(f1_score(truth, pred, labels=labels, average="macro",
                                       zero_division=0)),
            "confusion": confusion_matrix(truth, pred, labels=labels).tolist()}
    return out


def _evaluate_json(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert main(["evaluate", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_train_with_no_test_set(cli_run, capsys) -> None:
    metrics = json.loads((cli_run / "metrics.json").read_text())
    assert metrics["test"] is None and metrics["n_tracks"]["test"] == 0
    assert metrics["n_tracks"]["train"] + metrics["n_tracks"]["valid"] == 30
    config = json.loads((cli_run / "config.json").read_text())
    assert config["seed"] == 1 and config["test_fraction"] == 0.0


def test_the_tiny_model_predicts_several_genres(direct) -> None:
    """The comparisons below lose their power when every track gets the same answer."""
    assert len(set(direct["vote"]["pred"].tolist())) >= 3, direct["vote"]["pred"]


def test_evaluate_json_equals_library_and_direct_computation(cli_run, tiny_synthetic, direct,
                                                             capsys) -> None:
    from genrelib.pipeline import evaluate_run

    record = _evaluate_json(capsys, str(cli_run), "--data", str(tiny_synthetic))
    assert record == evaluate_run(cli_run, tiny_synthetic, progress=False).to_dict()
    assert record["aggregation"] == "vote" and record["genres"] == direct["genres"]
    assert record["n_tracks"] == 30 and record["n_segments"] == direct["n_segments"] == 30 * 19
    assert record["segment_accuracy"] == pytest.approx(direct["segment_accuracy"])
    assert record["track_accuracy"] == pytest.approx(direct["vote"]["track_accuracy"])
    assert record["track_accuracy_vote"] == pytest.approx(direct["vote"]["track_accuracy"])
    assert record["track_accuracy_mean"] == pytest.approx(direct["mean"]["track_accuracy"])
    assert record["macro_f1"] == pytest.approx(direct["vote"]["macro_f1"])
    assert record["confusion"] == direct["vote"]["confusion"]
    # rows are the true genres: each sums to that genre's number of tracks in DATA
    assert dict(zip(record["genres"], map(sum, record["confusion"]))) == direct["per_genre_tracks"]
    assert {g: r["support"] for g, r in record["per_genre"].items()} == direct["per_genre_tracks"]


def test_evaluate_method_mean(cli_run, tiny_synthetic, direct, capsys) -> None:
    record = _evaluate_json(capsys, str(cli_run), "--data", str(tiny_synthetic), "--method", "mean")
    assert record["aggregation"] == "mean"
    assert record["track_accuracy"] == pytest.approx(direct["mean"]["track_accuracy"])
    assert record["macro_f1"] == pytest.approx(direct["mean"]["macro_f1"])
    assert record["confusion"] == direct["mean"]["confusion"]
    assert record["segment_accuracy"] == pytest.approx(direct["segment_accuracy"])


def test_evaluate_intervals_and_top_k_against_a_direct_computation(cli_run, tiny_synthetic,
                                                                    direct, capsys) -> None:
    """The added keys: bootstrap intervals over the 30 tracks (2,000 resamples, seed 0,
    95 %), top-2/top-3 accuracy from each track's mean probabilities."""
    from sklearn.metrics import top_k_accuracy_score

    from genrelib.evaluation import bootstrap_interval

    record = _evaluate_json(capsys, str(cli_run), "--data", str(tiny_synthetic))
    truth, pred = direct["truth"], direct["vote"]["pred"]
    rng = np.random.default_rng(0)
    correct = truth == pred
    accuracies = [correct[rng.integers(0, 30, size=30)].mean() for _ in range(2000)]
    assert record["track_accuracy_ci"] == pytest.approx(list(np.percentile(accuracies, [2.5, 97.5])))
    assert record["macro_f1_ci"] == pytest.approx(
        list(bootstrap_interval(truth, pred, metric="macro_f1", n_classes=10)))
    assert record["track_accuracy_ci"][0] < record["track_accuracy"] < record["track_accuracy_ci"][1]
    assert record["macro_f1_ci"][0] < record["macro_f1"] < record["macro_f1_ci"][1]
    assert record["bootstrap"] == {"n_resamples": 2000, "level": 0.95, "seed": 0}
    assert record["top_k_accuracy"] == {
        str(k): pytest.approx(top_k_accuracy_score(truth, direct["mean_probs"], k=k,
                                                   labels=list(range(10)))) for k in (2, 3)}
    assert record["track_accuracy"] < record["top_k_accuracy"]["3"]


def test_evaluate_text_report_equals_json(cli_run, tiny_synthetic, capsys) -> None:
    record = _evaluate_json(capsys, str(cli_run), "--data", str(tiny_synthetic))
    assert main(["evaluate", str(cli_run), "--data", str(tiny_synthetic)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert "SeenTracksWarning" not in captured.err and "warning:" not in captured.err  # the note says it once
    assert f"tracks: 30  segments: {30 * 19}" in lines
    assert f"track accuracy (vote): {record['track_accuracy']:.3f}" in lines
    assert f"segment accuracy: {record['segment_accuracy']:.3f}" in lines
    assert f"macro F1 (tracks): {record['macro_f1']:.3f}" in lines
    low, high = record["track_accuracy_ci"]
    assert f"track accuracy 95 % interval: [{low:.3f}, {high:.3f}]" in lines
    low, high = record["macro_f1_ci"]
    assert f"macro F1 95 % interval: [{low:.3f}, {high:.3f}]" in lines
    top_k = record["top_k_accuracy"]
    assert f"top-2 accuracy: {top_k['2']:.3f}  top-3 accuracy: {top_k['3']:.3f}" in lines
    # the run trained (20) and validated (10) on these very tracks; every genre has tracks
    assert [line for line in lines if line.startswith("note:")] == [
        "note: 30 of the 30 tracks are the run's own 20 training and 10 validation tracks (split.json): "
        "these scores are not a test; evaluate it on tracks it never saw (`--unseen` keeps only those, or give new "
        "music)"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[lines.index("") + 2:]}
    assert list(rows) == record["genres"]
    for genre, (precision, recall, f1, support) in rows.items():
        expected = record["per_genre"][genre]
        assert [float(precision), float(recall), float(f1)] == [
            pytest.approx(expected[k], abs=0.005) for k in ("precision", "recall", "f1")]
        assert int(support) == expected["support"] == 3


def test_evaluate_on_a_subset_of_the_genres(cli_run, tiny_synthetic, direct, tmp_path,
                                            capsys) -> None:
    """Two genre folders of the training data: the model's outputs stay, the names match."""
    subset = ("jazz", "rock")
    for genre in subset:
        (tmp_path / "genres").mkdir(exist_ok=True)
        (tmp_path / "genres" / genre).symlink_to(tiny_synthetic / "genres" / genre)
    record = _evaluate_json(capsys, str(cli_run), "--data", str(tmp_path))
    assert record["genres"] == direct["genres"] and record["n_tracks"] == 6
    assert [sum(row) for row in record["confusion"]] == [3 if g in subset else 0
                                                         for g in record["genres"]]
    keep = [i for i, t in enumerate(direct["tracks"]) if t.split(".")[0] in subset]
    truth, pred = direct["truth"][keep], direct["vote"]["pred"][keep]
    assert record["track_accuracy"] == pytest.approx(np.mean(truth == pred))
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (truth, pred), 1)
    assert record["confusion"] == expected.tolist()
    # The text report names the 8 genres without a track and the macro F1 over the other two.
    assert main(["evaluate", str(cli_run), "--data", str(tmp_path)]) == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if "genres have no track" in line]
    untested = [g for g in record["genres"] if g not in subset]
    tested_f1 = np.mean([record["per_genre"][g]["f1"] for g in subset])
    assert notes == [f"note: 8 of the model's 10 genres have no track in DATA ({', '.join(untested)}); "
                     f"the macro averages count their F1 as 0; macro F1 over the 2 genres with "
                     f"tracks: {tested_f1:.3f}"]
    assert record["macro_f1"] == pytest.approx(tested_f1 * 2 / 10)
    # Beside --json (stdout: the JSON object alone) the same note goes to stderr.
    assert main(["evaluate", str(cli_run), "--data", str(tmp_path), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["n_tracks"] == 6
    assert [line for line in captured.err.splitlines() if "genres have no track" in line] == notes


# --------------------------------------------------------------------------- user errors


@pytest.mark.parametrize("argv,message", [
    (["train", "/no/such/folder", "--out", "x"], "does not exist"),
    (["train", ".", "--out", "x", "--split", "kfold"], "--split: unknown split"),
    (["train", ".", "--out", "x", "--val-fraction", "0.6", "--test-fraction", "0.5"],
     "--val-fraction + --test-fraction must leave tracks for training"),
    (["train", ".", "--out", "x", "--seed", "-5"], "--seed must be an integer >= 0, got -5"),
    (["train", ".", "--out", "x", "--option", "kernel_size"], "KEY=VALUE"),
    (["train", ".", "--out", "x", "--epochs", "0"], "--epochs must be an integer >= 1, got 0"),
    (["train", ".", "--out", "x", "--epochs", "-3"], "--epochs must be an integer >= 1, got -3"),
    (["evaluate", "/no/such/run", "--data", "."], "not a run folder"),
    (["train", ".", "--out", "x", "--model", "logreg", "--epochs", "5", "--lr", "1e-2"],
     "--epochs, --lr: no effect on --model logreg, which scikit-learn fits once"),
    (["train", ".", "--out", "x", "--model", "vgg-probe", "--precision", "mixed"],
     "--precision: no effect on --model vgg-probe"),
])
def test_user_errors_are_reported(argv, message, capsys) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith(f"genrelib {argv[0]}: error: ")


def test_devices_is_refused_for_a_model_scikit_learn_fits_once(capsys) -> None:
    """--devices given for logreg is refused like the other epoch-training flags, naming it, before
    any data is read.

    Break tried: ("--devices", args.devices) dropped from _refuse_training_flags' list -> this
    test fails (main returns 0 or another error, not "--devices: no effect on --model logreg")."""
    assert main(["train", "/no/such/folder", "--out", "x", "--model", "logreg", "--devices", "2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("genrelib train: error: ")
    assert "--devices: no effect on --model logreg, which scikit-learn fits once" in err


@pytest.mark.parametrize("argv", [["train", ".", "--out", "x", "--aggregation", "median"],
                                  ["evaluate", ".", "--data", ".", "--method", "median"],
                                  ["compare", ".", ".", "--data", ".", "--method", "median"],
                                  ["reference", ".", "--runs", "r", "--records", "s", "--aggregation", "median"]])
def test_an_unknown_track_rule_is_refused_with_the_choices(argv, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "invalid choice: 'median' (choose from 'vote', 'mean', 'geometric')" in capsys.readouterr().err


def _bad_input(case: str, root, run, data) -> tuple[list[str], str]:
    """(genrelib evaluate arguments, expected message) for one bad input, built under root."""
    folder = root / case
    folder.mkdir()
    if case in ("text_model_in_run_folder", "zip_without_metadata", "metadata_without_model"):
        shutil.copy(run / "metrics.json", folder)  # a finished run's folder, its model broken
    if case == "text_model_in_run_folder":
        (folder / "model.keras").write_text("not a model")
        return [str(folder), "--data", str(data)], "is not a .keras model file (not a zip archive)"
    if case == "text_model_file":
        (folder / "model.keras").write_text("not a model")
        return [str(folder / "model.keras"), "--data", str(data)], "not a zip archive"
    if case == "zip_without_metadata":
        with zipfile.ZipFile(folder / "model.keras", "w") as archive:
            archive.writestr("config.json", "{}")
        return [str(folder), "--data", str(data)], "has no genrelib.json"
    if case == "metadata_without_model":
        with zipfile.ZipFile(folder / "model.keras", "w") as archive:
            archive.writestr("genrelib.json", (run / "config.json").read_text())
        return [str(folder), "--data", str(data)], "holds no model that genrelib can load"
    if case == "unfinished_run":  # a model but no metrics.json: training stopped early
        shutil.copy(run / "model.keras", folder)
        return [str(folder), "--data", str(data)], "holds an unfinished run (a model but no metrics.json"
    if case == "damaged_record":  # a whole run whose config.json was cut or edited badly
        shutil.copytree(run, folder, dirs_exist_ok=True)
        (folder / "config.json").write_text("{bad")
        return [str(folder), "--data", str(data)], f"{folder / 'config.json'} is damaged, not a JSON record"
    if case == "not_a_run_folder":
        (folder / "notes.txt").write_text("hello")
        return [str(folder), "--data", str(data)], "is not a run folder (no model.keras or model.skops)"
    if case == "data_is_a_file":  # one recording given where a dataset folder is asked for
        write_silent_wav(folder / "song.wav", 30.0)
        return [str(run), "--data", str(folder / "song.wav")], "is a file: give the folder of labelled tracks"
    if case == "data_missing":
        return [str(run), "--data", str(folder / "missing")], "does not exist"
    if case == "data_synthetic":  # train's built-in name is no dataset folder for evaluate
        return [str(run), "--data", "synthetic"], "give --data OUT"
    if case == "data_without_audio":
        (folder / "blues").mkdir()
        (folder / "blues" / "readme.txt").write_text("no audio here")
        return [str(run), "--data", str(folder)], "no labelled audio found"
    if case == "data_unreadable_audio":
        (folder / "blues").mkdir()
        (folder / "blues" / "blues.00000.wav").write_text("not audio")
        return [str(run), "--data", str(folder)], "no usable audio"
    if case == "data_too_short":
        write_silent_wav(folder / "blues" / "blues.00000.wav", 1.0)
        return [str(run), "--data", str(folder)], "no usable audio"
    if case == "unknown_genre":
        (folder / "jazz").symlink_to(data / "genres" / "jazz")
        write_silent_wav(folder / "polka" / "polka.00000.wav", 30.0)
        return [str(run), "--data", str(folder)], "not trained on: ['polka']"
    if case == "genre_in_other_case":  # a folder "Jazz" for the model's "jazz": say to rename it
        (folder / "Jazz").symlink_to(data / "genres" / "jazz")
        return [str(run), "--data", str(folder)], "the names differ in case only, rename the folders (Jazz -> jazz)"
    raise AssertionError(case)


EVALUATE_ERRORS = ["text_model_in_run_folder", "text_model_file", "zip_without_metadata",
                   "metadata_without_model", "unfinished_run", "damaged_record", "not_a_run_folder", "data_is_a_file", "data_missing",
                   "data_synthetic",
                   "data_without_audio", "data_unreadable_audio", "data_too_short",
                   "unknown_genre", "genre_in_other_case"]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("case", EVALUATE_ERRORS)
def test_evaluate_user_errors(case, cli_run, tiny_synthetic, tmp_path, capsys) -> None:
    argv, message = _bad_input(case, tmp_path, cli_run, tiny_synthetic)
    capsys.readouterr()
    assert main(["evaluate", *argv, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    *warned, error = captured.err.splitlines()  # a skipped file is named in a warning line first
    assert error.startswith("genrelib evaluate: error: ") and message in error
    assert all(line.startswith("genrelib evaluate: warning: ") for line in warned)


@pytest.mark.parametrize("case", ["unknown_genre", "metadata_without_model"])
def test_evaluate_user_errors_in_a_new_process(case, cli_run, tiny_synthetic, tmp_path) -> None:
    """As a user runs it: exit code 2, the message, no traceback."""
    argv, message = _bad_input(case, tmp_path, cli_run, tiny_synthetic)
    done = subprocess.run([sys.executable, "-m", "genrelib", "evaluate", *argv, "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""



def test_the_table_leaves_out_top_k_accuracies_a_model_cannot_miss() -> None:
    """A 2-genre model's top-2 and top-3 accuracy are 1.000 whatever it learned: the table
    leaves them out (--json keeps them); with 3 genres it shows top-2 only.

    Break tried: every k printed -> "top-3 accuracy: 1.000" for 2 genres."""
    import numpy as np

    from genrelib.commands.evaluate import format_result
    from genrelib.evaluation import evaluate_predictions

    for genres, shown in ((("jazz", "rock"), []), (("jazz", "pop", "rock"), ["top-2 accuracy"])):
        rng = np.random.default_rng(0)
        probs = rng.dirichlet(np.ones(len(genres)), size=12)
        labels, tracks = np.repeat(np.arange(6) % len(genres), 2), np.repeat([f"t{i}" for i in range(6)], 2)
        record = evaluate_predictions(probs, labels, tracks, genres=genres).to_dict()
        assert set(record["top_k_accuracy"]) == {"2", "3"}  # the JSON keeps them
        lines = [line for line in format_result(record).splitlines() if "top-" in line]
        assert [part.split(":")[0] for line in lines for part in line.split("  ")] == shown


def test_a_split_message_names_flags_only_where_the_command_has_them() -> None:
    """The split's "set valid_fraction/test_fraction to 0" reads as train's flags in `genrelib
    train` and says they are train_run's in a command without them (tune suggested flags it
    refuses). Break tried: _in_flag_words returning the message as it is -> both fail."""
    import argparse

    from genrelib.cli import _in_flag_words
    from genrelib.datasets import random_split
    from helpers import make_tracks

    with pytest.raises(ValueError) as raised:
        random_split(make_tracks(2, genres=("blues", "jazz")))
    message = str(raised.value)
    assert message.endswith("or set valid_fraction/test_fraction to 0.")
    train = _in_flag_words(message, argparse.Namespace(val_fraction=0.1, test_fraction=0.1))
    assert train.endswith("or set --val-fraction/--test-fraction to 0.")
    tune = _in_flag_words(message, argparse.Namespace(model="cnn"))
    assert "--val-fraction" not in tune.split("`genrelib train")[0]
    assert "(train_run's arguments, `genrelib train --val-fraction/--test-fraction`; this command has no such flags)" in tune


def test_a_genre_left_out_of_training_is_said_before_training(tiny_synthetic, tmp_path, module_cache, capsys) -> None:
    """An artist split on the mini set leaves blues out of training: the command says so on
    stderr before any feature or epoch (hours before the summary on a full run), and the
    summary says it again. Break tried: the warning filtered out (as before) -> stderr is silent."""
    from genrelib.datasets import index_dataset

    tracks = index_dataset(tiny_synthetic).tracks
    by_genre = tracks.groupby("genre")["relative_path"].apply(sorted)
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "my_train.txt").write_text("\n".join(p for g, paths in by_genre.items() if g != "blues"
                                                  for p in paths[:2]) + "\n")
    (lists / "my_test.txt").write_text("\n".join(list(by_genre["blues"]) + [by_genre["jazz"][2]]) + "\n")
    code = main(["train", str(tiny_synthetic), "--model", "logreg", "--split", f"lists:{lists}",
                 "--out", str(tmp_path / "run"), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "no training track of blues in the" in err, err
    assert "note: no training track of blues in this split" in out


def test_evaluate_unseen_keeps_only_the_tracks_no_run_trained_on(cli_run, tiny_synthetic, tmp_path, capsys) -> None:
    """A folder of 10 new tracks and 2 of the run's own training or validation tracks: --unseen
    scores the 10 (matched by content, as seen_in_training matches: a renamed copy still
    counts); on the run's own folder alone nothing is left, and it says so. Break tried: the
    filter skipped -> 12 tracks and a seen-in-training note."""
    from genrelib.datasets.synthetic import generate_synthetic_gtzan

    fresh = generate_synthetic_gtzan(tmp_path / "fresh", tracks_per_genre=1, seconds=30.0, seed=7)
    mix = tmp_path / "mix"
    for track in sorted(fresh.rglob("*.wav")):
        (mix / track.parent.name).mkdir(parents=True, exist_ok=True)
        (mix / track.parent.name / track.name).symlink_to(track)
    for genre in ("blues", "jazz"):  # a renamed copy of one of the run's tracks each
        own = sorted((tiny_synthetic / "genres" / genre).glob("*.wav"))[0]
        (mix / genre / f"copy-{own.name}").symlink_to(own)
    assert main(["evaluate", str(cli_run), "--data", str(mix), "--json"]) == 0
    assert sum(json.loads(capsys.readouterr().out)["seen_in_training"].values()) == 2  # train or valid
    assert main(["evaluate", str(cli_run), "--data", str(mix), "--unseen", "--json"]) == 0
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["n_tracks"] == 10 and "seen_in_training" not in record
    assert "--unseen: 10 tracks of" in captured.err
    assert main(["evaluate", str(cli_run), "--data", str(tiny_synthetic), "--unseen"]) == 2
    assert "no track is left to test on" in capsys.readouterr().err


def test_options_are_read_as_json_with_their_keys_stripped() -> None:
    """``--option`` KEY=VALUE: the key without surrounding spaces, the value as JSON when it
    parses (else the text, ``=`` in it kept); no key is a usage error. Break tried: the key
    kept with its spaces; ``=5`` accepted as the option ""."""
    from genrelib.commands.train import parse_options
    from genrelib.errors import UserError

    assert parse_options([" kernel_size =5", "rnn=lstm", "filters=[4, 8]", "note=a=b"]) == {
        "kernel_size": 5, "rnn": "lstm", "filters": [4, 8], "note": "a=b"}
    for bad in ("=5", "kernel_size"):
        with pytest.raises(UserError, match=f"--option needs KEY=VALUE, got '{bad}'"):
            parse_options([bad])


def test_train_passes_overwrite_and_the_seed_of_the_synthetic_set(tmp_path, monkeypatch) -> None:
    """``--overwrite`` reaches train_run; DATA "synthetic" is the built-in set of the profile
    and the seed given. Break tried: overwrite=False; the seed left out -> seed 0's set."""
    import genrelib.datasets as datasets
    from genrelib import pipeline

    seen: dict = {}
    monkeypatch.setattr(datasets, "resolve_data_dir",
                        lambda data, **kw: seen.update(resolve=kw) or tmp_path)
    monkeypatch.setattr(pipeline, "train_run",
                        lambda data, spec, **kw: seen.update(data=data, **kw))
    monkeypatch.setattr(pipeline, "describe_run", lambda result: "")
    assert main(["train", "synthetic", "--out", str(tmp_path / "run"), "--seed", "3", "--overwrite",
                 "--quiet"]) == 0
    assert seen["resolve"] == {"profile": "quick", "seed": 3}
    assert seen["data"] == tmp_path and seen["overwrite"] is True
    assert main(["train", str(tmp_path), "--out", str(tmp_path / "run"), "--quiet"]) == 0
    assert seen["data"] == str(tmp_path) and seen["overwrite"] is False
