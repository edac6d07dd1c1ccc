"""The maths of chapter 2, one small function per step: power STFT -> mel -> dB -> MFCC.

Written to be read (numpy, librosa's filterbank, scipy's DCT); chapter 2 shows these
functions verbatim. The features the models see come from the same steps computed block by
block (``genrelib.features.blockwise``); a test keeps both equal to float32 rounding.
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import librosa
import numpy as np
import scipy.fft

from genrelib.config import FeatureConfig

__all__ = ["DB_AMIN", "analysis_frames", "feature_steps", "hann_window", "mel_filterbank",
           "mel_spectrogram", "mfcc_from_log_mel", "power_spectrogram", "power_to_db"]

#: Power floor before the log: silence maps to 10 * log10(1e-10) = -100 dB.
DB_AMIN = 1e-10


def hann_window(n_fft: int) -> np.ndarray:
    """The periodic Hann window that weights every frame before its Fourier transform.

    Parameters
    ----------
    n_fft : int
        Frame length in samples.

    Returns
    -------
    np.ndarray
        float32, shape (n_fft,): ``0.5 - 0.5 * cos(2 * pi * n / n_fft)`` for n = 0 .. n_fft - 1.

    Notebook: 02_features.ipynb
    """
    return np.hanning(n_fft + 1)[:-1].astype(np.float32)  # periodic: drop the last point


def analysis_frames(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Overlapping frames of a signal, centred: frame m is centred on sample m * hop_length.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape (n_samples,).
    cfg : FeatureConfig
        Uses ``n_fft`` (frame length) and ``hop_length`` (samples between frames).

    Returns
    -------
    np.ndarray
        float32 view, shape (1 + n_samples // hop_length, n_fft), e.g. (1292, 2048) for 30 s;
        ``n_fft // 2`` zeros are padded at both ends.

    Raises
    ------
    ValueError
        When ``y`` is not one-dimensional or empty (a shorter signal than ``n_fft`` is padded
        to one frame).

    Notebook: 02_features.ipynb
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1:
        raise ValueError(f"the STFT expects a mono signal of shape (n_samples,), got shape {y.shape}")
    pad = cfg.n_fft // 2
    if y.shape[0] == 0:
        raise ValueError("an empty signal (0 samples) has no frame to analyse")
    padded = np.pad(y, (pad, pad))
    return np.lib.stride_tricks.sliding_window_view(padded, cfg.n_fft)[:: cfg.hop_length]


def power_spectrogram(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """The power STFT |X|^2: each windowed frame's Fourier transform, squared magnitude.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape (n_samples,).
    cfg : FeatureConfig
        Uses ``n_fft`` and ``hop_length``.

    Returns
    -------
    np.ndarray
        float32, shape (1 + n_fft // 2, n_frames): frequency bins x frames, e.g. (1025, 1292).

    Notebook: 02_features.ipynb
    """
    frames = analysis_frames(y, cfg) * hann_window(cfg.n_fft)  # (n_frames, n_fft)
    spectrum = np.fft.rfft(frames, axis=1)  # (n_frames, 1 + n_fft // 2), complex
    return (np.abs(spectrum) ** 2).T.astype(np.float32)


def mel_filterbank(cfg: FeatureConfig) -> np.ndarray:
    """The mel filterbank: ``n_mels`` triangular filters over the STFT's frequency bins
    (librosa's Slaney variant, each filter normalised to unit area).

    Parameters
    ----------
    cfg : FeatureConfig
        Uses ``sample_rate``, ``n_fft`` and ``n_mels``.

    Returns
    -------
    np.ndarray
        float32, shape (n_mels, 1 + n_fft // 2), e.g. (128, 1025).

    Notebook: 02_features.ipynb
    """
    return librosa.filters.mel(sr=cfg.sample_rate, n_fft=cfg.n_fft, n_mels=cfg.n_mels, dtype=np.float32)


def mel_spectrogram(power: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """The mel spectrogram: the power of every frame summed through each mel filter.

    Parameters
    ----------
    power : np.ndarray
        Power STFT, shape (1 + n_fft // 2, n_frames) (``power_spectrogram``).
    cfg : FeatureConfig
        The configuration of ``power``.

    Returns
    -------
    np.ndarray
        float32, shape (n_mels, n_frames), e.g. (128, 1292).

    Notebook: 02_features.ipynb
    """
    return mel_filterbank(cfg) @ power


def power_to_db(power: np.ndarray) -> np.ndarray:
    """Power in decibels with a fixed reference of 1.0: ``10 * log10(max(power, DB_AMIN))``.

    Parameters
    ----------
    power : np.ndarray
        Non-negative power values, any shape.

    Returns
    -------
    np.ndarray
        dB values, same shape and dtype; silence gives -100 dB, never -inf.

    Notebook: 02_features.ipynb
    """
    return 10.0 * np.log10(np.maximum(power, DB_AMIN))


def mfcc_from_log_mel(S_db: np.ndarray, *, n_mfcc: int) -> np.ndarray:
    """MFCCs: the orthonormal DCT-II of log-mel values over the mel axis, first ``n_mfcc``.

    Parameters
    ----------
    S_db : np.ndarray
        Log-mel values in dB, shape (..., n_mels, n_frames).
    n_mfcc : int
        Coefficients kept, 1 <= n_mfcc <= n_mels.

    Returns
    -------
    np.ndarray
        float32, shape (..., n_mfcc, n_frames), e.g. (20, 1292).

    Raises
    ------
    ValueError
        When ``n_mfcc`` is outside [1, n_mels].

    Notebook: 02_features.ipynb
    """
    S_db = np.asarray(S_db, dtype=np.float32)
    if S_db.ndim < 2 or not 1 <= n_mfcc <= S_db.shape[-2]:
        raise ValueError(
            f"n_mfcc must be in [1, n_mels] for log-mel values of shape (..., n_mels, frames); "
            f"got n_mfcc={n_mfcc} for shape {S_db.shape}"
        )
    return scipy.fft.dct(S_db, type=2, norm="ortho", axis=-2)[..., :n_mfcc, :]


def feature_steps(y: np.ndarray, cfg: FeatureConfig) -> dict[str, np.ndarray]:
    """Every step of the features of a signal, by the functions above.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape (n_samples,).
    cfg : FeatureConfig
        The feature settings.

    Returns
    -------
    dict of str to np.ndarray
        float32 arrays with F = 1 + n_fft // 2 bins and T = 1 + n_samples // hop_length frames:
        ``"stft"`` magnitude |X| (F, T), ``"power"`` |X|^2 (F, T), ``"mel_power"`` (n_mels, T),
        ``"log_mel"`` in dB (n_mels, T), ``"mfcc"`` (n_mfcc, T).

    Notebook: 02_features.ipynb
    """
    power = power_spectrogram(y, cfg)
    mel_power = mel_spectrogram(power, cfg)
    log_mel = power_to_db(mel_power)
    return {"stft": np.sqrt(power), "power": power, "mel_power": mel_power, "log_mel": log_mel,
            "mfcc": mfcc_from_log_mel(log_mel, n_mfcc=cfg.n_mfcc)}
