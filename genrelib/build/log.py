"""The build log: one line at a time, printed at once."""

from __future__ import annotations


def say_now(message: str) -> None:
    """Print one line of the build log at once (``make book`` may write to a pipe)."""
    print(message, flush=True)
