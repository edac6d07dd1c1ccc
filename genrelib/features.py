"""Features of a clip: log-mel, MFCC or summary statistics per 3 s segment, a per-dimension
standardiser, and the parallel, cached extraction of a whole dataset.

The recipe (defaults of ``FeatureConfig``): a 30 s clip at 22,050 Hz is cut into 3 s segments
with 50 % overlap (19 segments); each segment is described by a log-mel spectrogram with
n_fft 2048, hop 512 and 128 mel bands, shape (128, 130), or by the MFCCs of that
spectrogram, shape (n_mfcc, 130).

How it is computed, and why:
- The STFT is computed ONCE per clip (centred frames, zero padding at the clip's ends) and
  every segment takes the 130 frames starting at frame ``floor(start / hop)`` of it. Inside a
  segment this equals computing each segment on its own up to a shift of the frame grid by
  ``start % hop`` samples (< 1 hop, 23 ms); at a segment's first and last
  ``n_fft / (2 * hop)`` frames the sliced version sees the real neighbouring audio where
  per-segment computation would see zero padding. With 50 % overlap this halves the work.
- Power -> dB with a FIXED reference: ``10 * log10(max(S, 1e-10))`` (``power_to_db`` with
  ``ref=1.0, amin=1e-10, top_db=None``). Silence gives -100 dB (finite), and a value means the
  same loudness in every clip and every segment (``ref=np.max`` would rescale each clip by its
  loudest bin and ``top_db`` clipping would depend on what else is in the clip).
- MFCC = DCT-II (orthonormal) over the mel axis of the log-mel segment
  (``librosa.feature.mfcc(S=...)``), so mel and MFCC features describe the same frames.
- "stats" (the classical models' features): per segment, the mean and the standard
  deviation over its frames of the MFCCs and of the ``config.STATS_DESCRIPTORS``, each computed
  by librosa from the segment's frames of the same single STFT (shape (n_features, 1), names
  ``FeatureConfig.feature_names``; see ``clip_features``).
- Segment i starts at sample ``i * cfg.segment_hop_samples`` of the length-normalised clip
  (``genrelib.audio``: cut or zero-padded at the END to ``clip_seconds``).
- A recording of any length can be fed in chunks to ``SegmentStream``: every frame's numbers
  depend on that frame alone, so it computes the frames as their samples arrive and gives the
  same segments as ``clip_features`` of the whole signal, holding about one chunk.
- ``extract_features`` runs the clips on all cores (joblib threads by default: the FFT, BLAS
  and file reading release the GIL, so no worker has to start or send its result back; one
  BLAS thread per worker) and caches the result in one .npz per (data fingerprint, config),
  written atomically (``genrelib.cache``). Given a Dask scheduler's address (``scheduler=``),
  the same per-track function runs on that cluster's workers through joblib's Dask backend
  instead: same cache file, bit-identical features (``pip install 'genrelib[cluster]'``).
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import socket
import threading
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import librosa
import numpy as np
import scipy.fft

from genrelib.audio import AudioError, load_audio, mono_signal, segment_starts
from genrelib.cache import atomic_save_npz, atomic_write_text, default_cache_dir, read_npz
from genrelib.config import STATS_DESCRIPTORS, FeatureConfig

if TYPE_CHECKING:  # imported for type hints only (no import cycle at run time)
    from genrelib.datasets import DatasetIndex
    from genrelib.datasets.splits import TrackSplit

__all__ = [
    "CLUSTER_EXTRA",
    "FEATURES_VERSION",
    "FeatureSet",
    "SCHEDULER_TIMEOUT",
    "STATS_VERSION",
    "SchedulerError",
    "SegmentStream",
    "SkippedClipWarning",
    "Standardizer",
    "clip_features",
    "extract_features",
    "feature_cache_path",
    "log_mel",
    "mel_filterbank",
    "mfcc_from_log_mel",
    "segment_frame_starts",
]

#: Version of the feature computation; part of every cache key (bump it when the maths changes).
FEATURES_VERSION = 1
#: Version of the "stats" computation alone; part of the cache key of "stats" features only
#: (bump it when the descriptors or their maths change: log-mel and MFCC caches stay valid).
STATS_VERSION = 1
#: Spectral contrast: ``CONTRAST_BANDS`` octave bands from ``CONTRAST_FMIN`` Hz up, and the
#: band above them (librosa's defaults), give CONTRAST_BANDS + 1 rows.
CONTRAST_FMIN = 200.0
CONTRAST_BANDS = 6
#: Spectral roll-off: the frequency below which this fraction of a frame's energy lies.
ROLLOFF_PERCENT = 0.85
#: Power floor before the log: silence maps to 10 * log10(1e-10) = -100 dB.
DB_AMIN = 1e-10
_MFCC_CHUNK = 4096  # segments per DCT call when deriving MFCCs from a cached log-mel set
_FIT_CHUNK = 1024  # segments summed at a time in float64 by Standardizer.fit
_MIN_STD = 1e-8  # Standardizer's default floor of a dimension's std


#: Seconds ``extract_features(scheduler=...)`` waits for the Dask scheduler to answer, then
#: for a first worker, before it gives up with a SchedulerError.
SCHEDULER_TIMEOUT = 5.0
#: The pip extra that installs Dask for ``scheduler=``: ``pip install 'genrelib[cluster]'``.
CLUSTER_EXTRA = "cluster"


class SkippedClipWarning(UserWarning):
    """Issued once per clip that could not be used (the message names the file and reason)."""


class SchedulerError(ValueError):
    """``extract_features(scheduler=...)`` cannot use that scheduler: Dask is not installed,
    the address is malformed, nothing answers there within ``SCHEDULER_TIMEOUT`` seconds, or
    no worker joins it. The one-line message names the address and what to do (a ValueError,
    so the command line prints it without a traceback and exits with 2)."""


# --------------------------------------------------------------------------- one clip


@functools.lru_cache(maxsize=8)
def _mel_basis(sample_rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    basis = librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels, dtype=np.float32)
    basis.flags.writeable = False
    return basis


def mel_filterbank(cfg: FeatureConfig) -> np.ndarray:
    """The (Slaney-normalised) mel filterbank of ``cfg``, computed once and reused.

    Returns a read-only float32 array of shape (n_mels, 1 + n_fft // 2), e.g. (128, 1025).
    """
    return _mel_basis(cfg.sample_rate, cfg.n_fft, cfg.n_mels)


@functools.lru_cache(maxsize=8)
def _window(n_fft: int) -> np.ndarray:
    # Periodic Hann (= scipy/librosa get_window("hann", n_fft, fftbins=True)); numpy's symmetric
    # Hann of n_fft + 1 points without its last point avoids importing scipy.signal (~0.6 s).
    window = np.hanning(n_fft + 1)[:-1].astype(np.float32)
    window.flags.writeable = False
    return window


_BLOCK_FRAMES = 256  # frames transformed at a time: keeps the working set in cache (~35 % faster)


def _frames(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Centred analysis frames of ``y`` as a strided view of shape (n_frames, n_fft)."""
    y = mono_signal(y, caller="the STFT")
    pad = cfg.n_fft // 2
    if y.shape[0] + 2 * pad < cfg.n_fft:
        raise ValueError(f"signal of {y.shape[0]} samples is too short for n_fft={cfg.n_fft}")
    return _frame_view(np.pad(y, (pad, pad)), cfg)


def _frame_view(padded: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """The frames of an already padded signal (frame j = samples j * hop .. j * hop + n_fft),
    a strided view of shape (n_frames, n_fft)."""
    return np.lib.stride_tricks.sliding_window_view(padded, cfg.n_fft)[:: cfg.hop_length]


def _power_blocks(frames: np.ndarray, n_fft: int) -> Iterator[tuple[int, np.ndarray]]:
    """(first frame, |rfft|^2 of shape (block, 1 + n_fft // 2)) for consecutive blocks of frames."""
    window = _window(n_fft)
    for start in range(0, frames.shape[0], _BLOCK_FRAMES):
        spectrum = scipy.fft.rfft(frames[start:start + _BLOCK_FRAMES] * window, axis=-1)
        yield start, np.square(spectrum.real) + np.square(spectrum.imag)


def log_mel(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Log-mel spectrogram in dB of a mono signal (fixed reference, see the module docstring).

    ``y`` has shape (n_samples,); returns float32 of shape (n_mels, 1 + n_samples // hop_length),
    e.g. (128, 1292) for a 30 s clip. Silence gives -100 dB, never -inf. The STFT uses a
    periodic Hann window of ``n_fft``, hop ``hop_length`` and centred frames (``n_fft // 2``
    zeros padded at both ends), i.e. ``np.abs(librosa.stft(y, center=True,
    pad_mode="constant")) ** 2``; its power is projected on the mel filterbank block by block
    (vectorised ``scipy.fft.rfft`` calls), never held whole.
    Notebook: 02_features.ipynb
    """
    return _log_mel_frames(_frames(y, cfg), cfg)


def _log_mel_frames(frames: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Log-mel dB of analysis frames (n_frames, n_fft): float32 (n_mels, n_frames)."""
    basis = mel_filterbank(cfg)
    mel = np.empty((cfg.n_mels, frames.shape[0]), dtype=np.float32)
    for start, power in _power_blocks(frames, cfg.n_fft):
        mel[:, start:start + power.shape[0]] = basis @ power.T
    return _to_db(mel)


def _to_db(power: np.ndarray) -> np.ndarray:
    """``10 * log10(max(power, DB_AMIN))`` as contiguous float32 (fixed reference, no clipping)."""
    db = librosa.power_to_db(power, ref=1.0, amin=DB_AMIN, top_db=None)
    return np.ascontiguousarray(db, dtype=np.float32)


def _power_spectrogram(frames: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """|STFT|^2 of analysis frames (n_frames, n_fft): float32 (1 + n_fft // 2, n_frames)."""
    power = np.empty((cfg.n_fft // 2 + 1, frames.shape[0]), dtype=np.float32)
    for start, block in _power_blocks(frames, cfg.n_fft):
        power[:, start:start + block.shape[0]] = block.T
    return power


def mfcc_from_log_mel(S_db: np.ndarray, *, n_mfcc: int) -> np.ndarray:
    """MFCCs from log-mel dB values: orthonormal DCT-II over the mel axis (axis -2).

    ``S_db`` has shape (..., n_mels, frames); returns float32 of shape (..., n_mfcc, frames).
    """
    S_db = np.asarray(S_db, dtype=np.float32)
    if S_db.ndim < 2 or not 1 <= n_mfcc <= S_db.shape[-2]:
        raise ValueError(
            f"n_mfcc must be in [1, n_mels] for log-mel values of shape (..., n_mels, frames); "
            f"got n_mfcc={n_mfcc} for shape {S_db.shape}"
        )
    return np.asarray(librosa.feature.mfcc(S=S_db, n_mfcc=n_mfcc), dtype=np.float32)


def segment_frame_starts(n_samples: int, cfg: FeatureConfig) -> np.ndarray:
    """First STFT frame of every segment: ``floor(start / hop_length)`` of each segment start.

    Returns int64 of shape (n_segments,); segment i uses frames
    ``[start_i, start_i + cfg.frames_per_segment)`` of the clip's STFT, which always fit
    (frames 1162..1291 for the last of 19 segments of a 30 s clip, of 1292).
    Raises ValueError naming the sizes when the clip is shorter than one segment.
    """
    return segment_starts(n_samples, cfg) // cfg.hop_length


def clip_features(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Features of every segment of one clip, from a single STFT of the whole clip.

    ``y`` has shape (n_samples,) at ``cfg.sample_rate``; returns float32 of shape
    (n_segments, n_features, frames_per_segment), e.g. (19, 128, 130) for a 30 s clip and
    ``kind="mel"``, (19, 20, 130) for ``kind="mfcc", n_mfcc=20``; (n_segments, n_features, 1)
    for ``kind="stats"``, e.g. (19, 90, 1): the mean and standard deviation over each
    segment's frames of every row named by ``cfg.feature_names``, from librosa's feature
    functions (spectral centroid, bandwidth, 85 % roll-off, flatness, contrast in 7 bands,
    chroma with tuning fixed at A440, RMS) on the magnitude or power of the same STFT, the
    MFCCs of the "mfcc" kind, and the zero-crossing rate of the same frames of the signal.
    Silence gives finite values. Raises ValueError naming the sizes when the clip is shorter
    than one segment. ``SegmentStream`` gives the same segments from a signal fed in chunks.
    Notebook: 02_features.ipynb
    """
    y = mono_signal(y, caller="clip_features")
    starts = segment_frame_starts(y.shape[0], cfg)
    pad = cfg.n_fft // 2
    return _segments(_frame_rows(np.pad(y, (pad, pad)), cfg), starts, cfg)


def _frame_rows(padded: np.ndarray, cfg: FeatureConfig) -> list[np.ndarray]:
    """What every frame of an already padded signal (see ``_frame_view``) contributes, one
    column per frame: ``[log-mel dB (n_mels, n)]``, or for "stats" ``[descriptors
    (n_features // 2, n) float64, magnitude (1 + n_fft // 2, n)]``. A frame's column depends
    on that frame alone, so the columns of a signal's frames can be computed in pieces."""
    frames = _frame_view(padded, cfg)
    if cfg.kind != "stats":
        return [_log_mel_frames(frames, cfg)]
    sr, n_fft = cfg.sample_rate, cfg.n_fft
    power = _power_spectrogram(frames, cfg)
    magnitude = np.sqrt(power)
    centroid = librosa.feature.spectral_centroid(S=magnitude, sr=sr, n_fft=n_fft)
    per_frame = np.concatenate([
        mfcc_from_log_mel(_to_db(mel_filterbank(cfg) @ power), n_mfcc=cfg.n_mfcc),
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


def _segments(rows: list[np.ndarray], starts: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Features (n_segments, *cfg.segment_shape) of the segments whose first frames are
    ``starts`` (column indices into ``rows``, the ``_frame_rows`` of their frames)."""
    width = cfg.frames_per_segment
    if cfg.kind == "stats":
        return _segment_stats(*rows, starts, cfg)
    segments = np.stack([rows[0][:, start:start + width] for start in starts])
    if cfg.kind == "mfcc":
        segments = mfcc_from_log_mel(segments, n_mfcc=cfg.n_mfcc)
    return np.ascontiguousarray(segments, dtype=np.float32)


def _segment_stats(per_frame: np.ndarray, magnitude: np.ndarray, starts: np.ndarray,
                   cfg: FeatureConfig) -> np.ndarray:
    """The "stats" features of every segment, float32 (n_segments, n_features, 1).

    One STFT of the clip; the descriptors that depend on one frame alone (MFCCs, centroid,
    bandwidth, roll-off, flatness, chroma with tuning fixed at A440, RMS, zero-crossing rate
    of the same zero-padded frames of the signal) are computed over the whole clip and
    sliced; the spectral contrast, whose dB scale is clipped relative to the loudest peak of
    the frames it is given, is computed on each segment's frames alone. Either way a
    segment's numbers are those of librosa called on the segment's frames of the STFT.
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


class SegmentStream:
    """The segments of a long signal fed chunk by chunk, as ``clip_features`` computes them
    from the whole signal (equal within float32 rounding), holding about one chunk.

    ``feed(chunk)`` takes the next samples, shape (n,) at ``cfg.sample_rate``, and returns the
    features of the segments they complete, float32 (k, *cfg.segment_shape) with k >= 0;
    ``finish()`` returns the last ones (the zero padding after the end is known only then)
    and raises ValueError naming the sizes when the whole signal is shorter than one
    segment. Segment i starts at sample ``i * cfg.segment_hop_samples``; a last partial
    segment is dropped. Frames are computed as soon as their samples have arrived; only the
    frames of segments not yet returned are kept.
    """

    def __init__(self, cfg: FeatureConfig) -> None:
        self.cfg = cfg
        self.n_samples = 0  # samples fed so far
        self.n_segments = 0  # segments returned so far
        self._padded = np.zeros(cfg.n_fft // 2, dtype=np.float32)  # signal from frame _n_frames on
        self._n_frames = 0  # frames whose rows are computed
        self._rows: list[np.ndarray] | None = None  # rows of frames _first_row .. _n_frames - 1
        self._first_row = 0
        self._finished = False

    def feed(self, chunk: np.ndarray) -> np.ndarray:
        """Features of the segments completed by ``chunk`` (n,), (k, *segment_shape)."""
        if self._finished:
            raise ValueError("this SegmentStream is finished: start a new one for another signal")
        chunk = mono_signal(chunk, caller="SegmentStream.feed")
        self.n_samples += chunk.shape[0]
        self._padded = np.concatenate([self._padded, chunk])
        self._advance()
        return self._take()

    def finish(self) -> np.ndarray:
        """Features of the segments left at the end of the signal, (k, *segment_shape)."""
        segment_starts(self.n_samples, self.cfg)  # ValueError when shorter than one segment
        self._finished = True
        self._padded = np.concatenate([self._padded, np.zeros(self.cfg.n_fft // 2, np.float32)])
        self._advance()
        return self._take()

    def _advance(self) -> None:
        """Compute the rows of every frame whose samples have all arrived."""
        n_fft, hop = self.cfg.n_fft, self.cfg.hop_length
        if self._padded.shape[0] < n_fft:
            return
        count = 1 + (self._padded.shape[0] - n_fft) // hop
        rows = _frame_rows(self._padded[:(count - 1) * hop + n_fft], self.cfg)
        self._rows = rows if self._rows is None else [
            np.concatenate([old, new], axis=1) for old, new in zip(self._rows, rows)]
        self._padded = self._padded[count * hop:].copy()
        self._n_frames += count

    def _take(self) -> np.ndarray:
        """Features of the segments whose samples arrived and whose frames are computed."""
        cfg, starts = self.cfg, []
        while True:
            start = (self.n_segments + len(starts)) * cfg.segment_hop_samples
            frame = start // cfg.hop_length
            if start + cfg.segment_samples > self.n_samples or frame + cfg.frames_per_segment > self._n_frames:
                break
            starts.append(frame)
        if not starts:
            return np.zeros((0, *cfg.segment_shape), dtype=np.float32)
        out = _segments(self._rows, np.asarray(starts) - self._first_row, cfg)
        self.n_segments += len(starts)
        keep = min(self.n_segments * cfg.segment_hop_samples // cfg.hop_length, self._n_frames)
        self._rows = [rows[:, keep - self._first_row:] for rows in self._rows]
        self._first_row = keep
        return out


# --------------------------------------------------------------------------- feature sets


def _running_index(track_ids: np.ndarray) -> np.ndarray:
    """Position of each segment within its track (0, 1, ... in order of appearance)."""
    out = np.zeros(track_ids.shape[0], dtype=np.int64)
    counts: dict[str, int] = {}
    for i, track in enumerate(track_ids.tolist()):
        out[i] = counts.get(track, 0)
        counts[track] = out[i] + 1
    return out


@dataclass
class FeatureSet:
    """Segment features of a dataset, one row per segment.

    ``X`` float32 (n_segments, n_features, frames); ``y`` int64 (n_segments,) genre index into
    ``genres``; ``track_ids`` str (n_segments,); ``segment_index`` int64 (n_segments,) position of
    the segment in its track; ``skipped``: the clips left out, as ``{"path", "track_id", "reason"}``.
    """

    X: np.ndarray
    y: np.ndarray
    track_ids: np.ndarray
    genres: tuple[str, ...]
    config: FeatureConfig
    segment_index: np.ndarray | None = None
    skipped: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.X = np.asarray(self.X, dtype=np.float32)
        self.y = np.asarray(self.y, dtype=np.int64)
        self.track_ids = np.asarray(self.track_ids, dtype=str)
        self.genres = tuple(self.genres)
        n = self.X.shape[0]
        if self.X.ndim != 3:
            raise ValueError(f"X must have shape (n_segments, n_features, frames), got {self.X.shape}")
        if self.y.shape != (n,) or self.track_ids.shape != (n,):
            raise ValueError(
                f"X has {n} segments but y has shape {self.y.shape} and track_ids {self.track_ids.shape}"
            )
        if self.segment_index is None:
            self.segment_index = _running_index(self.track_ids)
        self.segment_index = np.asarray(self.segment_index, dtype=np.int64)
        if self.segment_index.shape != (n,):
            raise ValueError(f"segment_index must have shape ({n},), got {self.segment_index.shape}")

    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_tracks(self) -> int:
        """Number of distinct tracks. Notebook: 01_data.ipynb, 02_features.ipynb"""
        return int(np.unique(self.track_ids).size)

    def select(self, track_ids: Iterable[str]) -> "FeatureSet":
        """The segments of the given tracks, in this set's order; ids not present are ignored.

        Returns a new FeatureSet (arrays copied); an empty one when no id is present.
        """
        wanted = {str(t) for t in track_ids}
        mask = np.isin(self.track_ids, np.array(sorted(wanted), dtype=str))
        return FeatureSet(
            X=self.X[mask],
            y=self.y[mask],
            track_ids=self.track_ids[mask],
            genres=self.genres,
            config=self.config,
            segment_index=self.segment_index[mask],
            skipped=[s for s in self.skipped if s.get("track_id") in wanted],
        )

    def split(self, split: "TrackSplit") -> dict[str, "FeatureSet"]:
        """``{"train", "valid", "test"}`` FeatureSets of a track split (empty ones allowed).

        Tracks of the split that have no features here are left out with a warning naming
        them, unless they were already reported as skipped clips.
        Notebook: 02_features.ipynb
        """
        present = set(np.unique(self.track_ids).tolist())
        skipped = {s.get("track_id") for s in self.skipped}
        out: dict[str, FeatureSet] = {}
        for name, ids in split.sets().items():
            absent = [t for t in ids if t not in present and t not in skipped]
            if absent:
                shown = ", ".join(absent[:5]) + (" ..." if len(absent) > 5 else "")
                warnings.warn(
                    f"{len(absent)} track(s) of the {name!r} split have no features and are left out: "
                    f"{shown} (were they in the indexed data?)",
                    stacklevel=2,
                )
            out[name] = self.select(ids)
        return out


# --------------------------------------------------------------------------- standardiser


class Standardizer:
    """Standardise each feature dimension (mel band / MFCC coefficient, axis 1 of X).

    ``fit`` takes the mean and standard deviation of every row over all segments and frames of
    the TRAINING X only; ``transform`` applies ``(X - mean_) / std_`` to any split. A dimension
    whose std is below ``min_std`` (a band that is constant, e.g. silent) gets std 1.
    ``mean_``/``std_`` are float64 arrays of shape (n_features,); save them with the model.
    Notebook: 02_features.ipynb
    """

    def __init__(self, *, min_std: float = _MIN_STD) -> None:
        self.min_std = float(min_std)
        self.mean_: np.ndarray | None = None
        self.std_: np.ndarray | None = None

    @staticmethod
    def _check_X(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 3:
            raise ValueError(f"expected X of shape (n_segments, n_features, frames), got shape {X.shape}")
        return X

    @property
    def n_features_(self) -> int:
        """Features per frame seen by ``fit``; ValueError when not fitted."""
        if self.mean_ is None or self.std_ is None:
            raise ValueError("this Standardizer is not fitted yet: call fit(X_train) first (or load a saved one)")
        return int(self.mean_.shape[0])

    def fit(self, X: np.ndarray) -> "Standardizer":
        """Learn per-row mean/std from X (n_segments, n_features, frames); returns self.

        Notebook: 02_features.ipynb
        """
        X = self._check_X(X)
        if X.shape[0] == 0 or X.shape[2] == 0:
            raise ValueError(f"cannot fit a Standardizer on an empty X of shape {X.shape}")
        count = X.shape[0] * X.shape[2]
        blocks = [X[i:i + _FIT_CHUNK] for i in range(0, X.shape[0], _FIT_CHUNK)]  # float64 sums
        mean = sum(block.sum(axis=(0, 2), dtype=np.float64) for block in blocks) / count
        squares = sum(np.square(block.astype(np.float64) - mean[None, :, None]).sum(axis=(0, 2))
                      for block in blocks)
        std = np.sqrt(squares / count)
        self.mean_ = mean
        self.std_ = np.where(std < self.min_std, 1.0, std)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Standardised copy of X (n_segments, n_features, frames) as float32.

        Raises ValueError when not fitted or when X has a different number of features.
        Notebook: 02_features.ipynb
        """
        X = self._check_X(X)
        n_features = self.n_features_
        if X.shape[1] != n_features:
            raise ValueError(
                f"this Standardizer was fitted on {n_features} features per frame but X has "
                f"{X.shape[1]} (shape {X.shape}): use the standardiser saved with features of the same kind"
            )
        mean = self.mean_.astype(np.float32)[None, :, None]
        std = self.std_.astype(np.float32)[None, :, None]
        return ((X.astype(np.float32, copy=False) - mean) / std).astype(np.float32, copy=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"mean": [...], "std": [...], "min_std": float}``."""
        self.n_features_  # raises when not fitted
        return {"mean": self.mean_.tolist(), "std": self.std_.tolist(), "min_std": self.min_std}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Standardizer":
        """Rebuild from ``to_dict()``; ValueError on missing keys or mismatched lengths."""
        try:
            mean = np.asarray(data["mean"], dtype=np.float64)
            std = np.asarray(data["std"], dtype=np.float64)
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a saved Standardizer (needs 'mean' and 'std' lists): {error}") from None
        if mean.ndim != 1 or mean.shape != std.shape or mean.size == 0:
            raise ValueError(f"'mean' and 'std' must be non-empty lists of equal length, got {mean.shape} and {std.shape}")
        if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
            raise ValueError("a saved Standardizer must have finite means and positive finite stds")
        scaler = cls(min_std=float(data.get("min_std", _MIN_STD)))
        scaler.mean_, scaler.std_ = mean, std
        return scaler

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write ``to_dict()`` as JSON at ``path`` (atomically); returns the path."""
        return atomic_write_text(path, json.dumps(self.to_dict()) + "\n")

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Standardizer":
        """Read a Standardizer written by ``save``."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not a saved Standardizer (invalid JSON: {error})") from None
        return cls.from_dict(data)


# --------------------------------------------------------------------------- extraction + cache


def feature_cache_path(
    fingerprint: str, cfg: FeatureConfig, *, cache_dir: str | os.PathLike[str] | None = None
) -> Path:
    """The cache file of the features of data ``fingerprint`` under ``cfg``.

    ``<cache_dir>/<kind><n_features>-<hash>.npz`` where the hash covers the data fingerprint,
    every FeatureConfig field (``kind`` included) and FEATURES_VERSION, and for "stats" also
    STATS_VERSION. ``cache_dir`` None: ``default_cache_dir()``.
    Notebook: 02_features.ipynb
    """
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir("features")
    key = f"{fingerprint}|{cfg.cache_key()}|v{FEATURES_VERSION}"
    if cfg.kind == "stats":
        key += f"|stats{STATS_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return root / f"{cfg.kind}{cfg.n_features}-{digest}.npz"


def _track_features(path: str, cfg: FeatureConfig) -> tuple[np.ndarray | None, str | None]:
    """(features, None) for a usable clip, (None, reason) for an unusable one (worker)."""
    try:
        y = load_audio(path, sample_rate=cfg.sample_rate, clip_seconds=cfg.clip_seconds,
                       min_seconds=cfg.segment_seconds)
    except AudioError as error:
        return None, str(error)
    return clip_features(y, cfg), None


def _warn_skipped(skipped: list[dict[str, str]]) -> None:
    for item in skipped:  # AudioError messages already start with the file name
        reason = item["reason"] if item["path"] in item["reason"] else f"{item['path']}: {item['reason']}"
        warnings.warn(f"skipped clip {reason}", SkippedClipWarning, stacklevel=3)


def _resolve_jobs(n_jobs: int | None, n_tasks: int) -> int:
    import joblib

    jobs = joblib.effective_n_jobs(-1 if n_jobs is None else n_jobs)
    return max(1, min(jobs, n_tasks))


@functools.lru_cache(maxsize=1)
def _threadpools() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finds the BLAS/OpenMP libraries once (~1 ms), then reused


_blas_lock = threading.Lock()
_blas_users = 0  # extractions (local runs, Dask tasks) running in this process
_blas_limiter: Any = None


@contextlib.contextmanager
def _one_blas_thread() -> Iterator[None]:
    """One BLAS/OpenMP thread in this process while any extraction runs in it: the workers
    already use every core, and the features are then bit-identical whatever the number of
    workers, locally or on a cluster. Reference-counted, so that the tasks of a Dask worker
    with several threads do not restore the limits under one another. (threadpoolctl lets
    one thread at a time set a pthreads OpenBLAS; Dask's nanny starts every worker with
    OPENBLAS/OMP/MKL_NUM_THREADS=1 anyway.)"""
    global _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            _blas_limiter = _threadpools().limit(limits=1)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def _cluster_track(path: str, cfg: FeatureConfig) -> tuple[np.ndarray | None, str | None]:
    """``_track_features`` as a task on a Dask worker, with one BLAS thread as locally."""
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"{path} does not exist on the Dask worker on {socket.gethostname()}: the workers must "
            "read the audio under the same path as this machine (a shared filesystem)")
    with _one_blas_thread():
        return _track_features(path, cfg)


_START_A_SCHEDULER = ("start one (`dask scheduler`, then `dask worker ADDRESS` on each machine; "
                      "book/setup.md, Features on a cluster) and give the address it prints, "
                      "e.g. tcp://HOST:8786")


def _scheduler_endpoint(address: str) -> tuple[str, int] | None:
    """(host, port) of a TCP-based scheduler address (tcp, tls, ws, wss; no scheme means tcp),
    None for the others (inproc, ucx); SchedulerError naming it when it is malformed."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.comm.registry import backends

    try:
        scheme, location = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown scheme {scheme!r} (known: {', '.join(sorted(backends))})")
        if scheme not in ("tcp", "tls", "ws", "wss"):
            return None
        host, port = parse_host_port(location)
        if not host or not 0 < int(port) < 65536:
            raise ValueError("it needs a host and a port between 1 and 65535")
    except (TypeError, ValueError) as error:
        raise SchedulerError(f"scheduler address {address!r} is malformed ({error}): give "
                             "tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786") from None
    return host, int(port)


def _unreachable(error: BaseException) -> str:
    """Why a scheduler could not be reached, in a few words."""
    if isinstance(error, ConnectionRefusedError):
        return "nothing is listening there (connection refused)"
    if isinstance(error, socket.gaierror):
        return f"its host name is unknown ({error.strerror})"
    if isinstance(error, TimeoutError):
        return f"no answer within {SCHEDULER_TIMEOUT:g} s"
    return str(error) or type(error).__name__


@contextlib.contextmanager
def _dask_client(address: str) -> Iterator[Any]:
    """A ``distributed.Client`` of the scheduler at ``address``, closed on exit; SchedulerError
    (one line: the address and what to do) when Dask is missing or the address is malformed
    or does not answer within SCHEDULER_TIMEOUT seconds."""
    if not isinstance(address, str) or not address.strip():
        raise SchedulerError(f"scheduler must be a Dask scheduler's address such as "
                             f"tcp://HOST:8786, got {address!r}")
    address = address.strip()
    try:
        import distributed
    except ImportError:
        raise SchedulerError(f"scheduler {address!r} needs Dask, which is not installed: "
                             f"pip install 'genrelib[{CLUSTER_EXTRA}]'") from None
    endpoint = _scheduler_endpoint(address)
    try:
        if endpoint is not None:  # a plain TCP connection fails at once where nothing listens
            socket.create_connection(endpoint, timeout=SCHEDULER_TIMEOUT).close()
        client = distributed.Client(address, timeout=SCHEDULER_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, AssertionError) as error:
        raise SchedulerError(f"cannot reach a Dask scheduler at {address}: {_unreachable(error)}; "
                             f"{_START_A_SCHEDULER}") from None
    try:
        yield client
    finally:
        client.close()


def _dask_results(paths: list[str], cfg: FeatureConfig, scheduler: str,
                  stack: contextlib.ExitStack) -> Iterable[tuple[np.ndarray | None, str | None]]:
    """``_cluster_track`` of every path, in order, on the cluster of ``scheduler`` through
    joblib's Dask backend (every worker thread of the cluster; ``n_jobs`` does not apply)."""
    from joblib import Parallel, delayed, parallel_config

    client = stack.enter_context(_dask_client(scheduler))
    stack.enter_context(parallel_config(backend="dask", client=client,
                                        wait_for_workers_timeout=SCHEDULER_TIMEOUT))
    try:
        return Parallel(n_jobs=-1, return_as="generator")(delayed(_cluster_track)(p, cfg) for p in paths)
    except TimeoutError:  # joblib: no worker joined in wait_for_workers_timeout
        raise SchedulerError(f"the Dask scheduler at {scheduler} has no worker (none joined within "
                             f"{SCHEDULER_TIMEOUT:g} s): start some with `dask worker {scheduler}`") from None


def _run_tracks(paths: list[str], cfg: FeatureConfig, *, n_jobs: int, backend: str, progress: bool,
                scheduler: str | None = None) -> Iterator[tuple[np.ndarray | None, str | None]]:
    """Yield ``_track_features`` of every path, in order, with a tqdm bar: in this process
    (``n_jobs`` workers of ``backend``) or, given ``scheduler``, on that Dask cluster."""
    from joblib import Parallel, delayed
    from tqdm import tqdm

    with contextlib.ExitStack() as stack:
        stack.enter_context(_one_blas_thread())
        if scheduler is not None:
            results: Iterable = _dask_results(paths, cfg, scheduler, stack)
        elif n_jobs == 1:
            results = (_track_features(p, cfg) for p in paths)
        else:
            results = Parallel(n_jobs=n_jobs, backend=backend, return_as="generator")(
                delayed(_track_features)(p, cfg) for p in paths
            )
        where = "" if scheduler is None else f" on {scheduler}"
        yield from tqdm(results, total=len(paths), desc=f"{cfg.kind} features{where}", unit="track",
                        disable=not progress)


def _compute(
    index: "DatasetIndex", cfg: FeatureConfig, *, n_jobs: int | None, backend: str, progress: bool,
    scheduler: str | None = None,
) -> FeatureSet:
    tracks = index.tracks
    paths = [str(p) for p in tracks["path"].tolist()]
    ids = [str(t) for t in tracks["track_id"].tolist()]
    labels = np.asarray(index.labels(), dtype=np.int64)
    # Every usable clip is normalised to clip_samples, so it has exactly segments_per_clip
    # segments: fill one preallocated array as results arrive (peak memory ~ the result).
    per_clip = cfg.segments_per_clip
    X = np.empty((len(paths) * per_clip, *cfg.segment_shape), dtype=np.float32)
    kept: list[int] = []
    skipped: list[dict[str, str]] = []
    results = _run_tracks(paths, cfg, n_jobs=_resolve_jobs(n_jobs, len(paths)), backend=backend,
                          progress=progress, scheduler=scheduler)
    for i, (feats, reason) in enumerate(results):
        if feats is None:
            skipped.append({"path": paths[i], "track_id": ids[i], "reason": str(reason)})
            continue
        row = len(kept) * per_clip
        X[row:row + per_clip] = feats
        kept.append(i)
    if skipped:  # shrink in place (a copy would hold the set twice: 2.5 GB for GTZAN)
        X.resize((len(kept) * per_clip, *cfg.segment_shape), refcheck=False)
    _warn_skipped(skipped)
    return FeatureSet(
        X=X,
        y=np.repeat(labels[kept], per_clip),
        track_ids=np.repeat(np.array([ids[i] for i in kept], dtype=str), per_clip),
        genres=tuple(index.genres),
        config=cfg,
        segment_index=np.tile(np.arange(per_clip, dtype=np.int64), len(kept)),
        skipped=skipped,
    )


def _save_cached(path: Path, features: FeatureSet, fingerprint: str) -> None:
    meta = {
        "version": FEATURES_VERSION,
        "fingerprint": fingerprint,
        "config": features.config.to_dict(),
        "skipped": features.skipped,
    }
    atomic_save_npz(path, {
        "X": features.X,
        "y": features.y,
        "track_ids": features.track_ids,
        "segment_index": features.segment_index,
        "genres": np.array(features.genres, dtype=str),
        "meta": np.array(json.dumps(meta)),
    })


def _load_cached(path: Path, fingerprint: str, cfg: FeatureConfig) -> FeatureSet | None:
    """The cached FeatureSet, or None when absent; a corrupt or stale file warns and gives None."""
    try:
        data = read_npz(path)
        if data is None:
            return None
        meta = json.loads(str(data["meta"]))
        if meta.get("version") != FEATURES_VERSION or meta.get("fingerprint") != fingerprint:
            raise ValueError("it was written for other data or another feature version")
        if FeatureConfig.from_dict(meta["config"]) != cfg:
            raise ValueError("it was written with another FeatureConfig")
        features = FeatureSet(X=data["X"], y=data["y"], track_ids=data["track_ids"],
                              genres=tuple(data["genres"].tolist()), config=cfg,
                              segment_index=data["segment_index"], skipped=list(meta.get("skipped", [])))
        if features.X.shape[1:] != cfg.segment_shape:
            raise ValueError(f"its segments have shape {features.X.shape[1:]}, expected {cfg.segment_shape}")
        return features
    except Exception as error:  # corrupt, truncated or stale: recompute, never crash
        warnings.warn(f"ignoring feature cache file {path} and recomputing: {error}", stacklevel=3)
        return None


def _mfcc_from_mel_set(mel: FeatureSet, cfg: FeatureConfig) -> FeatureSet:
    X = np.empty((len(mel), *cfg.segment_shape), dtype=np.float32)
    for start in range(0, len(mel), _MFCC_CHUNK):
        X[start:start + _MFCC_CHUNK] = mfcc_from_log_mel(mel.X[start:start + _MFCC_CHUNK], n_mfcc=cfg.n_mfcc)
    return FeatureSet(X=X, y=mel.y, track_ids=mel.track_ids, genres=mel.genres, config=cfg,
                      segment_index=mel.segment_index, skipped=list(mel.skipped))


def extract_features(
    index: "DatasetIndex",
    cfg: FeatureConfig,
    *,
    cache_dir: str | os.PathLike[str] | Literal[False] | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    backend: str = "threading",
    scheduler: str | None = None,
) -> FeatureSet:
    """Features of every track of ``index`` (in its row order), computed in parallel and cached.

    Returns a FeatureSet with X of shape (n_tracks * segments_per_clip, *cfg.segment_shape),
    e.g. (1520, 128, 130) for 80 clips of 30 s. Each clip is loaded (mono, ``cfg.sample_rate``,
    cut/padded to ``cfg.clip_seconds``) and featurised by ``clip_features`` in ``n_jobs``
    parallel joblib workers (None: all cores) with a tqdm bar (``progress``). ``backend``
    "threading" (default: the heavy steps release the GIL and no worker has to start or
    pickle its result back; see benchmarks/RESULTS.md) or "loky" (processes). Unusable clips (unreadable,
    shorter than one segment) are skipped with a SkippedClipWarning naming each file and
    listed in ``FeatureSet.skipped``.

    ``scheduler``: the address of a Dask distributed scheduler (e.g. ``"tcp://10.0.0.5:8786"``)
    to run the clips on that cluster's workers instead, through joblib's Dask backend (all
    their threads; ``n_jobs`` and ``backend`` do not apply), with one BLAS thread per task as
    locally, so the features are bit-identical to a local run and go to the same cache file.
    The workers must read the audio under the same paths (a shared filesystem) with the same
    genrelib and library versions; the scheduler is contacted only when something has to be
    computed. Needs ``pip install 'genrelib[cluster]'``. Raises SchedulerError (one line naming
    the address and what to do) when Dask is missing, the address is malformed, nothing
    answers there within ``SCHEDULER_TIMEOUT`` seconds or no worker joins, and
    FileNotFoundError when a worker cannot see a clip.

    Cache: ``feature_cache_path(index.fingerprint(), cfg, cache_dir=...)`` (``cache_dir`` None:
    ``$GENREBOOK_CACHE/features`` or ``~/.cache/genre-book/features``; False: no cache), written
    atomically; a corrupt file is recomputed with a warning. MFCCs are derived from the cached
    log-mel set of the same config when there is one (same values, no audio decoding).
    Notebook: 02_features.ipynb
    """
    if cache_dir is False:
        return _compute(index, cfg, n_jobs=n_jobs, backend=backend, progress=progress, scheduler=scheduler)
    fingerprint = index.fingerprint()
    path = feature_cache_path(fingerprint, cfg, cache_dir=cache_dir)
    cached = _load_cached(path, fingerprint, cfg)
    if cached is not None:
        _warn_skipped(cached.skipped)
        return cached
    features = None
    if cfg.kind == "mfcc":
        mel_cfg = cfg.with_(kind="mel")
        mel_path = feature_cache_path(fingerprint, mel_cfg, cache_dir=cache_dir)
        mel = _load_cached(mel_path, fingerprint, mel_cfg)
        if mel is not None:
            features = _mfcc_from_mel_set(mel, cfg)
            _warn_skipped(features.skipped)
    if features is None:
        features = _compute(index, cfg, n_jobs=n_jobs, backend=backend, progress=progress,
                            scheduler=scheduler)
    _save_cached(path, features, fingerprint)
    return features
