"""What genrelib says when something is wrong: the command line's error type and the base of
every warning the library gives.

``genrelib.cli`` prints a ``UserError`` as one line (no traceback) and exits with 2; the
commands in ``genrelib/commands/`` raise it. It lives here, apart from both, so that neither
imports the other for it. Every warning class of genrelib derives from ``GenrelibWarning``,
so one filter catches them all; ``show_warnings_briefly`` shows them as one line of output
(the chapters call it in their set-up).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, TextIO

__all__ = ["GenrelibWarning", "UserError", "show_warnings_briefly"]


class UserError(Exception):
    """A problem the user can fix (a bad path, a bad option): printed without a traceback."""


class GenrelibWarning(UserWarning):
    """Base of every warning genrelib gives (a skipped clip, a genre without training tracks,
    a run scored on tracks it trained on...): ``warnings.filterwarnings("ignore",
    category=GenrelibWarning)`` silences them all, ``"error"`` makes them exceptions."""


def show_warnings_briefly() -> None:
    """From now on show genrelib's warnings as one line of standard output, ``genrelib warns:
    <message>``, without Python's source path and code line (on a book page: output, not an
    error-coloured block); every other warning keeps Python's display. Calling it again
    changes nothing. Notebook: 01_data.ipynb
    """
    previous = warnings.showwarning
    if getattr(previous, "genrelib_brief", False):
        return

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if issubclass(category, GenrelibWarning):
            print(f"genrelib warns: {message}", file=sys.stdout, flush=True)
        else:
            previous(message, category, filename, lineno, file, line)

    setattr(show, "genrelib_brief", True)
    warnings.showwarning = show
