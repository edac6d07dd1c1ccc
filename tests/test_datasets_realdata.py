"""genrelib.datasets on the real 80-track GTZAN mini set and the full-GTZAN metadata.

The fixtures ``gtzan_mini``/``gtzan_meta`` (tests/conftest.py) skip these tests with the
reason when ../shared/data is absent (set GENREBOOK_GTZAN_MINI / GENREBOOK_GTZAN_META).
Copies are made of a few files only; the other files are symlinked into temp folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import soundfile as sf

from genrelib.cli import main
from genrelib.config import GTZAN_GENRES
from genrelib.datasets import UnreadableAudioWarning, index_dataset, read_artists

pytestmark = pytest.mark.realdata


def link_copy(mini: Path, dest: Path) -> Path:
    """``dest/genres/<g>/<file>`` symlinked to the mini set's files; returns ``dest/genres``."""
    for file in sorted((mini / "genres").glob("*/*.wav")):
        target = dest / "genres" / file.parent.name / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(file)
    return dest / "genres"


def test_mini_index(gtzan_mini):
    index = index_dataset(gtzan_mini)
    assert index.root == (gtzan_mini / "genres").resolve()
    assert index.layout == "gtzan-wav"
    assert len(index.tracks) == 80 and index.unreadable == []
    assert index.per_genre() == {genre: 8 for genre in GTZAN_GENRES}
    assert index.genres == GTZAN_GENRES
    assert set(index.tracks["sample_rate"]) == {22050} and set(index.tracks["channels"]) == {1}
    assert index.tracks["duration"].between(29.9, 30.7).all()
    artists = index.tracks.set_index("track_id")["artist"]
    assert (artists[[f"blues.{i:05d}" for i in range(8)]] == "John Lee Hooker").all()
    assert artists["metal.00006"] is None  # empty in tracks.csv


def test_mini_matches_every_published_md5(gtzan_mini, gtzan_meta):
    own = index_dataset(gtzan_mini, checksums=gtzan_mini / "tracks.csv")
    assert own.checksums.checksum_mismatches == [] and own.checksums.missing == []
    assert own.checksums.verified == own.report()["verified"] == 80
    full = index_dataset(gtzan_mini / "genres", checksums=gtzan_meta / "md5.csv")
    assert full.checksums.checksum_mismatches == [] and full.checksums.not_in_manifest == []
    assert len(full.checksums.missing) == 920 and full.report()["verified"] == 80


