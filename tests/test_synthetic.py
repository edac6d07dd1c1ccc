"""Synthetic GTZAN: layout, checksums, determinism, artists, learnability, no silence."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from genrelib.config import GTZAN_GENRES
from genrelib.datasets.synthetic import (SYNTHETIC_VERSION, generate_synthetic_gtzan, genre_traits_table,
                                        render_track)
from genrelib.datasets.synthetic.artists import ARTISTS_PER_GENRE, make_artist
from genrelib.datasets.synthetic.grooves import parse_groove
from genrelib.datasets.synthetic.harmony import parse_progression
from genrelib.datasets.synthetic.traits import GENRE_TRAITS

COLUMNS = ["path", "genre", "track_id", "artist", "title", "md5"]


def _rows(root: Path) -> list[dict[str, str]]:
    with open(root / "tracks.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _md5s(root: Path) -> dict[str, str]:
    return {r["track_id"]: r["md5"] for r in _rows(root)}


# --------------------------------------------------------------------------- layout

def test_layout_and_tracks_csv(tiny_synthetic: Path) -> None:
    with open(tiny_synthetic / "tracks.csv", newline="") as fh:
        assert next(csv.reader(fh)) == COLUMNS
    rows = _rows(tiny_synthetic)
    assert len(rows) == 3 * len(GTZAN_GENRES)
    for genre in GTZAN_GENRES:
        files = sorted(p.name for p in (tiny_synthetic / "genres" / genre).iterdir())
        assert files == [f"{genre}.{k:05d}.wav" for k in range(3)]
    for row in rows:
        path = tiny_synthetic / row["path"]
        assert row["path"] == f"genres/{row['genre']}/{row['track_id']}.wav"
        assert hashlib.md5(path.read_bytes()).hexdigest() == row["md5"]
        assert row["artist"] and row["title"]
    manifest = json.loads((tiny_synthetic / "synthetic.json").read_text())
    assert manifest["complete"] and manifest["arguments"]["version"] == SYNTHETIC_VERSION


def test_audio_format_and_not_silent(tiny_synthetic: Path) -> None:
    for row in _rows(tiny_synthetic):
        path = tiny_synthetic / row["path"]
        info = sf.info(path)
        assert (info.samplerate, info.channels, info.frames, info.subtype) == (22050, 1, 661_500, "PCM_16")
        y, _ = sf.read(path, dtype="float32")
        assert np.all(np.isfinite(y))
        rms = float(np.sqrt(np.mean(y**2)))
        assert rms > 0.03, f"{path.name} is nearly silent (RMS {rms:.4f})"
        # no stretch of 2 s without sound (a part that fell silent)
        frames = y[: len(y) // 44100 * 44100].reshape(-1, 44100)
        assert np.sqrt(np.mean(frames**2, axis=1)).min() > 0.003, path.name


def test_render_track_matches_written_file(tiny_synthetic: Path) -> None:
    y = render_track("reggae", track_seed=2, seed=0)
    assert y.dtype == np.float32 and y.shape == (661_500,)
    assert np.max(np.abs(y)) <= 0.98 + 1e-6
    written, _ = sf.read(tiny_synthetic / "genres/reggae/reggae.00002.wav", dtype="float32")
    assert np.max(np.abs(written - y)) < 2.0 / 32767


# --------------------------------------------------------------------------- determinism

def test_same_seed_byte_identical_and_independent_of_size_and_jobs(tmp_path: Path) -> None:
    a = generate_synthetic_gtzan(tmp_path / "a", tracks_per_genre=2, seconds=2.0, seed=3, n_jobs=1)
    b = generate_synthetic_gtzan(tmp_path / "b", tracks_per_genre=3, seconds=2.0, seed=3, n_jobs=2)
    md5_a, md5_b = _md5s(a), _md5s(b)
    assert len(md5_a) == 20 and len(md5_b) == 30
    assert all(md5_b[t] == m for t, m in md5_a.items())
    for tid in md5_a:
        genre = tid.split(".")[0]
        rel = f"genres/{genre}/{tid}.wav"
        assert (a / rel).read_bytes() == (b / rel).read_bytes()


def test_different_seed_different_audio(tmp_path: Path) -> None:
    a = generate_synthetic_gtzan(tmp_path / "a", tracks_per_genre=1, seconds=2.0, seed=0)
    b = generate_synthetic_gtzan(tmp_path / "b", tracks_per_genre=1, seconds=2.0, seed=1)
    md5_a, md5_b = _md5s(a), _md5s(b)
    assert all(md5_a[t] != md5_b[t] for t in md5_a)


def test_complete_folder_is_reused_and_stale_files_removed(tmp_path: Path) -> None:
    out = generate_synthetic_gtzan(tmp_path / "d", tracks_per_genre=2, seconds=1.0, seed=0)
    wav = out / "genres/jazz/jazz.00001.wav"
    stamp = wav.stat().st_mtime_ns
    assert generate_synthetic_gtzan(out, tracks_per_genre=2, seconds=1.0, seed=0) == out
    assert wav.stat().st_mtime_ns == stamp  # nothing regenerated
    generate_synthetic_gtzan(out, tracks_per_genre=1, seconds=1.0, seed=0)
    assert not wav.exists() and (out / "genres/jazz/jazz.00000.wav").exists()
    assert len(_rows(out)) == 10
    assert json.loads((out / "synthetic.json").read_text())["arguments"]["tracks_per_genre"] == 1


def test_refuses_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(FileExistsError, match="did not write"):
        generate_synthetic_gtzan(tmp_path, tracks_per_genre=1, seconds=1.0)
    assert (tmp_path / "mine.txt").read_text() == "precious"


def test_leftovers_of_a_killed_run_do_not_make_the_folder_foreign(tmp_path: Path) -> None:
    clip_tmp = tmp_path / "genres" / "blues" / ".blues.00003.wav.k2j_x9.tmp"
    clip_tmp.parent.mkdir(parents=True)
    clip_tmp.write_bytes(b"half a clip")
    (tmp_path / ".tracks.csv.a1b2c3.tmp").write_text("path,genre\n")
    generate_synthetic_gtzan(tmp_path, tracks_per_genre=1, seconds=0.5)
    assert not clip_tmp.exists() and len(_rows(tmp_path)) == 10


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="tracks_per_genre"):
        generate_synthetic_gtzan("unused", tracks_per_genre=0)
    with pytest.raises(ValueError, match="unknown synthetic genre 'polka'"):
        render_track("polka")


# --------------------------------------------------------------------------- artists, traits

def test_artists_shared_within_one_genre(tmp_path: Path) -> None:
    out = generate_synthetic_gtzan(tmp_path / "art", tracks_per_genre=12, seconds=0.5, seed=0)
    rows = _rows(out)
    genres_of: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for r in rows:
        genres_of.setdefault(r["artist"], set()).add(r["genre"])
        counts[r["artist"]] = counts.get(r["artist"], 0) + 1
    assert all(len(g) == 1 for g in genres_of.values()), "an artist spans two genres"
    assert len(counts) == ARTISTS_PER_GENRE * len(GTZAN_GENRES)
    assert min(counts.values()) >= 2
    # an artist is a fixed sound: same style whatever the seed of the track
    assert make_artist("rock", 2, seed=0) == make_artist("rock", 2, seed=0)
    assert make_artist("rock", 2, seed=0).style != make_artist("rock", 2, seed=1).style


def test_genre_traits_table() -> None:
    assert tuple(GENRE_TRAITS) == GTZAN_GENRES
    table = genre_traits_table()
    assert list(table.index) == list(GTZAN_GENRES)
    assert {"tempo (BPM)", "drums", "confused with"} <= set(table.columns)
    assert GENRE_TRAITS["metal"].tempo_bpm[0] > GENRE_TRAITS["reggae"].tempo_bpm[0]


def test_chord_and_groove_sheets() -> None:
    assert parse_progression("I7*4 bVII5 vi iim7b5*0.5 IVmaj7") == [
        (0, "7", 4.0), (10, "5", 1.0), (9, "min", 1.0), (2, "m7b5", 0.5), (5, "maj7", 1.0)]
    with pytest.raises(ValueError, match="bad chord symbol 'Ixyz'"):
        parse_progression("I Ixyz")
    assert parse_groove("kick x...x... | snare ....X...") == {"kick": "x...x...", "snare": "....X..."}
    assert parse_groove("") == {}
    with pytest.raises(ValueError, match="unknown drum 'cowbell'"):
        parse_groove("cowbell x...")


# --------------------------------------------------------------------------- learnability

def test_learnable_but_not_trivial(tmp_path: Path) -> None:
    """Logistic regression on MFCC mean+std: between 55 % and 90 % track accuracy (5-fold)."""
    librosa = pytest.importorskip("librosa")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n = 14
    out = generate_synthetic_gtzan(tmp_path / "learn", tracks_per_genre=n, seconds=30.0, seed=0,
                                   n_jobs=min(2, os.cpu_count() or 1))
    X, y = [], []
    for r in _rows(out):
        audio, sr = sf.read(out / r["path"], dtype="float32")
        m = librosa.feature.mfcc(y=audio, sr=sr, n_mfcc=20)
        X.append(np.r_[m.mean(axis=1), m.std(axis=1)])
        y.append(GTZAN_GENRES.index(r["genre"]))
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    acc = cross_val_score(clf, np.array(X), np.array(y), cv=StratifiedKFold(5, shuffle=True, random_state=0))
    mean = float(acc.mean())
    assert 0.55 <= mean <= 0.90, f"MFCC logistic regression accuracy {mean:.3f} outside [0.55, 0.90]"
    assert mean < 1.0


# --------------------------------------------------------------------------- audit additions

def test_track_k_is_played_by_artist_k_mod_6(tiny_synthetic: Path) -> None:
    """Track k of a genre belongs to artist k mod 6, in ``track_artist`` and in tracks.csv.
    Break tried: artist (k + 1) mod 6 -> every name shifted."""
    from genrelib.datasets.synthetic.artists import ARTIST_NAMES, track_artist

    assert [track_artist("rock", k).index for k in range(13)] == [k % 6 for k in range(13)]
    for row in _rows(tiny_synthetic):
        k = int(row["track_id"].split(".")[1])
        assert row["artist"] == ARTIST_NAMES[row["genre"]][k % ARTISTS_PER_GENRE], row["track_id"]


def test_artists_1_and_4_play_the_crossover_variant() -> None:
    """Artists 1 and 4 of every genre (and only they) are crossover acts drawing from their
    genre's variant: metal's play at the doom tempo range, 70-110 BPM, the others at 130-200.
    Breaks tried: crossover artists (1, 3); no crossover at all."""
    from genrelib.datasets.synthetic.styles import STYLES, VARIANTS

    for genre in GTZAN_GENRES:
        crossover = [make_artist(genre, i).crossover for i in range(6)]
        assert crossover == [False, True, False, False, True, False], genre
    doom_lo, doom_hi = VARIANTS["metal"][1]["tempo"]
    for i in range(6):
        lo, hi = make_artist("metal", i).style["tempo"]
        bounds = (doom_lo, doom_hi) if i in (1, 4) else STYLES["metal"]["tempo"]
        assert bounds[0] <= lo < hi <= bounds[1], (i, lo, hi)


def test_tracks_of_one_artist_differ() -> None:
    """Tracks 0 and 6 of a genre share their artist but are different songs: each track's
    own draws come from its number. Break tried: the track generator seeded by k mod 6."""
    a = render_track("jazz", track_seed=0, seconds=1.0, sample_rate=8000)
    b = render_track("jazz", track_seed=6, seconds=1.0, sample_rate=8000)
    assert a.shape == b.shape == (8000,) and not np.array_equal(a, b)


def test_the_dataset_seed_drives_each_tracks_own_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the artist held fixed, another dataset seed still gives another song (tempo,
    key, form... come from a generator seeded by the dataset seed, genre and track number).
    Break tried: the track generator ignoring the dataset seed -> identical audio."""
    from genrelib.datasets.synthetic import render as render_module

    fixed = make_artist("pop", 2, seed=0)
    monkeypatch.setattr(render_module, "track_artist", lambda genre, track, *, seed=0: fixed)
    a = render_track("pop", track_seed=2, seed=0, seconds=1.0, sample_rate=8000)
    b = render_track("pop", track_seed=2, seed=5, seconds=1.0, sample_rate=8000)
    assert not np.array_equal(a, b)


