"""Decoding (genrelib.audio.decode): one decoder with one fallback order for the header probe
and full decoding, clear errors naming the file. Small files written here."""

from __future__ import annotations

import contextlib
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from genrelib.audio import (AudioError, TruncatedAudioError, TruncatedAudioWarning, load_audio,
                            probe_audio, read_audio)
from genrelib.audio.decode import decoder_reason


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


def test_a_corrupt_mp3_is_not_said_to_be_missing(tmp_path, monkeypatch):
    """libsndfile calls some undecodable data "File does not exist or is not a regular file",
    or says nothing; the file exists (checked first), so the reason says what it means."""
    monkeypatch.setitem(sys.modules, "audioread", None)  # soundfile's reason alone
    path = tmp_path / "garbage.mp3"
    path.write_bytes(np.random.default_rng(0).bytes(50_000))
    with pytest.raises(AudioError) as read:
        read_audio(path)
    assert str(read.value) == (f"{path}: cannot decode audio (not audio in a format it recognises: corrupt, "
                               "or another format); re-encode it (e.g. as 16-bit WAV) or leave it out")
    for said in ("Error opening 'x': File does not exist or is not a regular file (possibly a pipe?).",
                 "Error opening 'x': "):
        assert decoder_reason(Path("x"), RuntimeError(said)).startswith("not audio in a format")
    assert decoder_reason(Path("x"), RuntimeError("Error opening 'x': Format not recognised.")) == \
        "Format not recognised."


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


# --------------------------------------------------------------------------- truncated files
def noise_file(path, seconds: float = 4.0, rate: int = 22050) -> np.ndarray:
    y = (0.3 * np.random.default_rng(0).standard_normal(int(seconds * rate))).astype(np.float32)
    sf.write(path, y, rate, subtype=None if path.suffix == ".mp3" else "PCM_16")
    return sf.read(path, dtype="float32")[0]


def cut(path, keep: float) -> None:
    """Keep the first ``keep`` (a fraction) of the file's bytes, as an interrupted copy does."""
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])


@pytest.mark.parametrize("ext, there", [("wav", r"2\.0"), ("au", r"2\.0"), ("flac", r"\d\.\d"),
                                        ("mp3", r"\d\.\d")])
def test_a_truncated_file_is_named_with_the_seconds_there_and_promised(tmp_path, ext, there):
    """Break tried: header.promised_frames returning None for MP3 (as before) -> the cut MP3
    decodes as a whole 2 s file, no error."""
    path = tmp_path / f"half.{ext}"
    noise_file(path)
    cut(path, 0.5)
    calls = {"read_audio": read_audio, "probe_audio": probe_audio, "load_audio": load_audio,
             "probe_audio(decode_all)": lambda p: probe_audio(p, decode_all=True)}
    for name, call in calls.items():
        with pytest.raises(TruncatedAudioError) as info:
            call(path)
        assert re.match(rf"{re.escape(str(path))}: truncated: {there} of 4\.0 seconds", str(info.value)), name
        assert isinstance(info.value, AudioError)


@pytest.mark.parametrize("ext", ["wav", "flac"])
def test_allow_truncated_reads_what_is_there_with_a_warning(tmp_path, ext):
    path = tmp_path / f"half.{ext}"
    whole = noise_file(path)
    cut(path, 0.5)
    with pytest.warns(TruncatedAudioWarning, match=r"half\.\w+: truncated: \d\.\d of 4\.0 seconds"):
        y, rate = read_audio(path, allow_truncated=True)
    assert rate == 22050 and 1.0 * rate < len(y) < 3.0 * rate
    np.testing.assert_array_equal(y, whole[:len(y)])
    with pytest.warns(TruncatedAudioWarning):
        assert load_audio(path, clip_seconds=4.0, allow_truncated=True).shape == (4 * 22050,)


def test_a_file_short_by_less_than_the_tolerance_is_whole(tmp_path):
    path = tmp_path / "nearly.wav"
    noise_file(path)
    data = path.read_bytes()
    path.write_bytes(data[:-2 * 1100])  # 0.05 s of 16-bit mono at 22,050 Hz
    assert probe_audio(path, decode_all=True)["duration"] == pytest.approx(4.0 - 0.05, abs=1e-3)
    assert len(read_audio(path)[0]) == 4 * 22050 - 1100
    path.write_bytes(data[:-2 * 4410])  # 0.2 s
    with pytest.raises(TruncatedAudioError, match=r"truncated: 3\.8 of 4\.0 seconds"):
        read_audio(path)


def test_a_flac_with_a_damaged_end_is_found_by_the_probe_without_decoding_it_whole(tmp_path):
    path = tmp_path / "clip.flac"
    noise_file(path, seconds=30.0)
    cut(path, 0.99)
    with pytest.raises(TruncatedAudioError, match=r"truncated: 29\.\d of 30\.0 seconds"):
        probe_audio(path)


def test_the_full_probe_refuses_nan_samples_as_every_read_does(tmp_path):
    """``data check`` (probe_audio(decode_all=True)) names a file of NaN samples, which
    read_audio, the features and predict refuse; the quick probe reads too little to tell.

    Break tried: no downmix check in probe_audio -> the first pytest.raises fails."""
    path = tmp_path / "nan.wav"
    y = np.zeros(22050, np.float32)
    y[20000] = np.nan
    sf.write(path, y, 22050, subtype="FLOAT")
    with pytest.raises(AudioError, match=r"nan\.wav: the file holds NaN or infinite samples"):
        probe_audio(path, decode_all=True)
    with pytest.raises(AudioError, match="NaN or infinite"):
        read_audio(path)
    assert probe_audio(path)["duration"] == pytest.approx(1.0)


def test_a_file_short_by_exactly_the_tolerance_is_complete(tmp_path) -> None:
    """``check_complete`` accepts a file that ends exactly ``TOLERANCE_SECONDS`` before its
    header's length (the tolerance is inclusive) and refuses one frame more.

    Break tried: ``missing <= tolerance`` made ``<`` -> the file at the tolerance is truncated."""
    from genrelib.audio.decode import TOLERANCE_SECONDS, check_complete

    rate, promised = 1000, 10_000
    short = int(TOLERANCE_SECONDS * rate)
    check_complete(tmp_path / "a.wav", promised - short, promised, rate)
    with pytest.raises(TruncatedAudioError):
        check_complete(tmp_path / "a.wav", promised - short - 1, promised, rate)
