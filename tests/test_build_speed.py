"""The appendix on training speed (genrelib.build.speed): records read, tables and figure
computed from them, GPU rows said to be missing until a record from a GPU exists, bad
records named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from genrelib.build.speed import FULL_COMMAND, load_speed_records, speed_page

CPU = {"backend": "jax", "keras": "3.15.1", "device": "CPU (2 cores)", "date": "2026-11-26"}
LOOP_ROWS = [
    {"model": "cnn", "loop": "genrelib", "train_segments": 1368, "first_epoch_s": 20.5,
     "s_per_epoch": 12.25, "ms_per_segment": 8.95, "s_per_epoch_gtzan": 122.5},  # an older record's scale: recomputed
    {"model": "cnn", "loop": "plain", "train_segments": 1368, "first_epoch_s": 19.0,
     "s_per_epoch": 13.75, "ms_per_segment": 10.05, "s_per_epoch_gtzan": 137.5},
]
FULL_ROW = {"model": "crnn", "options": {"conv_blocks": 2}, "batch_size": 128, "precision": "mixed",
            "learning_rate": 0.004, "devices": {"count": 1, "kind": "cpu"}, "train_segments": 456,
            "epochs_run": 7, "best_epoch": 5, "fit_s": 61.3, "run_s": 64.0, "first_epoch_s": 20.1,
            "s_per_epoch": 6.5, "data_wait_fraction": 0.0123, "test_segment_accuracy": 0.8,
            "test_track_accuracy": 0.9333}


def _write(folder: Path, name: str, env: dict, **rows) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps({"environment": env, **rows}))


def test_records_are_read_with_their_machine(tmp_path: Path) -> None:
    _write(tmp_path, "training-loop-cpu.json", CPU, results=LOOP_ROWS)
    _write(tmp_path, "training-full-cpu.json", CPU, full=[FULL_ROW])
    (tmp_path / "notes.json").write_text("{}")  # not a training record: ignored
    loops, full = load_speed_records(tmp_path)
    assert loops["s_per_epoch"].tolist() == [12.25, 13.75]
    # "at GTZAN size": scaled to the study's 15,200 training segments, whatever the record says
    assert loops["s_per_epoch_gtzan"].tolist() == [round(12.25 * 15_200 / 1368, 1), round(13.75 * 15_200 / 1368, 1)]
    assert set(loops["device"]) == {"CPU (2 cores)"} and set(loops["record"]) == {"training-loop-cpu.json"}
    assert full.loc[0, "options"] == "conv_blocks=2" and full.loc[0, "device_count"] == 1


def test_the_page_is_computed_from_the_records(tmp_path: Path) -> None:
    _write(tmp_path, "training-loop-cpu.json", CPU, results=LOOP_ROWS)
    _write(tmp_path, "training-full-cpu.json", CPU, full=[FULL_ROW], data={"tracks": 30})
    page = speed_page(tmp_path, figure=tmp_path / "speed.png")
    assert "| 2026-11-26 | CPU (2 cores) | jax | cnn | genrelib | 1368 | 20.5 | 12.25 | 136.1 |" in page
    assert "to the 15,200 training" in page
    # the synthetic set's size and the epochs that ran, from the record (the page said "the
    # full profile ... of the synthetic GTZAN" for a 100-track run capped at 4 epochs)
    assert "| 2026-11-26 | CPU (2 cores) | jax | crnn | conv_blocks=2 | 128 | mixed | 0.004 | 1 | 30 | 456 | 7 | 61.3 | 6.5 | 1.2 % | 93.3 % |" in page
    assert "a synthetic GTZAN of `tracks` tracks; a record may cap the epochs" in page
    assert "![Training speed from the benchmark records](speed.png)" in page
    assert "- `training-loop-cpu.json`: CPU (2 cores), Keras 3.15.1 on jax, 2026-11-26; conditions not recorded." in page
    assert (tmp_path / "speed.png").stat().st_size > 10_000
    assert "Not measured yet" in page and FULL_COMMAND in page  # every record is a CPU's


def test_a_gpu_record_replaces_the_not_measured_note(tmp_path: Path) -> None:
    _write(tmp_path, "training-full-h100.json", {**CPU, "device": "GPU (NVIDIA H100 80GB HBM3)"},
           full=[FULL_ROW])
    page = speed_page(tmp_path)
    assert "NVIDIA H100" in page and "Not measured yet" not in page
    assert "![" not in page  # no figure asked for


def test_no_records_still_gives_a_page(tmp_path: Path) -> None:
    page = speed_page(tmp_path / "none")
    assert page.startswith("# Appendix: training speed") and "Not measured yet" in page


def test_a_broken_record_is_named(tmp_path: Path) -> None:
    (tmp_path / "training-x.json").write_text('{"results": []}')
    with pytest.raises(ValueError, match=r"training-x.json: not a bench_training.py record"):
        load_speed_records(tmp_path)
    (tmp_path / "training-x.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"training-x.json"):
        load_speed_records(tmp_path)


def test_the_committed_records_make_a_page() -> None:
    """The records in benchmarks/records/ are readable and hold CPU rows of every Keras model."""
    loops, full = load_speed_records()
    assert {"cnn", "crnn"} <= set(loops["model"]) and not full.empty


def test_a_broken_record_is_refused_with_the_remedy(tmp_path: Path) -> None:
    """The error on a broken record says how to write it again."""
    (tmp_path / "training-x.json").write_text('{"results": []}')
    remedy = r"rewrite it with `python benchmarks/bench_training\.py \.\.\. --json FILE`"
    with pytest.raises(ValueError, match=remedy):
        load_speed_records(tmp_path)


def test_the_records_list_says_how_loaded_each_machine_was(tmp_path: Path) -> None:
    """A record's load average before the run (or its conditions) is said beside it."""
    _write(tmp_path, "training-loop-a.json", {**CPU, "load_average_before": 1.5}, results=LOOP_ROWS)
    _write(tmp_path, "training-loop-b.json", {**CPU, "conditions": "an idle machine"},
           results=LOOP_ROWS)
    page = speed_page(tmp_path)
    assert "- `training-loop-a.json`: CPU (2 cores), Keras 3.15.1 on jax, 2026-11-26; " \
           "load average 1.5 before the run." in page
    assert "- `training-loop-b.json`: CPU (2 cores), Keras 3.15.1 on jax, 2026-11-26; " \
           "an idle machine." in page


