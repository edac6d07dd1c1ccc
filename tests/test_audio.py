"""Loading and segmenting audio (genrelib.audio): every format at any rate/channel count ->
mono float32 at the target rate, deterministic length, clear errors. Small files written here."""

from __future__ import annotations


import numpy as np
import pytest
import soundfile as sf

from genrelib.audio import (AudioError, ClipTooShortError, fit_length, load_audio, read_audio,
                            segment_audio, segment_starts)
from genrelib.config import FeatureConfig


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


def test_unreadable_file_raises_audio_error_naming_file(tmp_path):
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00not really a wav file" * 10)
    with pytest.raises(AudioError, match="broken.wav"):
        load_audio(path)
    with pytest.raises(AudioError, match="no such audio file"):
        load_audio(tmp_path / "absent.wav")


def test_empty_file_raises_audio_error(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 22050)
    with pytest.raises(AudioError, match="no audio samples"):
        read_audio(path)


def test_fit_length_trims_and_pads_at_the_end():
    y = np.arange(1, 6, dtype=np.float32)
    np.testing.assert_array_equal(fit_length(y, 3), [1, 2, 3])
    np.testing.assert_array_equal(fit_length(y, 7), [1, 2, 3, 4, 5, 0, 0])
    assert fit_length(y, 5).dtype == np.float32
    with pytest.raises(ValueError, match="mono"):
        fit_length(np.zeros((2, 5)), 3)


def test_segments_of_a_30s_clip():
    cfg = FeatureConfig()
    y = np.random.default_rng(1).standard_normal(cfg.clip_samples).astype(np.float32)
    segments = segment_audio(y, cfg)
    assert segments.shape == (19, 66_150) and segments.dtype == np.float32
    starts = segment_starts(y.size, cfg)
    np.testing.assert_array_equal(starts, np.arange(19) * 33_075)
    for i in (0, 7, 18):
        np.testing.assert_array_equal(segments[i], y[starts[i]:starts[i] + 66_150])


def test_segment_length_and_overlap_are_configurable():
    cfg = FeatureConfig(segment_seconds=5.0, overlap=0.0)
    assert segment_audio(np.zeros(cfg.clip_samples, np.float32), cfg).shape == (6, 110_250)
    cfg = FeatureConfig(segment_seconds=2.0, overlap=0.75)
    assert segment_audio(np.zeros(cfg.clip_samples, np.float32), cfg).shape == (cfg.segments_per_clip, 44_100)


def test_segmenting_a_signal_shorter_than_one_segment_names_the_sizes():
    with pytest.raises(ValueError, match=r"22050 samples .* shorter than one segment of 66150"):
        segment_audio(np.zeros(22_050, np.float32), FeatureConfig())
