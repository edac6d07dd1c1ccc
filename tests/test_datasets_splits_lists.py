"""Splits from list files (genrelib.datasets.splits.lists): folders and mappings, absent
tracks, label-qualified ids, errors; GTZAN's fault-filtered lists and where they are found."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import make_tracks, write_lists

from genrelib.datasets import LeakageError, check_leakage, split_from_lists
from genrelib.datasets.splits.lists import ListedTracksMissingWarning


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
    with pytest.warns(ListedTracksMissingWarning, match="3 of the 5 tracks listed .* not in the index") as caught:
        split = split_from_lists(tracks, lists)
    assert split.train == ("blues.00000",) and split.test == ("blues.00001",)
    assert "left empty" not in str(caught[0].message)
    # genrelib's own category: the command line shows it (it hides other libraries' warnings)
    assert ListedTracksMissingWarning.__module__.startswith("genrelib")
    with pytest.warns(ListedTracksMissingWarning, match="; the test set is left empty"):
        assert split_from_lists(tracks, {**lists, "test": ["rock/rock.00000.wav"]}).test == ()
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
