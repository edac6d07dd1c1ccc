"""``genrelib features DATA [--out DIR] [--n-mfcc 13|20] [--jobs N] [--scheduler ADDRESS] [--quiet]``:
extract and cache the log-mel AND the MFCC features of every track of DATA into DIR.

DATA is indexed like ``genrelib data check`` does (GTZAN in either layout or any
``<root>/<label>/<audio>`` tree). DIR is used as the feature cache: a second run with the same
data and options only reads the files back. Without ``--out`` it is the cache that ``train``
and ``evaluate`` read (``$GENREBOOK_CACHE/features``), so they find the features computed; a
DIR elsewhere is for your own use, and the summary says that they will not read it. Clips that
cannot be used (unreadable, shorter than one segment) are skipped with a warning and listed in the
summary; the exit code is
still 0 (1 only when no clip at all could be used). librosa is imported only when the command runs.
With ``--scheduler ADDRESS`` the clips are featurised on that Dask cluster's workers
(``extract_features(..., scheduler=ADDRESS)``: same cache files, bit-identical features; the
workers must see DATA under the same path); a scheduler that cannot be used is a one-line
error naming it, exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from genrelib.commands.outputs import FOLDER
from genrelib.config import FeatureConfig

#: The MFCCs per frame the study uses, 13 or 20 (``--n-mfcc`` of ``genrelib features`` and ``train``).
N_MFCC_CHOICES: tuple[int, ...] = (13, 20)

__all__ = ["add_scheduler_argument", "register", "run_features"]


def add_scheduler_argument(parser: argparse.ArgumentParser, *, note: str = "") -> None:
    """``--scheduler ADDRESS`` (features computed on a Dask cluster), for every command that
    extracts features; ``note`` is added to its help."""
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="compute the features on the Dask cluster of this scheduler, e.g. "
                             f"tcp://HOST:8786 (its workers must see DATA under the same path{note}; "
                             "needs pip install 'genrelib[cluster]')")


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
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="folder for the feature cache files (default: the cache train and evaluate "
                             "read, $GENREBOOK_CACHE/features)")
    parser.add_argument("--n-mfcc", type=int, choices=N_MFCC_CHOICES, default=FeatureConfig().n_mfcc,
                        help=f"MFCC coefficients (default {FeatureConfig().n_mfcc}, what train reads "
                             "unless given the same --n-mfcc; one log-mel file serves both)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel workers (default: all cores)")
    add_scheduler_argument(parser, note="; --jobs does not apply")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=run_features, outputs=[("--out", "out", FOLDER)])


def run_features(args: argparse.Namespace) -> int:
    """Run ``genrelib features``; returns the exit code."""
    from genrelib.commands.console import progress_bars
    from genrelib.errors import UserError
    from genrelib.datasets import index_dataset
    from genrelib.features import extract_features, feature_cache_path

    data = Path(args.data).expanduser()
    if not data.exists():
        raise UserError(f"DATA folder {data} does not exist: give the folder holding the genre folders")
    from genrelib.cache import default_cache_dir

    shared = default_cache_dir("features")  # where train and evaluate look (extract_features' default)
    out = Path(args.out).expanduser() if args.out else shared
    if args.jobs is not None and args.jobs == 0:
        raise UserError("--jobs must be a positive number of workers (or negative: all cores but |N|-1)")

    bars = progress_bars(args.quiet)
    index = index_dataset(data, progress=bars)
    if len(index.tracks) == 0:
        raise UserError(f"no readable audio tracks found under {data}: expected <root>/<genre>/<audio files>")
    mel_cfg = FeatureConfig(kind="mel", n_mfcc=args.n_mfcc)
    mfcc_cfg = mel_cfg.with_(kind="mfcc")
    fingerprint = index.fingerprint()
    shapes = {}
    for cfg in (mel_cfg, mfcc_cfg):  # MFCCs are derived from the cached log-mel set
        features = extract_features(index, cfg, cache_dir=out, n_jobs=args.jobs,
                                    progress=bars, scheduler=args.scheduler)
        shapes[cfg] = tuple(features.X.shape)
        if cfg.kind == "mel":
            n_tracks, n_segments, mel_skipped = features.n_tracks, len(features), features.skipped
        del features  # one set in memory at a time (1.3 GB of log-mels for GTZAN)
        if n_segments == 0:  # no clip usable: no empty feature file left behind, no MFCCs derived
            feature_cache_path(fingerprint, cfg, cache_dir=out).unlink(missing_ok=True)
            break

    if n_segments == 0:
        _print_skipped(index.unreadable, mel_skipped)
        print(f"genrelib features: error: no clip of {index.root} could be used "
              f"({len(index.unreadable) + len(mel_skipped)} file(s) skipped, listed above); nothing was written",
              file=sys.stderr)
        return 1
    print(f"data:      {index.root} ({index.layout}, {len(index.tracks)} tracks, {len(index.genres)} genres)")
    print(f"features:  {n_tracks} tracks, {n_segments} segments")
    if args.scheduler is not None:
        print(f"cluster:   Dask scheduler {args.scheduler} (for what was not already cached)")
    for cfg, shape in shapes.items():
        print(f"  {cfg.kind:<5} X {shape} float32 -> {feature_cache_path(fingerprint, cfg, cache_dir=out)}")
    _print_skipped(index.unreadable, mel_skipped)
    if out.resolve() != shared.resolve():
        print(f"note:      train and evaluate read their features from {shared}, not from --out: leave "
              "--out out to compute them there")
    return 0


def _print_skipped(unreadable: list[dict[str, str]], skipped_clips: list[dict[str, str]]) -> None:
    """The files the index could not read, then the clips the features could not use."""
    skipped = [(item["path"], item["reason"]) for item in [*unreadable, *skipped_clips]]
    if skipped:
        print(f"skipped:   {len(skipped)} file(s) could not be used:")
        for path, reason in skipped:
            print(f"  {path}: {reason}")
    else:
        print("skipped:   none")
