"""What is special about GTZAN: its two layouts, its track ids, its known faults, its artists.

GTZAN ships as the original archive ``genres/<genre>/<genre>.000NN.au`` and as the widely
copied re-packaging ``Data/genres_original/<genre>/<genre>.000NN.wav`` (in which
``jazz.00054.wav`` is corrupt). Artists come from Sturm's fault analysis, either as a
``tracks.csv`` (columns ``track_id``, ``artist``) or as his ``artists_titles.txt``
(``file ::: artist ::: title``, ``##`` comments).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

from genrelib.config import GTZAN_GENRES
from genrelib.datasets.folder import strip_audio_suffix
from genrelib.errors import GenrelibWarning

__all__ = ["FAULT_FILTERED_LISTS", "GTZAN_FILE_RE", "KNOWN_FAULTS", "ArtistsFileWarning", "artist_keys",
           "detect_layout", "find_artists_file", "find_split_lists", "read_artists"]


class ArtistsFileWarning(GenrelibWarning):
    """A ``tracks.csv`` beside the data that cannot give artists (artists left unknown)."""


#: How an artists table is read: UTF-8, with or without the byte-order mark that Excel's
#: "CSV UTF-8" writes.
ARTISTS_ENCODING = "utf-8-sig"

#: A GTZAN file name: ``<genre>.<5 digits>.au|wav``.
GTZAN_FILE_RE = re.compile(r"^(?P<genre>[a-z]+)\.(?P<number>\d{5})\.(?P<ext>au|wav)$")

#: Files known to be broken in a common copy of GTZAN (track id -> what is wrong); added to
#: the reason when such a file turns out unreadable.
KNOWN_FAULTS: dict[str, str] = {
    "jazz.00054": "known corrupt file of the re-packaged GTZAN (Data/genres_original); "
                  "the original .au archive has a good copy",
}


def detect_layout(files: Sequence[tuple[str, Path]]) -> str:
    """"gtzan-au" or "gtzan-wav" when every label is a GTZAN genre and every file is named
    ``<label>.000NN.au`` (resp. ``.wav``), else "folder".

    ``files`` is ``[(label, path), ...]`` as given by ``folder.list_audio_files``.
    """
    extensions = set()
    for label, path in files:
        match = GTZAN_FILE_RE.match(path.name)
        if label not in GTZAN_GENRES or not match or match["genre"] != label:
            return "folder"
        extensions.add(match["ext"])
    if extensions == {"au"}:
        return "gtzan-au"
    if extensions == {"wav"}:
        return "gtzan-wav"
    return "folder"


def _clean(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if not text or text.lower() == "nan" else text


def _read_artists_csv(path: Path) -> dict[str, str | None]:
    import pandas as pd

    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=ARTISTS_ENCODING)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}): save it as "
                         "UTF-8 (\"CSV UTF-8\" in a spreadsheet)") from None
    except pd.errors.ParserError as error:
        raise ValueError(f"{path}: not a readable CSV table ({str(error).strip()}): check its quotes "
                         "and commas") from None
    missing = {"artist"} - set(table.columns)
    if missing or not ({"track_id", "path"} & set(table.columns)):
        raise ValueError(
            f"{path}: an artists table needs columns 'track_id' (or 'path') and 'artist'; "
            f"it has {list(table.columns)}")
    ids = table["track_id"] if "track_id" in table.columns else table["path"]
    return _by_keys(((str(tid), _clean(artist)) for tid, artist in zip(ids, table["artist"])), path)


def artist_keys(name: str) -> tuple[str, ...]:
    """The keys a track's artist is found by, most specific first: ``label/stem`` when the
    name has a folder (``genres/jazz/00.wav`` -> ``jazz/00``), then the file stem (``00``)."""
    parts = strip_audio_suffix(name.replace("\\", "/")).split("/")
    return (f"{parts[-2]}/{parts[-1]}", parts[-1]) if len(parts) > 1 else (parts[-1],)


def _by_keys(rows: Iterable[tuple[str, str | None]], source: Path) -> dict[str, str | None]:
    """``{key: artist}`` for the ``artist_keys`` of every named track; a stem that names
    tracks of different artists (``jazz/00.wav`` and ``rock/00.wav``) is no key: those tracks
    are found by ``label/stem`` only, never by a stem that another row shares. Rows left with
    no key (a bare ``00`` given two artists) are named in an ``ArtistsFileWarning``."""
    rows = list(rows)
    found: dict[str, str | None] = {}
    ambiguous: set[str] = set()
    for name, artist in rows:
        for key in artist_keys(name):
            if key in found and found[key] != artist:
                ambiguous.add(key)
            found[key] = artist
    lost = sorted({name for name, _ in rows if set(artist_keys(name)) <= ambiguous})
    if lost:
        warnings.warn(f"{source}: {len(lost)} track name(s) are given different artists by several rows "
                      f"({', '.join(lost[:5])}{' ...' if len(lost) > 5 else ''}), so those rows are not "
                      "used: name each track with its genre folder (jazz/01) or its path (genres/jazz/01.wav)",
                      ArtistsFileWarning, stacklevel=4)
    return {key: artist for key, artist in found.items() if key not in ambiguous}


def _read_artists_sturm(path: Path) -> dict[str, str | None]:
    artists: dict[str, str | None] = {}
    with open(path, encoding=ARTISTS_ENCODING) as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [part.strip() for part in line.split(":::")]
            if len(parts) < 2 or not parts[0]:
                raise ValueError(
                    f"{path}, line {number}: expected 'file ::: artist ::: title', got {line!r}")
            artists[parts[0]] = _clean(parts[1])
    return _by_keys(artists.items(), path)


def read_artists(path: str | os.PathLike[str]) -> dict[str, str | None]:
    """``{track_id: artist}`` from a ``.csv`` table (columns ``track_id`` or ``path``, and
    ``artist``) or from Sturm's ``artists_titles.txt`` (``file ::: artist ::: title`` lines,
    ``#``/``##`` comments). An empty artist gives None (unknown). Keys are ``artist_keys``: the
    file stem (``blues.00000``) and, for a name with a folder, ``label/stem`` (``jazz/00``), so
    that tracks of other genre folders with the same file name keep their own artists. Raises
    ValueError naming the file (and line) when malformed or not UTF-8.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"artists file {str(path)!r} does not exist")
    if path.suffix.lower() == ".csv":
        return _read_artists_csv(path)
    return _read_artists_sturm(path)


