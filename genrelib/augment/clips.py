"""The clip bank: every segment is an exact slice of its clip's whole feature matrix, so the
matrix is rebuilt from the segments (no audio decoded) and a segment can be cut at any frame
(random crops; denser segments for test-time averaging)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from genrelib.features import FeatureSet, segment_frame_starts


@dataclass
class ClipBank:
    """The whole-clip feature matrices of some tracks, rebuilt from their segments.

    Attributes
    ----------
    clips : np.ndarray of float32, shape (n_tracks, n_versions, n_features, n_frames)
        Version 0 is the clip, 1.. its augmented audio copies.
    track_ids : np.ndarray of str, shape (n_tracks,)
    frames : int
        The segment length in frames.
    grid : np.ndarray of int, shape (n_segments_per_clip,)
        The first frame of every grid segment.

    Notebook: 08_small_data.ipynb
    """

    clips: np.ndarray
    track_ids: np.ndarray
    frames: int
    grid: np.ndarray

    @classmethod
    def from_features(cls, features: FeatureSet, copies: Sequence[FeatureSet] = ()) -> "ClipBank":
        """The bank of every track of ``features`` (and of the same tracks in ``copies``).
        ValueError for "stats" features (one column per segment: nothing to slice)."""
        cfg = features.config
        if cfg.kind == "stats":
            raise ValueError("augmentation needs frame features (mel or mfcc), not 'stats'")
        grid = segment_frame_starts(cfg.clip_samples, cfg)
        tracks = np.array(list(dict.fromkeys(features.track_ids.tolist())), dtype=str)
        versions = [features, *(c.select(tracks.tolist()) for c in copies)]
        n_frames = int(grid[-1]) + cfg.frames_per_segment
        clips = np.zeros((len(tracks), len(versions), cfg.n_features, n_frames), dtype=np.float32)
        position = {t: i for i, t in enumerate(tracks.tolist())}
        for v, fs in enumerate(versions):
            rows = np.array([position[t] for t in fs.track_ids.tolist()], dtype=np.int64)
            for row, seg, x in zip(rows, fs.segment_index, fs.X):
                start = int(grid[seg])
                clips[row, v, :, start:start + cfg.frames_per_segment] = x
        return cls(clips=clips, track_ids=tracks, frames=cfg.frames_per_segment, grid=grid)

    @property
    def n_frames(self) -> int:
        return int(self.clips.shape[-1])

    def rows_of(self, track_ids: np.ndarray) -> np.ndarray:
        """Bank row of every track id (KeyError naming an id not in the bank)."""
        position = {t: i for i, t in enumerate(self.track_ids.tolist())}
        return np.array([position[t] for t in np.asarray(track_ids, dtype=str).tolist()], dtype=np.int64)

    def cut(self, rows: np.ndarray, offsets: np.ndarray, versions: np.ndarray | None = None) -> np.ndarray:
        """Segments (len(rows), n_features, frames) of bank rows ``rows`` from frame ``offsets``
        of version ``versions`` (default 0). ValueError when a cut would leave its clip."""
        offsets = np.asarray(offsets, dtype=np.int64)
        if offsets.size and (offsets.min() < 0 or offsets.max() > self.n_frames - self.frames):
            raise ValueError(f"offsets must lie in [0, {self.n_frames - self.frames}]")
        versions = np.zeros(len(rows), np.int64) if versions is None else np.asarray(versions)
        window = offsets[:, None] + np.arange(self.frames)[None, :]  # (n, frames)
        clips = self.clips[np.asarray(rows)[:, None], np.asarray(versions)[:, None], :, window]
        return np.ascontiguousarray(np.transpose(clips, (0, 2, 1)))  # (n, frames, F) -> (n, F, frames)


def dense_segments(features: FeatureSet, *, hop_frames: int) -> FeatureSet:
    """The same tracks cut every ``hop_frames`` frames instead of on the 1.5 s grid.

    For test-time averaging: e.g. hop 16 gives 73 segments per 30 s clip instead of 19.
    Exact slices of the clips' matrices (no audio decoded).

    Parameters
    ----------
    features : FeatureSet
        Grid segments (mel or mfcc) of whole tracks.
    hop_frames : int
        Frames between segment starts (>= 1; the grid's hop is 65).

    Returns
    -------
    FeatureSet
        Track by track, X of shape (n_tracks * segments_per_track, n_features, frames).

    Notebook: 08_small_data.ipynb
    """
    if hop_frames < 1:
        raise ValueError(f"hop_frames must be >= 1, got {hop_frames}")
    bank = ClipBank.from_features(features)
    starts = np.arange(0, bank.n_frames - bank.frames + 1, hop_frames)
    rows = np.repeat(np.arange(len(bank.track_ids)), len(starts))
    label = dict(zip(features.track_ids.tolist(), features.y.tolist()))
    return FeatureSet(X=bank.cut(rows, np.tile(starts, len(bank.track_ids))),
                      y=np.array([label[t] for t in bank.track_ids[rows].tolist()]),
                      track_ids=bank.track_ids[rows], genres=features.genres,
                      config=features.config, segment_index=np.tile(np.arange(len(starts)), len(bank.track_ids)))
