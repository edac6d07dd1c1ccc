"""``genrelib evaluate``'s own checks and outputs (genrelib.commands.evaluate.run_evaluate) with
the scoring replaced: no model is trained or loaded here (tests/test_cli_train.py and
tests/test_compare.py evaluate trained runs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import genrelib.pipeline as pipeline
import genrelib.runs as runs
from genrelib.cli import main
from genrelib.commands import console
from genrelib.evaluation import evaluate_predictions


def _record() -> dict[str, Any]:
    """An evaluation of 4 tracks of two genres (every one right), 2 of them the run's own
    training tracks."""
    y = np.array([0, 0, 1, 1])
    record = evaluate_predictions(np.eye(2)[y] * 0.8 + 0.1, y, ["j1", "j2", "r1", "r2"],
                                  genres=("jazz", "rock")).to_dict()
    return {**record, "seen_in_training": {"train": 2}}


class _Scored:
    """What evaluate_run/evaluate_runs return, as far as the command reads it."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def to_dict(self) -> dict[str, Any]:
        return self.record


@pytest.fixture()
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run folders cnn/ and logreg/ (model files never read), a DATA folder, and scoring that
    records its arguments under "asked"; the model kinds come from the folder names."""
    made: dict[str, Any] = {"asked": [], "data": str(tmp_path / "data")}
    (tmp_path / "data").mkdir()
    for kind, name in (("cnn", "model.keras"), ("logreg", "model.skops")):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / name).write_bytes(b"never read")
        made[kind] = str(tmp_path / kind)

    def evaluate_run(run_dir, data, **kwargs) -> _Scored:
        made["asked"].append(kwargs)
        return _Scored(_record())

    def evaluate_runs(run_dirs, data, **kwargs) -> _Scored:
        made["asked"].append(kwargs)
        return _Scored({"members": {Path(d).name: _record() for d in run_dirs},
                        "ensemble": {**_record(), "ensemble_level": "segment"}})

    monkeypatch.setattr(pipeline, "evaluate_run", evaluate_run)
    monkeypatch.setattr(pipeline, "evaluate_runs", evaluate_runs)
    monkeypatch.setattr(runs, "read_model_metadata", lambda run: {"model_kind": Path(run).name})
    monkeypatch.setattr(console, "progress_bars", lambda quiet=False: True)  # as on a terminal
    return made


def test_a_file_that_is_no_model_file_is_no_run(fake, tmp_path, capsys) -> None:
    """A recording given where a run is asked for is refused by name, as a folder without a
    model is. Break tried: any existing file accepted -> it reaches the scoring."""
    song = tmp_path / "song.wav"
    song.write_bytes(b"RIFF")
    assert main(["evaluate", str(song), "--data", fake["data"]]) == 2
    assert capsys.readouterr().err == (f"genrelib evaluate: error: {song} is not a run folder "
                                       "(no model.keras or model.skops): train one with "
                                       "`genrelib train`\n")
    assert fake["asked"] == []


def test_hop_is_refused_below_one_and_for_classical_runs_alone(fake, capsys) -> None:
    """--hop 0 is refused; --hop on logreg alone does nothing, refused; beside a deep run it
    applies to that run and is passed on. Break tried: ``< 0``; ``any`` classical refused."""
    assert main(["evaluate", fake["cnn"], "--data", fake["data"], "--hop", "0"]) == 2
    assert "--hop must be a number of frames >= 1, got 0" in capsys.readouterr().err
    assert main(["evaluate", fake["logreg"], "--data", fake["data"], "--hop", "16"]) == 2
    assert capsys.readouterr().err.startswith(
        "genrelib evaluate: error: --hop 16: no effect on a logreg run")
    assert fake["asked"] == []
    assert main(["evaluate", fake["cnn"], fake["logreg"], "--data", fake["data"], "--hop", "16",
                 "--json"]) == 0
    assert fake["asked"] == [{"method": None, "progress": False, "hop_frames": 16}]
    assert list(json.loads(capsys.readouterr().out)) == ["members", "ensemble"]


@pytest.mark.parametrize("several", [False, True])
def test_json_draws_no_progress_bar_and_puts_the_notes_on_stderr(fake, several, capsys) -> None:
    """Beside --json no bar is drawn even on a terminal and the notes go to stderr; the
    summary has bars and holds its notes, stderr stays empty. Break tried: ``progress=
    progress_bars()`` -> bars beside --json; the notes always on stderr -> said twice."""
    run_dirs = [fake["cnn"], fake["logreg"]] if several else [fake["cnn"]]
    assert main(["evaluate", *run_dirs, "--data", fake["data"], "--json"]) == 0
    out, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if line.startswith("note: 2 of the 4 tracks are ")]
    assert notes and notes == err.splitlines() and len(notes) == len(run_dirs)
    assert main(["evaluate", *run_dirs, "--data", fake["data"], "--method", "mean"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and all(note in out.splitlines() for note in notes)
    assert [(a["progress"], a["method"]) for a in fake["asked"]] == [(False, None), (True, "mean")]
