"""Loading audio (genrelib.audio.load): every format at any rate/channel count -> mono float32
at the target rate, deterministic length, too-short clips refused. Small files written here."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from genrelib.audio import ClipTooShortError, load_audio


def tone(seconds: float, rate: int, *, freq: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_hz(y: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    return float(np.argmax(spectrum) * rate / y.size)


FORMATS = [  # (suffix, format, subtype, rate, channels)
    ("wav", "WAV", "PCM_16", 44100, 2),
    ("wav", "WAV", "FLOAT", 22050, 1),
    ("flac", "FLAC", "PCM_16", 48000, 1),
    ("au", "AU", "PCM_16", 22050, 2),
    ("ogg", "OGG", "VORBIS", 44100, 2),
    ("mp3", "MP3", "MPEG_LAYER_III", 44100, 1),
]


@pytest.mark.parametrize("suffix,fmt,subtype,rate,channels", FORMATS)
def test_any_format_rate_channels_loads_to_mono_22050(tmp_path, suffix, fmt, subtype, rate, channels):
    y = tone(2.0, rate)
    # stereo: the second channel is silent, so downmix by mean halves the amplitude
    data = np.stack([y, np.zeros_like(y)], axis=1) if channels == 2 else y
    path = tmp_path / f"clip.{suffix}"
    sf.write(path, data, rate, format=fmt, subtype=subtype)

    out = load_audio(path, sample_rate=22050, clip_seconds=1.5)

    assert out.dtype == np.float32 and out.ndim == 1
    assert out.shape == (33075,)
    assert abs(peak_hz(out, 22050) - 440.0) < 5.0  # resampled, not just relabelled
    expected_amp = 0.25 if channels == 2 else 0.5
    rms = float(np.sqrt(np.mean(out[5000:30000] ** 2)))
    assert rms == pytest.approx(expected_amp / np.sqrt(2), rel=0.1)


def test_long_clip_is_trimmed_at_the_end(tmp_path):
    rate = 22050
    y = np.random.default_rng(0).uniform(-0.5, 0.5, int(30.6 * rate)).astype(np.float32)
    path = tmp_path / "long.wav"
    sf.write(path, y, rate, subtype="FLOAT")
    out = load_audio(path)
    assert out.shape == (661_500,)
    np.testing.assert_array_equal(out, y[:661_500])  # the start is kept, the end dropped


def test_short_clip_is_zero_padded_at_the_end(tmp_path):
    rate = 22050
    y = tone(29.9, rate)
    path = tmp_path / "short.wav"
    sf.write(path, y, rate, subtype="FLOAT")
    out = load_audio(path)
    assert out.shape == (661_500,)
    np.testing.assert_array_equal(out[: y.size], y)
    assert not out[y.size:].any()
    assert load_audio(path, clip_seconds=None).shape == y.shape


def test_clip_shorter_than_minimum_names_file_duration_and_segment(tmp_path):
    path = tmp_path / "tiny.wav"
    sf.write(path, tone(1.0, 22050), 22050)
    with pytest.raises(ClipTooShortError) as info:
        load_audio(path, min_seconds=3.0)
    message = str(info.value)
    assert "tiny.wav" in message and "1.00 s" in message and "3 s" in message
    assert isinstance(info.value, ValueError)
