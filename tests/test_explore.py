"""Looking at a dataset (genrelib.explore): examples per genre, artist and split summaries."""

from __future__ import annotations

import pandas as pd
import pytest

from genrelib.datasets import artist_split, random_split
from genrelib.explore import artist_summary, examples_per_genre, split_summary

GENRES = ("blues", "classical", "country", "disco")


def _tracks(per_genre: int = 6, artists_per_genre: int = 3) -> pd.DataFrame:
    rows = []
    for g in GENRES:
        for i in range(per_genre):
            rows.append({"track_id": f"{g}.{i:05d}", "genre": g, "path": f"/x/{g}.{i:05d}.wav",
                         "duration": 30.0 + 0.01 * i, "artist": f"{g}-artist-{i % artists_per_genre}"})
    return pd.DataFrame(rows)


def test_examples_per_genre_is_reproducible() -> None:
    tracks = _tracks()
    a = examples_per_genre(tracks, seed=1, genres=GENRES)
    b = examples_per_genre(tracks, seed=1, genres=GENRES)
    assert a["track_id"].tolist() == b["track_id"].tolist()
    assert a["genre"].tolist() == list(GENRES)
    assert len(examples_per_genre(tracks, per_genre=2)) == 2 * len(GENRES)
    with pytest.raises(ValueError, match="empty"):
        examples_per_genre(tracks.iloc[:0])


def test_artist_and_split_summaries() -> None:
    tracks = _tracks()
    tracks.loc[0, "artist"] = None
    summary = artist_summary(tracks)
    assert summary.loc["blues", "tracks"] == 6 and summary.loc["blues", "unknown"] == 1
    assert summary.loc["country", "artists"] == 3
    assert summary.loc["country", "top_share"] == pytest.approx(2 / 6)
    splits = {"random": random_split(tracks, seed=0), "artist": artist_split(tracks, seed=0)}
    table = split_summary(splits, tracks)
    assert table.loc["artist", "shared_artists"] == 0
    assert table.loc["random", "train"] + table.loc["random", "valid"] + table.loc["random", "test"] == len(tracks)
