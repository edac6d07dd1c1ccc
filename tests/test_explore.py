"""Looking at a dataset (genrelib.explore): examples per genre, artist and split summaries."""

from __future__ import annotations

import pytest

from genrelib.datasets import artist_split, random_split
from genrelib.explore import artist_summary, examples_per_genre, split_summary
from helpers import FOUR_GENRES, artist_tracks

GENRES = FOUR_GENRES


def test_examples_per_genre_is_reproducible() -> None:
    tracks = artist_tracks()
    a = examples_per_genre(tracks, seed=1, genres=GENRES)
    b = examples_per_genre(tracks, seed=1, genres=GENRES)
    assert a["track_id"].tolist() == b["track_id"].tolist()
    assert a["genre"].tolist() == list(GENRES)
    assert len(examples_per_genre(tracks, per_genre=2)) == 2 * len(GENRES)
    with pytest.raises(ValueError, match="empty"):
        examples_per_genre(tracks.iloc[:0])


def test_artist_and_split_summaries() -> None:
    tracks = artist_tracks()
    tracks.loc[0, "artist"] = None
    summary = artist_summary(tracks)
    assert summary.loc["blues", "tracks"] == 6 and summary.loc["blues", "unknown"] == 1
    assert summary.loc["country", "artists"] == 3
    assert summary.loc["country", "top_share"] == pytest.approx(2 / 6)
    splits = {"random": random_split(tracks, seed=0), "artist": artist_split(tracks, seed=0)}
    table = split_summary(splits, tracks)
    assert table.loc["artist", "shared_artists"] == 0
    assert table.loc["random", "train"] + table.loc["random", "valid"] + table.loc["random", "test"] == len(tracks)
