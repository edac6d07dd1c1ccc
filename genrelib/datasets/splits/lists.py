"""Splits read from list files (``split_from_lists``), e.g. the fault-filtered split of
GTZAN by Kereliuk, Sturm & Larsen (2015).
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from genrelib.datasets.folder import strip_audio_suffix, track_id_from_path
from genrelib.datasets.splits.record import SET_NAMES, TrackSplit, TracksLike, _tracks, check_leakage
from genrelib.errors import GenrelibWarning

__all__ = ["ListedTracksMissingWarning", "split_from_lists"]


class ListedTracksMissingWarning(GenrelibWarning):
    """Tracks named in a split's list files that the data folder lacks: they are left out of
    the split (the message counts them and names a few)."""


def _list_files(source: str | os.PathLike[str]) -> dict[str, Path | None]:
    folder = Path(source)
    if not folder.is_dir():
        raise FileNotFoundError(f"split-list folder {str(folder)!r} does not exist")
    found: dict[str, Path | None] = {}
    for name in SET_NAMES:
        matches = sorted(p for p in folder.glob(f"*{name}*.txt") if p.is_file())
        if len(matches) > 1:
            raise ValueError(f"{folder}: several files match *{name}*.txt "
                             f"({[m.name for m in matches]}); keep one per set")
        if not matches and name != "valid":
            raise ValueError(f"{folder}: no *{name}*.txt split list (one "
                             f"'genre/genre.000NN.wav' per line)")
        found[name] = matches[0] if matches else None
    return found


def _read_list(path: Path) -> list[str]:
    entries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("#"):
                entries.append(line.replace("\\", "/"))
    return entries


def split_from_lists(tracks_df: TracksLike,
                     source: str | os.PathLike[str] | Mapping[str, Any], *,
                     protocol: str = "lists") -> TrackSplit:
    """A split read from list files, e.g. the fault-filtered split of GTZAN.

    Entries match track ids by file stem (``blues.00029``). Listed tracks that are not in
    the index are left out with one warning giving their count; tracks of the index in no
    list are not used (the fault-filtered lists leave 70 faulty GTZAN tracks out on purpose).

    Parameters
    ----------
    tracks_df : pandas.DataFrame or DatasetIndex
        The tracks (columns ``track_id``, ``genre``), or their index.
    source : str, PathLike or mapping
        A folder holding ``*train*.txt``, ``*test*.txt`` and optionally ``*valid*.txt`` (one
        ``genre/genre.000NN.wav`` per line, ``#`` comments), or a mapping ``{"train": file or
        list of entries, ...}``.
    protocol : str
        The protocol name of the split.

    Returns
    -------
    TrackSplit
        Checked by ``check_leakage``.

    Raises
    ------
    LeakageError
        When a track is listed in two sets.
    ValueError
        When no listed track is in the index, or the folder's files are ambiguous or missing.
    FileNotFoundError
        When the folder does not exist.

    Notebook: 01_data.ipynb
    """
    frame = _tracks(tracks_df)
    if isinstance(source, Mapping):
        unknown = set(source) - set(SET_NAMES)
        if unknown:
            raise ValueError(f"split lists are keyed by {SET_NAMES}, got {sorted(unknown)}")
        raw = {name: (_read_list(Path(v)) if isinstance(v, (str, os.PathLike)) else
                      [str(e) for e in v]) for name, v in source.items()}
        where = "the given lists"
    else:
        files = _list_files(source)
        raw = {name: (_read_list(p) if p else []) for name, p in files.items()}
        where = str(source)
    lookup: dict[str, str] = {}
    for track_id in frame["track_id"].astype(str):
        lookup.setdefault(track_id_from_path(track_id), track_id)
        lookup[track_id] = track_id
    listed = {name: list(dict.fromkeys(strip_audio_suffix(e) for e in raw.get(name, [])))
              for name in SET_NAMES}
    check_leakage(TrackSplit(**listed, protocol=protocol))
    chosen: dict[str, list[str]] = {name: [] for name in SET_NAMES}
    absent: list[str] = []
    for name in SET_NAMES:
        for entry in listed[name]:
            match = lookup.get(entry) or lookup.get(track_id_from_path(entry))
            if match:
                chosen[name].append(match)
            else:
                absent.append(entry)
    n_listed = sum(len(v) for v in listed.values())
    if not any(chosen.values()):
        raise ValueError(f"none of the {n_listed} tracks listed in {where} is in the index "
                         f"(e.g. {absent[:3]}): is this the right dataset?")
    if absent:
        emptied = [name for name in SET_NAMES if listed[name] and not chosen[name]]
        warnings.warn(f"{len(absent)} of the {n_listed} tracks listed in {where} are not in the "
                      f"index and were left out (e.g. {absent[:3]})"
                      + (f"; the {' and '.join(emptied)} set{'s are' if len(emptied) > 1 else ' is'} left empty"
                         if emptied else ""), ListedTracksMissingWarning, stacklevel=2)
    split = TrackSplit(**{name: sorted(ids) for name, ids in chosen.items()}, protocol=protocol)
    check_leakage(split, frame)
    return split
