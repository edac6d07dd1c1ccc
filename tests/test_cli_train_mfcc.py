"""``genrelib train --n-mfcc 13|20``: the study's two MFCC counts from the command line, kept
with the run so that ``evaluate`` reads the same features; refused for models that read none."""

from __future__ import annotations

import json

import pytest

from genrelib.cli import main
from genrelib.config import FeatureConfig


def test_n_mfcc_sets_the_mfccs_of_the_rnn_and_of_the_statistics() -> None:
    """rnn reads 13 MFCCs per frame, logreg/svm 13 MFCCs among their statistics; no flag: the default."""
    from genrelib.commands.train import _features_with_mfccs

    assert _features_with_mfccs("rnn", 13) == FeatureConfig(kind="mfcc", n_mfcc=13)
    assert _features_with_mfccs("svm", 13) == FeatureConfig(kind="stats", n_mfcc=13)
    assert _features_with_mfccs("rnn", None) is None


@pytest.mark.parametrize(("model", "reads"), [("cnn", "log-mel spectrograms"), ("crnn", "log-mel spectrograms"),
                                               ("vgg-probe", "a pretrained tagger's input")])
def test_n_mfcc_is_refused_for_a_model_that_reads_no_mfccs(model, reads, capsys) -> None:
    """One error line naming the model, what it reads and the remedy, before any data is read."""
    assert main(["train", "/no/such/folder", "--model", model, "--n-mfcc", "13", "--out", "x"]) == 2
    err = capsys.readouterr().err
    assert f"--n-mfcc: no effect on --model {model}, which reads {reads}, not MFCCs" in err
    assert "train rnn, logreg or svm" in err and "Traceback" not in err


def test_n_mfcc_outside_the_studys_two_is_refused(capsys) -> None:
    """argparse names the choices."""
    with pytest.raises(SystemExit) as exit_:
        main(["train", "/no/such/folder", "--model", "rnn", "--n-mfcc", "12", "--out", "x"])
    assert exit_.value.code == 2
    assert "invalid choice: 12 (choose from 13, 20)" in capsys.readouterr().err


def test_a_logreg_run_with_13_mfccs_keeps_them_for_evaluate(tiny_synthetic, tmp_path, module_cache,
                                                             capsys) -> None:
    """The run records 13 MFCCs (76 statistics per segment), and evaluate on other data reads the
    run's features, not the default 20 (a model of 76 inputs given 90 would fail)."""
    run = tmp_path / "run"
    assert main(["train", str(tiny_synthetic), "--model", "logreg", "--n-mfcc", "13",
                 "--val-fraction", "0.34", "--test-fraction", "0", "--out", str(run), "--quiet"]) == 0
    config = json.loads((run / "config.json").read_text())
    assert config["feature_config"] == FeatureConfig(kind="stats", n_mfcc=13).to_dict()
    assert FeatureConfig(kind="stats", n_mfcc=13).n_features == 76
    capsys.readouterr()
    assert main(["evaluate", str(run), "--data", str(tiny_synthetic), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["n_tracks"] == 30 and 0.0 <= record["track_accuracy"] <= 1.0
