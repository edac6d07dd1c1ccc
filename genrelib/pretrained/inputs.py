"""The taggers' input, exactly as they were trained: 16 kHz mono, log-compressed mel patches.

A clip's mel power spectrogram (n_fft 512, hop 256, 96 Slaney mel bands, centred frames
with reflected edges as librosa < 0.10 computed it for training) is compressed with
``log10(10000 * mel + 1)`` in float32 (the wheel's extractor casts to float16 first, so
``10000 * mel`` overflows to inf wherever mel > 6.55: loud frames) and cut into patches of
187 frames (3 s).
"""

from __future__ import annotations

import os

import librosa
import numpy as np

from genrelib.audio import fit_length, load_audio, mono_signal

__all__ = ["HOP_LENGTH", "LOG_SCALE", "N_FFT", "N_MELS", "PATCH_FRAMES", "PATCH_SECONDS",
           "SAMPLE_RATE", "clip_patches", "hop_frames", "load_clip", "log_mel", "patch_starts",
           "patches"]

SAMPLE_RATE = 16_000
N_FFT = 512
HOP_LENGTH = 256
N_MELS = 96
#: Frames per patch: ``librosa.time_to_frames(3, sr=16000, n_fft=512, hop_length=256) + 1``.
PATCH_FRAMES = 187
#: The shortest signal that gives one patch (centred frames: 1 + n // hop >= 187), 2.976 s.
PATCH_SECONDS = (PATCH_FRAMES - 1) * HOP_LENGTH / SAMPLE_RATE
#: The compression ``log10(LOG_SCALE * mel + 1)`` ("logC" in the taggers' training config).
LOG_SCALE = 10_000.0


def log_mel(y: np.ndarray) -> np.ndarray:
    """The taggers' log-compressed mel spectrogram of a mono signal at 16 kHz.

    Parameters
    ----------
    y : np.ndarray
        Samples, shape (n_samples,), at ``SAMPLE_RATE`` (16 kHz); at least ``N_FFT // 2 + 1``.

    Returns
    -------
    np.ndarray
        float32, shape (1 + n_samples // 256, 96): time down, mel bands across, values
        ``log10(10000 * power + 1)`` >= 0 (0 for silence), finite for any finite input.
    """
    y = mono_signal(y, caller="log_mel")
    if y.shape[0] <= N_FFT // 2:
        raise ValueError(f"log_mel needs more than {N_FFT // 2} samples at {SAMPLE_RATE} Hz, got {y.shape[0]}")
    power = librosa.feature.melspectrogram(y=y, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP_LENGTH,
                                           n_mels=N_MELS, pad_mode="reflect")
    power = np.asarray(power.T, dtype=np.float32)
    return np.log10(np.float32(LOG_SCALE) * power + np.float32(1.0)).astype(np.float32, copy=False)


def hop_frames(overlap: float) -> int:
    """Frames between patch starts for a patch overlap in [0, 1): ``floor(187 * (1 - overlap))``
    (187 without overlap, 93 for 0.5: 19 patches in a 30 s clip, like the 3 s segments of
    ``genrelib.features``)."""
    if not 0.0 <= overlap < 1.0:
        raise ValueError(f"overlap must be in [0, 1), got {overlap}")
    return max(1, int(PATCH_FRAMES * (1.0 - overlap)))


def patch_starts(n_frames: int, hop: int = PATCH_FRAMES) -> np.ndarray:
    """First frame of every whole patch of a spectrogram of ``n_frames``: 0, hop, 2 hop, ...
    Returns int64 (n_patches,); ValueError naming both sizes when ``n_frames`` < 187."""
    if n_frames < PATCH_FRAMES:
        raise ValueError(f"a spectrogram of {n_frames} frames is shorter than one patch of "
                         f"{PATCH_FRAMES} frames ({PATCH_SECONDS:.3f} s): use longer audio")
    return np.arange(1 + (n_frames - PATCH_FRAMES) // hop, dtype=np.int64) * hop


def patches(S: np.ndarray, hop: int = PATCH_FRAMES) -> np.ndarray:
    """Cut a log-mel spectrogram (n_frames, 96) into patches of 187 frames every ``hop``
    frames (the frames after the last whole patch are dropped, as the wheel does).

    Returns float32 (n_patches, 187, 96), a copy.
    """
    S = np.asarray(S, dtype=np.float32)
    if S.ndim != 2 or S.shape[1] != N_MELS:
        raise ValueError(f"expected a log-mel spectrogram of shape (n_frames, {N_MELS}), got {S.shape}")
    starts = patch_starts(S.shape[0], hop)
    return np.stack([S[start:start + PATCH_FRAMES] for start in starts])


def load_clip(path: str | os.PathLike[str], *, clip_seconds: float | None = None) -> np.ndarray:
    """Any audio file as the taggers hear it: mono float32 at 16 kHz (``genrelib.audio``:
    soxr resampling, channels averaged), cut or zero-padded to ``clip_seconds`` (None: whole).
    Raises AudioError naming the file when it is unreadable or shorter than one patch."""
    return load_audio(path, sample_rate=SAMPLE_RATE, clip_seconds=clip_seconds, min_seconds=PATCH_SECONDS)


def clip_patches(clip: "str | os.PathLike[str] | np.ndarray", *, overlap: float = 0.0,
                 clip_seconds: float | None = None) -> np.ndarray:
    """The input patches of a clip: a file (decoded by ``load_clip``) or a mono signal that is
    already at 16 kHz. Returns float32 (n_patches, 187, 96), patches every
    ``hop_frames(overlap)`` frames."""
    if isinstance(clip, (str, os.PathLike)):
        y = load_clip(clip, clip_seconds=clip_seconds)
    else:
        y = mono_signal(clip, caller="clip_patches")
        if clip_seconds is not None:
            y = fit_length(y, int(round(clip_seconds * SAMPLE_RATE)))
    return patches(log_mel(y), hop_frames(overlap))
