"""What a header promises (genrelib.audio.header): the frames of WAV, AU and FLAC files, read
from the header (not from what is on disk), an MP3's Xing frame count, and None where a format
gives no exact length."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import soundfile as sf

from genrelib.audio.header import promised_frames


def promised(path) -> int | None:
    with sf.SoundFile(path) as handle:
        return promised_frames(path, handle)


@pytest.mark.parametrize("ext, subtype, channels", [
    ("wav", "PCM_16", 2), ("wav", "FLOAT", 1), ("wav", "PCM_24", 1), ("au", "PCM_16", 2),
    ("au", "ULAW", 1), ("flac", "PCM_16", 1)])
def test_a_whole_file_promises_the_frames_it_holds(tmp_path, ext, subtype, channels):
    path = tmp_path / f"clip.{ext}"
    sf.write(path, np.zeros((12345, channels), np.float32), 8000, subtype=subtype)
    assert promised(path) == 12345


@pytest.mark.parametrize("ext", ["wav", "au"])
def test_a_cut_file_still_promises_the_header_s_frames(tmp_path, ext):
    path = tmp_path / f"clip.{ext}"
    sf.write(path, np.zeros((8000, 2), np.float32), 8000, subtype="PCM_16")
    path.write_bytes(path.read_bytes()[:16000])
    with sf.SoundFile(path) as handle:
        assert handle.frames < 4000  # what libsndfile sees on disk
    assert promised(path) == 8000


def test_chunks_before_the_data_are_skipped_with_their_padding(tmp_path):
    samples = np.arange(-50, 50, dtype="<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
            + b"junk" + struct.pack("<I", 3) + b"abc\x00"  # odd size: one pad byte
            + b"data" + struct.pack("<I", len(samples)) + samples)
    path = tmp_path / "chunks.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    assert promised(path) == 100


@pytest.mark.parametrize("ext, fmt, subtype", [("ogg", "OGG", "VORBIS"), ("wav", "WAV", "IMA_ADPCM")])
def test_formats_without_an_exact_length_promise_nothing(tmp_path, ext, fmt, subtype):
    path = tmp_path / f"clip.{ext}"
    sf.write(path, np.zeros(8000, np.float32), 8000, format=fmt, subtype=subtype)
    assert promised(path) is None


def _id3v2(size: int) -> bytes:
    """An ID3v2.4 tag of ``size`` bytes of (zero) frames: its header holds a synchsafe size."""
    synchsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x04\x00\x00" + synchsafe + b"\x00" * size


@pytest.mark.parametrize("rate, channels", [(22050, 1), (44100, 2), (16000, 2), (48000, 1)])
def test_an_mp3_with_a_xing_frame_promises_its_frame_count(tmp_path, rate, channels):
    """libsndfile (as LAME) writes a Xing frame first; its offset depends on the MPEG version and
    the channels (13, 21 or 36 bytes): every case is found, behind an ID3v2 tag too, and a cut
    file still promises the whole count (libsndfile reports it: it is the promise).

    Break tried: one offset for every frame (36) -> the mono and MPEG-2 cases promise None."""
    path = tmp_path / "clip.mp3"
    sf.write(path, np.zeros((rate, channels), np.float32), rate)
    assert promised(path) == rate
    tagged = tmp_path / "tagged.mp3"
    tagged.write_bytes(_id3v2(300) + path.read_bytes())
    assert promised(tagged) == rate
    path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    assert promised(path) == rate


def test_an_mp3_without_a_xing_frame_promises_nothing(tmp_path):
    """Without the frame libsndfile estimates the length from the file size: no promise."""
    path = tmp_path / "clip.mp3"
    sf.write(path, np.zeros(8000, np.float32), 8000)
    data = path.read_bytes()
    assert data.count(b"Xing") == 1
    path.write_bytes(data.replace(b"Xing", b"\x00" * 4))
    assert promised(path) is None


def test_an_unknown_data_size_promises_nothing(tmp_path):
    path = tmp_path / "stream.wav"
    sf.write(path, np.zeros(800, np.float32), 8000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    at = data.index(b"data") + 4
    data[at:at + 4] = b"\xff\xff\xff\xff"  # what a writer to a pipe puts there
    path.write_bytes(bytes(data))
    assert promised(path) is None
