"""Segments of a clip: the 3 s windows the models see, cut from ONE STFT of the whole clip
(``clip_features``), or from a recording of any length fed in chunks (``SegmentStream``).

Segment i starts at sample ``i * cfg.segment_hop_samples`` and takes the frames from
``floor(start / hop_length)`` on: with 50 % overlap this halves the work, at the price of a
shift of the frame grid by ``start % hop`` samples (< 1 hop) and of real neighbouring audio
instead of zero padding at a segment's first and last ``n_fft / (2 * hop)`` frames.
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import numpy as np

from genrelib.audio import mono_signal, segment_starts
from genrelib.config import FeatureConfig
from genrelib.features.blockwise import _frame_view, _log_mel_frames
from genrelib.features.spectral import mfcc_from_log_mel
from genrelib.features.stats import _segment_stats, _stats_rows

__all__ = ["SegmentStream", "clip_features", "segment_frame_starts"]


def segment_frame_starts(n_samples: int, cfg: FeatureConfig) -> np.ndarray:
    """First STFT frame of every segment: ``floor(start / hop_length)`` of each segment start.

    Parameters
    ----------
    n_samples : int
        Length of the clip in samples.
    cfg : FeatureConfig
        Uses the segment length, the segment hop and ``hop_length``.

    Returns
    -------
    np.ndarray
        int64, shape (n_segments,); segment i uses frames ``[start_i, start_i +
        cfg.frames_per_segment)`` of the clip's STFT, which always fit (frames 1162..1291
        for the last of 19 segments of a 30 s clip, of 1292).

    Raises
    ------
    ValueError
        Naming the sizes, when the clip is shorter than one segment.
    """
    return segment_starts(n_samples, cfg) // cfg.hop_length


def clip_features(y: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """Features of every segment of one clip, from a single STFT of the whole clip.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape (n_samples,), at ``cfg.sample_rate``.
    cfg : FeatureConfig
        The features: ``kind`` "mel", "mfcc" or "stats" and their settings.

    Returns
    -------
    np.ndarray
        float32, shape (n_segments, n_features, frames_per_segment): (19, 128, 130) for a
        30 s clip and ``kind="mel"``, (19, 20, 130) for ``kind="mfcc", n_mfcc=20``;
        (n_segments, n_features, 1) for ``kind="stats"``, e.g. (19, 90, 1): the mean and
        standard deviation over each segment's frames of every row named by
        ``cfg.feature_names`` (spectral centroid, bandwidth, 85 % roll-off, flatness,
        contrast in 7 bands, chroma with tuning fixed at A440, RMS, the MFCCs, the
        zero-crossing rate). Silence gives finite values.

    Raises
    ------
    ValueError
        Naming the sizes, when the clip is shorter than one segment.

    See Also
    --------
    SegmentStream : the same segments from a signal fed in chunks.

    Notebook: 02_features.ipynb
    """
    y = mono_signal(y, caller="clip_features")
    starts = segment_frame_starts(y.shape[0], cfg)
    pad = cfg.n_fft // 2
    return _segments(_frame_rows(np.pad(y, (pad, pad)), cfg), starts, cfg)


def _frame_rows(padded: np.ndarray, cfg: FeatureConfig) -> list[np.ndarray]:
    """What every frame of an already padded signal (see ``_frame_view``) contributes, one
    column per frame: ``[log-mel dB (n_mels, n)]``, or for "stats" ``_stats_rows``. A frame's
    column depends on that frame alone, so the columns of a signal's frames can be computed
    in pieces."""
    frames = _frame_view(padded, cfg)
    if cfg.kind != "stats":
        return [_log_mel_frames(frames, cfg)]
    return _stats_rows(padded, frames, cfg)


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
        """Features of the segments completed by ``chunk``.

        Parameters
        ----------
        chunk : np.ndarray
            The next samples, shape (n,), at ``cfg.sample_rate``.

        Returns
        -------
        np.ndarray
            float32, shape (k, *cfg.segment_shape), k >= 0.
        """
        if self._finished:
            raise ValueError("this SegmentStream is finished: start a new one for another signal")
        chunk = mono_signal(chunk, caller="SegmentStream.feed")
        self.n_samples += chunk.shape[0]
        self._padded = np.concatenate([self._padded, chunk])
        self._advance()
        return self._take()

    def finish(self) -> np.ndarray:
        """Features of the segments left at the end of the signal.

        Returns
        -------
        np.ndarray
            float32, shape (k, *cfg.segment_shape), k >= 0.

        Raises
        ------
        ValueError
            Naming the sizes, when the whole signal is shorter than one segment.
        """
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
