"""The dataset index: one row per readable track (id, genre, path, duration, rate, artist),
plus a report of what could not be used (unreadable files, checksum problems).

``index_dataset(path)`` finds the root by itself (``folder.find_root``), reads only the
audio headers (``genrelib.audio.probe_audio``, fast), optionally checks an MD5 manifest and
reads artists from a ``tracks.csv`` beside the data. Unreadable and truncated files are left
out of ``tracks``, listed in ``unreadable`` and named in a warning: never dropped silently,
never a crash.
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from genrelib.audio import probe_audio
from genrelib.config import GTZAN_GENRES, FeatureConfig
from genrelib.datasets.folder import find_root, ignored_files, list_audio_files, track_id_from_path, warn_unread_audio
from genrelib.datasets.gtzan import (KNOWN_FAULTS, ArtistsFileWarning, artist_keys, detect_layout,
                                     find_artists_file, read_artists)
from genrelib.datasets.manifest import ChecksumReport, verify_checksums
from genrelib.errors import GenrelibWarning

__all__ = ["TRACK_COLUMNS", "DatasetIndex", "UnreadableAudioWarning", "artists_of", "genre_order",
           "index_dataset", "known_artists"]

#: Columns of ``DatasetIndex.tracks``, in order.
TRACK_COLUMNS: tuple[str, ...] = ("track_id", "genre", "path", "relative_path", "duration",
                                  "sample_rate", "channels", "artist")


class UnreadableAudioWarning(GenrelibWarning):
    """Issued when audio files are left out of an index because they cannot be read."""


@dataclass(eq=False)
class DatasetIndex:
    """A labelled audio collection, read once.

    ``tracks``: DataFrame with ``TRACK_COLUMNS`` (``path`` absolute, ``relative_path`` posix
    relative to ``root``, ``duration`` seconds, ``artist`` str or None), one row per readable
    file, sorted by genre then track id. ``unreadable``: ``[{"path", "relative_path",
    "reason"}]``. ``checksums``: the ``manifest.ChecksumReport`` of every file on disk
    against an MD5 manifest (None when none was given). ``genre_order`` fixes ``genres``
    (kept by ``subset``).
    """

    root: Path
    layout: str
    tracks: pd.DataFrame
    unreadable: list[dict] = field(default_factory=list)
    checksums: ChecksumReport | None = None
    genre_order: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self.tracks)

    @property
    def genres(self) -> tuple[str, ...]:
        """The class names: GTZAN order when every label is a GTZAN genre, else sorted.

        Notebook: 01_data.ipynb, 02_features.ipynb
        """
        if self.genre_order is not None:
            return self.genre_order
        return genre_order(self.tracks["genre"])

    def labels(self) -> np.ndarray:
        """Class index (into ``genres``) of every row, shape (n_tracks,), int64."""
        lookup = {genre: i for i, genre in enumerate(self.genres)}
        return np.array([lookup[g] for g in self.tracks["genre"]], dtype=np.int64)

    def per_genre(self) -> dict[str, int]:
        """``{genre: number of readable tracks}`` in ``genres`` order.

        Notebook: 01_data.ipynb
        """
        counts = self.tracks["genre"].value_counts()
        return {genre: int(counts.get(genre, 0)) for genre in self.genres}

    def drop_genres(self, genres: Iterable[str]) -> "DatasetIndex":
        """A copy without ``genres``, their tracks and their place in ``genres`` (a model trained
        on it has no output for them; ``subset`` keeps every genre). KeyError names an unknown one."""
        dropped = {str(g) for g in genres}
        if unknown := sorted(dropped - set(self.genres)):
            raise KeyError(f"{unknown} not among the genres of {self.root}: {list(self.genres)}")
        kept = self.subset(self.tracks.loc[~self.tracks["genre"].isin(dropped), "track_id"])
        return replace(kept, genre_order=tuple(g for g in self.genres if g not in dropped))

    def subset(self, track_ids: Iterable[str]) -> "DatasetIndex":
        """A copy holding only ``track_ids`` (index order kept; ``genres`` unchanged, so
        labels stay comparable). Raises KeyError naming ids that are not in the index.
        """
        wanted = list(dict.fromkeys(str(t) for t in track_ids))
        known = set(self.tracks["track_id"])
        unknown = [t for t in wanted if t not in known]
        if unknown:
            raise KeyError(f"{len(unknown)} track id(s) not in the index of {self.root}: "
                           f"{unknown[:5]}{' ...' if len(unknown) > 5 else ''}")
        rows = self.tracks[self.tracks["track_id"].isin(set(wanted))].reset_index(drop=True)
        return DatasetIndex(root=self.root, layout=self.layout, tracks=rows,
                            unreadable=list(self.unreadable), checksums=self.checksums,
                            genre_order=self.genres)

    def fingerprint(self) -> str:
        """A 16-hex-digit hash of every track's id, genre, relative path, size and mtime
        (read now); changes whenever a file is added, removed, relabelled or rewritten.
        Used as part of the feature-cache key. Notebook: 02_features.ipynb
        """
        digest = hashlib.sha256()
        for track_id, genre, path, rel in self.tracks[
                ["track_id", "genre", "path", "relative_path"]].itertuples(index=False):
            stat = os.stat(path)
            digest.update(f"{track_id}\t{genre}\t{rel}\t{stat.st_size}\t{stat.st_mtime_ns}\n"
                          .encode())
        digest.update(("genres:" + ",".join(self.genres)).encode())
        return digest.hexdigest()[:16]

    def report(self) -> dict:
        """A JSON-ready summary: ``root``, ``layout``, ``tracks`` (int), ``per_genre``,
        ``unreadable``, ``too_short`` (``[{"relative_path", "duration"}]``: readable clips
        shorter than one segment of the default features, which every command skips),
        ``ignored`` (``folder.ignored_files``: files below the root that are not read), then the
        checksum report's ``checksum_mismatches``, ``missing``, ``not_in_manifest``,
        ``unverified``, ``checksums`` (the manifest's path or None) and ``verified`` (files
        whose MD5 matched; 0 without a manifest).
        """
        checks = self.checksums or ChecksumReport()
        short = self.tracks[self.tracks["duration"] < FeatureConfig().segment_seconds]
        return {
            "root": str(self.root), "layout": self.layout, "tracks": len(self.tracks),
            "per_genre": self.per_genre(), "unreadable": list(self.unreadable),
            "too_short": [{"relative_path": r.relative_path, "duration": round(float(r.duration), 3)}
                          for r in short.itertuples(index=False)],
            "ignored": ignored_files(self.root),
            "checksum_mismatches": list(checks.checksum_mismatches),
            "missing": list(checks.missing), "not_in_manifest": list(checks.not_in_manifest),
            "unverified": list(checks.unverified), "checksums": checks.manifest,
            "verified": checks.verified,
        }


def genre_order(labels: Iterable[str]) -> tuple[str, ...]:
    """Distinct labels in GTZAN order when all are GTZAN genres, else sorted."""
    present = set(labels)
    if present <= set(GTZAN_GENRES):
        return tuple(g for g in GTZAN_GENRES if g in present)
    return tuple(sorted(present))


def _probe_or_reason(path: Path, decode_all: bool = False) -> dict | str:
    try:
        return probe_audio(path, decode_all=decode_all)
    except ValueError as error:
        return str(error).removeprefix(f"{path}: ")


def _track_ids(files: list[tuple[str, Path]], root: Path) -> list[str]:
    """File stems when unique, else ``label/stem``, else the relative path."""
    stems = [track_id_from_path(path) for _, path in files]
    if len(set(stems)) == len(stems):
        return stems
    no_suffix = [f"{label}/{stem}" for (label, _), stem in zip(files, stems)]
    if len(set(no_suffix)) == len(no_suffix):
        return no_suffix
    return [path.relative_to(root).as_posix() for _, path in files]


def _artist_folders(root: Path, given: Path) -> list[Path]:
    folders = [root]
    current = root
    while current != given and given in current.parents:
        current = current.parent
        folders.append(current)
    if root.parent not in folders:
        folders.append(root.parent)
    return folders


def _load_artists(artists: str | os.PathLike[str] | Mapping[str, str | None] | None,
                  root: Path, given: Path) -> dict[str, str | None]:
    if isinstance(artists, Mapping):
        return {str(k): v for k, v in artists.items()}  # _tracks_frame drops blank names
    if artists is not None:
        return read_artists(artists)
    found = find_artists_file(_artist_folders(root, given))
    if found is None:
        return {}
    try:
        return read_artists(found)
    except ValueError as error:  # found, not asked for: the tracks are still usable
        warnings.warn(f"{error}; artists left unknown", ArtistsFileWarning, stacklevel=3)
        return {}


def index_dataset(path: str | os.PathLike[str], *,
                  checksums: str | os.PathLike[str] | None = None,
                  artists: str | os.PathLike[str] | Mapping[str, str | None] | None = None,
                  n_jobs: int | None = None, progress: bool = False,
                  decode_all: bool = False) -> DatasetIndex:
    """Index the labelled audio at ``path`` (the root or a folder up to two levels above it).

    Layouts: GTZAN ``genres/<g>/<g>.000NN.au``, ``Data/genres_original/<g>/<g>.000NN.wav``
    and any ``root/<label>/<file>`` tree (wav, au, flac, ogg, mp3, aiff). Track ids are file stems
    (``blues.00000``), or ``label/stem`` if stems repeat across labels.
    ``checksums``: an MD5 manifest (``track_id,relative_path,md5``) to verify against.
    ``artists``: a ``tracks.csv``/``artists_titles.txt`` path or a ``{track_id: artist}``
    mapping; by default a ``tracks.csv`` (or else an ``artists_titles.txt``) at the root or
    above it is used when present.
    ``n_jobs``: threads reading headers (joblib convention; None = 1). ``progress``: tqdm bar.
    ``decode_all``: decode every file to its end (slow; ``genrelib data check``) instead of
    its header, first and last blocks (which find a cut WAV, AU or FLAC, not a damaged middle).
    Unreadable files (and truncated ones: "truncated: N of M seconds") are left out of
    ``tracks``, listed in ``unreadable`` and named in one ``UnreadableAudioWarning``.
    Raises FileNotFoundError/ValueError for a bad path or when no labelled audio is found.
    Notebook: 01_data.ipynb
    """
    root = find_root(path)
    given = Path(path).expanduser().resolve()
    files = list_audio_files(root)
    layout = detect_layout(files)
    ids = _track_ids(files, root)
    paths = [file for _, file in files]
    iterable: Iterable[Path] = paths
    if progress:
        from tqdm.auto import tqdm

        iterable = tqdm(paths, desc="reading audio headers", unit="file")
    if n_jobs is None or n_jobs == 1:
        probes = [_probe_or_reason(file, decode_all) for file in iterable]
    else:
        from joblib import Parallel, delayed

        probes = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(_probe_or_reason)(file, decode_all) for file in iterable)
    artist_of = _load_artists(artists, root, given)

    rows: list[dict] = []
    unreadable: list[dict] = []
    for (label, file), track_id, probe in zip(files, ids, probes):
        rel = file.relative_to(root).as_posix()
        stem = track_id_from_path(track_id)
        if isinstance(probe, str):
            reason = probe + (f" [{KNOWN_FAULTS[stem]}]" if stem in KNOWN_FAULTS else "")
            unreadable.append({"path": str(file), "relative_path": rel, "reason": reason})
            continue
        rows.append({"track_id": track_id, "genre": label, "path": str(file),
                     "relative_path": rel, **probe,
                     "artist": next((artist_of[k] for k in (track_id, *artist_keys(rel)) if k in artist_of), None)})
    report = None
    if checksums is not None:
        report = verify_checksums([(track_id, file, file.relative_to(root).as_posix())
                                   for track_id, (_, file) in zip(ids, files)], checksums)
    index = DatasetIndex(root=root, layout=layout, tracks=_tracks_frame(rows),
                         unreadable=unreadable, checksums=report)

    if unreadable:
        names = "; ".join(f"{u['relative_path']} ({u['reason']})" for u in unreadable[:20])
        more = f"; and {len(unreadable) - 20} more" if len(unreadable) > 20 else ""
        warnings.warn(f"{len(unreadable)} unreadable audio file(s) under {root} left out of the "
                      f"index: {names}{more} (`genrelib data check` lists them; DatasetIndex.unreadable in Python)",
                      UnreadableAudioWarning, stacklevel=2)
    warn_unread_audio(root)
    return index


def _tracks_frame(rows: list[dict]) -> pd.DataFrame:
    if not rows:
        frame = pd.DataFrame({name: pd.Series(dtype=object) for name in TRACK_COLUMNS})
    else:
        frame = pd.DataFrame(rows, columns=list(TRACK_COLUMNS))
    frame["artist"] = pd.Series([_known_artist(a) for a in frame["artist"]], dtype=object,
                                index=frame.index)
    frame = frame.astype({"duration": float, "sample_rate": "int64", "channels": "int64"})
    return frame.sort_values(["genre", "track_id"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- artists
def _known_artist(value: object) -> str | None:
    """The artist when ``value`` names one (a str that is not blank), else None (unknown)."""
    return value if isinstance(value, str) and value.strip() else None


def known_artists(tracks: "pd.DataFrame | DatasetIndex") -> dict[str, str]:
    """``{track_id: artist}`` of every track whose artist is known (a non-blank str) in
    ``tracks`` (``DatasetIndex.tracks`` or the index itself); empty without an ``artist``
    column.
    """
    frame = getattr(tracks, "tracks", tracks)
    if "artist" not in frame.columns:
        return {}
    return {str(track_id): artist for track_id, artist in zip(frame["track_id"], frame["artist"])
            if _known_artist(artist) is not None}


def artists_of(tracks: "pd.DataFrame | DatasetIndex", track_ids: Iterable[str]) -> set[str]:
    """The distinct known artists of ``track_ids`` (ids not in ``tracks`` and tracks of
    unknown artist add none).
    """
    lookup = known_artists(tracks)
    return {lookup[t] for t in map(str, track_ids) if t in lookup}
