"""Execute the chapters in order with papermill, or take them from the executed-chapter cache.

Each chapter gets the parameters ``data_dir``, ``profile`` and ``seed``; the run stops at
the first failing chapter with an error naming it and the cell. Each executed copy is tidied
(``genrelib.build.tidy``) and cached (``genrelib.build.notebook_cache``); the log shows every
chapter as it starts and ends, with its time or "cached".
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrelib.build.chapters import NOTEBOOKS_DIR, find_notebooks
from genrelib.build.log import say_now
from genrelib.build.notebook_cache import (CACHE_SUBDIR, NotebookCache, data_fingerprint,
                                           environment_digest, library_digest, merge_outputs,
                                           notebook_key)
from genrelib.build.tidy import Tidied, portable_names, tidy_notebook
from genrelib.cache import CACHE_ENV, cache_root

KERNEL_NAME = "genre-book"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
PROFILES = ("quick", "full")


@dataclass(frozen=True)
class NotebookRun:
    """One chapter of a build: its source, its executed copy, the wall time in seconds, and
    whether the executed copy came from the cache."""

    notebook: Path
    output: Path
    seconds: float
    cached: bool = False

    @property
    def name(self) -> str:
        return self.notebook.name


class NotebookExecutionError(RuntimeError):
    """A chapter failed: names the notebook, the failing cell (index in the committed
    notebook, counting from 0, markdown cells included), the exception and where the
    partially executed copy lies.
    """

    def __init__(self, *, notebook: Path, output: Path, cell_index: int | None,
                 ename: str, evalue: str, source: str = "", seconds: float = 0.0) -> None:
        self.notebook = Path(notebook)
        self.output = Path(output)
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
        self.source = source
        self.seconds = seconds
        where = f"cell {cell_index}" if cell_index is not None else "an unknown cell"
        first_line = next((line for line in source.splitlines() if line.strip()), "")
        message = (
            f"notebook {self.notebook.name} failed in {where}: {ename}: {evalue}"
            + (f"\n  the cell starts with: {first_line.strip()[:120]}" if first_line else "")
            + f"\n  the executed copy with the traceback: {self.output}"
        )
        super().__init__(message)


def default_kernel_name() -> str:
    """"genre-book" when that kernel is installed for this very interpreter (``make setup``
    registers it with ``--sys-prefix``), else "python3" (the running interpreter).
    """
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except (ImportError, NoSuchKernel, OSError, ValueError):
        return "python3"
    executable = Path(spec.argv[0]) if spec.argv else None
    if executable is not None and _same_environment(executable, Path(sys.executable)):
        return KERNEL_NAME
    return "python3"


def _same_environment(a: Path, b: Path) -> bool:
    # venv interpreters are symlinks to the same base python: compare their folders.
    try:
        return a.parent.resolve() == b.parent.resolve()
    except OSError:
        return False


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    old = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _kernel_environment(cache: Path) -> dict[str, str]:
    """What the kernels inherit: the cache folder, quiet start-up, inline figures."""
    # tqdm.auto (imported lazily by librosa via pooch) warns in a kernel without ipywidgets:
    # noise on the book's pages, not information.
    quiet = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), "ignore:IProgress not found"]))
    # The inline backend puts every figure into the executed notebook; an inherited
    # MPLBACKEND=Agg (common on headless machines and CI) would silently drop them all.
    return {CACHE_ENV: str(cache), "PYDEVD_DISABLE_FILE_VALIDATION": "1", "PYTHONWARNINGS": quiet,
            # TensorFlow's C++ start-up notices (chapters 3-5) would drown the build log.
            "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "MPLBACKEND": INLINE_BACKEND}


def _write_if_changed(path: Path, text: str) -> None:
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        path.write_text(text, encoding="utf-8")


def execute_notebooks(
    *,
    profile: str = "quick",
    data_dir: str | os.PathLike[str] = "",
    seed: int = 0,
    notebooks: Sequence[str] | None = None,
    notebooks_dir: Path | None = None,
    out_dir: Path = Path("_build/executed"),
    kernel_name: str | None = None,
    cache_dir: Path | None = None,
    timeout: int | None = None,
    fresh: bool = False,
    log: Callable[[str], None] | None = say_now,
) -> list[NotebookRun]:
    """Execute the chapters in order with papermill into ``out_dir`` (same file names).

    Every notebook gets the parameters ``data_dir`` (absolute path, or "" for the
    synthetic data generated and cached on the fly), ``profile`` and ``seed``; it runs
    with ``notebooks_dir`` (default: the repository's ``notebooks/``) as working directory
    and ``$GENREBOOK_CACHE`` set to ``cache_dir`` (default: ``genrelib.cache.cache_root()``),
    so later chapters reuse the data and features of earlier ones. ``notebooks`` picks
    chapters (see :func:`~genrelib.build.chapters.find_notebooks`). Each executed copy is
    tidied (:func:`~genrelib.build.tidy.tidy_executed_notebook`) and kept in
    ``cache_dir/executed-notebooks``; a chapter whose key (code cells, parameters, genrelib
    source, data, environment) is there is not executed again unless ``fresh``.
    ``log`` gets a line as each chapter starts and ends (its time, or "cached"); the
    kernel's own output (TensorFlow's C++ logs...) goes to ``out_dir/NN_name.kernel.log``.
    Stops at the first failure with :class:`NotebookExecutionError`; the notebooks after it
    are not run and the failed copy is left untidied, machine paths included, for debugging.
    Returns one :class:`NotebookRun` per chapter, in order.
    """
    import nbformat

    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {list(PROFILES)}")
    data_text = ""
    if data_dir not in ("", None):
        data_path = Path(data_dir).expanduser().resolve()
        if not data_path.exists():
            raise FileNotFoundError(
                f"data folder {data_path} does not exist: give the folder holding GTZAN "
                f"(or leave it empty to use the built-in synthetic data)"
            )
        data_text = str(data_path)
    notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    chosen = find_notebooks(notebooks_dir, only=notebooks)
    if not chosen:
        raise FileNotFoundError(f"no chapter notebooks (NN_name.ipynb) in {notebooks_dir}")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    cache = Path(cache_dir).expanduser().resolve() if cache_dir else cache_root().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    names = portable_names(cache_dir=cache, data_dir=data_text or None)
    kernel = kernel_name or default_kernel_name()
    parameters = {"data_dir": data_text, "profile": profile, "seed": int(seed)}
    say = log or (lambda message: None)
    say(f"executing {len(chosen)} notebook(s): profile={profile} data_dir={data_text or '(synthetic)'} "
        f"seed={seed} kernel={kernel} cache={cache}{' (fresh: cache not read)' if fresh else ''}")
    store = NotebookCache(cache / CACHE_SUBDIR)
    inputs = {"library": library_digest(), "data": data_fingerprint(data_text, profile),
              "environment": environment_digest(kernel)}

    runs: list[NotebookRun] = []
    total_start = time.perf_counter()
    with _environment(**_kernel_environment(cache)):
        for number, notebook in enumerate(chosen, start=1):
            start = time.perf_counter()
            label = f"  [{number}/{len(chosen)}] {notebook.name:<28}"
            source = nbformat.read(notebook, as_version=4)
            key = notebook_key(source, notebook.name, parameters=parameters, **inputs)
            output = out_dir / notebook.name
            kept = None if fresh else store.load(key)
            merged = _publish(source, kept, names)[0] if kept is not None else None
            if merged is not None:
                _write_if_changed(output, nbformat.writes(merged))
                seconds = time.perf_counter() - start
                say(f"{label} cached ({seconds:.1f} s)")
                runs.append(NotebookRun(notebook=notebook, output=output, seconds=seconds, cached=True))
                continue
            say(f"{label} started ({'--fresh' if fresh else store.why_missed(key)})")
            _execute(notebook, output, parameters=parameters, kernel=kernel, timeout=timeout,
                     start=start, say=lambda message, label=label: say(f"{label} {message}"))
            executed = nbformat.read(output, as_version=4)
            merged, tidied = _publish(source, executed, names)
            if merged is None:  # no parameters cell: papermill added one, the copy does not pair
                nbformat.write(executed, output)
            else:
                store.store(key, output)  # as papermill wrote it; a hit writes the same bytes
                _write_if_changed(output, nbformat.writes(merged))
            seconds = time.perf_counter() - start
            say(f"{label} {seconds:6.1f} s" + (f" ({tidied.describe()})" if tidied.describe() else ""))
            runs.append(NotebookRun(notebook=notebook, output=output, seconds=seconds))
    n_executed = sum(not run.cached for run in runs)
    say(f"  {'all notebooks':<34} {time.perf_counter() - total_start:6.1f} s "
        f"({n_executed} executed, {len(runs) - n_executed} cached)")
    return runs


def _publish(source: Any, executed: Any, names: Sequence[tuple[str, str]]) -> tuple[Any | None, Tidied]:
    """An executed copy as the book shows it: tidied (in place), then merged into the chapter
    as it is now (None when the two do not pair up)."""
    tidied = tidy_notebook(executed, names=names)
    return merge_outputs(source, executed), tidied


@contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """This process's standard error, which the kernel started inside inherits, goes to
    ``path`` (TensorFlow's C++ start-up lines would drown the build log)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "wb") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _execute(notebook: Path, output: Path, *, parameters: dict, kernel: str, timeout: int | None,
             start: float, say: Callable[[str], None]) -> None:
    """Run one chapter with papermill into ``output``; a failing cell raises
    :class:`NotebookExecutionError` naming it."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    kernel_log = output.with_suffix(".kernel.log")
    try:
        # Written once at the end (or on error), not at every cell's start and end: those
        # rewrites of a growing notebook of figures and audio cost seconds per chapter.
        # The kernel's own log (a warning about TCP at each start) stays out of the build log.
        with _stderr_to(kernel_log):
            papermill.execute_notebook(
                str(notebook), str(output), parameters=parameters, kernel_name=kernel,
                cwd=str(notebook.parent), progress_bar=False, log_output=False,
                execution_timeout=timeout, language="python", request_save_on_cell_execute=False,
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
    except PapermillExecutionError as error:
        seconds = time.perf_counter() - start
        say(f"FAILED after {seconds:6.1f} s (the kernel's own log: {kernel_log})")
        source_nb = nbformat.read(notebook, as_version=4)
        index = next((i for i, cell in enumerate(source_nb.cells) if cell.source == error.source), None)
        raise NotebookExecutionError(
            notebook=notebook, output=output, cell_index=index, ename=error.ename,
            evalue=error.evalue, source=error.source, seconds=seconds,
        ) from None
    except Exception:  # the kernel died, timed out or never started: its log may say why
        say(f"FAILED after {time.perf_counter() - start:6.1f} s (the kernel's own log: {kernel_log})")
        raise
