"""The ``genrelib`` command: data check/synth/fetch, features, train, tune, evaluate, compare,
predict, reference, book.

Each sub-command lives in ``genrelib/commands/<name>.py`` with a ``register(subparsers)``
function that adds its parser and sets ``func(args) -> int`` (the exit code) and the
``outputs`` it writes (``genrelib.commands.outputs``: checked first, no empty folder left
when it fails). Unless ``--verbose``, stderr holds the command's own messages only
(``genrelib.commands.console``). Heavy
libraries (TensorFlow, librosa) are imported inside the commands, so ``genrelib --help``
and ``genrelib data ...`` start fast.
"""

from __future__ import annotations

import argparse
import difflib
import errno
import importlib
import os
import sys
from collections.abc import Sequence

from genrelib.commands import outputs
from genrelib.commands.console import quiet_console
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
    parser.add_argument("--verbose", action="store_true", help=_VERBOSE)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"genrelib.commands.{name}").register(subparsers)
    _add_verbose(subparsers)
    return parser


_VERBOSE = ("show everything on stderr: TensorFlow's log lines, other libraries' warnings and "
            "log records, and every warning with its source line")


def _add_verbose(subparsers: argparse._SubParsersAction) -> None:
    """``--verbose`` after every command too (``genrelib train ... --verbose``), and each
    command's own parser in its namespace (``_parser``: its usage for an unknown argument)."""
    for command in subparsers.choices.values():
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            _add_verbose(nested[0])
            continue
        if not any("--verbose" in a.option_strings for a in command._actions):
            command.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS, help=_VERBOSE)
        command.set_defaults(_parser=command)


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """``parser.parse_args``, except that an unknown argument is reported by the command it
    was given to (its usage, ``genrelib evaluate: error: ...``), with the option it most
    resembles: ``--jsn`` -> "did you mean --json?". Exit code 2, as argparse's own errors."""
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        command = getattr(args, "_parser", parser)
        options = [o for action in command._actions for o in action.option_strings]
        guesses = {word: difflib.get_close_matches(word.split("=")[0], options, n=1)
                   for word in unknown if word.startswith("-")}
        hint = "; ".join(f"did you mean {match[0]} for {word}?" if len(guesses) > 1
                         else f"did you mean {match[0]}?" for word, match in guesses.items() if match)
        command.error(f"unrecognized arguments: {' '.join(unknown)}" + (f" ({hint})" if hint else ""))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    outputs.start()
    _escape_undecodable_names()
    with quiet_console(args.command, verbose=args.verbose):
        code = _run(args)
    if code != 0:  # a failed command leaves no empty output folder behind
        outputs.remove_empty_created()
    return code


def _escape_undecodable_names() -> None:
    """A file name that is not UTF-8 (kept by Python as lone surrogates) is printed escaped,
    "caf\\udce9.wav", instead of stopping the command with a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


#: Errors about a path that the user can fix: one line, exit 2, no traceback.
_PATH_ERRORS = (FileNotFoundError, NotADirectoryError, IsADirectoryError, FileExistsError, PermissionError)


def _in_flag_words(message: str, args: argparse.Namespace) -> str:
    """A library message in the command's words: "set valid_fraction/test_fraction to 0" reads
    "set --val-fraction/--test-fraction to 0" in ``train``; a command without those flags
    (``tune`` keeps the study's split) says that they are ``train_run``'s."""
    words = "valid_fraction/test_fraction"
    if words not in message:
        return message
    from genrelib.commands.train import _FLAGS  # RunSpec's field names and train's flags: their one home

    flags = [_FLAGS[name] for name in words.split("/")]
    has_flags = all(hasattr(args, flag.lstrip("-").replace("-", "_")) for flag in flags)
    return message.replace(words, "/".join(flags) if has_flags else f"{words} (train_run's arguments, "
                           f"`genrelib train {'/'.join(flags)}`; this command has no such flags)")


def _run(args: argparse.Namespace) -> int:
    """The command's exit code: its own, 2 for a usage error (one line on stderr), 130 when
    interrupted."""
    try:
        outputs.check_declared(args)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe or a full disk shows here, not as a traceback at exit
        return code
    except (UserError, ValueError) as error:
        print(f"genrelib {args.command}: error: {_in_flag_words(str(error), args)}", file=sys.stderr)
        return 2
    except _PATH_ERRORS as error:
        where = f"{error.filename}: {error.strerror}" if error.filename and error.strerror else error
        print(f"genrelib {args.command}: error: {where}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader of stdout left (`| head`): stop quietly, as Unix tools do
        _discard_stdout()
        return 141  # 128 + SIGPIPE, what the shell reports for a tool stopped by a closed pipe
    except OSError as error:  # e.g. a full disk while writing the results
        _discard_stdout()
        writing = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)  # out of room, no file named
        where = f"{error.filename}: " if error.filename else "writing its output: " if writing else ""
        print(f"genrelib {args.command}: error: {where}{error.strerror or error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _discard_stdout() -> None:
    """Point this process's stdout at /dev/null, so that Python's own flush at exit does not
    fail again on the closed pipe or the full disk (the recipe of Python's ``signal`` docs).
    Nothing is done where stdout is not the process's own (a caller's capture)."""
    if sys.stdout is not sys.__stdout__:
        return
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
