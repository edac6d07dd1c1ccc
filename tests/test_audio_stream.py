"""Streaming (genrelib.audio.stream): the chunks of ``stream_audio`` are the samples of
``load_audio``, about one chunk at a time, and a bad file fails with its name."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from genrelib.audio import (AudioError, TruncatedAudioError, TruncatedAudioWarning, load_audio,
                            probe_audio, read_audio, stream_audio)

SR = 22050


def noise(seconds: float, rate: int, channels: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return (0.3 * rng.standard_normal((int(round(seconds * rate)), channels))).astype(np.float32)


@pytest.mark.parametrize("ext, rate, channels", [
    ("wav", 22050, 1), ("wav", 44100, 2), ("flac", 48000, 1), ("au", 8000, 1), ("mp3", 44100, 2)])
def test_the_chunks_are_the_samples_of_load_audio(tmp_path, ext, rate, channels):
    path = tmp_path / f"clip.{ext}"
    sf.write(path, noise(5.0, rate, channels), rate)
    chunks = list(stream_audio(path, chunk_seconds=1.3))
    assert len(chunks) >= 4 and max(map(len, chunks)) < 1.5 * SR
    np.testing.assert_allclose(np.concatenate(chunks), load_audio(path, clip_seconds=None),
                               rtol=0, atol=1e-6)


def test_bad_files_and_arguments_are_named(tmp_path):
    with pytest.raises(AudioError, match="absent.wav: no such audio file"):
        next(stream_audio(tmp_path / "absent.wav"))
    path = tmp_path / "ok.wav"
    sf.write(path, noise(1.0, SR, 1), SR)
    with pytest.raises(ValueError, match="chunk_seconds must be positive"):
        next(stream_audio(path, chunk_seconds=0))


@pytest.mark.parametrize("ext", ["wav", "flac", "mp3"])
@pytest.mark.parametrize("chunk_seconds", [0.5, 3.0, 30.0])
def test_a_truncated_file_fails_with_its_name_unless_allowed(tmp_path, ext, chunk_seconds):
    """Whatever the chunk size, the stream stops where ``read_audio`` and ``data check``
    (``probe_audio(decode_all=True)``) do: the same seconds in the message, the same samples
    with ``allow_truncated``, also when the file fails inside its first chunk.

    Break tried: the blocks ending at the failing chunk (as before) -> a cut FLAC reported as
    "0.0 of 4.0 seconds" with 30 s chunks, refused even with allow_truncated, and 3.0 s chunks
    holding fewer samples than read_audio."""
    path = tmp_path / f"half.{ext}"
    sf.write(path, noise(4.0, SR, 1), SR, subtype=None if ext == "mp3" else "PCM_16")
    path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])
    with pytest.raises(TruncatedAudioError) as checked:
        probe_audio(path, decode_all=True)
    with pytest.raises(TruncatedAudioError, match=r"half\.\w+: truncated: \d\.\d of 4\.0 seconds") as streamed:
        list(stream_audio(path, chunk_seconds=chunk_seconds))
    assert str(streamed.value) == str(checked.value)
    with pytest.warns(TruncatedAudioWarning, match="truncated"):
        chunks = list(stream_audio(path, chunk_seconds=chunk_seconds, allow_truncated=True))
    with pytest.warns(TruncatedAudioWarning):
        y, _ = read_audio(path, allow_truncated=True)
    assert len(y) > SR
    np.testing.assert_array_equal(np.concatenate(chunks), y)
