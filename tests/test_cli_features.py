"""``genrelib features DATA --out DIR [--n-mfcc 13|20]`` end to end on a tiny folder."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from genrelib.cli import main
from genrelib.cache import read_npz


def make_folder(base):
    """``base/<label>/<file>.wav``: 2 labels x 1 clip of 3.5 s at 22,050 Hz, plus a broken file."""
    rng = np.random.default_rng(0)
    for label in ("calm", "loud"):
        folder = base / label
        folder.mkdir(parents=True)
        amp = 0.05 if label == "calm" else 0.5
        sf.write(folder / f"{label}.wav", (amp * rng.uniform(-1, 1, int(3.5 * 22050))).astype(np.float32), 22050)
    (base / "loud" / "broken.wav").write_bytes(b"not audio at all" * 64)
    return base


def test_features_command_extracts_caches_and_reports(tmp_path, capsys):
    data = make_folder(tmp_path / "data")
    out = tmp_path / "features"
    code = main(["features", str(data), "--out", str(out), "--n-mfcc", "13", "--quiet"])
    assert code == 0
    text, err = capsys.readouterr()
    warning, lengths = err.splitlines()  # each warning once, as one line
    assert warning.startswith("genrelib features: warning: 1 unreadable audio file(s)") and "broken.wav" in warning
    assert lengths.startswith("genrelib features: warning: 2 of 2 clips (calm/calm.wav, loud/loud.wav) are "
                              "shorter than the 30 s")
    assert "2 tracks, 38 segments" in text  # 3.5 s clips are zero-padded to 30 s: 19 segments each
    assert "(38, 128, 130)" in text and "(38, 13, 130)" in text
    assert "broken.wav" in text and "skipped:   1 file" in text
    files = sorted(out.glob("*.npz"))
    assert [f.name.split("-")[0] for f in files] == ["mel128", "mfcc13"]
    assert read_npz(files[1])["X"].shape == (38, 13, 130)
    mtimes = [f.stat().st_mtime_ns for f in files]

    assert main(["features", str(data), "--out", str(out), "--n-mfcc", "13", "--quiet"]) == 0
    assert [f.stat().st_mtime_ns for f in sorted(out.glob("*.npz"))] == mtimes  # read from the cache
    assert "note:      train and evaluate read their features from" in text  # --out elsewhere: said


def test_features_without_out_fill_the_cache_train_reads(tmp_path, capsys, monkeypatch):
    """``genrelib features DATA`` (no --out) computes into $GENREBOOK_CACHE/features, the very
    files extract_features (train, evaluate) then reads; --out elsewhere was never read by
    train, without a word.

    Break tried: --out required (as before) -> exit 2."""
    from genrelib.config import FeatureConfig
    from genrelib.datasets import index_dataset
    from genrelib.features import feature_cache_path

    monkeypatch.setenv("GENREBOOK_CACHE", str(tmp_path / "cache"))
    data = make_folder(tmp_path / "data")
    assert main(["features", str(data), "--quiet"]) == 0
    text = capsys.readouterr()[0]
    index = index_dataset(data)
    expected = feature_cache_path(index.fingerprint(), FeatureConfig(kind="mel", n_mfcc=20))
    assert expected.parent == tmp_path / "cache" / "features" and expected.is_file()
    assert str(expected) in text and "note:" not in text

def test_features_command_errors(tmp_path, capsys):
    assert main(["features", str(tmp_path / "absent"), "--out", str(tmp_path / "o")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["features", str(tmp_path), "--out", str(tmp_path / "o"), "--n-mfcc", "15"])
    assert info.value.code == 2


def test_features_with_no_usable_clip_fail_and_write_nothing(tmp_path, capsys):
    """Every clip shorter than one segment: the skipped files are listed, one error line says
    nothing was written, exit 1, and no empty feature file (nor the --out folder) is left.

    Break tried: the empty log-mel set kept (as before) -> two 0-segment .npz files, exit 1
    without an error line."""
    data = tmp_path / "data"
    for label in ("calm", "loud"):
        (data / label).mkdir(parents=True)
        sf.write(data / label / f"{label}.wav", np.zeros(22050, np.float32), 22050)  # 1 s
    out = tmp_path / "features"
    assert main(["features", str(data), "--out", str(out), "--quiet"]) == 1
    text, err = capsys.readouterr()
    assert "skipped:   2 file(s) could not be used:" in text and "calm.wav: the clip lasts 1.00 s" in text
    assert err.splitlines()[-1] == (f"genrelib features: error: no clip of {data} could be used (2 file(s) "
                                    "skipped, listed above); nothing was written")
    assert not out.exists() or not list(out.rglob("*.npz"))


def test_jobs_and_scheduler_reach_the_extraction_and_zero_jobs_is_refused(tmp_path, capsys,
                                                                         monkeypatch) -> None:
    """--jobs and --scheduler are passed to extract_features for both feature sets; ``--jobs 0``
    is a usage error naming the flag. Break tried: n_jobs not passed -> None; the check dropped
    -> joblib's own message (or nothing on a cached folder)."""
    from types import SimpleNamespace

    import genrelib.features as features

    class FakeSet(SimpleNamespace):
        def __len__(self) -> int:
            return 19

    calls = []

    def fake(index, cfg, **kwargs) -> FakeSet:
        calls.append((cfg.kind, kwargs["n_jobs"], kwargs["scheduler"]))
        return FakeSet(X=np.zeros((19, 2, 3), np.float32), n_tracks=2, skipped=[])

    monkeypatch.setattr(features, "extract_features", fake)
    data = make_folder(tmp_path / "data")
    argv = ["features", str(data), "--out", str(tmp_path / "o"), "--quiet"]
    assert main([*argv, "--jobs", "3", "--scheduler", "tcp://10.0.0.5:8786"]) == 0
    assert calls == [("mel", 3, "tcp://10.0.0.5:8786"), ("mfcc", 3, "tcp://10.0.0.5:8786")]
    capsys.readouterr()
    assert main([*argv, "--jobs", "0"]) == 2
    assert capsys.readouterr().err.endswith(
        "genrelib features: error: --jobs must be a positive number of workers "
        "(or negative: all cores but |N|-1)\n")