def test_cli_check_mini_with_the_full_manifest(gtzan_mini, gtzan_meta, capsys):
    code = main(["data", "check", str(gtzan_mini), "--checksums", str(gtzan_meta / "md5.csv"),
                 "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["tracks"] == 80 and report["per_genre"] == {g: 8 for g in GTZAN_GENRES}
    assert report["unreadable"] == [] and report["checksum_mismatches"] == []
    assert len(report["missing"]) == 920
    assert main(["data", "check", str(gtzan_mini), "--checksums", str(gtzan_meta / "md5.csv")]) == 0
    assert "920 manifest entries not found on disk (first 5:" in capsys.readouterr().out


def test_corrupt_copies_are_reported(gtzan_mini, gtzan_meta, tmp_path, capsys):
    genres = link_copy(gtzan_mini, tmp_path)
    # a copy with flipped bytes in the audio: readable, wrong checksum
    flipped = genres / "rock" / "rock.00003.wav"
    data = bytearray(flipped.read_bytes())
    flipped.unlink()
    data[50_000:50_016] = bytes(16)
    flipped.write_bytes(bytes(data))
    # a copy with a destroyed header, as jazz.00054.wav of the re-packaged archive
    broken = genres / "jazz" / "jazz.00005.wav"
    raw = bytearray(broken.read_bytes())
    broken.unlink()
    raw[:64] = b"\xff" * 64
    broken.write_bytes(bytes(raw))
    with pytest.warns(UnreadableAudioWarning, match="jazz.00005.wav"):
        index = index_dataset(tmp_path, checksums=gtzan_meta / "md5.csv")
    assert len(index.tracks) == 79
    assert [u["relative_path"] for u in index.unreadable] == ["jazz/jazz.00005.wav"]
    assert sorted(m["relative_path"] for m in index.checksums.checksum_mismatches) == [
        "jazz/jazz.00005.wav", "rock/rock.00003.wav"]
    assert main(["data", "check", str(tmp_path), "--checksums", str(gtzan_meta / "md5.csv")]) == 1
    out = capsys.readouterr().out
    assert "UNREADABLE jazz/jazz.00005.wav" in out and "CHECKSUM MISMATCH rock/rock.00003.wav" in out


def test_au_layout_from_converted_clips(gtzan_mini, gtzan_meta, tmp_path):
    for genre in ("blues", "metal", "pop"):
        for i in range(2):
            source = gtzan_mini / "genres" / genre / f"{genre}.{i:05d}.wav"
            target = tmp_path / "gtzan" / "genres" / genre / f"{genre}.{i:05d}.au"
            target.parent.mkdir(parents=True, exist_ok=True)
            y, rate = sf.read(source, dtype="int16")
            sf.write(target, y, rate, format="AU", subtype="PCM_16")
    shutil.copy(gtzan_mini / "tracks.csv", tmp_path / "gtzan" / "tracks.csv")
    index = index_dataset(tmp_path, checksums=gtzan_meta / "md5.csv")
    assert index.root == (tmp_path / "gtzan" / "genres").resolve()
    assert index.layout == "gtzan-au" and len(index.tracks) == 6
    assert index.tracks["duration"].between(29.9, 30.7).all()
    assert index.tracks.set_index("track_id")["artist"]["blues.00000"] == "John Lee Hooker"
    # the manifest's MD5s are of .wav files: reported as not comparable, never as mismatches
    assert index.checksums.checksum_mismatches == [] and len(index.checksums.unverified) == 6
    assert len(index.checksums.missing) == 994


def test_sturm_artists_agree_with_tracks_csv(gtzan_mini, gtzan_meta):
    sturm = read_artists(gtzan_meta / "artists_titles.txt")
    assert len(sturm) == 1000
    mini = read_artists(gtzan_mini / "tracks.csv")
    assert all(sturm[track_id] == artist for track_id, artist in mini.items())
    index = index_dataset(gtzan_mini, artists=gtzan_meta / "artists_titles.txt")
    listed = pd.read_csv(gtzan_mini / "tracks.csv", dtype=str, keep_default_na=False)
    expected = {t: (a or None) for t, a in zip(listed["track_id"], listed["artist"])}
    assert index.tracks.set_index("track_id")["artist"].to_dict() == expected


def test_the_single_artist_genres_are_the_ones_the_book_names(gtzan_mini):
    """Chapter 8, the results page (genrelib.build.pages) and artist_kfold_splits' docstring say
    that on the mini set blues, classical, reggae and rock are one artist each (chapters 1 and 9
    name them). Break tried:
    one rock track's artist renamed in a copy of tracks.csv -> fails."""
    tracks = index_dataset(gtzan_mini).tracks.dropna(subset=["artist"])
    single = sorted(genre for genre, artists in tracks.groupby("genre")["artist"] if artists.nunique() == 1)
    assert single == ["blues", "classical", "reggae", "rock"], single
    assert tracks.groupby("genre").size().min() >= 7  # each genre's artist names most of its tracks
    artist = tracks.groupby("genre")["artist"].first()  # chapters 1 and 9 name them
    assert artist[single].tolist() == ["John Lee Hooker", "JS Bach", "Bob Marley", "Morphine"]
    from genrelib.datasets.splits import artists_per_genre

    per_genre = artists_per_genre(index_dataset(gtzan_mini).tracks)  # what `genrelib data check` names
    assert sorted(per_genre[per_genre == 1].index) == single
    chapter = Path(__file__).resolve().parents[1] / "notebooks" / "08_small_data.ipynb"
    assert "blues, classical, reggae and rock are each played by a single artist" in " ".join(
        chapter.read_text(encoding="utf-8").replace('\\n",\n    "', " ").split())
