"""``stream_audio``: a file decoded chunk by chunk, the samples of ``load_audio``.

soundfile reads blocks and the same soxr filter runs as a stream, so a long recording need
not be held whole (an MP3 is: libsndfile decodes it differently in blocks).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import numpy as np

from genrelib.audio.decode import (DECODE_BLOCK_FRAMES, AudioError, Decoder, check_complete, decoder_reason,
                                   downmix, first_decoder)
from genrelib.audio.header import open_sound_file, promised_frames
from genrelib.audio.load import RESAMPLER
from genrelib.audio.segments import fit_length
from genrelib.config import SAMPLE_RATE

__all__ = ["stream_audio"]

#: Resampled samples ``stream_audio`` holds back until the end of the file: soxr's streamed
#: output may differ from ``ceil(n * ratio)`` samples by one, fixed at the end as librosa does.
_RESAMPLE_TAIL = 64
#: Formats soundfile decodes differently when read in blocks: libsndfile 1.2's MPEG decoder
#: returns other samples (a glitch of about a thousand samples) after some block ends, so an
#: MP3 is decoded whole, as ``read_audio`` does, and only then cut into chunks.
_READ_WHOLE = ("MP3",)


def _soundfile_blocks(path: Path, seconds: float) -> Iterator:
    """soundfile's blocks of ``path``: first ``(sample rate, frames promised by the header or
    None)``, then float32 arrays (n, channels) of about ``seconds`` each, to the end of the
    file (``_READ_WHOLE`` formats: decoded whole, then cut). Where decoding fails (a cut
    FLAC), the frames before the failure still come, in ``decode``'s small blocks, then the
    error: the frames ``read_audio`` and ``data check`` find, not a whole block fewer."""
    with open_sound_file(path) as handle:
        yield handle.samplerate, promised_frames(path, handle)
        frames = max(1, int(round(seconds * handle.samplerate)))
        if handle.format in _READ_WHOLE:
            yield from _cut(handle.read(-1, dtype="float32", always_2d=True), frames)
            return
        done = 0
        while True:
            try:
                block = handle.read(frames, dtype="float32", always_2d=True)
            except Exception:
                yield from _blocks_until_failure(path, skip=done)
                raise  # the decoder's own error, when the small blocks reach the end
            if not len(block):
                return
            done += len(block)
            yield block


def _blocks_until_failure(path: Path, *, skip: int) -> Iterator[np.ndarray]:
    """The blocks of ``path`` after its first ``skip`` frames, read again from the start in
    ``decode``'s small blocks up to the first failure (which is raised)."""
    seen = 0
    with open_sound_file(path) as handle:
        while len(block := handle.read(DECODE_BLOCK_FRAMES, dtype="float32", always_2d=True)):
            if seen + len(block) > skip:
                yield block[max(0, skip - seen):]
            seen += len(block)


def _cut(data: np.ndarray, frames: int) -> Iterator[np.ndarray]:
    return (data[start:start + frames] for start in range(0, len(data), frames))


def _whole_blocks(decode: Decoder, path: Path, seconds: float) -> Iterator:
    """As ``_soundfile_blocks``, for a decoder that reads the whole file at once."""
    decoded = decode(path, None)
    yield decoded.rate, decoded.promised
    yield from _cut(decoded.data, max(1, int(round(seconds * decoded.rate))))


#: Decoders that can read a file block by block; the others are read whole, then cut.
_BLOCK_READERS = {"soundfile": _soundfile_blocks}


def _open_blocks(path: Path, seconds: float, *,
                 allow_truncated: bool) -> tuple[int, Iterator[np.ndarray]]:
    """(sample rate, blocks (n, channels) float32) from the first decoder that opens ``path``
    and decodes its first block; AudioError naming every reason otherwise. The blocks end
    with ``check_complete``: a file that fails or ends early raises AudioError naming it."""
    def attempt(name: str, decode: Decoder) -> tuple[int, Iterator[np.ndarray]]:
        reader = _BLOCK_READERS.get(name)
        blocks = reader(path, seconds) if reader else _whole_blocks(decode, path, seconds)
        rate, promised = next(blocks)
        try:
            first = next(blocks, None)
        except Exception as error:
            if promised is None:
                raise
            check_complete(path, 0, promised, rate, stopped=decoder_reason(path, error))
        head = [] if first is None else [first]
        return int(rate), _checked(chain(head, blocks), path, int(rate), promised, allow_truncated)

    return first_decoder(path, attempt)


