"""A synthetic recording of several genres (genrelib.datasets.synthetic.recording)."""

from __future__ import annotations

import numpy as np
import pytest


def test_synthetic_recording_plays_each_genre_in_turn(tmp_path) -> None:
    import soundfile as sf

    from genrelib.datasets.synthetic import render_track
    from genrelib.datasets.synthetic import synthetic_recording

    path = synthetic_recording(tmp_path / "medley.wav", genres=("jazz", "metal"), seconds_each=1.5,
                               sample_rate=16_000, channels=2, seed=3)
    data, rate = sf.read(path, dtype="float32", always_2d=True)
    assert rate == 16_000 and data.shape == (48_000, 2)
    np.testing.assert_array_equal(data[:, 0], data[:, 1])
    metal = render_track("metal", track_seed=1, seed=3, seconds=1.5, sample_rate=16_000)
    np.testing.assert_allclose(data[24_000:, 0], metal, atol=1.5 / 32768)  # 16-bit rounding
    with pytest.raises(ValueError, match="at least one part"):
        synthetic_recording(tmp_path / "none.wav", genres=())


def test_the_genres_play_in_the_order_given(tmp_path) -> None:
    """``genres=("metal", "jazz")`` plays metal first (clip 0), then jazz (clip 1).
    Break tried: the genres sorted -> jazz first."""
    import soundfile as sf

    from genrelib.datasets.synthetic import render_track, synthetic_recording

    path = synthetic_recording(tmp_path / "medley.wav", genres=("metal", "jazz"), seconds_each=1.0,
                               sample_rate=8000, channels=1, seed=0)
    data, rate = sf.read(path, dtype="float32")
    assert rate == 8000 and data.shape == (16_000,)
    metal = render_track("metal", track_seed=0, seed=0, seconds=1.0, sample_rate=8000)
    jazz = render_track("jazz", track_seed=1, seed=0, seconds=1.0, sample_rate=8000)
    np.testing.assert_allclose(data[:8000], metal, atol=1.5 / 32768)
    np.testing.assert_allclose(data[8000:], jazz, atol=1.5 / 32768)
