"""Finding, indexing and verifying datasets (genrelib.datasets), on small audio files
written here (sine tones, 0.25 s at 8 kHz) so the tests need no real data and run fast."""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf
from helpers import write_silent_wav

from genrelib.config import GTZAN_GENRES, FeatureConfig
from genrelib.datasets import (DatasetIndex, UnreadableAudioWarning, file_md5, find_root,
                               index_dataset, read_artists, read_manifest)
from genrelib.datasets.folder import track_id_from_path
from genrelib.datasets.index import artists_of, known_artists

RATE = 8000


def write_tone(path: Path, *, seconds: float = 0.25, rate: int = RATE, channels: int = 1,
               freq: float = 440.0, fmt: str | None = None, subtype: str | None = None) -> Path:
    """A short sine tone (one column per channel) at ``path``; the format follows the suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    y = 0.3 * np.sin(2 * np.pi * freq * t)
    data = np.stack([y] * channels, axis=1) if channels > 1 else y
    sf.write(path, data, rate, format=fmt, subtype=subtype)
    return path


def make_gtzan(base: Path, genres=("blues", "jazz", "rock"), per_genre: int = 3,
               ext: str = "wav") -> Path:
    """``base/genres/<g>/<g>.0000N.<ext>``; returns the ``genres`` folder."""
    root = base / "genres"
    for gi, genre in enumerate(genres):
        for i in range(per_genre):
            write_tone(root / genre / f"{genre}.{i:05d}.{ext}", freq=200.0 + 50 * gi + 7 * i,
                       subtype="PCM_16")
    return root


def write_manifest(path: Path, root: Path, *, prefix: str = "genres/") -> Path:
    rows = [{"track_id": f.stem, "relative_path": prefix + f.relative_to(root).as_posix(),
             "md5": hashlib.md5(f.read_bytes()).hexdigest()}
            for f in sorted(root.glob("*/*.*"))]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- finding the root
@pytest.mark.parametrize("levels_up", [0, 1, 2])
def test_find_root_at_or_up_to_two_levels_above(tmp_path, levels_up):
    root = make_gtzan(tmp_path / "a" / "b", per_genre=1)
    start = root
    for _ in range(levels_up):
        start = start.parent
    assert find_root(start) == root.resolve()


def test_find_root_three_levels_above_is_an_error(tmp_path):
    make_gtzan(tmp_path / "a" / "b", per_genre=1)
    with pytest.raises(ValueError, match="no labelled audio found"):
        find_root(tmp_path)


def test_find_root_bad_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        find_root(tmp_path / "nope")
    file = write_tone(tmp_path / "x.wav")
    with pytest.raises(NotADirectoryError):
        find_root(file)


def test_pointing_at_a_genre_folder_says_to_use_its_parent(tmp_path):
    root = make_gtzan(tmp_path, per_genre=1)
    with pytest.raises(ValueError, match="point at its parent"):
        find_root(root / "blues")


def test_repackaged_layout_is_found_beside_non_audio_folders(tmp_path):
    """Data/genres_original/<g>/<g>.000NN.wav next to Data/images_original/<g>/*.png."""
    data = tmp_path / "Data"
    for genre in ("blues", "pop"):
        write_tone(data / "genres_original" / genre / f"{genre}.00000.wav")
        (data / "images_original" / genre).mkdir(parents=True)
        (data / "images_original" / genre / f"{genre}00000.png").write_bytes(b"\x89PNG")
    (data / "features_30_sec.csv").write_text("filename,label\n")
    index = index_dataset(tmp_path)
    assert index.root == (data / "genres_original").resolve()
    assert index.layout == "gtzan-wav"
    assert list(index.tracks["track_id"]) == ["blues.00000", "pop.00000"]


def test_two_candidate_roots_prefer_gtzan_else_error(tmp_path):
    make_gtzan(tmp_path / "x", per_genre=1)
    write_tone(tmp_path / "other" / "mood" / "happy" / "song.wav")
    # depth 1 below tmp_path: 'x' and 'other' are not roots; depth 2: x/genres and other/mood
    assert find_root(tmp_path) == (tmp_path / "x" / "genres").resolve()
    write_tone(tmp_path / "third" / "labels" / "sad" / "song.wav")
    (tmp_path / "x" / "genres").rename(tmp_path / "x" / "notgtzan")
    for genre in ("blues", "jazz", "rock"):
        (tmp_path / "x" / "notgtzan" / genre).rename(tmp_path / "x" / "notgtzan" / f"my{genre}")
    with pytest.raises(ValueError, match="point at the one you mean"):
        find_root(tmp_path)


def test_two_roots_of_gtzan_genres_at_one_level_are_an_error_naming_both(tmp_path) -> None:
    """Two folders at the same depth that each hold GTZAN genre folders (``top/a/blues``,
    ``top/b/rock``): the GTZAN preference cannot decide, so ValueError says 2 were found
    and names both, never the first one picked in silence.

    Break tried: find_root's ``len(roots) == 1`` as ``>= 1`` -> ``top/a`` is returned."""
    write_silent_wav(tmp_path / "top" / "a" / "blues" / "blues.00000.wav", 0.25, sample_rate=RATE)
    write_silent_wav(tmp_path / "top" / "b" / "rock" / "rock.00000.wav", 0.25, sample_rate=RATE)
    with pytest.raises(ValueError, match="found 2 folders of labelled audio") as error:
        find_root(tmp_path / "top")
    assert str((tmp_path / "top" / "a").resolve()) in str(error.value)
    assert str((tmp_path / "top" / "b").resolve()) in str(error.value)


# --------------------------------------------------------------------------- the index
def test_index_columns_types_and_order(tmp_path):
    root = make_gtzan(tmp_path, genres=("rock", "blues"), per_genre=2)
    write_tone(root / "blues" / "notes.txt", fmt="WAV")  # not audio by name: ignored
    (root / "blues" / "._blues.00000.wav").write_bytes(b"\0\0")  # macOS resource fork: hidden
    index = index_dataset(tmp_path)
    tracks = index.tracks
    assert list(tracks.columns) == ["track_id", "genre", "path", "relative_path", "duration",
                                    "sample_rate", "channels", "artist"]
    assert list(tracks["track_id"]) == ["blues.00000", "blues.00001", "rock.00000", "rock.00001"]
    assert tracks["relative_path"].iloc[0] == "blues/blues.00000.wav"
    assert all(Path(p).is_absolute() and Path(p).is_file() for p in tracks["path"])
    assert tracks["duration"].tolist() == pytest.approx([0.25] * 4)
    assert set(tracks["sample_rate"]) == {RATE} and set(tracks["channels"]) == {1}
    assert tracks["artist"].isna().all()
    assert index.genres == ("blues", "rock")  # GTZAN order
    assert index.labels().tolist() == [0, 0, 1, 1] and index.labels().dtype == np.int64
    assert index.unreadable == [] and index.checksums is None
    assert index.per_genre() == {"blues": 2, "rock": 2}


def test_au_layout(tmp_path):
    make_gtzan(tmp_path, per_genre=2, ext="au")
    index = index_dataset(tmp_path)
    assert index.layout == "gtzan-au"
    assert len(index.tracks) == 6 and index.tracks["relative_path"].str.endswith(".au").all()


def test_any_labelled_folder_with_every_format(tmp_path):
    root = tmp_path / "moods"
    write_tone(root / "happy" / "a.wav")
    write_tone(root / "happy" / "b.flac")
    write_tone(root / "happy" / "c.OGG", fmt="OGG", subtype="VORBIS")
    write_tone(root / "sad" / "d.au", channels=2)
    write_tone(root / "sad" / "e.mp3", rate=22050, seconds=0.5, fmt="MP3", subtype="MPEG_LAYER_III")
    index = index_dataset(root)
    assert index.layout == "folder"
    assert index.genres == ("happy", "sad")
    assert list(index.tracks["track_id"]) == ["a", "b", "c", "d", "e"]
    assert index.unreadable == []
    stereo = index.tracks.set_index("track_id").loc["d"]
    assert stereo["channels"] == 2
    assert index.tracks.set_index("track_id").loc["e", "duration"] > 0.4


def test_repeated_file_names_across_labels_get_label_qualified_ids(tmp_path):
    write_tone(tmp_path / "data" / "pop" / "01.wav")
    write_tone(tmp_path / "data" / "rock" / "01.wav")
    index = index_dataset(tmp_path / "data")
    assert list(index.tracks["track_id"]) == ["pop/01", "rock/01"]


def test_a_name_repeated_within_a_label_gets_relative_path_ids(tmp_path) -> None:
    """``pop/01.wav`` beside ``pop/01.flac`` (and ``rock/01.wav``): ``label/stem`` ids would
    repeat, so every track is named by its relative path (``_track_ids``: stems when unique,
    else ``label/stem``, else the relative path) and the ids stay unique.

    Break tried: ``_track_ids`` returning ``label/stem`` without checking they are unique ->
    two tracks named ``pop/01``."""
    for name in ("pop/01.wav", "pop/01.flac", "rock/01.wav"):
        write_tone(tmp_path / "data" / name)
    index = index_dataset(tmp_path / "data")
    assert list(index.tracks["track_id"]) == ["pop/01.flac", "pop/01.wav", "rock/01.wav"]
    assert list(index.tracks["track_id"]) == list(index.tracks["relative_path"])


def test_audio_the_index_does_not_read_is_named_in_a_warning(tmp_path):
    """A genre whose files lie in an album folder (``Metal/Some Album/*.wav``), or in a format
    genrelib does not decode (``.m4a``), vanished from the index, and so from training,
    without a word: only ``data check`` listed the files. Non-audio files stay quiet.

    Breaks tried: index_dataset without warn_unread_audio -> no warning; ignored_files
    without OTHER_AUDIO_EXTENSIONS -> the .m4a folder is not named."""
    from genrelib.datasets.folder import UnreadAudioWarning

    root = make_gtzan(tmp_path, genres=("blues", "jazz"), per_genre=2)
    (root / "blues" / "cover.jpg").write_bytes(b"\xff\xd8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreadAudioWarning)
        index_dataset(tmp_path)  # nothing unread: no warning
    for i in range(2):
        write_tone(root / "metal" / "Some Album" / f"{i:02d}.wav")
    (root / "pop").mkdir()
    (root / "pop" / "single.m4a").write_bytes(b"\0\0\0\x20ftypM4A ")
    with pytest.warns(UnreadAudioWarning) as record:
        index = index_dataset(tmp_path)
    assert index.genres == ("blues", "jazz")
    [message] = [str(w.message) for w in record if issubclass(w.category, UnreadAudioWarning)]
    assert message.startswith(f"3 audio file(s) under {root} are not read: metal/Some Album/00.wav, "
                              "metal/Some Album/01.wav, pop/single.m4a. Only <root>/<genre>/<file> in .wav")
    assert "move album folders' files up into their genre folder" in message and "cover.jpg" not in message
    assert {item["relative_path"]: item["reason"] for item in index.report()["ignored"]}["pop/single.m4a"] == \
        "an audio format genrelib does not read: convert it (e.g. to .flac) to use it"


def test_unreadable_files_are_reported_warned_and_left_out(tmp_path):
    root = make_gtzan(tmp_path, per_genre=2)
    (root / "jazz" / "jazz.00054.wav").write_bytes(np.random.default_rng(0).bytes(4000))
    (root / "rock" / "rock.00002.wav").write_bytes(b"")
    good = (root / "blues" / "blues.00000.wav").read_bytes()
    (root / "blues" / "blues.00002.wav").write_bytes(good[:30])  # truncated header
    with pytest.warns(UnreadableAudioWarning) as record:
        index = index_dataset(tmp_path)
    # other libraries may warn too (audioread's aifc deprecation on Python 3.11): pick ours
    ours = [str(w.message) for w in record if issubclass(w.category, UnreadableAudioWarning)]
    assert len(ours) == 1, ours
    message = ours[0]
    for name in ("jazz.00054.wav", "rock.00002.wav", "blues.00002.wav"):
        assert name in message
    assert len(index.tracks) == 6
    by_name = {Path(u["path"]).name: u["reason"] for u in index.unreadable}
    assert set(by_name) == {"jazz.00054.wav", "rock.00002.wav", "blues.00002.wav"}
    assert "empty" in by_name["rock.00002.wav"]
    assert "known corrupt" in by_name["jazz.00054.wav"]
    assert all(u["relative_path"] in message for u in index.unreadable)


def test_a_truncated_file_is_named_warned_and_left_out(tmp_path):
    root = make_gtzan(tmp_path, per_genre=2)
    for name in ("blues/blues.00001.wav", "jazz/jazz.00000.flac"):
        path = write_tone(root / name, seconds=2.0, subtype="PCM_16")
        path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])  # an interrupted copy
    with pytest.warns(UnreadableAudioWarning) as record:
        index = index_dataset(tmp_path)
    [message] = [str(w.message) for w in record if issubclass(w.category, UnreadableAudioWarning)]
    by_name = {Path(u["path"]).name: u["reason"] for u in index.unreadable}
    assert by_name["blues.00001.wav"].startswith("truncated: 1.0 of 2.0 seconds")
    assert by_name["jazz.00000.flac"].startswith("truncated: ")
    assert "of 2.0 seconds" in by_name["jazz.00000.flac"]
    assert "blues/blues.00001.wav (truncated: 1.0 of 2.0 seconds" in message
    assert "blues.00001" not in set(index.tracks["track_id"]) and len(index.tracks) == 5


def test_only_unreadable_files_gives_an_empty_index_not_a_crash(tmp_path):
    (tmp_path / "g" / "blues").mkdir(parents=True)
    (tmp_path / "g" / "blues" / "blues.00000.wav").write_bytes(b"")
    with pytest.warns(UnreadableAudioWarning):
        index = index_dataset(tmp_path / "g")
    assert len(index.tracks) == 0 and len(index.unreadable) == 1
    assert index.report()["tracks"] == 0


def test_parallel_and_progress_give_the_same_index(tmp_path):
    make_gtzan(tmp_path, per_genre=3)
    serial = index_dataset(tmp_path)
    parallel = index_dataset(tmp_path, n_jobs=2, progress=True)
    pd.testing.assert_frame_equal(serial.tracks, parallel.tracks)


# --------------------------------------------------------------------------- artists
def test_artists_from_tracks_csv_beside_the_genres_folder(tmp_path):
    make_gtzan(tmp_path, per_genre=2)
    pd.DataFrame({"path": ["genres/blues/blues.00000.wav", "genres/blues/blues.00001.wav"],
                  "track_id": ["blues.00000", "blues.00001"], "artist": ["John Lee Hooker", ""]}
                 ).to_csv(tmp_path / "tracks.csv", index=False)
    for start in (tmp_path, tmp_path / "genres"):
        artists = index_dataset(start).tracks.set_index("track_id")["artist"]
        assert artists["blues.00000"] == "John Lee Hooker"
        assert artists["blues.00001"] is None and artists["rock.00000"] is None


def test_tracks_csv_without_artist_column_is_ignored_with_a_warning(tmp_path):
    make_gtzan(tmp_path, per_genre=1)
    (tmp_path / "tracks.csv").write_text("filename,label\nx,y\n")
    from genrelib.datasets.gtzan import ArtistsFileWarning

    with pytest.warns(ArtistsFileWarning, match="tracks.csv"):  # a genrelib warning: commands show it
        index = index_dataset(tmp_path)
    assert index.tracks["artist"].isna().all()



def test_tracks_of_other_genre_folders_with_the_same_file_name_keep_their_own_artists(tmp_path):
    """jazz/00.wav and rock/00.wav: each track gets the artist of its own row (the last row
    with the stem "00" won, so one artist sat in train, validation and test of --split artist);
    a bare stem that names two artists is never a key.

    Break tried: artist_keys giving the stem alone (as before) -> no "jazz/00" key, fails."""
    from genrelib.datasets import read_artists

    for genre in ("jazz", "rock"):
        for i in range(2):
            write_tone(tmp_path / genre / f"{i:02d}.wav", freq=300.0 + 40 * i + (90 if genre == "rock" else 0))
    rows = [(f"{g}/{i:02d}.wav", f"{g} artist {i}") for g in ("jazz", "rock") for i in range(2)]
    pd.DataFrame(rows, columns=["path", "artist"]).to_csv(tmp_path / "tracks.csv", index=False)
    artists = read_artists(tmp_path / "tracks.csv")
    assert artists["jazz/00"] == "jazz artist 0" and "00" not in artists  # ambiguous stem: no key
    index = index_dataset(tmp_path).tracks
    assert dict(zip(index["relative_path"], index["artist"])) == {path: artist for path, artist in rows}


def test_rows_that_name_a_repeated_file_name_by_its_stem_alone_are_named_not_dropped(tmp_path):
    """A tracks.csv keyed by bare stems where every genre folder has a 01.wav: "01" names
    several artists, so those rows cannot be used; they were dropped without a word (and an
    artist split then asked for artists the file names). Rows with a unique key still count.

    Break tried: _by_keys without the warning -> no ArtistsFileWarning."""
    from genrelib.datasets.gtzan import ArtistsFileWarning

    for genre in ("jazz", "rock"):
        write_tone(tmp_path / genre / "01.wav", freq=300.0 if genre == "jazz" else 500.0)
        write_tone(tmp_path / genre / f"{genre} 02.wav", freq=350.0 if genre == "jazz" else 550.0)
    pd.DataFrame({"track_id": ["01", "01", "jazz 02", "rock 02"],
                  "artist": ["Jazz Band", "Rock Band", "Jazz Band", "Rock Band"]}).to_csv(tmp_path / "tracks.csv", index=False)
    with pytest.warns(ArtistsFileWarning, match=r"tracks.csv: 1 track name\(s\) are given different artists by "
                                               r"several rows \(01\), so those rows are not used: name each track "
                                               r"with its genre folder \(jazz/01\)"):
        tracks = index_dataset(tmp_path).tracks
    assert dict(zip(tracks["track_id"], tracks["artist"])) == {
        "jazz/01": None, "jazz/jazz 02": "Jazz Band", "rock/01": None, "rock/rock 02": "Rock Band"}


def test_a_tracks_csv_saved_by_a_spreadsheet_is_read_or_named(tmp_path):
    """Excel's "CSV UTF-8" starts with a byte-order mark: read (it was skipped as "no
    'track_id' column"); a Latin-1 file or a broken quote is named with what to do, in a warning
    a command shows, and the tracks are indexed without artists (every command failed before).
    An artists file given on purpose still raises."""
    from genrelib.datasets import read_artists
    from genrelib.datasets.gtzan import ArtistsFileWarning

    make_gtzan(tmp_path, per_genre=1)
    (tmp_path / "tracks.csv").write_bytes("\ufefftrack_id,artist\nblues.00000,Beyoncé\n".encode("utf-8"))
    assert index_dataset(tmp_path).tracks.set_index("track_id")["artist"]["blues.00000"] == "Beyoncé"
    for content, message in ((b"track_id,artist\nblues.00000,Beyonc\xe9\n", "not UTF-8 text"),
                             (b'track_id,artist\nblues.00000,"unterminated\n', "not a readable CSV table")):
        (tmp_path / "tracks.csv").write_bytes(content)
        with pytest.warns(ArtistsFileWarning, match=f"tracks.csv.*{message}.*artists left unknown") as caught:
            index = index_dataset(tmp_path)
        assert ArtistsFileWarning.__module__.startswith("genrelib") and len(caught) >= 1
        assert len(index.tracks) == 3 and index.tracks["artist"].isna().all()
        with pytest.raises(ValueError, match=message):
            read_artists(tmp_path / "tracks.csv")


def test_a_genre_folder_named_in_decomposed_unicode_is_the_same_genre(tmp_path):
    """"música" copied from macOS is m-u-COMBINING ACUTE-s-i-c-a (NFD): its label is the
    composed name (NFC), so a model trained on one form knows the other ("not trained on:
    ['música']; it knows [..., 'música']" before).

    Break tried: the folder name as it is -> the NFD label."""
    import unicodedata

    write_tone(tmp_path / unicodedata.normalize("NFD", "música") / "a.wav")
    write_tone(tmp_path / "lo-fi" / "b.wav", freq=300.0)
    genres = index_dataset(tmp_path).tracks["genre"].tolist()
    assert genres == ["lo-fi", "música"] and unicodedata.is_normalized("NFC", genres[1])

def test_read_artists_sturm_format_and_artists_option(tmp_path):
    sturm = tmp_path / "artists_titles.txt"
    sturm.write_text("## comment\n##\nblues.00000.wav ::: John Lee Hooker ::: Boogie\n"
                     "jazz.00001.wav ::: ::: Untitled\nrock.00000.wav ::: Morphine :::\n")
    assert read_artists(sturm) == {"blues.00000": "John Lee Hooker", "jazz.00001": None,
                                   "rock.00000": "Morphine"}
    make_gtzan(tmp_path / "d", per_genre=2)
    artists = index_dataset(tmp_path / "d", artists=sturm).tracks.set_index("track_id")["artist"]
    assert artists["blues.00000"] == "John Lee Hooker" and artists["rock.00000"] == "Morphine"
    assert artists["jazz.00001"] is None
    mapped = index_dataset(tmp_path / "d", artists={"jazz.00000": "Miles Davis"})
    assert mapped.tracks.set_index("track_id")["artist"]["jazz.00000"] == "Miles Davis"
    (tmp_path / "broken.txt").write_text("no separator here\n")
    with pytest.raises(ValueError, match="line 1"):
        read_artists(tmp_path / "broken.txt")


def test_track_id_from_path():
    for path in ("blues.00000", "blues.00000.wav", "genres/blues/blues.00000.AU",
                 "genres\\blues\\blues.00000.wav", Path("/data/genres/blues/blues.00000.flac")):
        assert track_id_from_path(path) == "blues.00000"
    assert track_id_from_path("pop/01.mp3") == "01" and track_id_from_path("a.b.txt") == "a.b.txt"


def test_artists_of_a_set_of_tracks():
    tracks = pd.DataFrame({"track_id": ["a", "b", "c", "d", "e"],
                           "artist": ["X", "Y", None, "  ", "X"]})
    assert known_artists(tracks) == {"a": "X", "b": "Y", "e": "X"}
    assert artists_of(tracks, ["a", "c", "d", "e", "zz"]) == {"X"}
    assert artists_of(tracks, []) == set()
    assert artists_of(tracks.drop(columns="artist"), ["a"]) == set()  # no artists known


def test_a_clip_of_exactly_one_segment_is_not_reported_too_short(tmp_path) -> None:
    """``report()["too_short"]`` names readable clips shorter than one default segment (3 s):
    a 1 s clip is named, a clip of exactly 3.0 s (one whole segment) is not.

    Break tried: ``duration < segment_seconds`` as ``<=`` -> the 3.0 s clip is named too."""
    assert FeatureConfig().segment_seconds == 3.0
    write_silent_wav(tmp_path / "data" / "blues" / "blues.00000.wav", 3.0)
    write_silent_wav(tmp_path / "data" / "blues" / "blues.00001.wav", 1.0)
    report = index_dataset(tmp_path / "data").report()
    assert report["too_short"] == [{"relative_path": "blues/blues.00001.wav", "duration": 1.0}]


# --------------------------------------------------------------------------- subset, fingerprint
def test_subset_keeps_genres_and_rejects_unknown_ids(tmp_path):
    make_gtzan(tmp_path, per_genre=2)
    index = index_dataset(tmp_path)
    sub = index.subset(["rock.00001", "blues.00000"])
    assert list(sub.tracks["track_id"]) == ["blues.00000", "rock.00001"]
    assert sub.genres == ("blues", "jazz", "rock")
    assert sub.labels().tolist() == [0, 2]
    with pytest.raises(KeyError, match="pop.00000"):
        index.subset(["pop.00000"])


def test_fingerprint_changes_with_the_files(tmp_path):
    root = make_gtzan(tmp_path, per_genre=1)
    first = index_dataset(tmp_path).fingerprint()
    assert index_dataset(tmp_path).fingerprint() == first and len(first) == 16
    write_tone(root / "blues" / "blues.00000.wav", seconds=0.3)
    os.utime(root / "blues" / "blues.00000.wav", ns=(1, 1))
    second = index_dataset(tmp_path).fingerprint()
    assert second != first
    write_tone(root / "jazz" / "jazz.00001.wav")
    assert index_dataset(tmp_path).fingerprint() not in (first, second)


def test_the_fingerprint_covers_the_genre_list_not_only_the_tracks(tmp_path) -> None:
    """The blues tracks as a subset (genres blues and jazz kept) and with jazz dropped (genres
    blues alone) hold the same files, yet their features' labels index other genre lists, so
    their fingerprints (a feature-cache key) differ; the same subset twice has one fingerprint.

    Break tried: the ``genres:`` line left out of fingerprint() -> the two are equal."""
    make_gtzan(tmp_path, genres=("blues", "jazz"), per_genre=2)
    index = index_dataset(tmp_path)
    blues = index.tracks.loc[index.tracks["genre"] == "blues", "track_id"]
    subset, dropped = index.subset(blues), index.drop_genres(["jazz"])
    assert list(subset.tracks["path"]) == list(dropped.tracks["path"])
    assert subset.genres == ("blues", "jazz") and dropped.genres == ("blues",)
    assert subset.fingerprint() != dropped.fingerprint()
    assert subset.fingerprint() == index.subset(blues).fingerprint()


# --------------------------------------------------------------------------- checksums
def test_manifest_all_match_whichever_folder_is_given(tmp_path):
    root = make_gtzan(tmp_path, per_genre=2)
    manifest = write_manifest(tmp_path / "md5.csv", root)
    for start in (tmp_path, root):
        index = index_dataset(start, checksums=manifest)
        assert index.checksums.checksum_mismatches == [] and index.checksums.missing == []
        assert index.checksums.not_in_manifest == [] and index.checksums.verified == 6
        assert index.report()["verified"] == 6 and index.report()["checksums"] == str(manifest)


def test_manifest_mismatch_missing_and_extra_files(tmp_path):
    root = make_gtzan(tmp_path, per_genre=2)
    manifest = write_manifest(tmp_path / "md5.csv", root)
    table = pd.read_csv(manifest)
    extra = pd.DataFrame([{"track_id": "pop.00000", "relative_path": "genres/pop/pop.00000.wav",
                           "md5": "0" * 32}])
    pd.concat([table, extra]).to_csv(manifest, index=False)
    write_tone(root / "jazz" / "jazz.00001.wav", freq=999.0)  # changed content
    write_tone(root / "rock" / "rock.00009.wav")  # not in the manifest
    index = index_dataset(tmp_path, checksums=manifest)
    assert [m["relative_path"] for m in index.checksums.checksum_mismatches] == ["jazz/jazz.00001.wav"]
    mismatch = index.checksums.checksum_mismatches[0]
    assert mismatch["actual"] == file_md5(root / "jazz" / "jazz.00001.wav")
    assert mismatch["expected"] == table.set_index("track_id").loc["jazz.00001", "md5"]
    assert index.checksums.missing == ["genres/pop/pop.00000.wav"]
    assert index.checksums.not_in_manifest == ["rock/rock.00009.wav"]
    assert len(index.tracks) == 7  # a mismatched file stays in the index (it is readable)
    assert index.subset(["blues.00000"]).checksums is index.checksums  # carried, not recounted


def test_manifest_of_another_format_reports_unverified_not_mismatch(tmp_path):
    wav_root = make_gtzan(tmp_path / "wav", per_genre=1)
    manifest = write_manifest(tmp_path / "md5.csv", wav_root)
    make_gtzan(tmp_path / "au", per_genre=1, ext="au")
    index = index_dataset(tmp_path / "au", checksums=manifest)
    assert index.checksums.checksum_mismatches == [] and index.checksums.missing == []
    assert len(index.checksums.unverified) == 3
    assert "format differs" in index.checksums.unverified[0]["reason"]


def test_unreadable_file_is_also_checked_against_the_manifest(tmp_path):
    root = make_gtzan(tmp_path, per_genre=1)
    manifest = write_manifest(tmp_path / "md5.csv", root)
    (root / "rock" / "rock.00000.wav").write_bytes(b"garbage" * 100)
    with pytest.warns(UnreadableAudioWarning):
        index = index_dataset(tmp_path, checksums=manifest)
    assert [u["relative_path"] for u in index.unreadable] == ["rock/rock.00000.wav"]
    assert [m["relative_path"] for m in index.checksums.checksum_mismatches] == ["rock/rock.00000.wav"]
    assert index.checksums.missing == []


def test_read_manifest_formats_and_errors(tmp_path):
    (tmp_path / "tracks.csv").write_text(
        "path,genre,md5\ngenres/a/a.00001.wav,a,ABCDEF0123456789ABCDEF0123456789\n")
    table = read_manifest(tmp_path / "tracks.csv")
    assert table.to_dict("records") == [{"track_id": "a.00001", "relative_path": "genres/a/a.00001.wav",
                                         "md5": "abcdef0123456789abcdef0123456789"}]
    (tmp_path / "bad.csv").write_text("track_id,relative_path,md5\nx,x.wav,nothex\n")
    with pytest.raises(ValueError, match="not an MD5"):
        read_manifest(tmp_path / "bad.csv")
    (tmp_path / "cols.csv").write_text("track_id,checksum\nx,y\n")
    with pytest.raises(ValueError, match="missing"):
        read_manifest(tmp_path / "cols.csv")
    with pytest.raises(FileNotFoundError):
        read_manifest(tmp_path / "absent.csv")


# --------------------------------------------------------------------------- synthetic data
def test_tiny_synthetic_indexes_cleanly(tiny_synthetic):
    data = tiny_synthetic  # generated by genrelib.datasets.synthetic (plain import in the fixture)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnreadableAudioWarning)
        index = index_dataset(data, checksums=Path(data) / "tracks.csv")
    assert isinstance(index, DatasetIndex)
    assert index.layout == "gtzan-wav" and index.genres == GTZAN_GENRES
    assert index.per_genre() == {genre: 3 for genre in GTZAN_GENRES}
    assert index.tracks["duration"].tolist() == pytest.approx([30.0] * 30, abs=0.05)
    checks = index.checksums
    assert checks.checksum_mismatches == [] and checks.missing == [] and checks.not_in_manifest == []


def test_sturm_artists_file_beside_the_genres_folder_is_found(tmp_path):
    make_gtzan(tmp_path, per_genre=1)
    (tmp_path / "artists_titles.txt").write_text(
        "## Sturm 2012\nblues.00000.wav ::: John Lee Hooker ::: Boogie\n")
    artists = index_dataset(tmp_path / "genres").tracks.set_index("track_id")["artist"]
    assert artists["blues.00000"] == "John Lee Hooker"
    assert artists["rock.00000"] is None


def test_a_dataset_reached_through_a_symbolic_link_is_indexed(tiny_synthetic, tmp_path) -> None:
    """Users often link their data into place: the genre folder's link is kept in the paths."""
    from genrelib.datasets import index_dataset

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "genres").symlink_to(Path(tiny_synthetic) / "genres", target_is_directory=True)
    index = index_dataset(tmp_path / "mine")
    assert len(index) == 30 and index.root == tmp_path.resolve() / "mine" / "genres"
    assert index.tracks["relative_path"].iloc[0] == "blues/blues.00000.wav"
    assert all(p.startswith(str(index.root)) for p in index.tracks["path"])
