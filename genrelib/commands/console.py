"""What a command prints on the terminal: its own messages, and progress only where one watches.

Unless ``--verbose``, ``quiet_console`` keeps the native libraries' log lines (TensorFlow's
and XLA's C++ start-up lines, libmpg123's notes on a damaged MP3) off stderr, shows each of
genrelib's warnings once as one line without its source line, and hides other libraries' warnings
and log records.
``training_verbosity`` decides how training reports progress: bars on a terminal, one
line per epoch (or nothing) in a log.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

from genrelib.errors import GenrelibWarning

__all__ = ["NativeLogFilter", "progress_bars", "quiet_console", "training_verbosity"]

#: A line of absl/glog's format (TensorFlow, XLA): "I0000 00:00:1796362099.755735    7494
#: port.cc:153] ..."; levels I(nfo), W(arning) and E(rror) are dropped, F(atal) is kept.
_NATIVE_LOG = re.compile(rb"^[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^ \]]+:\d+\] ")
#: How an unfinished log line starts: its level, then digits.
_LOG_START = re.compile(rb"^[IWE](\d|$)")
#: absl's notice before its first line, and the second line of TensorFlow's CPU-feature notice.
_NATIVE_LINES = (b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
                 b"To enable the following instructions: ")
#: libmpg123's own lines (libsndfile's MP3 decoder) about a damaged or cut MP3: genrelib names
#: the file and the problem itself ("truncated: ...", "cannot decode audio ...").
_MPG123_LOG = re.compile(rb"^(?:\[[^\]\s]*libmpg123/[^\]]+\] "
                         rb"|Note: (?:Illegal Audio-MPEG-Header|Trying to resync|Skipped \d+ bytes"
                         rb"|Hit end of \(available\) data)"
                         rb"|Warning: (?:Xing stream size|Encountered more data))")
#: How such a line starts, while it is unfinished.
_MPG123_STARTS = (b"[", b"Note: ", b"Warning: ")
#: Libraries whose Python log records are hidden (below ERROR) unless --verbose.
_QUIET_LOGGERS = ("absl", "tensorflow", "jax", "keras", "h5py", "numba")


class NativeLogFilter:
    """The bytes written to a stream, less the native log lines: lines in absl's format
    (``_NATIVE_LOG``), ``_NATIVE_LINES`` and libmpg123's notes (``_MPG123_LOG``). Other bytes
    pass unchanged; an unfinished line waits only while it could still become a log line.
    """

    def __init__(self) -> None:
        self._held = b""  # the start of a line that may be a log line

    def feed(self, chunk: bytes) -> bytes:
        """What to write of ``chunk``, in order."""
        out = []
        for line in (self._held + chunk).splitlines(keepends=True):
            self._held = b""
            if not line.endswith((b"\n", b"\r")) and self._may_be_log(line):
                self._held = line
            elif not self._is_log(line):
                out.append(line)
        return b"".join(out)

    @staticmethod
    def _is_log(line: bytes) -> bool:
        return bool(_NATIVE_LOG.match(line) or _MPG123_LOG.match(line)) or line.startswith(_NATIVE_LINES)

    @staticmethod
    def _may_be_log(start: bytes) -> bool:
        """Whether an unfinished line could still become a log line (then it waits)."""
        if len(start) > 300:
            return False
        return bool(_LOG_START.match(start)) or any(line.startswith(start) or start.startswith(line)
                                                    for line in (*_NATIVE_LINES, *_MPG123_STARTS))

    def flush(self) -> bytes:
        """The unfinished line held back, at the end."""
        held, self._held = self._held, b""
        return b"" if self._is_log(held) else held


def _pump(read_fd: int, write_fd: int) -> None:
    """Copy ``read_fd`` to ``write_fd`` through a ``NativeLogFilter`` until end of file."""
    native = NativeLogFilter()
    with open(read_fd, "rb", buffering=0) as source, open(write_fd, "wb", buffering=0) as sink:
        while chunk := source.read(65536):
            sink.write(native.feed(chunk))
        sink.write(native.flush())


@contextlib.contextmanager
def _filtered_stderr() -> Iterator[None]:
    """File descriptor 2 (what C and C++ libraries write) goes through a ``NativeLogFilter``
    to the real stderr; Python's ``sys.stderr`` writes to the real stderr directly."""
    try:
        sys.stderr.flush()
        real = os.dup(2)
        read_fd, write_fd = os.pipe()
    except OSError:  # no file descriptor 2 (embedded, closed): nothing to filter
        yield
        return
    thread = threading.Thread(target=_pump, args=(read_fd, os.dup(real)), daemon=True,
                              name="genrelib-stderr-filter")
    thread.start()
    os.dup2(write_fd, 2)
    os.close(write_fd)
    python_stderr = sys.stderr
    if _fileno(python_stderr) == 2:
        sys.stderr = io.TextIOWrapper(open(os.dup(real), "wb", buffering=0),
                                      encoding=python_stderr.encoding or "utf-8",
                                      errors="backslashreplace", line_buffering=True, write_through=True)
    try:
        yield
    finally:
        if sys.stderr is not python_stderr:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = python_stderr
        os.dup2(real, 2)  # closes this process's end of the pipe: the filter drains and stops
        os.close(real)
        thread.join(timeout=2.0)  # a child process still holding the pipe keeps it open


def _fileno(stream: Any) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _show_once(command: str) -> Any:
    """A ``warnings.showwarning`` that prints genrelib's warnings as one line each, once per
    message, and drops the others."""
    seen: set[str] = set()

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: Any = None, line: str | None = None) -> None:
        text = str(message)
        if not issubclass(category, GenrelibWarning) or text in seen:
            return
        seen.add(text)
        print(f"genrelib {command}: warning: {text}", file=sys.stderr, flush=True)

    return show


@contextlib.contextmanager
def quiet_console(command: str, *, verbose: bool = False) -> Iterator[None]:
    """Run a command with only its own messages on stderr (everything with ``verbose``).

    Parameters
    ----------
    command : str
        The command's name, at the start of each warning line.
    verbose : bool
        Leave stderr, warnings and logging as they are.

    Notes
    -----
    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` (when unset) before TensorFlow is imported, which
    silences TensorFlow's C++ logging up to 2.17 and XLA's; TensorFlow 2.18+ logs through
    absl before reading it, so file descriptor 2 is filtered too (``NativeLogFilter``).
    """
    if verbose:
        yield
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    levels = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
    for name in levels:
        logging.getLogger(name).setLevel(logging.ERROR)
    with warnings.catch_warnings(), _filtered_stderr():
        warnings.simplefilter("always")  # shown once per message by _show_once
        warnings.showwarning = _show_once(command)
        try:
            yield
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)


def progress_bars(quiet: bool = False) -> bool:
    """Whether to draw tqdm progress bars: on a terminal only (stderr is one), not in a log,
    and never with ``quiet``."""
    return not quiet and sys.stderr.isatty()


def training_verbosity(quiet: bool, *, in_a_log: int | str = "table") -> int | str:
    """How a command's training reports progress (``train_run``'s ``verbose``).

    Parameters
    ----------
    quiet : bool
        ``--quiet``: no progress at all.
    in_a_log : int or str
        What to use when the output is not a terminal (a CI log, a file): "table" (one
        line per finished epoch, no bars) or 0 (nothing from training).

    Returns
    -------
    int or str
        0 when quiet; 1 (Keras' progress bar on stdout, tqdm's bars on stderr) when both
        stdout and stderr are terminals; ``in_a_log`` otherwise.
    """
    if quiet:
        return 0
    return 1 if sys.stdout.isatty() and sys.stderr.isatty() else in_a_log
