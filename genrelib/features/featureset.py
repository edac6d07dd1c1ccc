"""``FeatureSet``: the segment features of a dataset with their labels, tracks and positions,
selected or split by track.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from genrelib.config import FeatureConfig
from genrelib.errors import GenrelibWarning

if TYPE_CHECKING:  # type hints only
    from genrelib.datasets.splits import TrackSplit

__all__ = ["FeatureSet"]


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

    Attributes
    ----------
    X : np.ndarray
        float32, shape (n_segments, n_features, frames).
    y : np.ndarray
        int64, shape (n_segments,): genre index into ``genres``.
    track_ids : np.ndarray
        str, shape (n_segments,).
    genres : tuple of str
        The genre names, in label order.
    config : FeatureConfig
        The features' settings.
    segment_index : np.ndarray
        int64, shape (n_segments,): position of the segment in its track (None: counted).
    skipped : list of dict
        The clips left out, as ``{"path", "track_id", "reason"}``.

    Raises
    ------
    ValueError
        When the arrays' shapes disagree.
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
        """Number of distinct tracks. Notebook: 01_data.ipynb, 02_features.ipynb
        """
        return int(np.unique(self.track_ids).size)

    def select(self, track_ids: Iterable[str]) -> "FeatureSet":
        """The segments of the given tracks, in this set's order; ids not present are ignored.

        Parameters
        ----------
        track_ids : iterable of str
            The tracks to keep.

        Returns
        -------
        FeatureSet
            A new set (arrays copied); an empty one when no id is present.
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
        """The train, valid and test sets of a track split.

        Tracks of the split that have no features here are left out with a warning naming
        them, unless they were already reported as skipped clips.

        Parameters
        ----------
        split : TrackSplit
            Track ids of the three sets.

        Returns
        -------
        dict of str to FeatureSet
            ``{"train", "valid", "test"}`` (empty sets allowed).

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
                    GenrelibWarning, stacklevel=2,
                )
            out[name] = self.select(ids)
        return out