def test_artist_replaces_the_tracks_own_artist() -> None:
    """``artist=i`` has track k played by artist i: naming the track's own artist changes
    nothing, another artist changes the sound. Break tried: ``artist`` ignored."""
    own = render_track("blues", track_seed=3, seconds=1.0, sample_rate=8000)
    same = render_track("blues", track_seed=3, seconds=1.0, sample_rate=8000, artist=3)
    np.testing.assert_array_equal(same, own)
    other = render_track("blues", track_seed=3, seconds=1.0, sample_rate=8000, artist=0)
    assert not np.array_equal(other, own)


def test_traits_table_says_what_the_module_documents() -> None:
    """The genre table matches the traits the generator documents: reggae 64-92 BPM, metal
    130-200 BPM; blues, jazz and hip-hop swing, classical, disco, metal, pop and rock are
    straight; the drum patterns named per genre. Breaks tried: reggae's tempo range moved;
    metal given rock's drums."""
    table = genre_traits_table()
    assert table.loc["reggae", "tempo (BPM)"] == "64-92"
    assert table.loc["metal", "tempo (BPM)"] == "130-200"
    for genre in ("blues", "jazz", "hiphop"):
        assert table.loc[genre, "swing"] != "straight", genre
    for genre in ("classical", "disco", "metal", "pop", "rock"):
        assert table.loc[genre, "swing"] == "straight", genre
    drums = {"blues": "shuffle", "disco": "four-on-the-floor", "hiphop": "boom-bap",
             "jazz": "swing ride", "metal": "double-kick", "reggae": "one drop",
             "classical": "no drums"}
    for genre, words in drums.items():
        assert words in table.loc[genre, "drums"], genre


