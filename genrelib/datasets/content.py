"""Content keys: whether two audio files are the same file, whatever their names and folders.

A track id is a file's name (``blues.00000``, or ``jazz/01`` where names repeat), so the same
id can stand for two recordings (``01.wav`` in two collections) and one recording can carry
two ids (``rock/01`` in one folder, ``01`` in a folder where the name is unique). A run's
split.json therefore also keeps the content key of each training and validation track, and
``genrelib evaluate`` tells the tracks a run has seen by their content. The key is a digest
of the file's size and its first and last ``CONTENT_BYTES`` bytes: a copy (renamed, moved,
linked) has the key of its original, another recording another key; a file encoded again
(WAV to FLAC) is another file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

import pandas as pd

__all__ = ["CONTENT_BYTES", "content_key", "content_keys"]

#: Bytes read from each end of a file for its key (128 KiB of a 1.3 MB GTZAN clip).
CONTENT_BYTES = 64 * 1024


def content_key(path: str | os.PathLike[str]) -> str | None:
    """The file's content key (16 hex digits), or None when it cannot be read."""
    try:
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            digest = hashlib.blake2b(str(size).encode(), digest_size=8)
            digest.update(file.read(CONTENT_BYTES))
            if size > CONTENT_BYTES:
                file.seek(max(CONTENT_BYTES, size - CONTENT_BYTES))
                digest.update(file.read(CONTENT_BYTES))
    except OSError:
        return None
    return digest.hexdigest()


def content_keys(tracks: pd.DataFrame, track_ids: Iterable[str] | None = None) -> dict[str, str]:
    """``{track_id: content key}`` of ``track_ids`` (all of ``tracks`` when None), read from
    the files of ``tracks`` (a ``DatasetIndex.tracks`` table: ``track_id``, ``path``); ids
    not in the table and files that cannot be read are left out."""
    paths = dict(zip(tracks["track_id"].astype(str), tracks["path"]))
    wanted = paths if track_ids is None else dict.fromkeys(map(str, track_ids))
    keys = {track_id: content_key(paths[track_id]) for track_id in wanted if track_id in paths}
    return {track_id: key for track_id, key in keys.items() if key is not None}
