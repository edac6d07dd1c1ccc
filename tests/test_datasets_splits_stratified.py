"""Stratified splits by track (genrelib.datasets.splits.stratified): random 80/10/10, small
sets, seeds, bad fractions; k-fold tests every track once; the real GTZAN mini set."""

from __future__ import annotations

import pytest
from helpers import assert_partition, genre_of, make_tracks

from genrelib.config import GTZAN_GENRES
from genrelib.datasets import check_leakage, index_dataset, kfold_splits, random_split, split_from_lists


def test_random_split_is_stratified_80_10_10():
    tracks = make_tracks(100)
    split = random_split(tracks, seed=1)
    assert split.sizes() == {"train": 800, "valid": 100, "test": 100}
    assert split.protocol == "random"
    assert genre_of(tracks, split.test) == {g: 10 for g in GTZAN_GENRES}
    assert genre_of(tracks, split.valid) == {g: 10 for g in GTZAN_GENRES}
    assert_partition(split, tracks)
    check_leakage(split, tracks)


def test_random_split_is_seeded():
    tracks = make_tracks(20)
    assert random_split(tracks, seed=4) == random_split(tracks, seed=4)
    assert random_split(tracks, seed=4).test != random_split(tracks, seed=5).test


def test_random_split_small_sets_smaller_than_the_number_of_genres():
    """80 tracks, 10 genres: 8 test tracks cannot hold every genre (scikit-learn refuses)."""
    tracks = make_tracks(8)
    split = random_split(tracks, seed=0)
    assert split.sizes() == {"train": 64, "valid": 8, "test": 8}
    assert max(genre_of(tracks, split.test).values()) == 1
    assert genre_of(tracks, split.train).keys() == set(GTZAN_GENRES)
    assert_partition(split, tracks)


def test_random_split_without_test_or_valid():
    tracks = make_tracks(10, genres=("a", "b"))
    no_test = random_split(tracks, valid_fraction=0.2, test_fraction=0.0)
    assert no_test.sizes() == {"train": 16, "valid": 4, "test": 0}
    only_train_test = random_split(tracks, valid_fraction=0, test_fraction=0.5)
    assert only_train_test.sizes() == {"train": 10, "valid": 0, "test": 10}


@pytest.mark.parametrize("kwargs, message", [
    ({"test_fraction": -0.1}, "test_fraction must be a number in \\[0, 1\\), got -0.1"),
    ({"valid_fraction": 1.0}, "valid_fraction must be a number in \\[0, 1\\), got 1.0"),
    ({"valid_fraction": 0.5, "test_fraction": 0.5}, "0.5 \\+ 0.5"),
    ({"test_fraction": "0.1"}, "got '0.1'"),
])
def test_random_split_rejects_bad_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        random_split(make_tracks(10), **kwargs)


def test_random_split_needs_enough_tracks_per_genre():
    tracks = make_tracks({"blues": 10, "jazz": 2})
    with pytest.raises(ValueError, match="at least 3 tracks per genre; 'jazz' has 2"):
        random_split(tracks)
    assert random_split(tracks, test_fraction=0).sizes()["test"] == 0  # 2 sets need 2


def test_kfold_tests_every_track_once_stratified():
    tracks = make_tracks(10)
    splits = kfold_splits(tracks, n_folds=5, valid_fraction=0.1, seed=0)
    assert [s.fold for s in splits] == [0, 1, 2, 3, 4]
    tested = [t for s in splits for t in s.test]
    assert sorted(tested) == sorted(tracks["track_id"])
    for split in splits:
        assert split.protocol == "kfold"
        assert genre_of(tracks, split.test) == {g: 2 for g in GTZAN_GENRES}
        assert split.sizes() == {"train": 72, "valid": 8, "test": 20}
        assert_partition(split, tracks)
        check_leakage(split, tracks)


def test_kfold_errors():
    with pytest.raises(ValueError, match=r"at least 10 tracks per genre.*Use n_folds \(--folds\) <= 8"):
        kfold_splits(make_tracks(8), n_folds=10)
    with pytest.raises(ValueError, match="n_folds must be an integer >= 2, got 1"):
        kfold_splits(make_tracks(8), n_folds=1)
    with pytest.raises(ValueError, match="valid_fraction"):
        kfold_splits(make_tracks(8), n_folds=4, valid_fraction=1.5)


@pytest.mark.realdata
def test_random_split_and_fault_lists_on_gtzan_mini(gtzan_mini, gtzan_meta):
    index = index_dataset(gtzan_mini)
    split = random_split(index, seed=0)
    assert split.sizes() == {"train": 64, "valid": 8, "test": 8}
    check_leakage(split, index.tracks)
    with pytest.warns(UserWarning, match=r"855 of the 930 tracks listed .* not in the index"):
        listed = split_from_lists(index, gtzan_meta)
    assert sum(listed.sizes().values()) == 75  # 5 of the 80 are faulty, in no list
    check_leakage(listed, index.tracks)


def test_a_large_test_fraction_leaves_every_genre_a_validation_track():
    """The test set takes at most all but two tracks of a genre when there is a validation set
    (one to train on, one to validate on). Break tried: the test set keeping room for the
    training track only -> a split of 2/0/4, no validation track at all."""
    tracks = make_tracks({"a": 3, "b": 3})
    split = random_split(tracks, valid_fraction=0.3, test_fraction=0.6, seed=0)
    assert split.sizes() == {"train": 2, "valid": 2, "test": 2}
    assert genre_of(tracks, split.valid) == {"a": 1, "b": 1}


def test_a_set_size_of_a_half_is_rounded_up():
    """25 tracks x 0.1 = 2.5 test tracks: 3 (halves up, as the docstring says), not Python's
    round-half-to-even 2. Break tried: round() instead of _round_half_up -> 2."""
    split = random_split(make_tracks(5, genres=("a", "b", "c", "d", "e")), test_fraction=0.1, seed=0)
    assert split.sizes()["test"] == 3


def test_the_remainders_go_to_the_genres_with_the_largest_fractional_part():
    """Genres of 14, 11 and 5 tracks with 10 % to test: shares 1.4, 1.1 and 0.5, 3 test tracks;
    the floors give a and b one each and the third goes to c (remainder 0.5, the largest),
    whatever the seed. Break tried: the remainder given to the smallest fractional part -> b
    gets two and c none."""
    tracks = make_tracks({"a": 14, "b": 11, "c": 5})
    for seed in range(3):
        split = random_split(tracks, valid_fraction=0, test_fraction=0.1, seed=seed)
        assert genre_of(tracks, split.test) == {"a": 1, "b": 1, "c": 1}, seed