def _checked(blocks: Iterator[np.ndarray], path: Path, rate: int, promised: int | None,
             allow_truncated: bool) -> Iterator[np.ndarray]:
    """``blocks`` as they come, then ``check_complete`` on how many frames they held."""
    frames, stopped = 0, None
    try:
        for block in blocks:
            frames += len(block)
            yield block
    except Exception as error:  # e.g. a truncated FLAC: "flac decoder lost sync"
        stopped = decoder_reason(path, error)
    check_complete(path, frames, promised, rate, stopped=stopped, allow_truncated=allow_truncated)


def _resampled(chunks: Iterator[np.ndarray], rate: int, sample_rate: int) -> Iterator[np.ndarray]:
    """Mono ``chunks`` at ``rate`` resampled as one stream to ``sample_rate``: the samples of
    ``librosa.resample`` of their concatenation (soxr HQ, cut or zero-padded to
    ``ceil(n * sample_rate / rate)``), chunk by chunk."""
    import soxr

    stream = soxr.ResampleStream(rate, sample_rate, 1, dtype="float32", quality=RESAMPLER)
    n_in = n_out = 0
    held = np.zeros(0, dtype=np.float32)
    for chunk in chunks:
        n_in += chunk.shape[0]
        held = np.concatenate([held, stream.resample_chunk(chunk)])
        if held.shape[0] > _RESAMPLE_TAIL:
            n_out += held.shape[0] - _RESAMPLE_TAIL
            yield held[:-_RESAMPLE_TAIL]
            held = held[-_RESAMPLE_TAIL:]
    held = np.concatenate([held, stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)])
    yield fit_length(held, int(np.ceil(n_in * (float(sample_rate) / rate))) - n_out)


def stream_audio(
    path: str | os.PathLike[str], *, sample_rate: int = SAMPLE_RATE, chunk_seconds: float = 30.0,
    allow_truncated: bool = False,
) -> Iterator[np.ndarray]:
    """Decode any audio file chunk by chunk as mono float32 at ``sample_rate``.

    The concatenation of the chunks equals ``load_audio(path, sample_rate=sample_rate,
    clip_seconds=None)`` (same decoders in the same order, downmix by mean, the same soxr
    filter run as a stream), while memory holds about one chunk: soundfile reads the file
    block by block (an MP3, and any file a fallback decoder reads, is decoded whole first:
    see ``_READ_WHOLE``). Nothing is length-normalised.

    Parameters
    ----------
    path : str or PathLike
        The audio file.
    sample_rate : int
        Target rate in Hz.
    chunk_seconds : float
        About how many seconds (at the file's rate) each chunk holds.
    allow_truncated : bool
        Yield what a truncated file holds (with a ``TruncatedAudioWarning`` at its end)
        instead of raising ``TruncatedAudioError`` there.

    Yields
    ------
    np.ndarray
        float32 chunks of shape (n,).

    Raises
    ------
    AudioError
        Naming the file and the reason (missing, empty, undecodable, truncated
        (``TruncatedAudioError``, after the chunks that are there), non-finite samples), at
        the first chunk or when the problem is met.
    """
    if not chunk_seconds > 0:
        raise ValueError(f"chunk_seconds must be positive, got {chunk_seconds}")
    path = Path(path)
    rate, blocks = _open_blocks(path, chunk_seconds, allow_truncated=allow_truncated)
    chunks = (downmix(block, path) for block in blocks)
    total = 0
    for chunk in chunks if rate == sample_rate else _resampled(chunks, rate, sample_rate):
        if chunk.shape[0]:
            total += chunk.shape[0]
            yield chunk
    if total == 0:
        raise AudioError(f"{path}: the file holds no audio samples")
