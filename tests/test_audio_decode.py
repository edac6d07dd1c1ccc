"""Decoding (genrelib.audio.decode): one decoder with one fallback order for the header probe
and full decoding, clear errors naming the file. Small files written here."""

from __future__ import annotations

import contextlib
import sys
import types

import numpy as np
import pytest
import soundfile as sf

from genrelib.audio import AudioError, load_audio, probe_audio, read_audio


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
