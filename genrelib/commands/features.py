"""``genrelib features DATA --out DIR [--n-mfcc 13|20] [--jobs N] [--quiet]``: extract and cache
the log-mel AND the MFCC features of every track of DATA into DIR.

DATA is indexed like ``genrelib data check`` does (GTZAN in either layout or any
``<root>/<label>/<audio>`` tree). DIR is used as the feature cache: a second run with the same
data and options only reads the files back. Clips that cannot be used (unreadable, shorter
than one segment) are skipped with a warning and listed in the summary; the exit code is
still 0 (1 only when no clip at all could be used). librosa is imported only when the command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run_features"]


def register(subparsers: Any) -> None:
    """Add ``features`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "features",
        help="extract and cache log-mel and MFCC features of a dataset",
        description=(
            "Index DATA, then extract log-mel (128 x 130 per 3 s segment, 19 segments per 30 s clip) "
            "and MFCC (N x 130) features of every track and cache them in DIR. Unusable clips "
            "(unreadable, shorter than one segment) are skipped with a warning and listed in the "
            "summary; the exit code is then still 0 (1 only when no clip could be used, 2 on bad "
            "arguments)."
        ),
    )
    parser.add_argument("data", metavar="DATA", help="dataset folder (GTZAN or <root>/<label>/<audio>)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the feature cache files")
    parser.add_argument("--n-mfcc", type=int, choices=(13, 20), default=20, help="MFCC coefficients (default 20)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel workers (default: all cores)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run_features)


def run_features(args: argparse.Namespace) -> int:
    """Run ``genrelib features``; returns the exit code."""
    from genrelib.errors import UserError
    from genrelib.config import FeatureConfig
    from genrelib.datasets import index_dataset
    from genrelib.features import extract_features, feature_cache_path

    data = Path(args.data).expanduser()
    if not data.exists():
        raise UserError(f"DATA folder {data} does not exist: give the folder holding the genre folders")
    out = Path(args.out).expanduser()
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} exists and is not a folder: give a folder for the feature cache")
    if args.jobs is not None and args.jobs == 0:
        raise UserError("--jobs must be a positive number of workers (or negative: all cores but |N|-1)")

    index = index_dataset(data, progress=not args.quiet)
    if len(index.tracks) == 0:
        raise UserError(f"no readable audio tracks found under {data}: expected <root>/<genre>/<audio files>")
    mel_cfg = FeatureConfig(kind="mel", n_mfcc=args.n_mfcc)
    mfcc_cfg = mel_cfg.with_(kind="mfcc")
    sets = {}
    for cfg in (mel_cfg, mfcc_cfg):  # MFCCs are derived from the cached log-mel set
        sets[cfg.kind] = extract_features(index, cfg, cache_dir=out, n_jobs=args.jobs, progress=not args.quiet)

    mel = sets["mel"]
    fingerprint = index.fingerprint()
    print(f"data:      {index.root} ({index.layout}, {len(index.tracks)} tracks, {len(index.genres)} genres)")
    print(f"features:  {mel.n_tracks} tracks, {len(mel)} segments")
    for kind, features in sets.items():
        path = feature_cache_path(fingerprint, features.config, cache_dir=out)
        print(f"  {kind:<5} X {tuple(features.X.shape)} float32 -> {path}")
    skipped = [(item["path"], item["reason"]) for item in index.unreadable]
    skipped += [(item["path"], item["reason"]) for item in mel.skipped]
    if skipped:
        print(f"skipped:   {len(skipped)} file(s) could not be used:")
        for path, reason in skipped:
            print(f"  {path}: {reason}")
    else:
        print("skipped:   none")
    return 0 if len(mel) > 0 else 1
