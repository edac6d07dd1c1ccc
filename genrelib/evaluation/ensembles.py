"""Several models, one answer: the predictions of a model on a set of tracks
(``SegmentPredictions``) and ensembles that average them.

Notebook: 07_evaluation.ipynb
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from genrelib.evaluation.aggregate import aggregate_tracks, track_truth
from genrelib.evaluation.result import EvaluationResult, evaluate_predictions


@dataclass(frozen=True)
class SegmentPredictions:
    """One model's output on a set of tracks, ready to evaluate, ensemble or compare.

    ``probs`` (n_segments, n_classes) in the order of ``genres`` (n_classes,), ``y``
    (n_segments,) the true class index into ``genres``, ``track_ids`` (n_segments,) the
    track of each segment. A track-level model is one "segment" per track.
    ``segments``: where the segments were cut (``config.segment_grid``), None when unknown;
    models with other grids can have as many segments per track, but not the same ones.
    """

    probs: np.ndarray
    y: np.ndarray
    track_ids: np.ndarray
    genres: tuple[str, ...]
    segments: str | None = None

    def __post_init__(self) -> None:
        probs, y = np.asarray(self.probs), np.asarray(self.y)
        ids = np.asarray(self.track_ids).astype(str)
        if probs.ndim != 2 or not len(y) == len(ids) == len(probs):
            raise ValueError(f"probs must have shape (n_segments, n_classes) with one label and "
                             f"one track id per segment, got probs {probs.shape}, {len(y)} "
                             f"labels and {len(ids)} track ids")
        if probs.shape[1] != len(self.genres):
            raise ValueError(f"probs has {probs.shape[1]} classes but {len(self.genres)} genres")
        for name, value in (("probs", probs), ("y", y), ("track_ids", ids),
                            ("genres", tuple(self.genres))):
            object.__setattr__(self, name, value)

    def evaluate(self, *, method: str = "vote", **options: Any) -> EvaluationResult:
        """``evaluate_predictions`` of these predictions (``options``: n_resamples, level, seed)."""
        return evaluate_predictions(self.probs, self.y, self.track_ids, genres=self.genres,
                                    method=method, **options)

    def per_track(self) -> SegmentPredictions:
        """One row per track (first-appearance order): its mean segment probabilities."""
        agg = aggregate_tracks(self.probs, self.track_ids, method="mean")
        _, truth = track_truth(self.y, self.track_ids)
        return SegmentPredictions(agg.probs, truth, agg.track_ids, self.genres, segments="tracks")

    def with_genre_order(self, genres: Sequence[str]) -> SegmentPredictions:
        """The same predictions with the columns (and labels) in the order of ``genres``,
        which must hold the same genres (ValueError naming the difference otherwise)."""
        genres = tuple(genres)
        if sorted(genres) != sorted(self.genres):
            raise ValueError(f"genres must be {list(self.genres)} in some order, "
                             f"got {list(genres)}")
        if genres == self.genres:
            return self
        new_index = np.array([genres.index(g) for g in self.genres])
        return SegmentPredictions(self.probs[:, [self.genres.index(g) for g in genres]],
                                  new_index[self.y], self.track_ids, genres, self.segments)


def check_same_genres(genres_by_member: dict[str, Sequence[str]]) -> None:
    """Raise ValueError naming the genres that differ unless every member ({name: genre
    list}) knows the same genres (in any order)."""
    if not genres_by_member:
        return
    (first_name, first), *others = genres_by_member.items()
    for name, genres in others:
        if set(genres) != set(first):
            only = [f"only in {who}: {', '.join(sorted(mine - theirs))}"
                    for who, mine, theirs in ((first_name, set(first), set(genres)), (name, set(genres), set(first)))
                    if mine - theirs]
            raise ValueError(f"ensemble members must share their genre list: {name} differs from "
                             f"{first_name} ({'; '.join(only)})")


def same_segments(members: Sequence[SegmentPredictions]) -> bool:
    """True when every member scores the same segments: the same track id per row, in the
    same order, and the same grid (``segments``; a member that does not know its own is taken
    at its word). A 30 s clip gives 19 segments of 3 s every 1.5 s and 19 patches of 2.976 s
    every 1.488 s: the same track ids, other segments.
    Notebook: 08_small_data.ipynb"""
    grids = {m.segments for m in members if m.segments is not None}
    return len(grids) <= 1 and all(np.array_equal(m.track_ids, members[0].track_ids) for m in members[1:])


def ensemble_predictions(members: Sequence[SegmentPredictions], *,
                         names: Sequence[str] | None = None) -> SegmentPredictions:
    """The mean of several models' probabilities on the same tracks.

    Members must know the same genres (any column order: the first member's order is kept)
    and score the same tracks with the same true genres; ValueError names the difference
    (members are called by ``names``, default "member 0", ...). When ``same_segments``,
    the segment probabilities are averaged (n_segments rows); otherwise (other segment
    settings, a track-level model) each member's mean track probabilities are averaged
    (n_tracks rows, in the first member's track order).
    Notebook: 07_evaluation.ipynb
    """
    if len(members) == 0:
        raise ValueError("an ensemble needs at least one member")
    names = list(names) if names is not None else [f"member {i}" for i in range(len(members))]
    if len(names) != len(members):
        raise ValueError(f"{len(names)} names for {len(members)} members")
    check_same_genres({n: m.genres for n, m in zip(names, members)})
    genres = members[0].genres
    aligned = [m.with_genre_order(genres) for m in members]
    if not same_segments(aligned):
        aligned = [m.per_track() for m in aligned]
        first = aligned[0].track_ids
        for i, (name, m) in enumerate(zip(names, aligned)):
            differ = sorted(map(str, set(first) ^ set(m.track_ids)))
            if differ:
                raise ValueError(f"ensemble members must score the same tracks: {name} and "
                                 f"{names[0]} differ on {len(differ)} tracks, e.g. {differ[:5]}")
            row = {t: r for r, t in enumerate(m.track_ids)}
            order = np.array([row[t] for t in first])
            aligned[i] = SegmentPredictions(m.probs[order], m.y[order], first, genres)
    for name, m in zip(names[1:], aligned[1:]):
        wrong = np.flatnonzero(m.y != aligned[0].y)
        if len(wrong):
            raise ValueError(f"{name} and {names[0]} disagree on the true genre of track "
                             f"{str(aligned[0].track_ids[wrong[0]])!r}")
    probs = np.mean([m.probs for m in aligned], axis=0)
    return SegmentPredictions(probs, aligned[0].y, aligned[0].track_ids, genres)
