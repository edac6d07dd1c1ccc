"""The readable maths of chapter 2 (genrelib.features.spectral): the window, every step against
librosa, the MFCC as the orthonormal DCT, feature_steps, and chapter 2 showing these
functions verbatim."""

from __future__ import annotations

import ast
from pathlib import Path

import librosa
import nbformat
import numpy as np
import pytest
import scipy.fft
from helpers import changing_signal

from genrelib.config import FeatureConfig
from genrelib.features import log_mel, spectral
from genrelib.features.spectral import (analysis_frames, feature_steps, hann_window, mel_filterbank,
                                        mel_spectrogram, mfcc_from_log_mel, power_spectrogram, power_to_db)


@pytest.mark.parametrize("n_fft", [2048, 511])
def test_window_is_librosas_periodic_hann(n_fft):
    np.testing.assert_allclose(hann_window(n_fft), librosa.filters.get_window("hann", n_fft, fftbins=True), atol=1e-7)


def test_mfcc_is_the_orthonormal_dct_of_the_log_mel():
    S = np.full((2, 128, 5), -20.0, dtype=np.float32)  # a flat log-mel: only c0 is non-zero
    M = mfcc_from_log_mel(S, n_mfcc=13)
    assert M.shape == (2, 13, 5) and M.dtype == np.float32
    np.testing.assert_allclose(M[:, 0], -20.0 * np.sqrt(128), rtol=1e-5)
    np.testing.assert_allclose(M[:, 1:], 0.0, atol=1e-3)
    with pytest.raises(ValueError, match="n_mfcc"):
        mfcc_from_log_mel(S, n_mfcc=200)


