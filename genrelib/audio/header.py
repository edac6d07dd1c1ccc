"""How long a file says it is: the frames its header promises, to tell a truncated file.

WAV and AU headers give the size of the sample data in bytes and FLAC's STREAMINFO the
number of frames; libsndfile reports the frames actually present for a cut WAV or AU, so
their headers are read here. An MP3 whose first frame is a Xing/Info frame (LAME and
libsndfile write one) promises its frame count there, and libsndfile reports that count.
Other formats (OGG, an MP3 without that frame, compressed WAV, ...) give no exact length and
are not checked. ``open_sound_file`` opens a file for soundfile whatever its name's encoding.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import soundfile as sf

__all__ = ["TOLERANCE_SECONDS", "open_sound_file", "promised_frames"]

#: A file may hold up to this many seconds less than its header promises and still count as
#: whole: less than a tenth of the 29.9-30.6 s spread of GTZAN's clip lengths, and headers
#: written by some tools round the size.
TOLERANCE_SECONDS = 0.1

#: soundfile subtypes whose WAV/AU frames all take the same number of bytes.
_FIXED_WIDTH = ("PCM_S8", "PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE", "ULAW", "ALAW")
#: AU encodings (header field 4) -> bytes per sample.
_AU_WIDTH = {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4, 7: 8, 27: 1}
_UNKNOWN_SIZE = 0xFFFFFFFF  # "until the end of the file" in WAV and AU headers


def open_sound_file(path: Path) -> sf.SoundFile:
    """soundfile's handle of ``path``, given as the bytes the file system stores on POSIX, so a
    name that is not valid UTF-8 (an old archive's Latin-1 "caf\xe9.wav") opens like any other."""
    return sf.SoundFile(str(path) if os.name == "nt" else os.fsencode(path))


def promised_frames(path: str | Path, handle: sf.SoundFile) -> int | None:
    """The frames the header of an open file promises, or None when it does not say exactly.

    Parameters
    ----------
    path : str or Path
        The file (its header is read again, in binary).
    handle : soundfile.SoundFile
        The same file opened by soundfile (its format, subtype and frames).

    Returns
    -------
    int or None
        Frames promised: WAV and AU from the data size in their header (fixed-width
        samples only), FLAC from STREAMINFO, MP3 from a Xing/Info frame's frame count; None
        for any other file or an unknown size.
    """
    if handle.format == "FLAC":
        return handle.frames if 0 < handle.frames < 2 ** 62 else None
    if handle.format == "MP3":
        with open(path, "rb") as raw:
            counted = _has_xing_frame_count(raw)
        return handle.frames if counted and 0 < handle.frames < 2 ** 62 else None
    if handle.format not in ("WAV", "WAVEX", "AU") or handle.subtype not in _FIXED_WIDTH:
        return None
    with open(path, "rb") as raw:
        return _wav_frames(raw) if handle.format != "AU" else _au_frames(raw)


def _wav_frames(raw: BinaryIO) -> int | None:
    """Data bytes / block align of a RIFF WAVE file, walking its chunks."""
    if raw.read(4) != b"RIFF" or raw.read(8)[4:] != b"WAVE":
        return None
    block_align = 0
    while len(header := raw.read(8)) == 8:
        chunk, size = header[:4], int.from_bytes(header[4:], "little")
        if chunk == b"fmt ":
            block_align = int.from_bytes(raw.read(14)[12:14], "little")
            raw.seek(size - 14 + (size & 1), 1)
        elif chunk == b"data":
            return size // block_align if block_align and 0 < size < _UNKNOWN_SIZE else None
        else:
            raw.seek(size + (size & 1), 1)
    return None


def _au_frames(raw: BinaryIO) -> int | None:
    """Data bytes / (bytes per sample x channels) of a Sun/NeXT .au file."""
    header = raw.read(24)
    if len(header) < 24 or header[:4] != b".snd":
        return None
    size, encoding, _, channels = (int.from_bytes(header[i:i + 4], "big") for i in (8, 12, 16, 20))
    width = _AU_WIDTH.get(encoding)
    if not width or not channels or not 0 < size < _UNKNOWN_SIZE:
        return None
    return size // (width * channels)


#: Where a Xing/Info tag starts in the first MPEG audio frame: after the 4-byte frame header
#: and the side information, by (MPEG-1?, mono?).
_XING_OFFSET = {(True, False): 36, (True, True): 21, (False, False): 21, (False, True): 13}
_SYNC_SEARCH_BYTES = 4096  # zero padding some tools leave between an ID3v2 tag and the audio


def _has_xing_frame_count(raw: BinaryIO) -> bool:
    """Whether the first MPEG audio frame (after an ID3v2 tag) is a Xing or Info frame that
    records the stream's frame count (its flags' bit 0)."""
    head = raw.read(10)
    start = 0
    if head[:3] == b"ID3" and len(head) == 10:  # ID3v2: a synchsafe size, a footer when flag 0x10
        start = 10 + sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(head[6:10]))
        start += 10 if head[5] & 0x10 else 0
    raw.seek(start)
    block = raw.read(_SYNC_SEARCH_BYTES + 64)
    at = next((i for i in range(min(len(block) - 4, _SYNC_SEARCH_BYTES))
               if block[i] == 0xFF and block[i + 1] & 0xE0 == 0xE0), None)
    if at is None:
        return False
    mpeg1, mono = (block[at + 1] >> 3) & 3 == 3, (block[at + 3] >> 6) & 3 == 3
    tag = at + _XING_OFFSET[mpeg1, mono]
    if block[tag:tag + 4] not in (b"Xing", b"Info") or len(block) < tag + 8:
        return False
    return bool(int.from_bytes(block[tag + 4:tag + 8], "big") & 1)
