"""genrelib.audio.medley: clips of any format played in turn as one recording."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from genrelib.audio import AudioError, load_audio, medley_recording


def test_the_medley_plays_each_clips_opening_in_turn_at_the_files_rate(tmp_path) -> None:
    rate = 22_050
    t = np.arange(3 * rate) / rate
    sf.write(tmp_path / "tone.wav", 0.5 * np.sin(2 * np.pi * 440 * t), rate)
    stereo_noise = np.random.default_rng(0).uniform(-0.3, 0.3, size=(16_000, 2))
    sf.write(tmp_path / "noise.flac", stereo_noise, 16_000)  # 1 s: shorter than seconds_each

    path = medley_recording([tmp_path / "tone.wav", tmp_path / "noise.flac"], tmp_path / "out" / "medley.wav",
                            seconds_each=2.0, sample_rate=44_100, channels=2)
    data, file_rate = sf.read(path, dtype="float32", always_2d=True)
    assert file_rate == 44_100 and data.shape == (4 * 44_100, 2)
    np.testing.assert_array_equal(data[:, 0], data[:, 1])
    tone = load_audio(tmp_path / "tone.wav", sample_rate=44_100, clip_seconds=2.0)
    np.testing.assert_allclose(data[:2 * 44_100, 0], tone, atol=1.5 / 32768)  # 16-bit rounding
    noise = load_audio(tmp_path / "noise.flac", sample_rate=44_100, clip_seconds=2.0)
    np.testing.assert_allclose(data[2 * 44_100:, 0], noise, atol=1.5 / 32768)
    assert np.abs(data[2 * 44_100:3 * 44_100 - 100, 0]).mean() > 0.05  # the noise, mixed to mono
    assert not data[3 * 44_100 + 100:, 0].any()  # then silence: the clip lasts 1 s


def test_no_clip_no_channel_or_an_unreadable_clip_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="at least one part"):
        medley_recording([], tmp_path / "none.wav")
    sf.write(tmp_path / "tone.wav", np.zeros(22_050), 22_050)
    with pytest.raises(ValueError, match="0 channel"):
        medley_recording([tmp_path / "tone.wav"], tmp_path / "none.wav", channels=0)
    (tmp_path / "broken.wav").write_bytes(b"RIFF not really a wave file")
    with pytest.raises(AudioError, match="broken.wav"):
        medley_recording([tmp_path / "tone.wav", tmp_path / "broken.wav"], tmp_path / "none.wav")
    assert not (tmp_path / "none.wav").exists()
