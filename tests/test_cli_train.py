"""``genrelib train`` / ``genrelib evaluate`` end to end on tiny synthetic data, and the
real-data proof: CNN and CRNN (quick profile, random split) clearly above chance."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("keras")

from genrelib.cli import main  # noqa: E402

TINY_CNN = ["--option", "filters=[8,8,16,16,16]", "--option", "dense_units=16"]


@pytest.fixture(scope="module")
def cli_run(tiny_synthetic, tmp_path_factory, monkeypatch_module):
    out = tmp_path_factory.mktemp("cli") / "run"
    code = main(["train", str(tiny_synthetic), "--model", "cnn", "--profile", "quick",
                 "--out", str(out), "--epochs", "1", "--seed", "1", "--split", "random",
                 "--val-fraction", "0.34", "--test-fraction", "0", "--quiet", *TINY_CNN])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def monkeypatch_module(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GENREBOOK_CACHE", str(tmp_path_factory.mktemp("cache")))
    yield mp
    mp.undo()


def test_train_with_no_test_set(cli_run, capsys) -> None:
    metrics = json.loads((cli_run / "metrics.json").read_text())
    assert metrics["test"] is None and metrics["n_tracks"]["test"] == 0
    assert metrics["n_tracks"]["train"] + metrics["n_tracks"]["valid"] == 30
    config = json.loads((cli_run / "config.json").read_text())
    assert config["seed"] == 1 and config["test_fraction"] == 0.0


def test_evaluate_json_has_the_promised_keys(cli_run, tiny_synthetic, capsys) -> None:
    capsys.readouterr()
    assert main(["evaluate", str(cli_run), "--data", str(tiny_synthetic), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    for key in ("track_accuracy", "segment_accuracy", "macro_f1", "per_genre", "confusion"):
        assert key in record
    assert record["n_tracks"] == 30 and record["n_segments"] == 30 * 19
    assert sum(map(sum, record["confusion"])) == 30
    assert 0.0 <= record["track_accuracy"] <= 1.0


def test_evaluate_text_report(cli_run, tiny_synthetic, capsys) -> None:
    assert main(["evaluate", str(cli_run), "--data", str(tiny_synthetic)]) == 0
    out = capsys.readouterr().out
    assert "track accuracy" in out and "classical" in out


@pytest.mark.parametrize("argv,message", [
    (["train", "/no/such/folder", "--out", "x"], "does not exist"),
    (["train", ".", "--out", "x", "--split", "kfold"], "--split: unknown split"),
    (["train", ".", "--out", "x", "--val-fraction", "0.6", "--test-fraction", "0.5"], "leave tracks"),
    (["train", ".", "--out", "x", "--option", "kernel_size"], "KEY=VALUE"),
    (["evaluate", "/no/such/run", "--data", "."], "not a run folder"),
])
def test_user_errors_are_reported(argv, message, capsys) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# --------------------------------------------------------------------------- real data


@pytest.mark.slow
@pytest.mark.realdata
@pytest.mark.parametrize("model", ["cnn", "crnn"])
def test_quick_profile_beats_chance_on_real_gtzan(model, gtzan_mini, tmp_path, monkeypatch) -> None:
    """80 real GTZAN tracks, random track split (20 test tracks): quick profile (3 epochs).

    Chance is 10 %; under chance P(>= 6 of 20 right) is about 1 %.
    """
    from genrelib.pipeline import train_run

    result = train_run(gtzan_mini, model=model, profile="quick", out_dir=tmp_path / model, seed=0,
                       split="random", valid_fraction=0.1, test_fraction=0.25, verbose=0)
    assert result.test is not None and len(result.test.track_ids) == 20
    assert result.test.track_accuracy >= 0.3, result.metrics["test"]
