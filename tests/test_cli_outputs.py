"""Where commands write (genrelib.commands.outputs): a bad --out (an existing file, a
read-only place, a file on the way) is one line naming the path and the cause, exit 2, for
every command that writes, with nothing created; a failed command leaves no empty folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from genrelib.cli import main

FOLDER_OUTPUTS = {  # every command that writes a folder: its arguments, {out} the folder
    "features": ["features", "{data}", "--out", "{out}"],
    "train": ["train", "{data}", "--out", "{out}"],
    "tune": ["tune", "{data}", "--model", "cnn", "--out", "{out}"],
    "reference --runs": ["reference", "{data}", "--runs", "{out}", "--records", "{tmp}/records"],
    "reference --records": ["reference", "{data}", "--runs", "{tmp}/runs", "--records", "{out}"],
    "predict --timeline": ["predict", "{model}", "{audio}", "{audio}", "--timeline", "{out}"],
    "data synth": ["data", "synth", "{out}", "--tracks-per-genre", "1"],
    "data fetch": ["data", "fetch", "gtzan", "{out}", "--url", "http://127.0.0.1:9/genres.tar.gz"],
    "book": ["book", "--out", "{out}", "--no-html"],
}
FILE_OUTPUTS = {
    "predict --csv": ["predict", "{model}", "{audio}", "--csv", "{out}"],
    "predict --timeline": ["predict", "{model}", "{audio}", "--timeline", "{out}"],  # a folder is fine
}


@pytest.fixture()
def read_only(tmp_path) -> Path:
    """A folder nobody here can write in: a chmod 555 folder, or /sys when running as root."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o555)
        yield folder
        folder.chmod(0o755)
        return
    try:
        tempfile.TemporaryFile(dir="/sys").close()
    except OSError:
        yield Path("/sys")
        return
    pytest.skip("no read-only folder: running as root and /sys is writable")


def places(tmp_path: Path, read_only: Path, kind: str) -> dict[str, tuple[Path, str]]:
    """Bad places for an output of ``kind``: (path, what the message must say)."""
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("not a folder")
    (tmp_path / "a-folder.csv").mkdir()
    if kind == "folder":
        return {"existing file": (a_file, "exists and is a file, not a folder"),
                "read-only": (read_only / "genrelib-out" / "x", f"cannot write in {read_only} ("),
                "file on the way": (a_file / "sub", f"{a_file} is a file, not a folder")}
    return {"existing folder": (tmp_path / "a-folder.csv", "is a folder, not a file"),
            "read-only": (read_only / "x.png", f"cannot write in {read_only} ("),
            "no folder": (tmp_path / "none" / "x.png", "its folder")}


def run_bad_place(tmp_path, read_only, capsys, argv: list[str], kind: str, *, skip: str = "") -> None:
    data, model = tmp_path / "data", tmp_path / "model"
    data.mkdir()
    model.mkdir()
    (model / "model.keras").write_bytes(b"not loaded: the output is checked first")
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"")
    for name, (out, cause) in places(tmp_path, read_only, kind).items():
        if name == skip:
            continue
        before = sorted(tmp_path.rglob("*"))
        names = {"data": data, "model": model, "audio": audio, "out": out, "tmp": tmp_path}
        capsys.readouterr()
        code = main([a.format(**names) for a in argv])
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert code == 2 and captured.out == "", (name, captured)
        assert len(lines) == 1 and lines[0].startswith(f"genrelib {argv[0]}: error: "), (name, lines)
        assert str(out) in lines[0] and cause in lines[0], (name, lines[0])
        assert sorted(tmp_path.rglob("*")) == before, f"{name}: something was created"


@pytest.mark.parametrize("command", sorted(FOLDER_OUTPUTS))
def test_a_bad_output_folder_is_one_line_and_exit_2(tmp_path, read_only, capsys, command):
    run_bad_place(tmp_path, read_only, capsys, FOLDER_OUTPUTS[command], "folder")


@pytest.mark.parametrize("command", sorted(FILE_OUTPUTS))
def test_a_bad_output_file_is_one_line_and_exit_2(tmp_path, read_only, capsys, command):
    skip = "existing folder" if "--timeline" in command else ""  # one figure per file goes there
    run_bad_place(tmp_path, read_only, capsys, FILE_OUTPUTS[command], "file", skip=skip)


