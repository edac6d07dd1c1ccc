"""MD5 manifests: read one, hash files, compare the files on disk with it.

A manifest is a CSV with columns ``track_id,relative_path,md5`` (the format of GTZAN's
``md5.csv``); a table with ``path`` instead of ``relative_path`` (``tracks.csv``) works too,
and ``track_id`` defaults to the file stem. Rows are matched to files **by track id**, so
the same manifest works whether the user points at the folder holding ``genres/`` or at
``genres/`` itself. An MD5 can only match a file of the same format: when the manifest
lists ``blues.00000.wav`` and the disk holds ``blues.00000.au``, the file is reported as
*unverified* (format differs), never as a checksum mismatch.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from genrelib.datasets.folder import track_id_from_path

__all__ = ["ChecksumReport", "file_md5", "read_manifest", "verify_checksums"]

_MD5_RE = re.compile(r"^[0-9a-f]{32}$")


def file_md5(path: str | os.PathLike[str]) -> str:
    """The MD5 of a file's bytes as 32 lower-case hex digits."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "md5").hexdigest()


def read_manifest(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A manifest as a DataFrame with columns ``track_id``, ``relative_path``, ``md5``.

    Accepts ``relative_path`` or ``path`` for the file column; ``track_id`` defaults to the
    file stem. MD5s are lower-cased. Raises ValueError naming the file and the bad row when
    a column is missing or an MD5 is not 32 hex digits.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checksum manifest {str(path)!r} does not exist")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.columns = [str(name).strip() for name in table.columns]
    if "relative_path" not in table.columns and "path" in table.columns:
        table = table.rename(columns={"path": "relative_path"})
    missing = {"relative_path", "md5"} - set(table.columns)
    if missing:
        raise ValueError(
            f"{path}: a checksum manifest needs columns track_id,relative_path,md5; "
            f"missing {sorted(missing)} (it has {list(table.columns)})")
    table["relative_path"] = table["relative_path"].str.strip().str.replace("\\", "/")
    if "track_id" not in table.columns:
        table["track_id"] = [track_id_from_path(p) for p in table["relative_path"]]
    table["track_id"] = table["track_id"].str.strip()
    table["md5"] = table["md5"].str.strip().str.lower()
    bad = [i for i, value in enumerate(table["md5"]) if not _MD5_RE.match(value)]
    if bad:
        row = bad[0]
        raise ValueError(
            f"{path}, data row {row + 1} ({table['relative_path'].iloc[row]!r}): "
            f"{table['md5'].iloc[row]!r} is not an MD5 (32 hex digits); {len(bad)} bad row(s)")
    return table[["track_id", "relative_path", "md5"]].reset_index(drop=True)


@dataclass
class ChecksumReport:
    """The result of comparing files with a manifest (``DatasetIndex.checksums``).

    ``checksum_mismatches``: ``[{"path", "relative_path", "track_id", "expected", "actual"}]``;
    ``missing``: manifest ``relative_path`` values with no file of that track id on disk;
    ``not_in_manifest``: relative paths of files whose track id the manifest lacks;
    ``unverified``: ``[{"path", "relative_path", "reason"}]`` for files whose format differs
    from the manifest's (an MD5 of a .wav cannot match an .au); ``verified``: files whose MD5
    matched; ``manifest``: the manifest file's path (None when given as a table).
    """

    checksum_mismatches: list[dict] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_in_manifest: list[str] = field(default_factory=list)
    unverified: list[dict] = field(default_factory=list)
    verified: int = 0
    manifest: str | None = None


def verify_checksums(files: Sequence[tuple[str, Path, str]],
                     manifest: str | os.PathLike[str] | pd.DataFrame) -> ChecksumReport:
    """Compare ``files`` (``[(track_id, absolute path, relative path), ...]``, every file on
    disk, readable or not) with ``manifest`` (a manifest file, read by ``read_manifest``, or
    the table it returns), matching by track id.
    """
    report = ChecksumReport()
    if not isinstance(manifest, pd.DataFrame):
        report.manifest = str(manifest)
        manifest = read_manifest(manifest)
    rows_by_id: dict[str, list[tuple[str, str]]] = {}
    for track_id, rel, md5 in manifest[["track_id", "relative_path", "md5"]].itertuples(index=False):
        rows_by_id.setdefault(track_id, []).append((rel, md5))
    seen: set[str] = set()
    for track_id, path, rel in files:
        rows = rows_by_id.get(track_id)
        if not rows:
            report.not_in_manifest.append(rel)
            continue
        seen.add(track_id)
        suffix = Path(path).suffix.lower()
        same_format = [(m_rel, md5) for m_rel, md5 in rows if Path(m_rel).suffix.lower() == suffix]
        if not same_format:
            listed = ", ".join(m_rel for m_rel, _ in rows)
            report.unverified.append({
                "path": str(path), "relative_path": rel,
                "reason": f"format differs from the manifest's ({listed}): an MD5 of another "
                          f"format cannot match, checksum not compared"})
            continue
        actual = file_md5(path)
        expected = [md5 for _, md5 in same_format]
        if actual in expected:
            report.verified += 1
        else:
            report.checksum_mismatches.append({
                "path": str(path), "relative_path": rel, "track_id": track_id,
                "expected": expected[0] if len(expected) == 1 else expected, "actual": actual})
    report.missing = [rel for track_id, rel in manifest[["track_id", "relative_path"]]
                      .itertuples(index=False) if track_id not in seen]
    return report