def test_feature_steps_agree_with_the_library() -> None:
    cfg = FeatureConfig()
    y = np.random.default_rng(0).normal(scale=0.1, size=cfg.segment_samples).astype(np.float32)
    steps = feature_steps(y, cfg)
    frames = 1 + len(y) // cfg.hop_length
    assert steps["stft"].shape == (1 + cfg.n_fft // 2, frames)
    assert steps["log_mel"].shape == (cfg.n_mels, frames)
    assert steps["mfcc"].shape == (cfg.n_mfcc, frames)
    assert np.abs(steps["log_mel"] - log_mel(y, cfg)).max() < 0.05
    np.testing.assert_allclose(steps["power"], steps["stft"] ** 2, rtol=1e-5)
    # MFCC: the orthonormal DCT-II of the log-mel over the mel axis, first n_mfcc coefficients
    np.testing.assert_allclose(steps["mfcc"], librosa.feature.mfcc(S=steps["log_mel"], n_mfcc=cfg.n_mfcc),
                               rtol=1e-5, atol=1e-3)
    dct = scipy.fft.dct(steps["log_mel"].astype(np.float64), type=2, norm="ortho", axis=0)[:cfg.n_mfcc]
    np.testing.assert_allclose(steps["mfcc"], dct, rtol=1e-4, atol=1e-2)


# --------------------------------------------------------------------------- every step
def test_each_step_is_what_librosa_computes():
    cfg = FeatureConfig()
    y = changing_signal(seconds=6.0)
    frames = analysis_frames(y, cfg)
    assert frames.shape == (1 + y.size // 512, 2048) and frames.dtype == np.float32
    np.testing.assert_array_equal(frames[0, :1024], 0.0)  # centred: n_fft // 2 zeros before the signal
    np.testing.assert_array_equal(frames[0, 1024:], y[:1024])
    np.testing.assert_array_equal(frames[3], y[3 * 512 - 1024:3 * 512 + 1024])
    power = power_spectrogram(y, cfg)
    reference = np.abs(librosa.stft(y, n_fft=2048, hop_length=512, center=True, pad_mode="constant")) ** 2
    assert power.shape == reference.shape == (1025, frames.shape[0]) and power.dtype == np.float32
    error = np.abs(power - reference) / reference.max(axis=0, keepdims=True)  # per frame
    assert error.max() < 1e-5, f"frame {int(error.max(axis=0).argmax())} differs"
    np.testing.assert_array_equal(mel_filterbank(cfg), librosa.filters.mel(sr=22050, n_fft=2048, n_mels=128))
    mel = mel_spectrogram(power, cfg)
    assert mel.shape == (128, power.shape[1]) and mel.dtype == np.float32
    np.testing.assert_allclose(mel, librosa.feature.melspectrogram(S=power, sr=22050, n_fft=2048, n_mels=128),
                               rtol=1e-5, atol=1e-6 * mel.max())
    db = power_to_db(mel)
    np.testing.assert_array_equal(db, librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None))
    np.testing.assert_allclose(power_to_db(np.array([0.0, 1e-12, 1.0, 100.0])), [-100.0, -100.0, 0.0, 20.0])
    np.testing.assert_array_equal(mfcc_from_log_mel(db, n_mfcc=20), librosa.feature.mfcc(S=db, n_mfcc=20))


def test_analysis_frames_rejects_what_is_not_a_mono_signal():
    cfg = FeatureConfig()
    with pytest.raises(ValueError, match=r"mono signal of shape \(n_samples,\), got shape \(2, 5\)"):
        analysis_frames(np.zeros((2, 5)), cfg)
    for n_fft in (511, 2048):  # odd or even: only an empty signal has no frame
        with pytest.raises(ValueError, match=r"empty signal \(0 samples\)"):
            analysis_frames(np.zeros(0), cfg.with_(n_fft=n_fft))
    assert analysis_frames(np.zeros(1), cfg).shape == (1, 2048)  # one frame of zero padding and a sample


# --------------------------------------------------------------------------- chapter 2 shows them
CHAPTER = Path(__file__).resolve().parents[1] / "notebooks" / "02_features.ipynb"
LIBRARY = Path(spectral.__file__)
MARKER = "# From genrelib/features/spectral.py (a test keeps this cell identical to the library)"
#: The steps the chapter shows, and those of them it calls by name in its own cells.
SHOWN = ("hann_window", "analysis_frames", "power_spectrogram", "mel_filterbank", "mel_spectrogram",
         "power_to_db", "mfcc_from_log_mel")
CALLED = ("analysis_frames", "power_spectrogram", "mel_spectrogram", "power_to_db", "mfcc_from_log_mel")


def definitions(source: str) -> dict[str, str]:
    """{name: the text of its ``def`` statement, whole lines} of every top-level function."""
    lines = source.splitlines(keepends=True)
    return {node.name: "".join(lines[node.lineno - 1:node.end_lineno]).rstrip("\n")
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def shown_in(cells: list) -> dict[str, str]:
    """The definitions of every marked cell; AssertionError when such a cell holds anything else."""
    shown: dict[str, str] = {}
    for cell in cells:
        first, _, rest = cell.source.partition("\n")
        if cell.cell_type != "code" or first != MARKER:
            continue
        found = definitions(rest)
        assert rest.strip("\n") == "\n\n\n".join(found.values()), \
            f"cell {cell.id}: a marked cell holds the library's def statements only, two blank lines apart"
        shown.update(found)
    return shown


def test_chapter_2_shows_the_spectral_functions_verbatim_and_calls_them():
    cells = nbformat.read(CHAPTER, as_version=4).cells
    shown, library = shown_in(cells), definitions(LIBRARY.read_text(encoding="utf-8"))
    assert sorted(shown) == sorted(SHOWN), "chapter 2 must show every step of genrelib/features/spectral.py"
    for name, text in shown.items():
        assert text == library[name], f"chapter 2 shows {name} differently from {LIBRARY.name}: copy it again"
    code = "\n".join(c.source for c in cells if c.cell_type == "code" and not c.source.startswith(MARKER))
    called = {node.func.id for node in ast.walk(ast.parse(code))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert not set(CALLED) - called, f"chapter 2 shows but never calls {sorted(set(CALLED) - called)}"


def test_the_verbatim_check_catches_an_edited_copy():
    library = definitions(LIBRARY.read_text(encoding="utf-8"))
    good = nbformat.v4.new_code_cell(MARKER + "\n" + library["power_to_db"] + "\n")
    assert shown_in([good]) == {"power_to_db": library["power_to_db"]}
    edited = nbformat.v4.new_code_cell(good.source.replace("10.0 *", "20.0 *"))
    assert shown_in([edited])["power_to_db"] != library["power_to_db"]
    extra = nbformat.v4.new_code_cell(good.source + "\nx = power_to_db(1.0)\n")
    with pytest.raises(AssertionError, match="def statements only"):
        shown_in([extra])
