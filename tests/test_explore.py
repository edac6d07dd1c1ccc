"""Looking at a dataset (genrelib.explore): examples per genre, artist and split summaries,
the embedded audio players."""

from __future__ import annotations

import io

import numpy as np
import pytest

from genrelib.audio import AudioError
from genrelib.datasets import artist_split, random_split
from genrelib.explore import (PLAYER_MIMETYPE, PLAYER_PEAK, artist_summary, audio_player, examples_per_genre,
                              listen, split_summary)
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


# --------------------------------------------------------------------------- players


def _decoded(player) -> tuple[np.ndarray, int]:
    import soundfile as sf

    samples, rate = sf.read(io.BytesIO(player.data), dtype="float32")
    return samples, rate


def test_a_player_embeds_a_small_mp3_of_the_normalised_samples() -> None:
    """8 s of a chord with noise: an MP3 player (its HTML names audio/mpeg), decoding to the
    same number of samples and the same sound at PLAYER_PEAK, several times smaller than the
    16-bit WAV that IPython's own player would embed."""
    from IPython.display import Audio

    rate = 22050
    t = np.arange(8 * rate) / rate
    y = (0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 330 * t)
         + 0.01 * np.random.default_rng(0).normal(size=t.size)).astype(np.float32)
    player = audio_player(y, rate)
    assert player.mimetype == PLAYER_MIMETYPE == "audio/mpeg"
    assert f"data:{PLAYER_MIMETYPE};base64," in player._repr_html_()
    decoded, decoded_rate = _decoded(player)
    assert decoded_rate == rate and decoded.shape == y.shape
    expected = y * (PLAYER_PEAK / np.abs(y).max())
    assert np.corrcoef(decoded[rate:-rate], expected[rate:-rate])[0, 1] > 0.99
    assert abs(np.abs(decoded).max() - PLAYER_PEAK) < 0.1
    assert len(player.data) * 4 < len(Audio(y, rate=rate).data)


def test_listen_plays_the_excerpt_of_a_file(tmp_path) -> None:
    import soundfile as sf

    rate = 22050
    t = np.arange(12 * rate) / rate
    y = np.where(t < 6, np.sin(2 * np.pi * 440 * t), np.sin(2 * np.pi * 880 * t)).astype(np.float32) * 0.3
    sf.write(tmp_path / "clip.wav", y, rate)
    decoded, _ = _decoded(listen(tmp_path / "clip.wav", seconds=4.0, offset=7.0))
    assert decoded.shape == (4 * rate,)
    spectrum = np.abs(np.fft.rfft(decoded))
    assert np.fft.rfftfreq(decoded.size, 1 / rate)[spectrum.argmax()] == pytest.approx(880, abs=1)
    with pytest.raises(AudioError, match="absent.wav"):
        listen(tmp_path / "absent.wav")


def test_without_mp3_the_player_is_a_wav(monkeypatch) -> None:
    """Where libsndfile cannot write MP3 (before 1.1) the player embeds WAV: it still plays."""
    import soundfile as sf

    monkeypatch.setattr(sf, "available_formats", lambda: {"WAV": "WAV (Microsoft)"})
    player = audio_player(np.sin(np.arange(22050) / 5.0), 22050)
    assert player.mimetype == "audio/wav" and player.data[:4] == b"RIFF"


@pytest.mark.parametrize("samples", [np.zeros((2, 100)), np.zeros(0), np.array([0.0, np.nan])],
                         ids=["stereo", "empty", "nan"])
def test_a_player_refuses_what_it_cannot_play(samples) -> None:
    with pytest.raises(ValueError, match="audio_player"):
        audio_player(samples, 22050)


def test_examples_of_a_genre_come_in_track_id_order() -> None:
    """Several examples of a genre are listed by track id, whatever order the draw made.

    Break tried: keep the draw's order (no np.sort) -> some genre's ids are out of order.
    """
    tracks = artist_tracks(per_genre=12)
    for seed in range(5):
        examples = examples_per_genre(tracks, per_genre=5, seed=seed, genres=GENRES)
        for genre, group in examples.groupby("genre", sort=False):
            assert group["track_id"].tolist() == sorted(group["track_id"]), (seed, genre)


def test_top_share_counts_tracks_of_unknown_artist_in_the_genre() -> None:
    """``top_share`` is the top artist's tracks over all the genre's tracks, those of unknown
    artist included (2 of blues' 6 tracks, one of them unknown).

    Break tried: divide by the tracks of known artist -> blues' top_share is 2/5.
    """
    tracks = artist_tracks()
    tracks.loc[0, "artist"] = None
    summary = artist_summary(tracks)
    assert summary.loc["blues", "top_share"] == pytest.approx(2 / 6)
    assert summary.loc["blues", "top_artist"] in {"blues-artist-1", "blues-artist-2"}


def test_split_summary_counts_test_tracks_whose_artist_is_in_training() -> None:
    """``test_tracks_known_artist`` counts test tracks whose artist also has a training track:
    none under the artist split, every test track here under a split that shares all artists.

    Break tried: count test tracks of any known artist -> the artist split reports 2, not 0.
    """
    from genrelib.datasets import TrackSplit

    tracks = artist_tracks()  # blues.00000 and blues.00003 are by blues-artist-0
    apart = TrackSplit(train=["blues.00001", "blues.00002"], valid=[], test=["blues.00000", "blues.00003"],
                       protocol="artist")
    shared = TrackSplit(train=["blues.00000", "blues.00001"], valid=[], test=["blues.00003", "blues.00004"],
                        protocol="random")
    table = split_summary({"apart": apart, "shared": shared}, tracks)
    assert table["test_tracks_known_artist"].to_dict() == {"apart": 0, "shared": 2}
    assert table["shared_artists"].to_dict() == {"apart": 0, "shared": 2}