def test_a_folder_of_unreadable_files_only_is_a_usage_error(tmp_path, capsys) -> None:
    """No file under DATA can be read: one error line naming the folder and the layout expected,
    exit 2, nothing written. Break tried: the empty-index check dropped -> exit 0."""
    data = tmp_path / "data"
    (data / "loud").mkdir(parents=True)
    (data / "loud" / "broken.wav").write_bytes(b"not audio at all" * 64)
    out = tmp_path / "features"
    assert main(["features", str(data), "--out", str(out), "--quiet"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"genrelib features: error: no readable audio tracks found under {data}: expected "
        "<root>/<genre>/<audio files>")
    assert not out.exists()


def test_the_count_of_skipped_files_holds_the_unreadable_ones(tmp_path, capsys) -> None:
    """When no clip can be used, the error counts the unreadable files with the short clips,
    as the list above it does; a clean folder says "skipped: none". Break tried: only the
    short clips counted -> "2 file(s)"; the "none" line dropped."""
    data = tmp_path / "data"
    for label in ("calm", "loud"):
        (data / label).mkdir(parents=True)
        sf.write(data / label / f"{label}.wav", np.zeros(22050, np.float32), 22050)  # 1 s
    (data / "loud" / "broken.wav").write_bytes(b"not audio at all" * 64)
    assert main(["features", str(data), "--out", str(tmp_path / "features"), "--quiet"]) == 1
    text, err = capsys.readouterr()
    assert "skipped:   3 file(s) could not be used:" in text
    assert err.splitlines()[-1].startswith(
        f"genrelib features: error: no clip of {data} could be used (3 file(s)")
    (data / "loud" / "broken.wav").unlink()
    for label in ("calm", "loud"):
        one_segment = np.full(3 * 22050, 0.1, np.float32)
        sf.write(data / label / f"{label}.wav", one_segment, 22050)
    assert main(["features", str(data), "--out", str(tmp_path / "features"), "--quiet"]) == 0
    assert "skipped:   none" in capsys.readouterr().out.splitlines()
