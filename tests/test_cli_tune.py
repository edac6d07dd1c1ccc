"""``genrelib tune``'s own checks and outputs (genrelib.commands.tune) with the training replaced
by a fake that scores a configuration by its kernel size (tests/test_tuning.py tests the sweep
and search themselves; its end-to-end test trains)."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("keras")

from genrelib.cli import main  # noqa: E402
from genrelib.tuning.trials import SweepContext  # noqa: E402

TINY = ["--option", "filters=[4,8]", "--option", "dense_units=16"]


@pytest.fixture()
def trained(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The settings of each (fake) training, in order; a kernel size of 7 is a Ctrl-C."""
    calls: list[dict[str, Any]] = []

    def train(ctx: SweepContext, settings: dict, seed: int) -> dict:
        kernel = settings["options"]["kernel_size"]
        if kernel == 7:
            raise KeyboardInterrupt
        calls.append(settings)
        score = kernel / 10 + seed / 100
        return {"valid": {"track_accuracy": score, "segment_accuracy": score},
                "test": {"track_accuracy": 1 - score}, "valid_tracks": None, "epochs": 1,
                "best_epoch": 1, "seconds": 1.0, "seconds_per_epoch": 1.0, "train_segments": 100,
                "parameters": 10, "device": "CPU (2 cores)", "finished": "now",
                "run_dir": "runs/fake"}

    monkeypatch.setattr(SweepContext, "train", train)
    return calls


@pytest.mark.parametrize("extra, message", [
    (["--seeds", "0"], "--seeds must be >= 1, got 0"),
    (["--budget", "0"], "--budget must be >= 1, got 0"),
    (["--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["--factor", "kernel_size", "--values", "3", "--factor", "kernel_size"],
     "--factor kernel_size is given twice"),
])
def test_bad_counts_and_a_factor_given_twice_are_refused(extra, message, tmp_path, trained,
                                                         capsys) -> None:
    """Each is one error line, exit 2, before any data is read or trial trained. Break tried:
    ``< 0`` for each count; the twice check dropped -> the last values silently win."""
    out = tmp_path / "sweep"
    assert main(["tune", str(tmp_path), "--model", "cnn", "--out", str(out), *extra]) == 2
    assert capsys.readouterr().err == f"genrelib tune: error: {message}\n"
    assert trained == [] and not out.exists()


def test_values_given_twice_for_one_factor_are_refused(tmp_path, capsys) -> None:
    """``--factor kernel_size --values 3 --values 5``: the second --values has no factor of its
    own; a usage error, not the first values replaced."""
    with pytest.raises(SystemExit) as stop:
        main(["tune", str(tmp_path), "--model", "cnn", "--out", str(tmp_path / "sweep"),
              "--factor", "kernel_size", "--values", "3", "--values", "5"])
    assert stop.value.code == 2
    assert "--values must follow the --factor it belongs to" in capsys.readouterr().err


def test_a_budget_alone_runs_the_search_and_quiet_reports_nothing(tiny_synthetic, tmp_path, trained,
                                                                 capsys) -> None:
    """--budget implies --search (its JSON has "search"); --quiet keeps stderr empty, without
    it each trial is reported there; the table says the choice and the search. Break tried:
    ``if args.search`` alone -> no search; the report always on -> lines on stderr."""
    out = tmp_path / "sweep"
    argv = ["tune", str(tiny_synthetic), "--model", "cnn", "--out", str(out),
            "--factor", "kernel_size", "--values", "3,5", *TINY]
    assert main([*argv, "--budget", "2", "--json", "--quiet"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert captured.err == "" and result["chosen"] == {"kernel_size": 5}
    assert result["records"] == str(out / "trials.jsonl")
    assert result["search"]["budget"] == 2 and result["search"]["best"] == {"kernel_size": 5}
    assert result["search"]["trainings"] == 2 == result["search"]["from_sweep"]  # both the sweep's
    assert len(trained) == 2  # the sweep's two trials, read back by the search
    assert main([*argv, "--budget", "2"]) == 0
    out_text, err = capsys.readouterr()
    assert err != "" and len(trained) == 2  # reported on stderr; every trial finished before
    lines = out_text.splitlines()
    assert "chosen on validation accuracy: kernel_size=5" in lines
    assert ("joint search (2 trials, 2 trainings, 2 of them the sweep's): best kernel_size=5, "
            "valid accuracy 0.500") in lines
    assert lines[-1] == f"records: {out / 'trials.jsonl'}"


def test_an_interrupted_sweep_says_how_to_resume_and_exits_130(tiny_synthetic, tmp_path, trained,
                                                               capsys) -> None:
    """Ctrl-C during a trial: one line naming the folder where the finished trials are kept,
    exit 130 (as a shell reports SIGINT). Break tried: exit 1."""
    out = tmp_path / "sweep"
    assert main(["tune", str(tiny_synthetic), "--model", "cnn", "--out", str(out),
                 "--factor", "kernel_size", "--values", "3,7", "--quiet", *TINY]) == 130
    assert capsys.readouterr().err == (f"interrupted: the finished trials are recorded in {out}; "
                                       "run the same command again to resume\n")
    assert len(trained) == 1
