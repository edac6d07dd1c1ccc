"""The ``genrelib`` command: data check/synth/fetch, features, train, tune, evaluate, compare,
predict, reference, book.

Each sub-command lives in ``genrelib/commands/<name>.py`` with a ``register(subparsers)``
function that adds its parser and sets ``func(args) -> int`` (the exit code) and the
``outputs`` it writes (``genrelib.commands.outputs``: checked first, no empty folder left
when it fails). Heavy
libraries (TensorFlow, librosa) are imported inside the commands, so ``genrelib --help``
and ``genrelib data ...`` start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from genrelib.commands import outputs
from genrelib.errors import UserError

# Order = order in --help.
COMMAND_MODULES = ("data", "features", "train", "tune", "evaluate", "compare", "predict", "reference", "book")


def build_parser() -> argparse.ArgumentParser:
    from genrelib import __version__

    parser = argparse.ArgumentParser(
        prog="genrelib",
        description="genre-book's toolkit: music genre classification on GTZAN or your own audio.",
    )
    parser.add_argument("--version", action="version", version=f"genrelib {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"genrelib.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    outputs.start()
    code = _run(args)
    if code != 0:  # a failed command leaves no empty output folder behind
        outputs.remove_empty_created()
    return code


#: Errors about a path that the user can fix: one line, exit 2, no traceback.
_PATH_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, FileExistsError, PermissionError)


def _run(args: argparse.Namespace) -> int:
    """The command's exit code: its own, 2 for a usage error (one line on stderr), 130 when
    interrupted."""
    try:
        outputs.check_declared(args)
        return int(args.func(args) or 0)
    except (UserError, ValueError) as error:
        print(f"genrelib {args.command}: error: {error}", file=sys.stderr)
        return 2
    except _PATH_ERRORS as error:
        where = f"{error.filename}: {error.strerror}" if error.filename and error.strerror else error
        print(f"genrelib {args.command}: error: {where}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