def test_a_folder_of_another_seed_is_regenerated(tmp_path: Path) -> None:
    """A complete folder made with another seed is not taken for the one asked: it is
    regenerated, as a new folder of that seed would be.
    Break tried: only "complete" checked, not the arguments -> the old audio kept."""
    out = tmp_path / "d"
    generate_synthetic_gtzan(out, tracks_per_genre=1, seconds=0.5, seed=0)
    generate_synthetic_gtzan(out, tracks_per_genre=1, seconds=0.5, seed=1)
    fresh = generate_synthetic_gtzan(tmp_path / "fresh", tracks_per_genre=1, seconds=0.5, seed=1)
    assert _md5s(out) == _md5s(fresh)
    assert json.loads((out / "synthetic.json").read_text())["arguments"]["seed"] == 1


def test_sample_rate_limit_is_8000_hz(tmp_path: Path) -> None:
    """8000 Hz is the lowest rate accepted (and written); 7999 Hz is refused.
    Break tried: 8000 itself refused."""
    out = generate_synthetic_gtzan(tmp_path / "low", tracks_per_genre=1, seconds=0.25,
                                   sample_rate=8000)
    assert sf.info(out / "genres/pop/pop.00000.wav").samplerate == 8000
    with pytest.raises(ValueError, match="sample_rate must be >= 8000 Hz"):
        generate_synthetic_gtzan(tmp_path / "lower", tracks_per_genre=1, seconds=0.25,
                                 sample_rate=7999)


def test_every_clip_peaks_at_most_0_98() -> None:
    """Loudness never pushes a clip past 0.98 (the gain is lowered instead): one clip of
    every genre. Break tried: the peak guard dropped -> clips past 0.98 (16-bit clipping)."""
    for genre in GTZAN_GENRES:
        y = render_track(genre, track_seed=1, seconds=2.0, sample_rate=8000)
        assert np.max(np.abs(y)) <= 0.98 + 1e-6, genre
