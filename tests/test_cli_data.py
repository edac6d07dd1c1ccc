"""``genrelib data check`` and ``genrelib data synth``: output, exit codes, speed-critical imports."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from genrelib.cli import main
from genrelib.datasets import index_dataset, random_split

RATE = 8000


def write_tone(path: Path, *, seconds: float = 0.25, freq: float = 440.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * RATE)) / RATE
    sf.write(path, 0.3 * np.sin(2 * np.pi * freq * t), RATE, subtype="PCM_16")
    return path


@pytest.fixture()
def dataset(tmp_path) -> Path:
    """tmp/genres/{blues,jazz}/<g>.0000{0,1}.wav and tmp/md5.csv listing them."""
    rows = []
    for genre in ("blues", "jazz"):
        for i in range(2):
            rel = f"genres/{genre}/{genre}.{i:05d}.wav"
            write_tone(tmp_path / rel, seconds=3.5, freq=300.0 + 10 * i + (50 if genre == "jazz" else 0))
            rows.append({"track_id": f"{genre}.{i:05d}", "relative_path": rel,
                         "md5": hashlib.md5((tmp_path / rel).read_bytes()).hexdigest()})
    pd.DataFrame(rows).to_csv(tmp_path / "md5.csv", index=False)
    return tmp_path


def check_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["data", "check", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_check_clean_dataset_json(dataset, capsys):
    code, report = check_json(capsys, str(dataset), "--checksums", str(dataset / "md5.csv"))
    assert code == 0
    assert report["tracks"] == 4 and isinstance(report["tracks"], int)
    assert report["per_genre"] == {"blues": 2, "jazz": 2}
    assert report["unreadable"] == [] and report["checksum_mismatches"] == []
    assert report["missing"] == [] and report["not_in_manifest"] == []
    assert report["verified"] == 4 and report["layout"] == "gtzan-wav"


def test_check_without_manifest_and_human_output(dataset, capsys):
    assert main(["data", "check", str(dataset / "genres")]) == 0
    out = capsys.readouterr().out
    assert "tracks: 4 readable (blues 2, jazz 2)" in out
    assert out.strip().endswith("OK, but 2 genre(s) with too few tracks to split and 1 note(s) on what training would warn of or refuse (above)")  # 3.5 s clips


def test_check_names_genres_too_small_for_trains_split_and_still_exits_0(dataset, capsys):
    """A genre of 2 tracks cannot be split into train, validation and test (one each): train
    refuses it. The check says so before anyone trains (it said "OK"); the files are fine, so
    the exit code stays 0. Break tried: genres_below returning {} -> "OK" and no FEW TRACKS."""
    write_tone(dataset / "genres" / "jazz" / "jazz.00002.wav", seconds=3.5)
    code, report = check_json(capsys, str(dataset))
    assert code == 0 and report["few_tracks"] == {"blues": 2}
    assert main(["data", "check", str(dataset)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "FEW TRACKS blues: 2 tracks, fewer than the 3 a train/validation/test split needs (one in " \
           "each): train refuses the folder until that genre has more tracks or its folder is moved out" in lines
    assert lines[-1] == "OK, but 1 genre(s) with too few tracks to split and 1 note(s) on what training would warn of or refuse (above)"
    with pytest.raises(ValueError, match="'blues' has 2"):  # the rule the line speaks for
        random_split(index_dataset(dataset))
    write_tone(dataset / "genres" / "blues" / "blues.00002.wav", seconds=3.5)
    code, report = check_json(capsys, str(dataset))
    assert report["few_tracks"] == {}
    random_split(index_dataset(dataset))


def test_check_names_clips_too_short_to_use_and_still_exits_0(dataset, capsys):
    """A readable clip shorter than one 3 s segment is skipped by every other command: the
    check names it (it is not an error: the file is fine, only short)."""
    write_tone(dataset / "genres" / "jazz" / "jazz.00002.wav", seconds=1.0)
    code, report = check_json(capsys, str(dataset))
    assert code == 0 and report["tracks"] == 5
    assert report["too_short"] == [{"relative_path": "jazz/jazz.00002.wav", "duration": 1.0}]
    assert main(["data", "check", str(dataset)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "TOO SHORT jazz/jazz.00002.wav: 1.00 s, less than one 3 s segment: features, train, evaluate and " \
           "predict skip it" in lines
    assert lines[-1] == ("OK, but 1 clip(s) too short to use and 1 genre(s) with too few tracks to split"
                         " and 1 note(s) on what training would warn of or refuse (above)")


def test_check_reports_unreadable_and_exits_1(dataset, capsys):
    (dataset / "genres" / "jazz" / "jazz.00054.wav").write_bytes(b"\x00garbage" * 500)
    code, report = check_json(capsys, str(dataset))
    assert code == 1
    assert report["tracks"] == 4
    [bad] = report["unreadable"]
    assert bad["path"].endswith("jazz.00054.wav") and bad["reason"]
    assert main(["data", "check", str(dataset)]) == 1
    captured = capsys.readouterr()
    assert "UNREADABLE jazz/jazz.00054.wav" in captured.out and "PROBLEMS" in captured.out
    assert "Warning" not in captured.err  # reported once, in the report


def test_check_names_truncated_files_and_decodes_every_frame(dataset, capsys):
    wav = dataset / "genres" / "blues" / "blues.00001.wav"
    write_tone(wav, seconds=2.0)
    wav.write_bytes(wav.read_bytes()[:wav.stat().st_size // 2])
    flac = write_tone(dataset / "genres" / "jazz" / "jazz.00002.flac", seconds=2.0)
    flac.write_bytes(flac.read_bytes()[:flac.stat().st_size // 2])
    damaged = bytearray(write_tone(dataset / "genres" / "jazz" / "jazz.00003.flac", seconds=2.0).read_bytes())
    at = int(len(damaged) * 0.3)
    damaged[at:at + 500] = bytes(500)  # the probe (first and last blocks) passes: only a full decode fails
    (dataset / "genres" / "jazz" / "jazz.00003.flac").write_bytes(bytes(damaged))
    code, report = check_json(capsys, str(dataset))
    assert code == 1
    reasons = {Path(u["path"]).name: u["reason"] for u in report["unreadable"]}
    assert set(reasons) == {"blues.00001.wav", "jazz.00002.flac", "jazz.00003.flac"}
    assert reasons["blues.00001.wav"].startswith("truncated: 1.0 of 2.0 seconds")
    assert all(r.startswith("truncated: ") and "of 2.0 seconds" in r for r in reasons.values())
    assert main(["data", "check", str(dataset)]) == 1
    out = capsys.readouterr().out
    assert "blues/blues.00001.wav: truncated: 1.0 of 2.0 seconds" in out and "PROBLEMS: 3" in out


def test_check_names_a_cut_mp3_and_keeps_the_decoders_notes_off_stderr(tmp_path):
    """A half-downloaded MP3 (its Xing frame promises 4 s) is named with its seconds, in a new
    process: libmpg123's own lines about the cut stream ("[.../libmpg123/layer3.c:...] error:
    part2_3_length ...", "Warning: Xing stream size off ...") stay off stderr.

    Break tried: header.promised_frames returning None for MP3 (as before) -> "OK" and exit 0."""
    for name in ("rock.00000.mp3", "rock.00001.mp3"):
        path = tmp_path / "rock" / name
        path.parent.mkdir(exist_ok=True)
        sf.write(path, 0.3 * np.random.default_rng(0).standard_normal(4 * 22050), 22050)
    cut = tmp_path / "rock" / "rock.00001.mp3"
    cut.write_bytes(cut.read_bytes()[:cut.stat().st_size // 2])
    done = subprocess.run([sys.executable, "-m", "genrelib", "data", "check", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "rock/rock.00001.mp3: truncated: " in done.stdout and " of 4.0 seconds" in done.stdout
    assert "rock.00000" not in "\n".join(l for l in done.stdout.splitlines() if not l.startswith("NOTE "))
    assert done.stderr == "", done.stderr


def test_check_reports_checksum_mismatch_and_exits_1(dataset, capsys):
    write_tone(dataset / "genres" / "blues" / "blues.00001.wav", freq=1234.0)
    code, report = check_json(capsys, str(dataset), "--checksums", str(dataset / "md5.csv"))
    assert code == 1
    [mismatch] = report["checksum_mismatches"]
    assert mismatch["path"].endswith("blues.00001.wav")
    assert mismatch["expected"] != mismatch["actual"]
    assert report["unreadable"] == []


def test_missing_manifest_entries_are_reported_but_not_an_error(dataset, capsys):
    manifest = pd.read_csv(dataset / "md5.csv")
    extra = pd.DataFrame({"track_id": [f"rock.{i:05d}" for i in range(40)],
                          "relative_path": [f"genres/rock/rock.{i:05d}.wav" for i in range(40)],
                          "md5": ["0" * 32] * 40})
    pd.concat([manifest, extra]).to_csv(dataset / "big.csv", index=False)
    write_tone(dataset / "genres" / "jazz" / "jazz.00099.wav")
    code, report = check_json(capsys, str(dataset), "--checksums", str(dataset / "big.csv"))
    assert code == 0
    assert len(report["missing"]) == 40 and report["missing"][0] == "genres/rock/rock.00000.wav"
    assert report["not_in_manifest"] == ["jazz/jazz.00099.wav"]
    assert main(["data", "check", str(dataset), "--checksums", str(dataset / "big.csv")]) == 0
    out = capsys.readouterr().out
    assert "40 manifest entries not found on disk (first 5: genres/rock/rock.00000.wav" in out
    assert "rock.00039" not in out and len(out.splitlines()) < 10


def test_check_user_errors_exit_2(tmp_path, capsys):
    assert main(["data", "check", str(tmp_path / "absent")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["data", "check", str(tmp_path)]) == 2
    assert "no labelled audio found" in capsys.readouterr().err
    write_tone(tmp_path / "g" / "blues" / "blues.00000.wav")
    assert main(["data", "check", str(tmp_path), "--checksums", str(tmp_path / "no.csv")]) == 2
    assert "no.csv" in capsys.readouterr().err


def test_synth_passes_its_options_to_the_generator(tmp_path, monkeypatch, capsys):
    calls = []
    module = types.ModuleType("genrelib.datasets.synthetic")
    module.generate_synthetic_gtzan = lambda out, **kw: calls.append((out, kw)) or Path(out)
    monkeypatch.setitem(sys.modules, "genrelib.datasets.synthetic", module)
    code = main(["data", "synth", str(tmp_path / "s"), "--tracks-per-genre", "2",
                 "--seconds", "1.5", "--seed", "4"])
    assert code == 0
    assert calls == [(str(tmp_path / "s"), {"tracks_per_genre": 2, "seconds": 1.5, "seed": 4})]
    assert str(tmp_path / "s") in capsys.readouterr().out
    assert main(["data", "synth", str(tmp_path / "s"), "--tracks-per-genre", "0"]) == 2
    with pytest.raises(SystemExit):
        main(["data", "synth", str(tmp_path / "s")])  # --tracks-per-genre is required


def test_synth_writes_a_dataset_that_checks_clean(tmp_path, capsys):
    import genrelib.datasets.synthetic  # noqa: F401  (a broken generator fails here, never skips)

    out = tmp_path / "synth"
    assert main(["data", "synth", str(out), "--tracks-per-genre", "1", "--seconds", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote synthetic GTZAN (1 track per genre, 1 s, seed 0) to {out}",
        "note: 1 s clips are shorter than one 3 s segment: features, train, evaluate and predict skip "
        "them (give --seconds 3 or more to train on them)"]
    code, report = check_json(capsys, str(out), "--checksums", str(out / "tracks.csv"))
    assert code == 0 and report["tracks"] == 10 and set(report["per_genre"].values()) == {1}
    assert report["verified"] == 10


def test_check_says_what_training_would_warn_of_before_it(tmp_path, capsys):
    """Clips far from 30 s, a mix of sample rates and a single genre: train warns of the first
    two and refuses the third; the check says them first, in the same words, as notes (the
    files are fine: exit 0). Break tried: the notes left out of the report -> "OK"."""
    for i in range(3):
        write_tone(tmp_path / "jazz" / f"j{i}.wav", seconds=3.5)
    sf.write(tmp_path / "jazz" / "hi.wav", np.zeros(22050 * 30, np.int16), 22050, subtype="PCM_16")
    code, report = check_json(capsys, str(tmp_path))
    assert code == 0 and len(report["notes"]) == 3, report["notes"]
    assert report["notes"][0].startswith("3 of 4 clips (jazz/j0.wav, jazz/j1.wav, jazz/j2.wav) are shorter than the 30 s")
    assert report["notes"][1].startswith("3 of 4 clips (jazz/j0.wav, jazz/j1.wav, jazz/j2.wav) are recorded below "
                                         "the features' 22,050 Hz")
    assert report["notes"][2].startswith("1 genre(s): train needs at least two")
    assert report["one_artist_genres"] == []  # no artist known
    assert main(["data", "check", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line[:5] for line in lines[2:5]] == ["NOTE "] * 3
    assert lines[-1] == "OK, but 3 note(s) on what training would warn of or refuse (above)"


def test_data_check_does_not_import_heavy_libraries(dataset):
    code = ("import sys, io, contextlib\nfrom genrelib.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    rc = main(['data', 'check', {str(dataset)!r}, '--json'])\n"
            "heavy = [m for m in ('tensorflow', 'keras', 'torch', 'jax', 'sklearn', 'librosa')\n"
            "         if m in sys.modules]\n"
            "print(rc, heavy)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 []"


def test_check_names_the_files_it_does_not_read_and_reads_aiff(dataset, capsys):
    """Nothing below the root is dropped without a word: audio deeper than a label folder,
    other files in a label folder and a broken link are listed (not an error); AIFF is audio.

    Break tried: no broken-link case in folder.ignored_files -> "not an audio file name" for
    a name that ends in .wav."""
    write_tone(dataset / "genres" / "jazz" / "live" / "jazz.00007.flac", seconds=3.5)
    (dataset / "genres" / "blues" / "notes.txt").write_text("liner notes")
    (dataset / "genres" / "blues" / ".DS_Store").write_bytes(b"\0")  # hidden: not data
    write_tone(dataset / "genres" / "blues" / "blues.00005.aiff", seconds=3.5)
    (dataset / "genres" / "blues" / "blues.00009.wav").symlink_to("/nowhere/blues.00009.wav")  # broken
    code, report = check_json(capsys, str(dataset))
    assert code == 0 and report["tracks"] == 5 and report["per_genre"] == {"blues": 3, "jazz": 2}
    assert report["ignored"] == [
        {"relative_path": "blues/blues.00009.wav",
         "reason": "broken symbolic link (to /nowhere/blues.00009.wav): nothing to read"},
        {"relative_path": "blues/notes.txt",
         "reason": "not an audio file name (read: .wav, .au, .flac, .ogg, .mp3, .aiff, .aif)"},
        {"relative_path": "jazz/live/jazz.00007.flac",
         "reason": "not directly in a label folder: only <root>/<label>/<file> is read"}]
    assert main(["data", "check", str(dataset)]) == 0
    out = capsys.readouterr().out
    assert "IGNORED jazz/live/jazz.00007.flac: not directly in a label folder" in out
    assert out.strip().endswith("OK, but 1 genre(s) with too few tracks to split and 1 note(s) on what training would warn of or refuse (above)")  # jazz: 2


def _report(**lists: list) -> dict:
    """A clean ``data check`` report (two genres, no problem) with ``lists`` put in."""
    return {"root": "/data", "layout": "label-folders", "tracks": 4,
            "per_genre": {"blues": 2, "jazz": 2}, "unreadable": [], "checksum_mismatches": [],
            "checksums": None, **lists}


def test_the_report_names_five_entries_in_full_and_shortens_from_six() -> None:
    """Five entries of a list are all named; from six on the first five and the rest's count."""
    from genrelib.commands.data import format_report

    def listed(n: int) -> list[str]:
        names = [f"genres/rock/rock.{i:05d}.wav" for i in range(n)]
        ignored = [{"relative_path": f"rock/notes{i}.txt", "reason": "not an audio file name"}
                   for i in range(n)]
        report = _report(checksums="md5.csv", missing=names, not_in_manifest=[], unverified=[],
                         verified=4, ignored=ignored)
        return format_report(report).splitlines()

    five = listed(5)
    all_five = ", ".join(f"genres/rock/rock.{i:05d}.wav" for i in range(5))
    assert f"5 manifest entries not found on disk: {all_five}" in five
    assert [line for line in five if line.startswith("IGNORED")] == [
        f"IGNORED rock/notes{i}.txt: not an audio file name" for i in range(5)]
    six = listed(6)
    assert any(line.startswith("6 manifest entries not found on disk (first 5: "
                               "genres/rock/rock.00000.wav, ")
               and line.endswith("rock.00004.wav, ...)") for line in six)
    ignored = [line for line in six if line.startswith("IGNORED")]
    assert ignored[:5] == [f"IGNORED rock/notes{i}.txt: not an audio file name" for i in range(5)]
    assert ignored[5:] == ["IGNORED 1 more file(s) (--json lists them all)"]


