"""The classical models' "stats" features: per segment, the mean and standard deviation over
its frames of the MFCCs and of ``config.STATS_DESCRIPTORS``, each computed by librosa from
the segment's frames of the clip's single STFT (names: ``FeatureConfig.feature_names``).
"""

from __future__ import annotations

import librosa
import numpy as np

from genrelib.config import STATS_DESCRIPTORS, FeatureConfig
from genrelib.features.blockwise import _filterbank, _power_frames, _to_db
from genrelib.features.spectral import mfcc_from_log_mel

__all__ = ["CONTRAST_BANDS", "CONTRAST_FMIN", "ROLLOFF_PERCENT"]

#: Spectral contrast: ``CONTRAST_BANDS`` octave bands from ``CONTRAST_FMIN`` Hz up, and the
#: band above them (librosa's defaults), give CONTRAST_BANDS + 1 rows.
CONTRAST_FMIN = 200.0
CONTRAST_BANDS = 6
#: Spectral roll-off: the frequency below which this fraction of a frame's energy lies.
ROLLOFF_PERCENT = 0.85


def _stats_rows(padded: np.ndarray, frames: np.ndarray, cfg: FeatureConfig) -> list[np.ndarray]:
    """What every frame contributes to the "stats": ``[descriptors (n_features // 2, n)
    float64, magnitude (1 + n_fft // 2, n)]``, one column per frame of ``frames`` (the
    analysis frames of the already padded signal ``padded``). The spectral contrast rows
    are zeros here, filled per segment by ``_segment_stats``."""
    sr, n_fft = cfg.sample_rate, cfg.n_fft
    power = _power_frames(frames, cfg)
    magnitude = np.sqrt(power)
    centroid = librosa.feature.spectral_centroid(S=magnitude, sr=sr, n_fft=n_fft)
    per_frame = np.concatenate([
        mfcc_from_log_mel(_to_db(_filterbank(cfg) @ power), n_mfcc=cfg.n_mfcc),
        centroid,
        librosa.feature.spectral_bandwidth(S=magnitude, sr=sr, n_fft=n_fft, centroid=centroid),
        librosa.feature.spectral_rolloff(S=magnitude, sr=sr, n_fft=n_fft, roll_percent=ROLLOFF_PERCENT),
        librosa.feature.spectral_flatness(S=magnitude),
        np.zeros((CONTRAST_BANDS + 1, power.shape[1])),  # filled per segment (_segment_stats)
        librosa.feature.chroma_stft(S=power, sr=sr, n_fft=n_fft, tuning=0.0),
        librosa.feature.zero_crossing_rate(padded, frame_length=n_fft, hop_length=cfg.hop_length,
                                           center=False),
        librosa.feature.rms(S=magnitude, frame_length=n_fft),
    ]).astype(np.float64)
    if 2 * per_frame.shape[0] != cfg.n_features:  # STATS_DESCRIPTORS and this list disagree
        raise RuntimeError(f"{per_frame.shape[0]} descriptor rows, but feature_names has {cfg.n_features // 2}")
    return [per_frame, magnitude]


def _segment_stats(per_frame: np.ndarray, magnitude: np.ndarray, starts: np.ndarray,
                   cfg: FeatureConfig) -> np.ndarray:
    """The "stats" features of every segment, float32 (n_segments, n_features, 1).

    The descriptors that depend on one frame alone (MFCCs, centroid, bandwidth, roll-off,
    flatness, chroma with tuning fixed at A440, RMS, zero-crossing rate of the same
    zero-padded frames of the signal) come from ``_stats_rows`` of the whole clip, sliced;
    the spectral contrast, whose dB scale is clipped relative to the loudest peak of the
    frames it is given, is computed on each segment's frames alone. Either way a segment's
    numbers are those of librosa called on the segment's frames of the STFT.
    """
    width = cfg.frames_per_segment
    first = cfg.n_mfcc + STATS_DESCRIPTORS.index("spectral_contrast_1")
    contrast = slice(first, first + CONTRAST_BANDS + 1)
    out = np.empty((len(starts), cfg.n_features, 1), dtype=np.float32)
    for i, start in enumerate(starts):
        rows = per_frame[:, start:start + width].copy()
        rows[contrast] = librosa.feature.spectral_contrast(
            S=magnitude[:, start:start + width], sr=cfg.sample_rate, n_fft=cfg.n_fft,
            fmin=CONTRAST_FMIN, n_bands=CONTRAST_BANDS)
        out[i, :, 0] = np.concatenate([rows.mean(axis=1), rows.std(axis=1)])
    return out
