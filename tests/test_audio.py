"""Reading audio (genrelib.audio): every format at any rate/channel count -> mono float32 at
the target rate, deterministic length, one decoder with one fallback order for the header
probe and full decoding, clear errors. Small files written here."""

from __future__ import annotations

import contextlib
import sys
import types

import numpy as np
import pytest
import soundfile as sf

from genrelib.audio import (AudioError, ClipTooShortError, fit_length, load_audio, mono_signal,
                            probe_audio, read_audio, segment_starts)
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


# Segment counts by hand. Defaults: 3 s segments of 66,150 samples, 50 % overlap -> a new
# segment every 33,075 samples; only whole segments count: n = 1 + floor((N - 66,150) / 33,075).
@pytest.mark.parametrize("n_samples, n_segments", [
    (661_500, 19),      # 30 s: 1 + 595,350 / 33,075 = 1 + 18
    (66_150, 1),        # 3.0 s: exactly one segment
    (97_020, 1),        # 4.4 s: 30,870 samples left, less than one hop
    (99_225, 2),        # 4.5 s: exactly one hop left
    (99_224, 1),        # one sample short of 4.5 s
    (132_300, 3),       # 6.0 s
    (659_295, 18),      # 29.9 s (a short GTZAN clip before padding): 593,145 left, 17.9 hops
    (674_730, 19),      # 30.6 s (a long one before trimming): 608,580 left, 18.4 hops
])
def test_segment_starts_count_whole_segments_only(n_samples, n_segments):
    starts = segment_starts(n_samples, FeatureConfig())
    assert starts.dtype == np.int64
    np.testing.assert_array_equal(starts, np.arange(n_segments) * 33_075)
    assert starts[-1] + 66_150 <= n_samples  # the last segment is whole


@pytest.mark.parametrize("settings, n_segments, hop", [
    ({}, 19, 33_075),
    ({"segment_seconds": 5.0, "overlap": 0.0}, 6, 110_250),     # 30 / 5
    ({"segment_seconds": 2.0, "overlap": 0.75}, 57, 11_025),    # 1 + (661,500 - 44,100) / 11,025 = 1 + 56
    # hop round(49,612.5) = 49,612 (half to even); 1 + 595,350 // 49,612 = 1 + 12
    ({"segment_seconds": 3.0, "overlap": 0.25}, 13, 49_612),
    ({"sample_rate": 8000, "clip_seconds": 2.0, "segment_seconds": 0.5}, 7, 2_000),  # 1 + 12,000 / 2,000
])
def test_segments_of_a_clip_with_other_settings(settings, n_segments, hop):
    cfg = FeatureConfig(**settings)
    np.testing.assert_array_equal(segment_starts(cfg.clip_samples, cfg), np.arange(n_segments) * hop)
    assert cfg.segments_per_clip == n_segments and cfg.segment_hop_samples == hop


def test_a_signal_shorter_than_one_segment_names_the_sizes():
    with pytest.raises(ValueError, match=r"22050 samples .* shorter than one segment of 66150"):
        segment_starts(22_050, FeatureConfig())


def test_mono_signal_names_the_caller_and_shape():
    assert mono_signal([0, 1], caller="x").dtype == np.float32
    with pytest.raises(ValueError, match=r"clip_features expects a mono signal .* \(2, 5\)"):
        mono_signal(np.zeros((2, 5)), caller="clip_features")


# --------------------------------------------------------------------------- probe + fallback
def test_probe_reads_the_header(tmp_path):
    path = tmp_path / "ok.wav"
    sf.write(path, np.zeros((11025, 2), np.float32), 22050)
    assert probe_audio(path) == {"duration": pytest.approx(0.5), "sample_rate": 22050, "channels": 2}


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file (0 bytes)"),
    (b"RIFF....WAVEjunk" * 10, "cannot decode audio"),
])
def test_probe_and_read_give_the_same_error_naming_file_reason_and_remedy(tmp_path, content, reason):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError) as probed:
        probe_audio(path)
    with pytest.raises(AudioError) as read:
        read_audio(path)
    assert str(probed.value) == str(read.value)
    assert str(probed.value).startswith(f"{path}: {reason}")
    if content:
        assert "re-encode it" in str(read.value)


def test_probe_of_a_header_without_samples(tmp_path):
    path = tmp_path / "silent.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 22050)
    with pytest.raises(AudioError, match="silent.wav: no audio samples"):
        probe_audio(path)


def fake_audioread(monkeypatch, pcm: np.ndarray, *, rate: int, fail: bool = False) -> None:
    """Install a stand-in ``audioread`` that decodes every file to ``pcm`` (int16, (n, ch))."""

    class Handle:
        samplerate, channels, duration = rate, pcm.shape[1], pcm.shape[0] / rate

        def __iter__(self):
            data = pcm.astype("<i2").tobytes()
            return iter([data[:400], data[400:]])

    @contextlib.contextmanager
    def audio_open(path):
        if fail:
            raise RuntimeError("no backend")
        yield Handle()

    monkeypatch.setitem(sys.modules, "audioread", types.SimpleNamespace(audio_open=audio_open))


def test_audioread_is_the_fallback_of_probe_and_read(tmp_path, monkeypatch):
    pcm = np.stack([np.full(1000, 16384), np.zeros(1000)], axis=1).astype(np.int16)
    fake_audioread(monkeypatch, pcm, rate=8000)
    path = tmp_path / "clip.m4a"  # a format libsndfile cannot open
    path.write_bytes(b"\x00\x00\x00\x20ftypM4A " * 20)
    assert probe_audio(path) == {"duration": 0.125, "sample_rate": 8000, "channels": 2}
    y, rate = read_audio(path)
    assert rate == 8000 and y.dtype == np.float32 and y.shape == (1000,)
    np.testing.assert_allclose(y, 0.25)  # (0.5 + 0) / 2: downmixed by mean


def test_when_every_decoder_fails_the_error_names_each_reason(tmp_path, monkeypatch):
    fake_audioread(monkeypatch, np.zeros((1, 1), np.int16), rate=8000, fail=True)
    path = tmp_path / "clip.m4a"
    path.write_bytes(b"not audio at all" * 20)
    with pytest.raises(AudioError, match=r"clip.m4a: cannot decode audio \(soundfile: .*; "
                                         r"audioread: no backend\); re-encode it"):
        read_audio(path)
    monkeypatch.setitem(sys.modules, "audioread", None)  # not installed: soundfile alone
    with pytest.raises(AudioError, match=r"cannot decode audio \((?!soundfile:)"):
        probe_audio(path)
