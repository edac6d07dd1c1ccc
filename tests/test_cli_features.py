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