def find_artists_file(folders: Iterable[Path]) -> Path | None:
    """The first artist table in ``folders`` (in order): a ``tracks.csv`` with an ``artist``
    column, else Sturm's ``artists_titles.txt`` (put it beside ``genres/`` to get GTZAN's
    artists); None when there is neither.

    A ``tracks.csv`` without the needed columns is skipped with a warning naming it.
    """
    for folder in folders:
        candidate = Path(folder) / "tracks.csv"
        if candidate.is_file():
            try:
                with open(candidate, encoding=ARTISTS_ENCODING) as handle:
                    header = [name.strip().strip('"') for name in handle.readline().strip().split(",")]
            except UnicodeDecodeError:
                warnings.warn(f"{candidate} is not UTF-8 text: artists left unknown; save it as UTF-8 "
                              "(\"CSV UTF-8\" in a spreadsheet)", ArtistsFileWarning, stacklevel=3)
                continue
            if "artist" in header and ({"track_id", "path"} & set(header)):
                return candidate
            warnings.warn(f"{candidate} has no 'track_id'/'artist' columns (it has {header}); "
                          f"artists left unknown", ArtistsFileWarning, stacklevel=3)
        sturm = Path(folder) / "artists_titles.txt"
        if sturm.is_file():
            return sturm
    return None


#: The file names of the fault-filtered split of Kereliuk, Sturm & Larsen (2015).
FAULT_FILTERED_LISTS: tuple[str, ...] = tuple(f"fault_filtered_{name}.txt" for name in ("train", "valid", "test"))


def find_split_lists(root: str | os.PathLike[str], *, levels: int = 2) -> Path | None:
    """The folder, ``root`` itself or up to ``levels`` folders above it, that holds the
    fault-filtered split lists (``FAULT_FILTERED_LISTS``; put them beside ``genres/``), for
    ``split_from_lists``/``--split lists:DIR``; None when there is none.
    Notebook: 07_evaluation.ipynb
    """
    folder = Path(root).absolute()  # beside the data as the user reached it (links kept)
    for candidate in [folder, *folder.parents][: levels + 1]:
        if all((candidate / name).is_file() for name in FAULT_FILTERED_LISTS):
            return candidate
    return None
