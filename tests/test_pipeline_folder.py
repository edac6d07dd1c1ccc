"""genrelib.pipeline.folder: writing a run folder safely (issue 21, items 2 and 8).

A new run is trained in a hidden ``.<name>.partial`` folder and moved into place only when
complete; a finished run is replaced only with ``overwrite=True`` (or ``reuse=True`` when its
settings differ), a killed retraining leaves it intact, a folder of other files is refused,
and a finished run keeps no checkpoint. ``reuse=True`` loads a finished run made with the same
settings. Tests copy the session's ``tiny_run`` before touching it.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import tiny_spec

pytest.importorskip("keras")

import genrelib.pipeline.run as run_module  # noqa: E402
from genrelib import runs  # noqa: E402
from genrelib.pipeline import ReplacedRunWarning, RunFolderError, train_run  # noqa: E402
from genrelib.pipeline import folder as F  # noqa: E402


def _train(index, cache: Path, out_dir: Path, **changes):
    """train_run of ``helpers.tiny_spec(**changes)`` (reuse/overwrite given as changes too)."""
    flags = {k: changes.pop(k) for k in ("reuse", "overwrite") if k in changes}
    return train_run(index, tiny_spec(**changes), out_dir=out_dir, cache_dir=cache, verbose=0, **flags)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _partial(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.partial"


@pytest.fixture
def copied_run(tiny_run, tmp_path) -> Path:
    """A copy of the tiny run's folder (file times kept)."""
    return Path(shutil.copytree(tiny_run.run_dir, tmp_path / "run"))


@pytest.fixture
def fit_calls(monkeypatch) -> list:
    """The run_dir of every call train_run makes to fit_model (each call still trains)."""
    calls: list = []
    real = run_module.training.fit_model

    def counting(*args, **kwargs):
        calls.append(kwargs.get("run_dir"))
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module.training, "fit_model", counting)
    return calls


# --------------------------------------------------------------------------- reuse


