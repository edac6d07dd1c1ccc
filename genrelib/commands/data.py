"""``genrelib data``: check a dataset folder (``check``), write synthetic GTZAN (``synth``) or
download GTZAN (``fetch``). None imports TensorFlow.

``data check PATH [--checksums CSV] [--json]`` decodes every file and reports unreadable
(truncated ones too), checksum-mismatched and missing files: exit 0 when nothing is
unreadable or mismatched, else 1. It also names clips too short for one segment
(``too_short``), genres with too few tracks for train's split (``few_tracks``, {genre:
tracks}), what training would warn of or refuse (``notes``: clips far from 30 s, a mix of
sample rates, a single genre) and the genres one artist plays (``one_artist_genres``: an
artist split cannot test them), which are no error of the files. ``data synth OUT`` writes the deterministic synthetic
GTZAN. ``data fetch gtzan DIR`` downloads GTZAN's archive (resuming), extracts it into
``DIR/genres/`` and verifies every file against the shipped MD5s: exit 0 when all match, 1
on a mismatch, a missing file or a network/archive problem (one line on stderr), 2 on a
usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from typing import Any

from genrelib.commands.outputs import FOLDER
from genrelib.config import FeatureConfig
from genrelib.datasets.splits.stratified import SPLIT_SETS

__all__ = ["format_report", "register", "run_check", "run_fetch", "run_synth"]

_SHOW = 5  # entries named per list in the human-readable report


def register(subparsers: Any) -> None:
    """Add ``data check``, ``data synth`` and ``data fetch`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser("data", help="check a dataset folder, write synthetic GTZAN or download GTZAN",
                                   description="Check a dataset folder, write synthetic GTZAN or download GTZAN.")
    actions = parser.add_subparsers(dest="data_command", metavar="ACTION")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    check = actions.add_parser(
        "check", help="index a dataset folder and report unreadable/mismatched/missing files",
        description="Index PATH (GTZAN in either layout, or any <root>/<label>/<audio> tree, "
                    "given at or up to two levels above the label folders), decode every file "
                    "to its end (a truncated file is named with the seconds it holds) and "
                    "report what is there, clips too short for one segment and genres with too "
                    "few tracks for a train/validation/test split included. Exit 0 "
                    "when every file is readable and matches the "
                    "manifest, 1 otherwise; manifest entries missing from disk are reported only.")
    check.add_argument("path", metavar="PATH", help="dataset folder")
    check.add_argument("--checksums", metavar="CSV",
                       help="MD5 manifest (columns track_id,relative_path,md5) to verify against")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=run_check)

    synth = actions.add_parser(
        "synth", help="write the deterministic synthetic GTZAN",
        description="Write OUT/genres/<genre>/<genre>.000NN.wav and OUT/tracks.csv.")
    synth.add_argument("out", metavar="OUT", help="output folder")
    synth.add_argument("--tracks-per-genre", type=int, required=True, metavar="N")
    synth.add_argument("--seconds", type=float, default=30.0, metavar="S",
                       help="clip length in seconds (default 30)")
    synth.add_argument("--seed", type=int, default=0, metavar="K", help="random seed (default 0)")
    synth.set_defaults(func=run_synth, outputs=[("OUT", "out", FOLDER)])

    fetch = actions.add_parser(
        "fetch", help="download GTZAN, extract it and verify every file by MD5",
        description="Download GTZAN's archive genres.tar.gz (resuming an interrupted download), "
                    "extract it into DIR/genres/<genre>/ and verify every file against the 1,000 "
                    "published MD5s shipped with genrelib; a folder that already holds every "
                    "track is only verified. Exit 0 when every file matches, 1 on a mismatch, a "
                    "missing file or a network/archive problem, 2 on a usage error.")
    fetch.add_argument("dataset", choices=["gtzan"], help="the dataset (only gtzan)")
    fetch.add_argument("dest", metavar="DIR", help="folder to put genres/ in (created if needed)")
    fetch.add_argument("--url", metavar="URL", default=None,
                       help="where to download genres.tar.gz from (default: the Hugging Face copy "
                            "of marsyas/gtzan)")
    fetch.add_argument("--md5", metavar="HASH",
                       help="MD5 or SHA-256 of the archive, when known: checked before extraction")
    fetch.add_argument("--keep-archive", action="store_true",
                       help="keep DIR/genres.tar.gz after extraction (default: removed)")
    fetch.add_argument("--checksums", metavar="CSV",
                       help="MD5 manifest to verify against (default: GTZAN's, shipped with genrelib)")
    fetch.add_argument("--quiet", action="store_true", help="no progress bar or step notes")
    fetch.set_defaults(func=run_fetch, outputs=[("DIR", "dest", FOLDER)])


def _listing(items: list, noun: str) -> str:
    names = [item["relative_path"] if isinstance(item, dict) and "relative_path" in item
             else item["path"] if isinstance(item, dict) else str(item) for item in items]
    shown = ", ".join(names[:_SHOW])
    more = f" (first {_SHOW}: {shown}, ...)" if len(names) > _SHOW else f": {shown}"
    return f"{len(names)} {noun}{more}"


def format_report(report: dict) -> str:
    """The human-readable summary of an ``DatasetIndex.report()`` dict: a few lines, long
    lists shortened to their count and first entries.
    """
    per_genre = ", ".join(f"{genre} {count}" for genre, count in report["per_genre"].items())
    lines = [f"root: {report['root']} (layout {report['layout']})",
             f"tracks: {report['tracks']} readable ({per_genre or 'none'})"]
    for item in report["unreadable"]:
        lines.append(f"UNREADABLE {item['relative_path']}: {item['reason']}")
    segment = FeatureConfig().segment_seconds
    for item in report.get("too_short", []):
        lines.append(f"TOO SHORT {item['relative_path']}: {item['duration']:.2f} s, less than one {segment:g} s "
                     "segment: features, train, evaluate and predict skip it")
    ignored = report.get("ignored", [])
    lines += [f"IGNORED {item['relative_path']}: {item['reason']}" for item in ignored[:_SHOW]]
    if len(ignored) > _SHOW:
        lines.append(f"IGNORED {len(ignored) - _SHOW} more file(s) (--json lists them all)")
    for item in report["checksum_mismatches"]:
        lines.append(f"CHECKSUM MISMATCH {item['relative_path']}: expected {item['expected']}, "
                     f"got {item['actual']}")
    if report.get("checksums"):
        if report["missing"]:
            lines.append(_listing(report["missing"], "manifest entries not found on disk"))
        if report["not_in_manifest"]:
            lines.append(_listing(report["not_in_manifest"], "files not in the manifest"))
        if report["unverified"]:
            lines.append(_listing(report["unverified"],
                                  "files not verified (another format than the manifest's)"))
        lines.append(f"checksums: {report['verified']} verified, "
                     f"{len(report['checksum_mismatches'])} mismatched")
    lines += [f"NOTE {note}" for note in report.get("notes", [])]
    single = report.get("one_artist_genres", [])
    if single:
        lines.append(f"ONE ARTIST {', '.join(single)}: each of these genres is played by one artist, so an artist "
                     "split puts it whole in training or in test (where the model never heard the genre) and the "
                     "artist-grouped folds keep it in training, untested; only more artists can test it on an "
                     "unheard one")
    few = report.get("few_tracks", {})
    for genre, count in few.items():
        lines.append(f"FEW TRACKS {genre}: {count} track{'s' * (count != 1)}, fewer than the {SPLIT_SETS} a "
                     f"train/validation/test split needs (one in each): train refuses the folder until "
                     "that genre has more tracks or its folder is moved out")
    problems = _problems(report)
    short = len(report.get("too_short", []))
    notes = len(report.get("notes", []))
    buts = ([f"{short} clip(s) too short to use"] if short else []) + (
        [f"{len(few)} genre(s) with too few tracks to split"] if few else []) + (
        [f"{notes} note(s) on what training would warn of or refuse"] if notes else [])
    lines.append(f"PROBLEMS: {problems} file(s) unreadable or mismatched" if problems else
                 f"OK, but {' and '.join(buts)} (above)" if buts else "OK")
    return "\n".join(lines)


def _problems(report: dict) -> int:
    """Files that make ``data check`` fail: unreadable or checksum-mismatched ones."""
    return len(report["unreadable"]) + len(report["checksum_mismatches"])


def run_check(args: argparse.Namespace) -> int:
    """``genrelib data check``: exit 0 when nothing is unreadable or mismatched, else 1."""
    from genrelib.datasets.folder import UnreadAudioWarning
    from genrelib.datasets.index import UnreadableAudioWarning, index_dataset
    from genrelib.datasets.splits.stratified import genres_below

    with warnings.catch_warnings():  # the report lists unreadable and ignored files itself
        warnings.simplefilter("ignore", UnreadableAudioWarning)
        warnings.simplefilter("ignore", UnreadAudioWarning)
        index = index_dataset(args.path, checksums=args.checksums, decode_all=True)
    report = index.report()
    report["few_tracks"] = genres_below(index)  # {genre: tracks} that train's split refuses
    report.update(_training_notes(index))
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(format_report(report))
    return 0 if _problems(report) == 0 else 1


def _training_notes(index: Any) -> dict[str, Any]:
    """What training on ``index`` would warn of or refuse, said before it: ``notes`` (clip
    lengths and sample rates, as ``extract_features`` warns of them; fewer than two genres,
    which train refuses) and ``one_artist_genres`` (genres one artist plays: an artist split
    cannot test them on an unheard artist; empty when no artist is known)."""
    from genrelib.datasets.index import known_artists
    from genrelib.datasets.splits.artist import UnknownArtistWarning, artists_per_genre
    from genrelib.datasets.quality import warn_clip_quality

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_clip_quality(index.tracks, FeatureConfig())
    notes = [str(item.message) for item in caught]
    if len(index.genres) < 2:
        notes.append(f"{len(index.genres)} genre(s): train needs at least two to tell apart; add a folder of "
                     "another genre")
    single: list[str] = []
    if known_artists(index.tracks):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnknownArtistWarning)
            per_genre = artists_per_genre(index.tracks)
        single = [str(g) for g in index.genres if per_genre.get(g, 0) == 1]
    return {"notes": notes, "one_artist_genres": single}


def run_synth(args: argparse.Namespace) -> int:
    """``genrelib data synth``: write the synthetic GTZAN, print where."""
    from genrelib.datasets.synthetic import generate_synthetic_gtzan

    if args.tracks_per_genre < 1:
        raise ValueError(f"--tracks-per-genre must be >= 1, got {args.tracks_per_genre}")
    if args.seconds <= 0:
        raise ValueError(f"--seconds must be positive, got {args.seconds}")
    out = generate_synthetic_gtzan(args.out, tracks_per_genre=args.tracks_per_genre,
                                   seconds=args.seconds, seed=args.seed)
    print(f"wrote synthetic GTZAN ({args.tracks_per_genre} track{'s' * (args.tracks_per_genre != 1)} per "
          f"genre, {args.seconds:g} s, seed {args.seed}) to {out}")
    segment = FeatureConfig().segment_seconds
    if args.seconds < segment:
        print(f"note: {args.seconds:g} s clips are shorter than one {segment:g} s segment: features, train, "
              "evaluate and predict skip them (give --seconds 3 or more to train on them)")
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    """``genrelib data fetch gtzan DIR``: 0 when every file matches its MD5, 1 on a mismatch,
    a missing file or a download/archive problem (named on stderr, no traceback).
    """
    import shlex
    from pathlib import Path

    from genrelib.commands.console import progress_bars
    from genrelib.datasets.download import check_download_url, partial_download_note
    from genrelib.datasets.fetch import ARCHIVE_NAME, GTZAN_URL, FetchError, fetch_gtzan, parse_archive_hash

    expected = parse_archive_hash(args.md5) if args.md5 else None
    url = check_download_url(args.url) if args.url is not None else GTZAN_URL
    note = (lambda message: None) if args.quiet else (lambda message: print(message, flush=True))
    try:
        result = fetch_gtzan(args.dest, url=url, manifest=args.checksums,
                             expected_hash=expected, keep_archive=args.keep_archive,
                             progress=progress_bars(args.quiet), log=note)
    except FetchError as error:
        print(f"genrelib data fetch: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        kept = partial_download_note(Path(args.dest).expanduser().absolute() / f"{ARCHIVE_NAME}.part")
        if not kept:
            raise
        print(f"interrupted: {kept}", file=sys.stderr)
        return 130
    report = result.checksums
    for item in report.checksum_mismatches:
        print(f"CHECKSUM MISMATCH {item['relative_path']}: expected {item['expected']}, "
              f"got {item['actual']}")
    if report.missing:
        print(f"MISSING {_listing(report.missing, 'manifest entries not found on disk')}")
    if report.not_in_manifest:
        print(_listing(report.not_in_manifest, "files not in the manifest"))
    if report.unverified:
        print(_listing(report.unverified, "files not verified (another format than the manifest's)"))
    print(f"checksums: {report.verified} verified, {len(report.checksum_mismatches)} mismatched, "
          f"{len(report.missing)} missing" + (f" ({result.extracted} files extracted)" if result.extracted else ""))
    folder = shlex.quote(str(result.dest))
    if not result.ok:
        if report.checksum_mismatches:
            print(f"PROBLEMS: {len(report.checksum_mismatches)} file(s) differ from the published "
                  f"MD5s: delete them and run `genrelib data fetch gtzan {folder}` again to extract "
                  f"them afresh", file=sys.stderr)
        if report.missing:
            print(f"PROBLEMS: {len(report.missing)} track(s) of the manifest are not in {folder}"
                  + (" although the archive was extracted: it is not the complete GTZAN the "
                     "manifest describes (another --url?)" if result.extracted else ""),
                  file=sys.stderr)
        return 1
    print(f"OK: GTZAN is ready in {result.dest}. Point the book at it:\n"
          f"  make book DATA={folder}\n"
          f"  genrelib data check {folder}")
    return 0
