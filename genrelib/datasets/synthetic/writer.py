"""Writing the dataset folder: the WAV files in GTZAN's layout, ``tracks.csv`` and the
``synthetic.json`` manifest, skipping a folder that is already complete.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from genrelib.cache import atomic_file, atomic_write_bytes, atomic_write_text
from genrelib.config import GTZAN_GENRES, SAMPLE_RATE
from genrelib.datasets.synthetic.artists import track_artist, track_title
from genrelib.datasets.synthetic.render import SYNTHETIC_VERSION, render_track

TRACKS_COLUMNS = ("path", "genre", "track_id", "artist", "title", "md5")
_MANIFEST = "synthetic.json"
_GENRE_NAMES = "|".join(GTZAN_GENRES)
# our own files: a clip, the manifest or tracks.csv, or the hidden temporary file of one of
# them that an atomic write left behind when a run was killed
_OUR_CLIP = re.compile(rf"^\.?({_GENRE_NAMES})\.\d{{5}}\.wav(\.\w+\.tmp(\.wav)?)?$")
_OUR_TABLE = re.compile(r"^\.?(synthetic\.json|tracks\.csv)(\.\w+\.tmp(\.json|\.csv)?)?$")


def _encode_wav(y: np.ndarray, sr: int) -> bytes:
    pcm = np.round(np.clip(y, -1.0, 1.0) * 32767.0).astype(np.int16)
    buf = io.BytesIO()
    sf.write(buf, pcm, sr, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def _make_one(out_dir: str, genre: str, k: int, seed: int, seconds: float, sr: int) -> dict[str, str]:
    """Render and write track ``k`` of ``genre``; returns its row of tracks.csv."""
    data = _encode_wav(render_track(genre, track_seed=k, seed=seed, seconds=seconds, sample_rate=sr), sr)
    rel = f"genres/{genre}/{genre}.{k:05d}.wav"
    atomic_write_bytes(Path(out_dir) / rel, data)
    return {"path": rel, "genre": genre, "track_id": f"{genre}.{k:05d}",
            "artist": track_artist(genre, k, seed=seed).name, "title": track_title(genre, k, seed=seed),
            "md5": hashlib.md5(data).hexdigest()}


def _arguments(tracks_per_genre: int, seconds: float, seed: int, sample_rate: int) -> dict[str, Any]:
    return {"generator": "genrelib.datasets.synthetic", "version": SYNTHETIC_VERSION,
            "tracks_per_genre": int(tracks_per_genre), "seconds": float(seconds), "seed": int(seed),
            "sample_rate": int(sample_rate), "genres": list(GTZAN_GENRES)}


def _write_manifest(out: Path, args: dict[str, Any], *, complete: bool) -> None:
    atomic_write_text(out / _MANIFEST, json.dumps({"arguments": args, "complete": complete}, indent=2) + "\n")


def _is_complete(out: Path, args: dict[str, Any]) -> bool:
    """Whether ``out`` holds a finished dataset made with ``args``, every clip of full size."""
    try:
        recorded = json.loads((out / _MANIFEST).read_text())
        with open(out / "tracks.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, ValueError):
        return False
    if recorded.get("arguments") != args or not recorded.get("complete"):
        return False
    if len(rows) != args["tracks_per_genre"] * len(GTZAN_GENRES):
        return False
    expected = 44 + 2 * int(round(args["seconds"] * args["sample_rate"]))
    return all((out / r["path"]).is_file() and (out / r["path"]).stat().st_size == expected for r in rows)


def _prepare(out: Path) -> None:
    """Refuse a folder we did not make; remove our own stale clips before regenerating."""
    genres_dir = out / "genres"
    clips = [p for p in genres_dir.rglob("*") if p.is_file()] if genres_dir.is_dir() else []
    if not (out / _MANIFEST).is_file():
        foreign = [p for p in out.iterdir() if p.name != "genres" and not _OUR_TABLE.match(p.name)]
        foreign += [p for p in clips if not _OUR_CLIP.match(p.name)]
        if foreign:
            raise FileExistsError(
                f"{out} already holds files that generate_synthetic_gtzan did not write (e.g. {foreign[0]}); "
                "give an empty or new folder for the synthetic dataset")
    for p in clips:
        if _OUR_CLIP.match(p.name):
            p.unlink()


def _rows(out: Path, jobs: list[tuple[str, int]], *, seed: int, seconds: float, sample_rate: int,
          n_jobs: int | None) -> Iterator[dict[str, str]]:
    """The tracks.csv rows of ``jobs`` (genre, track number), rendered by ``n_jobs`` workers."""
    workers = (os.cpu_count() or 1) if n_jobs is None else int(n_jobs)
    workers = max(1, min(workers if workers > 0 else (os.cpu_count() or 1), len(jobs)))
    if workers == 1:
        return (_make_one(str(out), g, k, seed, seconds, sample_rate) for g, k in jobs)
    from joblib import Parallel, delayed

    return Parallel(n_jobs=workers, return_as="generator")(
        delayed(_make_one)(str(out), g, k, seed, seconds, sample_rate) for g, k in jobs)


def _write_tracks_csv(out: Path, rows: Iterable[dict[str, str]]) -> None:
    with atomic_file(out / "tracks.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(TRACKS_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _check_arguments(tracks_per_genre: int, seconds: float, sample_rate: int) -> None:
    if not 1 <= int(tracks_per_genre) <= 100_000:
        raise ValueError(f"tracks_per_genre must be in 1..100000 (5-digit file numbers), got {tracks_per_genre}")
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    if int(sample_rate) < 8000:
        raise ValueError(f"sample_rate must be >= 8000 Hz, got {sample_rate}")


def generate_synthetic_gtzan(out_dir: str | os.PathLike[str], *, tracks_per_genre: int = 100,
                             seconds: float = 30.0, seed: int = 0, sample_rate: int = SAMPLE_RATE,
                             n_jobs: int | None = None, progress: bool = False) -> Path:
    """Write a synthetic GTZAN into ``out_dir`` and return ``Path(out_dir)``.

    Layout: ``genres/<genre>/<genre>.000NN.wav`` (16-bit PCM mono, ``seconds`` long at
    ``sample_rate``, numbered from 00000), ``tracks.csv`` (columns path, genre, track_id,
    artist, title, md5; path relative to ``out_dir``) and ``synthetic.json`` (the
    arguments and ``SYNTHETIC_VERSION``). A folder that already holds the complete dataset
    of the same arguments is left as it is. Same arguments -> byte-identical files; track k
    of a genre depends neither on ``tracks_per_genre`` nor on ``n_jobs`` (worker processes,
    None = all CPU cores). Raises FileExistsError for a non-empty folder that this function
    did not write, ValueError for a bad argument. Notebook: 01_data.ipynb
    """
    _check_arguments(tracks_per_genre, seconds, sample_rate)
    out = Path(out_dir)
    args = _arguments(tracks_per_genre, seconds, seed, sample_rate)
    if _is_complete(out, args):
        return out
    out.mkdir(parents=True, exist_ok=True)
    _prepare(out)
    _write_manifest(out, args, complete=False)
    for g in GTZAN_GENRES:
        (out / "genres" / g).mkdir(parents=True, exist_ok=True)
    jobs = [(g, k) for g in GTZAN_GENRES for k in range(int(tracks_per_genre))]
    rows: Iterable[dict[str, str]] = _rows(out, jobs, seed=int(seed), seconds=float(seconds),
                                           sample_rate=int(sample_rate), n_jobs=n_jobs)
    if progress:
        from tqdm.auto import tqdm

        rows = tqdm(rows, total=len(jobs), desc="synthetic GTZAN", unit="clip")
    _write_tracks_csv(out, list(rows))
    _write_manifest(out, args, complete=True)
    return out
