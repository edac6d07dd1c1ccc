"""Track splits (genrelib.datasets.splits): every protocol, its errors, and the leakage check.

Most tests use tracks tables built here (no audio); the GTZAN tests use the fault-filtered
lists of ``gtzan_meta`` and the real mini set ``gtzan_mini`` (skipped when absent)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from genrelib.config import GTZAN_GENRES
from genrelib.datasets import (DatasetIndex, LeakageError, TrackSplit, artist_split,
                               check_leakage, index_dataset, kfold_splits, random_split,
                               split_from_lists)
from genrelib.datasets.splits import SPLIT_CHOICES, check_split_spec, make_split


def make_tracks(per_genre: int | dict[str, int] = 10, *, genres=GTZAN_GENRES,
                tracks_per_artist: int | None = None) -> pd.DataFrame:
    """A tracks table like DatasetIndex.tracks (track_id, genre, artist)."""
    counts = per_genre if isinstance(per_genre, dict) else {g: per_genre for g in genres}
    rows = []
    for genre, n in counts.items():
        for i in range(n):
            artist = None if tracks_per_artist is None else f"{genre}-artist{i // tracks_per_artist}"
            rows.append({"track_id": f"{genre}.{i:05d}", "genre": genre, "artist": artist})
    return pd.DataFrame(rows)


def genre_of(tracks: pd.DataFrame, ids) -> Counter:
    return Counter(tracks.set_index("track_id").loc[list(ids), "genre"])


def assert_partition(split: TrackSplit, tracks: pd.DataFrame) -> None:
    everything = [t for ids in split.sets().values() for t in ids]
    assert len(everything) == len(set(everything)) == len(tracks)
    assert set(everything) == set(tracks["track_id"])


# --------------------------------------------------------------------------- random
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


def test_splits_accept_a_dataset_index_and_reject_bad_tables():
    tracks = make_tracks(5, genres=("a", "b"))
    index = DatasetIndex(root=Path("."), layout="folder", tracks=tracks)
    assert random_split(index, seed=2) == random_split(tracks, seed=2)
    with pytest.raises(ValueError, match="lacks column"):
        random_split(tracks.drop(columns="genre"))
    with pytest.raises(ValueError, match="unique"):
        random_split(pd.concat([tracks, tracks]))
    with pytest.raises(ValueError, match="empty"):
        random_split(tracks.iloc[:0])


# --------------------------------------------------------------------------- k-fold
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
    with pytest.raises(ValueError, match="at least 10 tracks per genre.*Use n_folds <= 8"):
        kfold_splits(make_tracks(8), n_folds=10)
    with pytest.raises(ValueError, match="n_folds must be an integer >= 2, got 1"):
        kfold_splits(make_tracks(8), n_folds=1)
    with pytest.raises(ValueError, match="valid_fraction"):
        kfold_splits(make_tracks(8), n_folds=4, valid_fraction=1.5)


# --------------------------------------------------------------------------- artist
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_artist_split_keeps_each_artist_in_one_set(seed):
    tracks = make_tracks(20, tracks_per_artist=4)  # 5 artists per genre
    tracks.loc[tracks.index % 7 == 0, "artist"] = None  # some unknown artists
    split = artist_split(tracks, seed=seed)
    assert split.protocol == "artist"
    assert_partition(split, tracks)
    check_leakage(split, tracks, by_artist=True)
    artist_sets: dict[str, set[str]] = {}
    for name, ids in split.sets().items():
        for artist in tracks.set_index("track_id").loc[list(ids), "artist"].dropna():
            artist_sets.setdefault(artist, set()).add(name)
    assert all(len(sets) == 1 for sets in artist_sets.values())
    # k = 10 folds of ~200 / 10 tracks; test and valid are ONE fold each. Whole artists (up
    # to 4 tracks) move together, so a fold may miss its share by less than one artist.
    sizes = split.sizes()
    assert 16 <= sizes["test"] <= 24 and 16 <= sizes["valid"] <= 24, sizes


@pytest.mark.parametrize("valid_fraction, test_fraction, sizes", [
    # k = round(1 / smallest non-zero fraction) folds; test and valid are round(fraction * k)
    # whole folds. Every genre has 10 artists of 2 tracks and k divides 10, so every fold
    # holds exactly 10 / k artists of every genre: 200 / k tracks.
    (0.1, 0.1, {"train": 160, "valid": 20, "test": 20}),   # k = 10: 1 + 1 folds of 20
    (0.1, 0.2, {"train": 140, "valid": 20, "test": 40}),   # k = 10: 1 + 2 folds
    (0.2, 0.1, {"train": 140, "valid": 40, "test": 20}),   # k = 10: 2 + 1 folds
    (0.2, 0.2, {"train": 120, "valid": 40, "test": 40}),   # k = 5: 1 + 1 folds of 40
    (0.3, 0.2, {"train": 80, "valid": 80, "test": 40}),    # k = 5: round(1.5) = 2 + 1 folds
    (0.0, 0.2, {"train": 160, "valid": 0, "test": 40}),    # k = 5: 0 + 1 folds
])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_artist_split_sizes_are_whole_folds(valid_fraction, test_fraction, sizes, seed):
    tracks = make_tracks(20, tracks_per_artist=2)  # 10 genres x 10 artists x 2 tracks
    split = artist_split(tracks, valid_fraction=valid_fraction, test_fraction=test_fraction, seed=seed)
    assert split.sizes() == sizes
    for name in ("valid", "test"):  # stratified: every genre has the same share of each set
        per_genre = sizes[name] // len(GTZAN_GENRES)
        expected = {g: per_genre for g in GTZAN_GENRES} if per_genre else {}
        assert genre_of(tracks, getattr(split, name)) == expected
    assert_partition(split, tracks)
    check_leakage(split, tracks, by_artist=True)


def test_artist_split_is_seeded_and_handles_zero_fractions():
    tracks = make_tracks(12, tracks_per_artist=3)
    assert artist_split(tracks, seed=3) == artist_split(tracks, seed=3)
    assert artist_split(tracks, valid_fraction=0, test_fraction=0).sizes()["train"] == 120
    no_valid = artist_split(tracks, valid_fraction=0, test_fraction=0.25)
    assert no_valid.valid == () and len(no_valid.test) > 0


def test_artist_split_errors():
    with pytest.raises(ValueError, match="lacks column.*artist"):
        artist_split(make_tracks(10).drop(columns="artist"))
    one_artist_each = make_tracks(4, genres=("a",), tracks_per_artist=4)  # 1 group in all
    with pytest.raises(ValueError, match="needs at least 3 artist groups.*found 1 group"):
        artist_split(one_artist_each)


# --------------------------------------------------------------------------- split lists
def write_lists(folder: Path, lists: dict[str, list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, entries in lists.items():
        (folder / f"my_{name}.txt").write_text("# a comment\n" + "\n".join(entries) + "\n\n")
    return folder


def test_split_from_lists_folder_and_mapping(tmp_path):
    tracks = make_tracks(4, genres=("blues", "jazz"))
    lists = {"train": ["blues/blues.00000.wav", "jazz/jazz.00000.wav"],
             "valid": ["blues/blues.00001.wav"], "test": ["jazz/jazz.00003.wav"]}
    split = split_from_lists(tracks, write_lists(tmp_path / "lists", lists))
    assert split.sets() == {"train": ("blues.00000", "jazz.00000"), "valid": ("blues.00001",),
                            "test": ("jazz.00003",)}
    assert split.protocol == "lists"
    from_mapping = split_from_lists(tracks, {"train": lists["train"], "test": lists["test"]},
                                    protocol="custom")
    assert from_mapping.valid == () and from_mapping.protocol == "custom"


def test_split_from_lists_warns_about_absent_tracks_and_errors_when_none(tmp_path):
    tracks = make_tracks(2, genres=("blues",))
    lists = {"train": ["blues/blues.00000.wav", "blues/blues.00050.wav"],
             "test": ["blues/blues.00001.wav", "rock/rock.00000.wav", "rock/rock.00001.wav"]}
    with pytest.warns(UserWarning, match="3 of the 5 tracks listed .* not in the index"):
        split = split_from_lists(tracks, lists)
    assert split.train == ("blues.00000",) and split.test == ("blues.00001",)
    with pytest.raises(ValueError, match="none of the 5 tracks"):
        split_from_lists(make_tracks(2, genres=("pop",)), lists)


def test_split_from_lists_matches_label_qualified_ids(tmp_path):
    tracks = pd.DataFrame({"track_id": ["pop/01", "rock/01", "pop/03", "rock/04"],
                           "genre": ["pop", "rock", "pop", "rock"]})
    split = split_from_lists(tracks, {"train": ["pop/01.wav", "rock/01.wav", "rock/04.au"],
                                      "test": ["genres/pop/03.wav"]})  # found by its stem
    assert split.train == ("pop/01", "rock/01", "rock/04") and split.test == ("pop/03",)


def test_split_from_lists_errors(tmp_path):
    tracks = make_tracks(4, genres=("blues",))
    leaky = write_lists(tmp_path / "leaky", {"train": ["blues/blues.00000.wav"],
                                             "test": ["blues/blues.00000.wav"]})
    with pytest.raises(LeakageError, match="blues.00000.*'train'.*'test'"):
        split_from_lists(tracks, leaky)
    no_test = write_lists(tmp_path / "no_test", {"train": ["blues/blues.00000.wav"]})
    with pytest.raises(ValueError, match=r"no \*test\*.txt"):
        split_from_lists(tracks, no_test)
    two = write_lists(tmp_path / "two", {"train": ["a"], "test": ["b"]})
    (two / "other_train.txt").write_text("c\n")
    with pytest.raises(ValueError, match="several files match"):
        split_from_lists(tracks, two)
    with pytest.raises(FileNotFoundError):
        split_from_lists(tracks, tmp_path / "absent")
    with pytest.raises(ValueError, match="keyed by"):
        split_from_lists(tracks, {"training": ["x"]})


# --------------------------------------------------------------------------- leakage check
def test_check_leakage_names_the_track_and_both_sets():
    split = TrackSplit(train=["a", "b"], valid=["c"], test=["b"], protocol="random")
    with pytest.raises(LeakageError, match="track 'b' is in both the 'train' and the 'test' set"):
        check_leakage(split)
    assert issubclass(LeakageError, ValueError)


def test_check_leakage_by_artist_and_unknown_ids():
    tracks = pd.DataFrame({"track_id": ["a", "b", "c", "d"], "genre": ["x"] * 4,
                           "artist": ["Ann", "Ann", None, None]})
    leaky = TrackSplit(train=["a", "c"], valid=[], test=["b", "d"], protocol="artist")
    check_leakage(leaky, tracks)  # no track is shared
    with pytest.raises(LeakageError, match="artist 'Ann' is in both the 'train' set \\(a\\) "
                                           "and the 'test' set \\(b\\)"):
        check_leakage(leaky, tracks, by_artist=True)
    clean = TrackSplit(train=["a", "b", "c"], valid=[], test=["d"], protocol="artist")
    check_leakage(clean, tracks, by_artist=True)  # unknown artists are exempt
    with pytest.raises(ValueError, match="not in the tracks table: \\['zzz'\\]"):
        check_leakage(TrackSplit(train=["zzz"], valid=[], test=[], protocol="x"), tracks)
    with pytest.raises(ValueError, match="needs tracks_df"):
        check_leakage(clean, by_artist=True)


def test_track_split_round_trip_and_validation():
    split = TrackSplit(train=["b", "a"], valid=(), test=["c"], protocol="kfold", fold=2)
    assert split.train == ("b", "a")
    data = json.loads(json.dumps(split.to_dict()))
    assert TrackSplit.from_dict(data) == split
    with pytest.raises(TypeError, match="got a str"):
        TrackSplit(train="abc", valid=(), test=(), protocol="x")


# --------------------------------------------------------------------------- GTZAN metadata
def test_fault_filtered_lists(gtzan_meta):
    md5 = pd.read_csv(gtzan_meta / "md5.csv", dtype=str)
    assert len(md5) == 1000
    tracks = pd.DataFrame({"track_id": md5["track_id"],
                           "genre": md5["track_id"].str.split(".").str[0]})
    split = split_from_lists(tracks, gtzan_meta)
    assert split.sizes() == {"train": 443, "valid": 197, "test": 290}
    sets = [set(ids) for ids in split.sets().values()]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    check_leakage(split, tracks)
    assert len(set(tracks["track_id"]) - set().union(*sets)) == 70  # the faulty tracks


@pytest.mark.realdata
def test_artist_split_on_gtzan_mini_keeps_every_artist_in_one_set(gtzan_mini):
    index = index_dataset(gtzan_mini)
    listed = pd.read_csv(gtzan_mini / "tracks.csv", dtype=str, keep_default_na=False)
    artist_of = {t: a for t, a in zip(listed["track_id"], listed["artist"]) if a}
    assert index.tracks.set_index("track_id")["artist"].dropna().to_dict() == artist_of
    for seed in range(5):
        split = artist_split(index, seed=seed)
        check_leakage(split, index.tracks, by_artist=True)
        where = {}
        for name, ids in split.sets().items():
            for track_id in ids:
                if track_id in artist_of:
                    where.setdefault(artist_of[track_id], set()).add(name)
        assert len(where) == len(set(artist_of.values()))
        assert all(len(sets) == 1 for sets in where.values()), where
        assert_partition(split, index.tracks)
        # all blues is John Lee Hooker: blues lives in exactly one set
        blues_sets = {name for name, ids in split.sets().items() if any(t.startswith("blues") for t in ids)}
        assert len(blues_sets) == 1


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


# --------------------------------------------------------------------------- by name
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


def test_the_fault_filtered_lists_are_found_at_or_above_the_data(tmp_path: Path) -> None:
    from genrelib.datasets import find_split_lists
    from genrelib.datasets.gtzan import FAULT_FILTERED_LISTS

    root = tmp_path / "gtzan" / "genres"
    root.mkdir(parents=True)
    assert find_split_lists(root) is None
    for name in FAULT_FILTERED_LISTS[:2]:
        (tmp_path / "gtzan" / name).write_text("blues/blues.00000.wav\n")
    assert find_split_lists(root) is None  # the test list is missing
    (tmp_path / "gtzan" / FAULT_FILTERED_LISTS[2]).write_text("jazz/jazz.00000.wav\n")
    assert find_split_lists(root) == tmp_path / "gtzan"
    assert find_split_lists(root / "deeper" / "still" / "more") is None  # more than 2 levels up


def _artist_table() -> pd.DataFrame:
    """blues: one artist (6 tracks); jazz: 3 artists x 2 tracks; rock: 6 artists x 1 track."""
    rows = [(f"blues.{i:05d}", "blues", "Hooker") for i in range(6)]
    rows += [(f"jazz.{i:05d}", "jazz", f"J{i // 2}") for i in range(6)]
    rows += [(f"rock.{i:05d}", "rock", f"R{i}") for i in range(6)]
    return pd.DataFrame(rows, columns=["track_id", "genre", "artist"])


def test_artist_kfold_tests_every_track_of_a_testable_genre_once_on_an_unheard_artist() -> None:
    from genrelib.datasets.splits import artist_kfold_splits

    tracks = _artist_table()
    splits = artist_kfold_splits(tracks, n_folds=3, valid_fraction=0.2, seed=4)
    tested = [t for s in splits for t in s.test]
    assert sorted(tested) == sorted(tracks.loc[tracks.genre != "blues", "track_id"])  # once each
    artist = dict(zip(tracks.track_id, tracks.artist))
    for split in splits:
        assert split.protocol == "artist_kfold" and not any(t.startswith("blues") for t in split.test)
        heard = {artist[t] for t in split.train + split.valid}
        assert not {artist[t] for t in split.test} & heard, f"fold {split.fold} tests a heard artist"
        assert all(f"blues.{i:05d}" in split.train + split.valid for i in range(6))  # blues is learnt
        assert set(split.train) | set(split.valid) | set(split.test) == set(tracks.track_id)
    assert [s.fold for s in splits] == [0, 1, 2]


def test_artist_kfold_needs_two_genres_of_several_artists() -> None:
    from genrelib.datasets.splits import artist_kfold_splits

    tracks = _artist_table()
    with pytest.raises(ValueError, match="two genres played by at least two artists"):
        artist_kfold_splits(tracks[tracks.genre != "rock"], n_folds=2)
    with pytest.raises(ValueError, match="n_folds"):
        artist_kfold_splits(tracks, n_folds=1)