def test_a_failed_command_leaves_no_empty_folder_but_keeps_what_it_wrote(tmp_path, monkeypatch, capsys):
    from genrelib.datasets import synthetic

    def fails(out, **_):
        (Path(out) / "genres" / "blues").mkdir(parents=True)
        raise ValueError("generation failed")

    monkeypatch.setattr(synthetic, "generate_synthetic_gtzan", fails)
    out = tmp_path / "new" / "deeper" / "synthetic"
    assert main(["data", "synth", str(out), "--tracks-per-genre", "1"]) == 2
    assert "generation failed" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()  # every folder the command made, and only those
    existing = tmp_path / "existing"
    existing.mkdir()
    assert main(["data", "synth", str(existing), "--tracks-per-genre", "1"]) == 2
    assert existing.is_dir()  # it was there before: never removed

    def half_done(out, **_):
        (Path(out) / "genres").mkdir(parents=True)
        (Path(out) / "genres" / "written.wav").write_bytes(b"RIFF")
        raise PermissionError(13, "Permission denied", str(Path(out) / "genres" / "next.wav"))

    monkeypatch.setattr(synthetic, "generate_synthetic_gtzan", half_done)
    capsys.readouterr()
    assert main(["data", "synth", str(out), "--tracks-per-genre", "1"]) == 2
    err = capsys.readouterr().err
    assert err == f"genrelib data: error: {out / 'genres' / 'next.wav'}: Permission denied\n"
    assert (out / "genres" / "written.wav").is_file()  # what was written stays


def test_a_timeline_folder_of_a_failed_predict_is_removed(tmp_path, capsys):
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.keras").write_text("not a zip")
    figures = tmp_path / "figures"
    assert main(["predict", str(model / "model.keras"), str(tmp_path), "--timeline", str(figures)]) == 2
    assert "not a .keras model file" in capsys.readouterr().err
    assert not figures.exists()


def _data_check_process(tmp_path: Path, stdout) -> subprocess.Popen:
    """``python -m genrelib data check`` of a three-clip folder in a new process (its stdout the
    caller's)."""
    import numpy as np
    import soundfile as sf

    for i in range(3):
        (tmp_path / "rock").mkdir(exist_ok=True)
        sf.write(tmp_path / "rock" / f"rock.0000{i}.wav", np.full(4 * 22_050, 0.1), 22_050)
    return subprocess.Popen([sys.executable, "-m", "genrelib", "data", "check", str(tmp_path)],
                            stdout=stdout, stderr=subprocess.PIPE, text=True)


def test_a_closed_pipe_stops_a_command_quietly(tmp_path: Path) -> None:
    """``genrelib ... | head -1``: the reader leaves before the command writes; no traceback,
    exit 141 (128 + SIGPIPE) as a Unix tool stopped by the pipe."""
    process = _data_check_process(tmp_path, subprocess.PIPE)
    process.stdout.close()  # before the command (a new Python process) has written a line
    err = process.stderr.read()
    assert process.wait(timeout=120) == 141 and err == "", err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_an_output_that_cannot_be_written_is_one_error_line(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        process = _data_check_process(tmp_path, full)
        err = process.stderr.read()
    assert process.wait(timeout=120) == 1
    assert err == "genrelib data: error: writing its output: No space left on device\n", err


def test_a_new_folder_holding_only_a_link_to_a_folder_is_kept(tmp_path) -> None:
    """After a failed command an output folder it created is removed only when it holds no
    file; a symbolic link (even one to a folder) counts as content and keeps it.

    Break tried: count only non-folders as files -> the folder with its link is removed.
    """
    from genrelib.commands import outputs

    target = tmp_path / "elsewhere"
    (target / "inner").mkdir(parents=True)
    out = tmp_path / "runs" / "new"
    outputs.start()
    outputs.check_output(out, outputs.FOLDER, "--out")
    out.mkdir(parents=True)
    (out / "link").symlink_to(target, target_is_directory=True)
    assert outputs.remove_empty_created() == []
    assert (out / "link").is_symlink() and (target / "inner").is_dir()
    outputs.check_output(tmp_path / "runs" / "empty" / "sub", outputs.FOLDER, "--out")
    (tmp_path / "runs" / "empty" / "sub").mkdir(parents=True)
    assert outputs.remove_empty_created() == [tmp_path / "runs" / "empty" / "sub", tmp_path / "runs" / "empty"]
