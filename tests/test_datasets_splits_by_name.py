"""A split protocol by name (genrelib.datasets.splits.by_name): the choices, and make_split
equal to the protocol functions or passing a checked TrackSplit through."""

from __future__ import annotations

import pytest
from helpers import make_tracks, write_lists

from genrelib.datasets import LeakageError, TrackSplit, artist_split, random_split, split_from_lists
from genrelib.datasets.splits import SPLIT_CHOICES, check_split_spec, make_split


def test_check_split_spec_accepts_the_choices_and_names_them_otherwise():
    assert SPLIT_CHOICES == ("random", "artist", "lists:DIR")
    for spec in ("random", "artist", "lists:some/dir"):
        assert check_split_spec(spec) == spec
    for spec in ("kfold", "lists:", "Random", ""):
        with pytest.raises(ValueError, match="use one of random, artist, lists:DIR"):
            check_split_spec(spec)


def test_make_split_by_name_equals_the_protocol_functions(tmp_path):
    tracks = make_tracks(10, genres=("blues", "jazz", "rock"), tracks_per_artist=2)
    options = dict(valid_fraction=0.2, test_fraction=0.2, seed=3)
    assert make_split(tracks, "random", **options) == random_split(tracks, **options)
    assert make_split(tracks, "artist", **options) == artist_split(tracks, **options)
    lists = {"train": ["blues/blues.00000.wav", "jazz/jazz.00000.wav"],
             "test": ["rock/rock.00003.wav"]}
    folder = write_lists(tmp_path / "lists", lists)
    assert make_split(tracks, f"lists:{folder}") == split_from_lists(tracks, folder)
    with pytest.raises(ValueError, match="unknown split 'kfold'"):
        make_split(tracks, "kfold")


def test_make_split_passes_a_track_split_through_after_checking_it():
    tracks = make_tracks(4, genres=("blues",))
    given = TrackSplit(train=("blues.00000", "blues.00001"), valid=(), test=("blues.00002",),
                       protocol="custom")
    assert make_split(tracks, given) is given
    with pytest.raises(LeakageError, match="blues.00000"):
        make_split(tracks, TrackSplit(train=("blues.00000",), valid=(), test=("blues.00000",),
                                      protocol="custom"))
    with pytest.raises(ValueError, match="not in the tracks table"):
        make_split(tracks, TrackSplit(train=("pop.00000",), valid=(), test=(), protocol="custom"))
