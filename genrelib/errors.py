"""The error type of the command line: a problem the user can fix.

``genrelib.cli`` prints a ``UserError`` as one line (no traceback) and exits with 2; the
commands in ``genrelib/commands/`` raise it. It lives here, apart from both, so that neither
imports the other for it.
"""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """A problem the user can fix (a bad path, a bad option): printed without a traceback."""