def test_one_gpu_record_among_cpu_ones_replaces_the_not_measured_note(tmp_path: Path) -> None:
    """The GPU note goes once any record, loop or full run, comes from a GPU."""
    _write(tmp_path, "training-loop-cpu.json", CPU, results=LOOP_ROWS)
    _write(tmp_path, "training-loop-h100.json", {**CPU, "device": "GPU (NVIDIA H100 80GB HBM3)"},
           results=LOOP_ROWS)
    assert "Not measured yet" not in speed_page(tmp_path)


def test_a_full_run_without_a_device_count_ran_on_one_device(tmp_path: Path) -> None:
    """``devices`` left out of a full run's row: one device."""
    row = {key: value for key, value in FULL_ROW.items() if key != "devices"}
    _write(tmp_path, "training-full-cpu.json", CPU, full=[row])
    assert load_speed_records(tmp_path)[1].loc[0, "device_count"] == 1


def test_a_record_without_date_or_keras_version_is_read_and_listed(tmp_path: Path) -> None:
    """A record's ``date`` and ``keras`` are optional: rows get "" and the list says so."""
    env = {key: value for key, value in CPU.items() if key not in ("date", "keras")}
    _write(tmp_path, "training-loop-cpu.json", env, results=LOOP_ROWS)
    loops, _ = load_speed_records(tmp_path)
    assert loops["date"].tolist() == ["", ""]
    assert "- `training-loop-cpu.json`: CPU (2 cores), Keras ? on jax, undated; " \
           "conditions not recorded." in speed_page(tmp_path)


def test_a_record_that_is_not_an_object_is_named(tmp_path: Path) -> None:
    """A JSON list (not a record) is refused naming the file, like any broken record."""
    (tmp_path / "training-x.json").write_text("[]")
    with pytest.raises(ValueError, match=r"training-x.json: not a bench_training.py record"):
        load_speed_records(tmp_path)


def test_a_full_runs_options_are_listed_by_name(tmp_path: Path) -> None:
    """Options appear sorted by name, whatever order the record keeps them in."""
    _write(tmp_path, "training-full-cpu.json", CPU,
           full=[{**FULL_ROW, "options": {"dropout": 0.3, "conv_blocks": 2}}])
    assert load_speed_records(tmp_path)[1].loc[0, "options"] == "conv_blocks=2, dropout=0.3"


def test_no_records_make_no_figure_and_no_records_section(tmp_path: Path) -> None:
    """Without records the page asks for them: no figure saved or shown, no empty list."""
    page = speed_page(tmp_path / "none", figure=tmp_path / "speed.png")
    assert not (tmp_path / "speed.png").exists() and "![" not in page
    assert "## The records" not in page


@pytest.mark.parametrize("device", ["NVIDIA H100 80GB HBM3", "gpu (NVIDIA L4)"])
def test_a_gpu_named_by_its_card_or_in_lower_case_replaces_the_note(tmp_path: Path,
                                                                    device: str) -> None:
    """A record from a GPU counts whether its device says "GPU" or only names the card."""
    _write(tmp_path, "training-loop-gpu.json", {**CPU, "device": device}, results=LOOP_ROWS)
    assert "Not measured yet" not in speed_page(tmp_path)
