"""The fast log-mel (genrelib.features.blockwise): block by block, it equals librosa frame by
frame on a 30 s non-stationary clip (across the blocks of frames, full and ragged), and the
readable steps of genrelib.features.spectral to float32 rounding."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
from helpers import DB_ATOL, SMALL, changing_clip as make_changing_clip, noise

import genrelib.features.blockwise as B
from genrelib.config import FeatureConfig
from genrelib.datasets.synthetic import render_track
from genrelib.features import log_mel, mfcc_from_log_mel
from genrelib.features.spectral import (analysis_frames, hann_window, mel_filterbank, mel_spectrogram,
                                        power_spectrogram, power_to_db)


@pytest.fixture(scope="module")
def changing_clip():
    """(30 s changing signal, librosa's log-mel of it with the defaults' parameters in dB)."""
    return make_changing_clip()


def test_power_blocks_equal_librosa_stft_frame_by_frame_across_blocks(changing_clip):
    cfg = FeatureConfig()
    y, _ = changing_clip
    reference = np.abs(librosa.stft(y, n_fft=2048, hop_length=512, center=True, pad_mode="constant")) ** 2
    blocks = list(B._power_blocks(analysis_frames(y, cfg), cfg.n_fft))
    assert [start for start, _ in blocks] == list(range(0, 1292, B._BLOCK_FRAMES))
    assert len(blocks) >= 5 and blocks[-1][1].shape[0] < B._BLOCK_FRAMES  # full blocks and a ragged last one
    ours = np.concatenate([power for _, power in blocks]).T
    assert ours.shape == reference.shape == (1025, 1292)
    # float32 FFTs: each frame agrees to ~5e-7 of its own peak bin (checked per frame, not
    # against the clip's loudest frame, so quiet frames count as much as loud ones).
    error = np.abs(ours - reference) / reference.max(axis=0, keepdims=True)
    assert error.max() < 1e-5, f"frame {int(error.max(axis=0).argmax())} differs"


@pytest.mark.parametrize("block_frames", [None, 100])
def test_log_mel_equals_librosa_frame_by_frame_across_blocks(changing_clip, monkeypatch, block_frames):
    # 30 s = 1292 frames: 5 blocks of 256 and a ragged one of 12 (or 12 of 100 and one of 92).
    if block_frames is not None:
        monkeypatch.setattr(B, "_BLOCK_FRAMES", block_frames)
    y, reference = changing_clip
    ours = log_mel(y, FeatureConfig())
    assert ours.shape == reference.shape == (128, 1292) and ours.dtype == np.float32
    assert ours.shape[1] > 4 * B._BLOCK_FRAMES
    error = np.abs(ours - reference).max(axis=0)  # per frame, in dB
    assert error.max() < DB_ATOL, f"frame {int(error.argmax())} is off by {error.max():.3f} dB"


def test_mfcc_equals_librosa_frame_by_frame_across_blocks(changing_clip):
    y, reference = changing_clip
    ours = mfcc_from_log_mel(log_mel(y, FeatureConfig()), n_mfcc=20)
    expected = librosa.feature.mfcc(S=reference, n_mfcc=20)
    assert ours.shape == expected.shape == (20, 1292)
    # orthonormal DCT: an error of DB_ATOL per band is at most DB_ATOL * sqrt(128) per coefficient
    np.testing.assert_allclose(ours, expected, rtol=0, atol=DB_ATOL * np.sqrt(128))


# --------------------------------------------------------------------------- = the readable steps
@pytest.fixture(scope="module")
def music():
    """12 s of synthetic jazz at 22,050 Hz (drums, bass, chords, a melody): 517 STFT frames."""
    return render_track("jazz", track_seed=3, seed=0, seconds=12.0, sample_rate=22050)


def readable_log_mel(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Chapter 2's steps, one after the other (genrelib.features.spectral)."""
    return power_to_db(mel_spectrogram(power_spectrogram(y, cfg), cfg))


@pytest.mark.parametrize("block_frames", [None, 100, 7])
def test_fast_log_mel_equals_the_readable_steps_across_block_boundaries(music, monkeypatch, block_frames):
    """Every frame, those on both sides of every block boundary included, to float32 rounding."""
    if block_frames is not None:
        monkeypatch.setattr(B, "_BLOCK_FRAMES", block_frames)
    cfg = FeatureConfig()
    readable, fast = readable_log_mel(music, cfg), log_mel(music, cfg)
    assert fast.shape == readable.shape == (128, 517) and fast.dtype == readable.dtype == np.float32
    boundaries = np.arange(B._BLOCK_FRAMES, fast.shape[1], B._BLOCK_FRAMES)
    assert len(boundaries) >= 2 and fast.shape[1] % B._BLOCK_FRAMES != 0  # full blocks and a ragged one
    # Power relative to each frame's loudest band: float32 FFTs and sums agree to ~1e-6.
    power_readable, power_fast = 10.0 ** (readable / 10.0), 10.0 ** (fast.astype(np.float64) / 10.0)
    error = np.abs(power_fast - power_readable) / power_readable.max(axis=0, keepdims=True)
    assert error.max() < 1e-5, f"frame {int(error.max(axis=0).argmax())} differs by {error.max():.1e}"
    # In dB: at most a few thousandths of a dB, in the quietest bands.
    np.testing.assert_allclose(fast, readable, rtol=0, atol=2e-3)
    around = np.concatenate([boundaries - 1, boundaries])  # the last frame of a block, the first of the next
    np.testing.assert_allclose(fast[:, around], readable[:, around], rtol=0, atol=2e-3)


def test_fast_log_mel_equals_the_readable_steps_for_another_config():
    cfg = SMALL  # n_fft 256, hop 128, 32 mels at 8 kHz: 126 frames, one full block of 100 and a ragged one
    y = noise(2.0, 8000, seed=4) * np.linspace(0.0, 1.0, 16000, dtype=np.float32)
    y[:2000] = 0.0  # digital silence: frames 0-14 are at the -100 dB floor
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(B, "_BLOCK_FRAMES", 100)
        fast = log_mel(y, cfg)
    readable = readable_log_mel(y, cfg)
    assert fast.shape == readable.shape == (32, 126)
    np.testing.assert_allclose(readable[:, :15], -100.0, rtol=0, atol=1e-4)  # the floor, 10 * log10(1e-10)
    np.testing.assert_array_equal(fast[:, :15], readable[:, :15])
    np.testing.assert_allclose(fast, readable, rtol=0, atol=2e-3)


def test_the_fast_path_shares_the_window_and_the_filterbank_of_the_readable_steps():
    cfg = FeatureConfig()
    np.testing.assert_array_equal(B._window(cfg.n_fft), hann_window(cfg.n_fft))
    np.testing.assert_array_equal(B._filterbank(cfg), mel_filterbank(cfg))
    assert B._window(cfg.n_fft) is B._window(cfg.n_fft) and B._filterbank(cfg) is B._filterbank(cfg)  # cached
    with pytest.raises(ValueError, match="read-only"):
        B._filterbank(cfg)[0, 0] = 1.0
