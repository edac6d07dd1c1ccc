"""What commands print (genrelib.commands.console): no TensorFlow C++ line on stderr, each of
genrelib's warnings once as one line, other libraries quiet unless --verbose; progress bars
on a terminal only, at most one line per finished epoch in a log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import soundfile as sf

from genrelib.cli import main
from genrelib.commands import console

ROOT = Path(__file__).resolve().parents[1]
#: Lines TensorFlow 2.21 writes on stderr when it starts and trains (absl's format).
NATIVE = [
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
    b"I0000 00:00:1796364091.975155   25247 port.cc:153] oneDNN custom operations are on. You may "
    b"see slightly different numerical results due to floating-point round-off errors.\n",
    b"I0000 00:00:1796364092.023980   25247 cpu_feature_guard.cc:227] This TensorFlow binary is "
    b"optimized to use available CPU instructions in performance-critical operations.\n"
    b"To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    b"TensorFlow with the appropriate compiler flags.\n",
    b"E0000 00:00:1796362142.838404    7494 node_def_util.cc:682] NodeDef mentions attribute "
    b"use_unbounded_threadpool which is not in the op definition: Op<name=MapDataset>\n",
    b"W0520 12:34:56.789012  123 local.cc:9] a warning with a clock time\n",
    # libmpg123 (libsndfile's MP3 decoder) on a cut or damaged MP3
    b"[src/libmpg123/layer3.c:INT123_do_layer3():1774] error: part2_3_length (960) too large for "
    b"available bit count (936)\n",
    b"Note: Illegal Audio-MPEG-Header 0x00000000 at offset 13213.\nNote: Trying to resync...\n"
    b"Note: Skipped 1024 bytes in input.\nNote: Hit end of (available) data during resync.\n",
    b"Warning: Xing stream size off by more than 1%, fuzzy seeking may be even more fuzzy than by design!\n",
]
OURS = [b"genrelib predict: /music/a.wav: truncated: 1.0 of 2.0 seconds\n",
        b"\rpredict:  50%|#####     | 1/2 [00:02<00:02]\rpredict: 100%|##########| 2/2\n",
        b"Indexing 3 files: a line of our own that starts as a log line could\n",
        b"Illegal instruction (a crash message of another library)\n",
        b"F0000 00:00:1.0 1 fatal.cc:1] a fatal error stays\n",
        b"[1/3] a bracketed line of another kind stays\n",
        b"Note: a note of another kind stays\n",
        b"Warning: another library's warning stays\n"]
TF_LINE = re.compile(r"^[IWE]\d{4} |absl::InitializeLog|oneDNN|use_unbounded_threadpool|cpu_feature_guard",
                     re.MULTILINE)


@pytest.mark.parametrize("size", [1, 5, 64, 4096])
def test_native_log_lines_are_dropped_and_the_rest_passes_unchanged(size):
    stream = b"".join(line for pair in zip(NATIVE, OURS) for line in pair)
    native = console.NativeLogFilter()
    out = b"".join(native.feed(stream[i:i + size]) for i in range(0, len(stream), size)) + native.flush()
    assert out == b"".join(OURS)


def test_an_unfinished_line_of_our_own_is_not_held_back():
    native = console.NativeLogFilter()
    assert native.feed(b"\rpredict:  10%|#") == b"\rpredict:  10%|#"  # a progress bar, at once
    assert native.feed(b"I00") == b""  # could still be a log line: waits for the rest
    assert native.feed(b"ndexed 3 files\n") == b"I00ndexed 3 files\n"


def warn_twice() -> None:
    from genrelib.features import SkippedClipWarning

    warnings.warn("skipped clip a.wav: too short", SkippedClipWarning)
    warnings.warn("skipped clip a.wav: too short", SkippedClipWarning)  # another line: shown again by Python
    warnings.warn("a library's own warning", UserWarning)


def test_genrelib_warnings_print_once_without_source_lines_and_others_not(capsys):
    with console.quiet_console("evaluate"):
        warn_twice()
    assert capsys.readouterr().err == "genrelib evaluate: warning: skipped clip a.wav: too short\n"
    with console.quiet_console("evaluate", verbose=True), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_twice()  # --verbose: Python's own handling, every warning
    assert [w.category.__name__ for w in caught] == ["SkippedClipWarning"] * 2 + ["UserWarning"]
    assert capsys.readouterr().err == ""


def test_the_console_shows_every_genrelib_warning_by_its_class(capsys):
    """What counts as genrelib's is the class (GenrelibWarning), not the module it is defined
    in: cross-validation's missing tracks and a split's tracks without features were plain
    UserWarnings, dropped by the console.

    Break tried: the module test (``category.__module__.startswith("genrelib")``) -> the
    subclass defined here is dropped."""
    from genrelib.errors import GenrelibWarning

    class Elsewhere(GenrelibWarning):
        pass

    with console.quiet_console("evaluate"):
        warnings.warn("3 of the 30 tracks the folds tested are not in DATA", GenrelibWarning)
        warnings.warn("defined outside genrelib", Elsewhere)
    assert capsys.readouterr().err == ("genrelib evaluate: warning: 3 of the 30 tracks the folds tested are not in DATA\n"
                                       "genrelib evaluate: warning: defined outside genrelib\n")


def test_progress_is_bars_on_a_terminal_and_lines_in_a_log(monkeypatch):
    def terminal(out: bool, err: bool) -> None:
        monkeypatch.setattr(sys, "stdout", SimpleNamespace(isatty=lambda: out))
        monkeypatch.setattr(sys, "stderr", SimpleNamespace(isatty=lambda: err))

    terminal(True, True)
    assert console.training_verbosity(False) == 1 and console.progress_bars()
    assert console.training_verbosity(True) == 0 and not console.progress_bars(quiet=True)
    for out, err in ((False, True), (True, False), (False, False)):  # Keras draws on stdout, tqdm on stderr
        terminal(out, err)
        assert console.training_verbosity(False) == "table"
        assert console.training_verbosity(False, in_a_log=0) == 0
    assert not console.progress_bars()



def test_bars_follow_stderr_alone(monkeypatch) -> None:
    """Bars are drawn exactly when stderr (tqdm's stream) is a terminal, whatever stdout is."""
    for out, err in ((True, False), (False, True)):
        monkeypatch.setattr(sys, "stdout", SimpleNamespace(isatty=lambda out=out: out))
        monkeypatch.setattr(sys, "stderr", SimpleNamespace(isatty=lambda err=err: err))
        assert console.progress_bars() is err


def test_a_log_line_left_unfinished_at_the_end_is_dropped_and_ours_kept() -> None:
    """At the end (``flush``) a held line without its newline is dropped when it is a native
    log line and written when it is not. Break tried: flush returning what it held -> the
    TensorFlow line is written."""
    native = console.NativeLogFilter()
    assert native.feed(NATIVE[1].rstrip(b"\n")) == b""
    assert native.flush() == b""
    assert native.feed(b"I00") == b"" and native.flush() == b"I00"  # our own "I00...", at the end


def test_the_console_restores_the_log_levels_and_keeps_a_users_tf_setting(monkeypatch) -> None:
    """quiet_console puts the libraries' loggers back to their own levels when the command ends
    (a notebook calling main() keeps TensorFlow's log records) and sets TF_CPP_MIN_LOG_LEVEL
    only when unset. Break tried: no restore -> ERROR stays; assigning it -> the user's 0 lost."""
    import logging

    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    monkeypatch.setattr(logging.getLogger("tensorflow"), "level", logging.INFO)
    with console.quiet_console("train"):
        assert logging.getLogger("tensorflow").level == logging.ERROR
    assert logging.getLogger("tensorflow").level == logging.INFO
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"

def test_train_tune_and_reference_pass_the_verbosity_of_their_terminal(tmp_path, monkeypatch):
    from genrelib import pipeline, tuning
    from genrelib.commands import tune

    seen = {}
    monkeypatch.setattr(pipeline, "train_run", lambda *a, **k: seen.setdefault("train", k["verbose"]))
    monkeypatch.setattr(pipeline, "describe_run", lambda result: "")
    monkeypatch.setattr(pipeline, "cross_validate", lambda *a, **k: seen.setdefault("cv", k["verbose"]) and 1 / 0)
    monkeypatch.setattr(tuning, "run_sweep", lambda *a, **k: seen.setdefault("tune", k["verbose"]) and 1 / 0)
    fake = lambda quiet, in_a_log="table": ("V", quiet, in_a_log)  # noqa: E731
    monkeypatch.setattr(console, "training_verbosity", fake)
    monkeypatch.setattr(tune, "training_verbosity", fake)
    (tmp_path / "data").mkdir()
    data = str(tmp_path / "data")
    assert main(["train", data, "--out", str(tmp_path / "run")]) == 0
    with pytest.raises(ZeroDivisionError):
        main(["tune", data, "--model", "cnn", "--out", str(tmp_path / "sweep"), "--quiet"])
    with pytest.raises(ZeroDivisionError):
        main(["reference", data, "--runs", str(tmp_path / "r"), "--records", str(tmp_path / "rec"),
              "--models", "cnn", "--protocols", "kfold"])
    assert seen == {"train": ("V", False, "table"), "tune": ("V", True, 0), "cv": ("V", False, "table")}


# --------------------------------------------------------------------------- the real thing


def genrelib(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``genrelib ARGV`` in a new process with stdout and stderr piped (not a terminal)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", **(env or {})}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return subprocess.run([sys.executable, "-m", "genrelib", *argv], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """(data, run, the train process): a CNN trained for one epoch on 2 tracks per genre, 6 s."""
    base = tmp_path_factory.mktemp("console")
    data, run = base / "data", base / "run"
    env = {"GENREBOOK_CACHE": str(base / "cache")}
    assert genrelib("data", "synth", str(data), "--tracks-per-genre", "2", "--seconds", "6", env=env).returncode == 0
    trained = genrelib("train", str(data), "--out", str(run), "--epochs", "2", "--val-fraction", "0.5",
                       "--test-fraction", "0", "--option", "filters=[4,8]", "--option", "dense_units=8",
                       env=env)
    assert trained.returncode == 0, trained.stderr
    return data, run, trained


@pytest.mark.slow
def test_train_and_predict_print_no_tensorflow_line(tiny_run, tmp_path):
    data, run, trained = tiny_run
    assert not TF_LINE.search(trained.stderr), trained.stderr
    epochs = [line for line in trained.stdout.splitlines() if re.match(r"^\s+\d+\s+\d", line)]
    assert len(epochs) == 2 and "\r" not in trained.stdout + trained.stderr  # one line per epoch, no bars
    song = tmp_path / "song.wav"
    sf.write(song, 0.1 * np.random.default_rng(0).standard_normal(4 * 22050), 22050)
    predicted = genrelib("predict", str(run), str(song), str(song))
    assert predicted.returncode == 0 and "(1 segments)" in predicted.stdout
    assert predicted.stderr == "", predicted.stderr  # no TensorFlow line, no progress bar in a log
    verbose = genrelib("predict", str(run), str(song), "--verbose")
    assert TF_LINE.search(verbose.stderr), "--verbose shows TensorFlow's lines"


@pytest.mark.slow
def test_evaluate_prints_a_skipped_clip_once_as_one_line(tiny_run, tmp_path):
    data, run, _ = tiny_run
    short = data / "genres" / "blues" / "blues.short.wav"
    sf.write(short, np.full(22050, 0.01), 22050)  # 1 s: shorter than one segment
    try:
        evaluated = genrelib("evaluate", str(run), "--data", str(data))
    finally:
        short.unlink()
    assert evaluated.returncode == 0, evaluated.stderr
    lengths, skipped = evaluated.stderr.splitlines()  # each once, as one line
    assert skipped == (f"genrelib evaluate: warning: skipped clip {short}: the clip lasts 1.00 s, shorter than one "
                       "segment (3 s); use longer audio (in Python: or a shorter FeatureConfig.segment_seconds; "
                       "`genrelib tune` varies it)")
    assert lengths.startswith("genrelib evaluate: warning: 20 of 20 clips (blues/blues.00000.wav, ") \
        and " and 17 more) are shorter than the 30 s" in lengths  # the first three named
    assert "note: 1 clip of DATA is left out, not scored (named above" in evaluated.stdout
