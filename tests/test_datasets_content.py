"""genrelib.datasets.content: a file's content key is a digest of its size and of its first
and last CONTENT_BYTES bytes, so a renamed copy keeps its key while a change at the end or
a change of length gives another key."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from genrelib.datasets.content import CONTENT_BYTES, content_key


def test_the_key_reads_the_tail_and_the_size_and_ignores_the_name(tmp_path: Path) -> None:
    """Files a = H + M * 100,000 + T (H and T 64 KiB of distinct random bytes), b = a with
    one byte changed inside its last 64 KiB, c = H + M * 200,000 + T: a, b and c have three
    keys (b differs only in the tail, c only in its size), and a renamed copy of a has a's key.

    Breaks tried: the tail read from ``seek(CONTENT_BYTES)`` (the middle) -> a and b share a
    key; the size left out of the digest -> a and c share a key."""
    rng = np.random.default_rng(0)
    head, tail = (rng.integers(0, 256, CONTENT_BYTES, dtype=np.uint8).tobytes() for _ in range(2))
    assert head != tail
    a = tmp_path / "a.wav"
    a.write_bytes(head + b"M" * 100_000 + tail)
    data = bytearray(a.read_bytes())
    data[-1000] ^= 0xFF
    b = tmp_path / "b.wav"
    b.write_bytes(bytes(data))
    c = tmp_path / "c.wav"
    c.write_bytes(head + b"M" * 200_000 + tail)
    key = content_key(a)
    assert isinstance(key, str) and len(key) == 16
    assert content_key(b) != key
    assert content_key(c) != key
    (tmp_path / "elsewhere").mkdir()
    copy = shutil.copy(a, tmp_path / "elsewhere" / "renamed.wav")
    assert content_key(copy) == key