def test_check_names_the_genres_one_artist_plays(dataset: Path, capsys) -> None:
    """A genre one artist plays (tracks.csv) is named in one_artist_genres and a ONE ARTIST line."""
    pd.DataFrame({"track_id": ["blues.00000", "blues.00001", "jazz.00000", "jazz.00001"],
                  "artist": ["Muddy", "Muddy", "Miles", "Monk"]}).to_csv(dataset / "tracks.csv",
                                                                       index=False)
    code, report = check_json(capsys, str(dataset))
    assert code == 0 and report["one_artist_genres"] == ["blues"]
    assert main(["data", "check", str(dataset)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("ONE ARTIST")]
    assert len(lines) == 1
    assert lines[0].startswith("ONE ARTIST blues: each of these genres is played by one artist")


def test_synth_notes_only_clips_shorter_than_one_segment(tmp_path: Path, monkeypatch,
                                                         capsys) -> None:
    """3 s clips (exactly one segment, usable) get no note; 2.9 s clips get the skip note."""
    module = types.ModuleType("genrelib.datasets.synthetic")
    module.generate_synthetic_gtzan = lambda out, **kw: Path(out)
    monkeypatch.setitem(sys.modules, "genrelib.datasets.synthetic", module)
    argv = ["data", "synth", str(tmp_path / "s"), "--tracks-per-genre", "1", "--seconds"]
    assert main([*argv, "3"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote synthetic GTZAN (1 track per genre, 3 s, seed 0) to {tmp_path / 's'}"]
    assert main([*argv, "2.9"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith(
        "note: 2.9 s clips are shorter than one 3 s segment")


def test_synth_refuses_clips_of_no_length_by_the_flags_name(tmp_path: Path, capsys) -> None:
    """``--seconds 0`` is a usage error naming the flag, before anything is written."""
    assert main(["data", "synth", str(tmp_path / "s"), "--tracks-per-genre", "1",
                 "--seconds", "0"]) == 2
    assert capsys.readouterr().err == "genrelib data: error: --seconds must be positive, got 0.0\n"
    assert not (tmp_path / "s").exists()