@pytest.mark.slow
def test_reuse_loads_the_identical_finished_run_without_fitting(tiny_run, copied_run, tiny_index, tiny_cache,
                                                                  fit_calls) -> None:
    """reuse=True with the same settings loads the run: no fit, same model file, history, metrics."""
    model_file = copied_run / runs.MODEL_FILE
    stamp, content = model_file.stat().st_mtime_ns, model_file.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ReplacedRunWarning)  # nothing replaced, nothing said
        result = _train(tiny_index, tiny_cache, copied_run, reuse=True)
    assert fit_calls == []
    assert model_file.stat().st_mtime_ns == stamp and model_file.read_bytes() == content
    pd.testing.assert_frame_equal(result.history, pd.read_csv(tiny_run.run_dir / runs.HISTORY_FILE))
    assert result.metrics == tiny_run.metrics
    assert runs.load_json(copied_run / runs.METRICS_FILE) == tiny_run.metrics.to_dict()
    for a, b in zip(result.model.get_weights(), tiny_run.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


CHANGES = [{"epochs": 2}, {"options": {"filters": (4, 8), "dense_units": 16}}, {"seed": 1},
           {"split": "artist"}]


@pytest.mark.slow
@pytest.mark.parametrize("change", CHANGES, ids=["epochs", "dense_units", "seed", "split"])
def test_reuse_retrains_when_a_setting_changed(change: dict, copied_run, tiny_index, tiny_cache,
                                                fit_calls) -> None:
    """reuse=True retrains (in the partial folder) and replaces the run when the epochs, a
    model option, the seed or the split differ, with a ReplacedRunWarning naming the change.

    Break tried: finished_run without its warning -> no ReplacedRunWarning."""
    (key, value), = change.items()
    named = {"epochs": "train_config", "options": "model_options", "seed": "seed", "split": "split"}[key]
    with pytest.warns(ReplacedRunWarning, match=rf"{copied_run}: the finished run there was made with another "
                                                rf".*\b{named}\b.*give another out_dir to keep both"):
        result = _train(tiny_index, tiny_cache, copied_run, reuse=True, **change)
    assert fit_calls == [_partial(copied_run)]
    config = runs.load_json(copied_run / runs.CONFIG_FILE)
    stored = {"epochs": config["train_config"]["epochs"], "seed": config["seed"],
              "split": config["split"], "options": config["model_options"]}
    if key == "options":
        assert stored["options"]["dense_units"] == 16 == result.config.model_options["dense_units"]
    else:
        assert stored[key] == value
    assert result.metrics.epochs_run == config["train_config"]["epochs"]
    assert not _partial(copied_run).exists()


@pytest.mark.slow
def test_run_without_metrics_is_never_reused(copied_run, tiny_index, tiny_cache, fit_calls) -> None:
    """A run folder whose metrics.json is missing (unfinished) is retrained, not loaded."""
    (copied_run / runs.METRICS_FILE).unlink()
    _train(tiny_index, tiny_cache, copied_run, reuse=True)
    assert fit_calls == [_partial(copied_run)]
    assert (copied_run / runs.METRICS_FILE).is_file()


# --------------------------------------------------------------------------- replacing a run


@pytest.mark.slow
def test_a_finished_run_is_refused_without_overwrite(copied_run, tiny_index, tiny_cache, fit_calls,
                                                     monkeypatch) -> None:
    """Training into a finished run without overwrite (or reuse) raises RunFolderError (a
    ValueError, one line) before any data is read, and leaves every file as it was.

    Break tried: refuse_to_replace allowing a finished run -> the run is replaced; the
    refusal only after the features (as before) -> capped_index is called; the CLI's
    "--out" in the message (as before) -> its start is not Python's "run folder"."""
    before = _files(copied_run)

    def no_data(*args, **kwargs):
        raise AssertionError("the data was read before the refusal")

    monkeypatch.setattr(run_module, "capped_index", no_data)
    with pytest.raises(RunFolderError, match=r"holds a finished run: pass --overwrite") as error:
        _train(tiny_index, tiny_cache, copied_run, seed=1)
    assert isinstance(error.value, ValueError) and "\n" not in str(error.value)
    assert str(error.value).startswith(f"run folder {copied_run} ")  # Python's words, not the CLI's --out
    assert fit_calls == [] and _files(copied_run) == before
    assert sorted(p.name for p in copied_run.parent.iterdir()) == ["run"]  # no partial folder


@pytest.mark.slow
def test_overwrite_replaces_a_finished_run(copied_run, tiny_index, tiny_cache, fit_calls) -> None:
    """overwrite=True trains in the partial folder (a stale one, left by a killed process, is
    cleared first) and then replaces the run; nothing else is left beside it."""
    before = _files(copied_run)
    stale = _partial(copied_run)
    stale.mkdir()
    (stale / runs.HISTORY_FILE).write_text("epoch,loss\n1,9.9\n")
    result = _train(tiny_index, tiny_cache, copied_run, seed=1, overwrite=True)
    assert fit_calls == [stale]
    after = _files(copied_run)
    assert sorted(after) == sorted(runs.run_files("cnn"))
    assert after[runs.SPLIT_FILE] != before[runs.SPLIT_FILE]  # seed 1: another split
    assert runs.load_json(copied_run / runs.CONFIG_FILE)["seed"] == 1 == result.config.seed
    assert result.run_dir == copied_run
    assert sorted(p.name for p in copied_run.parent.iterdir()) == ["run"]


@pytest.mark.slow
@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_a_killed_retraining_leaves_the_old_run_intact(error, copied_run, tiny_index, tiny_cache,
                                                       monkeypatch) -> None:
    """A retraining that dies midway (after writing its history and checkpoint, as Keras'
    callbacks do) leaves the finished run byte for byte as it was, still reusable, and no
    partial folder.

    Break tried: folder.writing yielding out_dir itself (training in place, as before) ->
    history.csv is overwritten and the checkpoint left in the run; writing() without its
    cleanup on error -> the .run.partial folder stays."""
    before = _files(copied_run)
    seen: list[Path] = []

    def dies(*args, run_dir, **kwargs):
        seen.append(Path(run_dir))
        (Path(run_dir) / runs.HISTORY_FILE).write_text("epoch,loss\n1,9.9\n")  # CSVLogger's work
        (Path(run_dir) / runs.CHECKPOINT_FILE).write_bytes(b"half a checkpoint")
        raise error("killed during training")

    monkeypatch.setattr(run_module.training, "fit_model", dies)
    with pytest.raises(error, match="killed"):
        _train(tiny_index, tiny_cache, copied_run, seed=1, overwrite=True)
    with pytest.raises(error, match="killed"):
        _train(tiny_index, tiny_cache, copied_run, reuse=True, epochs=2)
    assert seen == [_partial(copied_run)] * 2
    assert _files(copied_run) == before
    assert sorted(p.name for p in copied_run.parent.iterdir()) == ["run"]
    reused = _train(tiny_index, tiny_cache, copied_run, reuse=True)  # same settings: no fit
    assert reused.metrics.to_dict() == runs.load_json(copied_run / runs.METRICS_FILE)


def test_a_folder_of_other_files_is_refused(tiny_index, tiny_cache, tmp_path) -> None:
    """A folder holding files that are not a run's is never trained into, whatever the flags."""
    out = tmp_path / "notes"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    (out / "sub").mkdir()
    (out / "sub" / "data.csv").write_text("a,b\n")
    before = _files(out)
    for flags in ({}, {"overwrite": True}, {"reuse": True}):
        with pytest.raises(RunFolderError, match=r"the folder holds other files \(2\), not a genrelib run"):
            _train(tiny_index, tiny_cache, out, **flags)
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


def test_an_out_dir_that_is_a_file_is_refused(tiny_index, tmp_path) -> None:
    (tmp_path / "run").write_text("a file")
    with pytest.raises(RunFolderError, match="a file is there, not a folder"):
        train_run(tiny_index, tiny_spec(), out_dir=tmp_path / "run", verbose=0)
    assert (tmp_path / "run").read_text() == "a file"


# --------------------------------------------------------------------------- the checkpoint


@pytest.mark.slow
def test_a_finished_run_keeps_no_checkpoint(tiny_run, tiny_index, tiny_cache, tmp_path, monkeypatch) -> None:
    """fit_model writes checkpoint.weights.h5 into the folder it trains in (the partial
    folder); the finished run holds only the run files (model.keras has the best weights).

    Break tried: folder.writing without the checkpoint's unlink -> the finished run keeps it."""
    assert sorted(p.name for p in tiny_run.run_dir.iterdir()) == sorted(runs.run_files("cnn"))
    during: list[set[str]] = []
    real = run_module.training.fit_model

    def watching(*args, run_dir, **kwargs):
        history = real(*args, run_dir=run_dir, **kwargs)
        during.append({p.name for p in Path(run_dir).iterdir()})
        return history

    monkeypatch.setattr(run_module.training, "fit_model", watching)
    out = tmp_path / "run"
    _train(tiny_index, tiny_cache, out)
    assert during and runs.CHECKPOINT_FILE in during[0]
    assert sorted(p.name for p in out.iterdir()) == sorted(runs.run_files("cnn"))


# --------------------------------------------------------------------------- the helpers alone


def test_writing_moves_a_complete_run_into_place_and_drops_a_failed_one(tmp_path) -> None:
    """folder.writing: the block writes into ``.<name>.partial``; on success it replaces
    out_dir (checkpoint dropped, no ``.old`` left), on an error out_dir is untouched and the
    partial folder removed."""
    out = tmp_path / "run"
    out.mkdir()
    (out / runs.METRICS_FILE).write_text('{"old": true}')
    with pytest.raises(KeyboardInterrupt):
        with F.writing(out, keep=False) as work:
            assert work == _partial(out) and work.is_dir()
            (work / runs.METRICS_FILE).write_text('{"new": true}')
            raise KeyboardInterrupt
    assert _files(tmp_path) == {"run/metrics.json": b'{"old": true}'}
    with F.writing(out, keep=False) as work:
        (work / runs.METRICS_FILE).write_text('{"new": true}')
        (work / runs.CHECKPOINT_FILE).write_bytes(b"weights")
        assert (out / runs.METRICS_FILE).read_text() == '{"old": true}'  # not replaced yet
    assert _files(tmp_path) == {"run/metrics.json": b'{"new": true}'}
    with F.writing(out, keep=True) as work:  # a reused run: its records rewritten in place
        assert work == out


def test_is_finished_and_refuse_to_replace_on_handmade_folders(tmp_path) -> None:
    finished = tmp_path / "finished"
    finished.mkdir()
    (finished / runs.SKOPS_MODEL_FILE).write_bytes(b"model")
    (finished / runs.METRICS_FILE).write_text("{}")
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / runs.MODEL_FILE).write_bytes(b"model")
    (unfinished / runs.HISTORY_FILE).write_text("epoch\n")
    assert F.is_finished(finished) and not F.is_finished(unfinished)
    assert not F.is_finished(tmp_path / "missing")
    F.refuse_to_replace(tmp_path / "missing", allowed=False)
    (tmp_path / "empty").mkdir()
    F.refuse_to_replace(tmp_path / "empty", allowed=False)
    F.refuse_to_replace(unfinished, allowed=False)  # a dead run's leftovers may be replaced
    F.refuse_to_replace(finished, allowed=True)
    with pytest.raises(RunFolderError, match="holds a finished run"):
        F.refuse_to_replace(finished, allowed=False)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "photo.jpg").write_bytes(b"jpg")
    with pytest.raises(RunFolderError, match="holds other files"):
        F.refuse_to_replace(tmp_path / "other", allowed=True)


def test_a_run_names_the_code_it_loaded_not_the_files_edited_since(monkeypatch) -> None:
    """A long `genrelib reference` keeps training the code it imported; files edited meanwhile
    must not be what its records name (genrelib_source).

    Break tried: run_versions computing source_digest() when it saves -> the edited digest."""
    from genrelib.pipeline import folder
    from genrelib.provenance import source_digest

    loaded = folder.run_versions()["genrelib_source"]
    assert loaded == folder.LOADED_SOURCE == source_digest()[:16]  # nothing edited yet
    monkeypatch.setattr(folder, "source_digest", lambda *a, **k: "0" * 64)  # the files change on disk
    assert folder.run_versions()["genrelib_source"] == loaded
