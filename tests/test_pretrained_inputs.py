"""The taggers' input (genrelib.pretrained.inputs) on signals whose spectrogram is known."""

from __future__ import annotations

import warnings

import librosa
import numpy as np
import pytest

from genrelib.pretrained import inputs

SR = inputs.SAMPLE_RATE


def _bin_sine(seconds: float, bin_index: int, amplitude: float) -> np.ndarray:
    """A cosine exactly on FFT bin ``bin_index`` of a 512-point frame (31.25 Hz per bin)."""
    n = np.arange(int(seconds * SR))
    return (amplitude * np.cos(2 * np.pi * bin_index * n / inputs.N_FFT)).astype(np.float32)


def test_log_mel_of_a_bin_centred_sine_is_the_known_value() -> None:
    """A Hann-windowed cosine on bin k has power (A N / 4)^2 on bin k, (A N / 8)^2 on bins
    k +- 1 and nothing elsewhere, so each inner frame's mel band m must be
    log10(10000 * sum_k W[m, k] P[k] + 1) with W the Slaney mel filterbank of 96 bands."""
    k, amplitude = 32, 0.25  # 1 kHz
    y = _bin_sine(4.0, k, amplitude)
    S = inputs.log_mel(y)
    assert S.dtype == np.float32
    assert S.shape == (1 + y.size // inputs.HOP_LENGTH, inputs.N_MELS)  # centred frames, (time, mel)
    power = np.zeros(inputs.N_FFT // 2 + 1)
    power[k] = (amplitude * inputs.N_FFT / 4) ** 2
    power[[k - 1, k + 1]] = (amplitude * inputs.N_FFT / 8) ** 2
    W = librosa.filters.mel(sr=SR, n_fft=inputs.N_FFT, n_mels=inputs.N_MELS)
    expected = np.log10(inputs.LOG_SCALE * (W @ power) + 1)
    np.testing.assert_allclose(S[5:-5], np.broadcast_to(expected, S[5:-5].shape), rtol=1e-4, atol=1e-4)
    assert S[10].argmax() == expected.argmax()


def test_silence_is_zero_and_a_loud_clip_stays_finite() -> None:
    """log10(10000 * 0 + 1) = 0; a full-scale square wave gives mel powers far above
    float16's 65504 / 10000, where the wheel's float16 cast overflows to inf."""
    assert not inputs.log_mel(np.zeros(SR * 4, dtype=np.float32)).any()
    t = np.arange(SR * 4) / SR
    loud = np.sign(np.sin(2 * np.pi * 110 * t)).astype(np.float32)
    S = inputs.log_mel(loud)
    assert np.isfinite(S).all() and S.max() > 5
    mel = librosa.feature.melspectrogram(y=loud, sr=SR, n_fft=inputs.N_FFT, hop_length=inputs.HOP_LENGTH,
                                         n_mels=inputs.N_MELS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isinf(np.log10(10000 * mel.astype(np.float16) + 1)).any()  # the trap this avoids


def test_patches_of_a_30_s_clip() -> None:
    """30 s: 1876 frames; 10 patches without overlap (as the wheel cuts them), 19 with 50 %
    overlap (every 93 frames, like the project's 19 segments)."""
    y = _bin_sine(30.0, 20, 0.1)
    assert inputs.clip_patches(y).shape == (10, inputs.PATCH_FRAMES, inputs.N_MELS)
    assert inputs.hop_frames(0.5) == 93
    x = inputs.clip_patches(y, overlap=0.5)
    assert x.shape == (19, 187, 96)
    S = inputs.log_mel(y)
    np.testing.assert_array_equal(x[3], S[3 * 93:3 * 93 + 187])
    assert inputs.clip_patches(y[:SR * 5], clip_seconds=30.0).shape == (10, 187, 96)  # zero-padded


def test_a_signal_shorter_than_one_patch_is_refused() -> None:
    assert inputs.PATCH_SECONDS == pytest.approx(2.976)
    n = int(round(inputs.PATCH_SECONDS * SR))
    assert inputs.clip_patches(np.ones(n, dtype=np.float32) * 0.1).shape[0] == 1
    with pytest.raises(ValueError, match="shorter than one patch of 187 frames"):
        inputs.clip_patches(np.ones(n - inputs.HOP_LENGTH, dtype=np.float32) * 0.1)
    with pytest.raises(ValueError, match=r"overlap must be in \[0, 1\)"):
        inputs.hop_frames(1.0)


def test_load_clip_resamples_to_16_khz_and_refuses_short_files(tmp_path) -> None:
    import soundfile as sf

    from genrelib.audio import ClipTooShortError

    t = np.arange(22050 * 4) / 22050
    sf.write(tmp_path / "tone.wav", 0.3 * np.sin(2 * np.pi * 1000 * t), 22050)
    y = inputs.load_clip(tmp_path / "tone.wav")
    assert y.dtype == np.float32 and y.shape == (SR * 4,)
    sf.write(tmp_path / "short.wav", np.zeros(22050), 22050)
    with pytest.raises(ClipTooShortError, match="short.wav"):
        inputs.load_clip(tmp_path / "short.wav")
