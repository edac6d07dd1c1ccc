"""Execute the chapters with papermill (one or several at a time), or take them from the
executed-chapter cache.

Each chapter gets the parameters ``data_dir``, ``profile`` and ``seed``; the run stops at
the first failing chapter with an error naming it and the cell. Each executed copy is tidied
(``genrelib.build.tidy``) and cached (``genrelib.build.notebook_cache``); the log shows every
chapter as it starts and ends, with its time or "cached". With ``jobs`` > 1, chapters whose
inputs are ready run side by side (``genrelib.build.chapters.chapter_dependencies``), each
kernel's thread pools sized to its share of the cores (``genrelib.cpu_threads``).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrelib.build.chapters import NOTEBOOKS_DIR, chapter_dependencies, find_notebooks
from genrelib.build.log import say_now
from genrelib.build.notebook_cache import (CACHE_SUBDIR, NotebookCache, data_fingerprint,
                                           environment_digest, library_digest, merge_outputs,
                                           notebook_key)
from genrelib.build.tidy import Tidied, portable_names, tidy_notebook
from genrelib.cache import CACHE_ENV, cache_root
from genrelib.cpu_threads import shared_cpu_environment

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


def default_jobs() -> int:
    """How many chapters ``genrelib book`` runs side by side by default: 2 where there are two
    or more CPU cores (a chapter's training alone keeps about one and a half busy), else 1."""
    return 2 if (os.cpu_count() or 1) >= 2 else 1


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
    jobs: int = 1,
    log: Callable[[str], None] | None = say_now,
) -> list[NotebookRun]:
    """Execute the chapters with papermill into ``out_dir`` (same file names).

    Every notebook gets the parameters ``data_dir`` (absolute path, or "" for the
    synthetic data generated and cached on the fly), ``profile`` and ``seed``; it runs
    with ``notebooks_dir`` (default: the repository's ``notebooks/``) as working directory
    and ``$GENREBOOK_CACHE`` set to ``cache_dir`` (default: ``genrelib.cache.cache_root()``),
    so later chapters reuse the data, features and runs of earlier ones. ``notebooks`` picks
    chapters (see :func:`~genrelib.build.chapters.find_notebooks`). Each executed copy is
    tidied (:func:`~genrelib.build.tidy.tidy_executed_notebook`) and kept in
    ``cache_dir/executed-notebooks``; a chapter whose key (code cells, parameters, genrelib
    source, data, environment) is there is not executed again unless ``fresh``.
    ``jobs`` chapters run at a time: with 1, in chapter order; with more, a chapter starts as
    soon as the chapters it needs have finished (:func:`~genrelib.build.chapters.chapter_dependencies`:
    chapters 1 and 2, and those whose run folders it reuses), in chapter order among those ready.
    ``log`` gets a line as each chapter starts and ends (its time, or "cached"); the
    kernel's own output (TensorFlow's C++ logs...) goes to ``out_dir/NN_name.kernel.log``.
    Stops at the first failure with :class:`NotebookExecutionError`: no chapter starts after
    it (those already running finish), and the failed copy is left untidied, machine paths
    included, for debugging. Returns one :class:`NotebookRun` per chapter, in chapter order.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {list(PROFILES)}")
    if int(jobs) < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
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
    kernel = kernel_name or default_kernel_name()
    jobs = min(int(jobs), len(chosen))
    say = log or (lambda message: None)
    say(f"executing {len(chosen)} notebook(s): profile={profile} data_dir={data_text or '(synthetic)'} "
        f"seed={seed} kernel={kernel} cache={cache}" + (f" jobs={jobs}" if jobs > 1 else "")
        + (" (fresh: cache not read)" if fresh else ""))
    chapter = _Chapter(
        parameters={"data_dir": data_text, "profile": profile, "seed": int(seed)},
        names=portable_names(cache_dir=cache, data_dir=data_text or None), kernel=kernel,
        timeout=timeout, fresh=fresh, out_dir=out_dir, store=NotebookCache(cache / CACHE_SUBDIR),
        inputs={"library": library_digest(), "data": data_fingerprint(data_text, profile),
                "environment": environment_digest(kernel)},
        say=say, count=len(chosen))

    total_start = time.perf_counter()
    with _environment(**_kernel_environment(cache)):
        if jobs == 1:
            runs = [chapter.run(number, notebook) for number, notebook in enumerate(chosen, start=1)]
        else:
            runs = _run_side_by_side(chosen, chapter, jobs=jobs)
    n_executed = sum(not run.cached for run in runs)
    say(f"  {'all notebooks':<34} {time.perf_counter() - total_start:6.1f} s "
        f"({n_executed} executed, {len(runs) - n_executed} cached)")
    return runs


@dataclass(frozen=True)
class _Chapter:
    """What every chapter of one build shares; ``run`` executes one (or takes it from the cache)."""

    parameters: dict[str, Any]
    names: Sequence[tuple[str, str]]
    kernel: str
    timeout: int | None
    fresh: bool
    out_dir: Path
    store: NotebookCache
    inputs: dict[str, str]
    say: Callable[[str], None]
    count: int

    def run(self, number: int, notebook: Path, *, side_by_side: int = 1) -> NotebookRun:
        """Chapter ``number``; ``side_by_side``: how many kernels may run at once while it runs
        (its kernel's thread pools, TensorFlow's and BLAS's, then take that share of the cores:
        ``genrelib.cpu_threads.shared_cpu_environment``)."""
        import nbformat

        start = time.perf_counter()
        label = f"  [{number}/{self.count}] {notebook.name:<28}"
        source = nbformat.read(notebook, as_version=4)
        key = notebook_key(source, notebook.name, parameters=self.parameters, **self.inputs)
        output = self.out_dir / notebook.name
        kept = None if self.fresh else self.store.load(key)
        merged = _publish(source, kept, self.names)[0] if kept is not None else None
        if merged is not None:
            _write_if_changed(output, nbformat.writes(merged))
            seconds = time.perf_counter() - start
            self.say(f"{label} cached ({seconds:.1f} s)")
            return NotebookRun(notebook=notebook, output=output, seconds=seconds, cached=True)
        self.say(f"{label} started ({'--fresh' if self.fresh else self.store.why_missed(key)})")
        _execute(notebook, output, parameters=self.parameters, kernel=self.kernel, timeout=self.timeout,
                 start=start, say=lambda message: self.say(f"{label} {message}"),
                 env=shared_cpu_environment(side_by_side))
        executed = nbformat.read(output, as_version=4)
        merged, tidied = _publish(source, executed, self.names)
        if merged is None:  # no parameters cell: papermill added one, the copy does not pair
            nbformat.write(executed, output)
        else:
            self.store.store(key, output)  # as papermill wrote it; a hit writes the same bytes
            _write_if_changed(output, nbformat.writes(merged))
        seconds = time.perf_counter() - start
        self.say(f"{label} {seconds:6.1f} s" + (f" ({tidied.describe()})" if tidied.describe() else ""))
        return NotebookRun(notebook=notebook, output=output, seconds=seconds)


def _run_side_by_side(chosen: Sequence[Path], chapter: _Chapter, *, jobs: int) -> list[NotebookRun]:
    """Up to ``jobs`` chapters at a time, each started once the chapters it needs are done
    (in chapter order among those ready); after a failure none starts, the running ones
    finish, and the first failure is raised. A chapter that starts with nothing else running
    or ready runs alone to its end (every chapter left waits for it) and keeps all the cores;
    the others get ``1/jobs`` of them each."""
    needs = chapter_dependencies(chosen)
    numbers = {notebook: number for number, notebook in enumerate(chosen, start=1)}
    waiting, running = list(chosen), {}  # running: Future -> notebook
    done: dict[Path, NotebookRun] = {}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="chapter") as pool:
        while waiting or running:
            ready = [nb for nb in waiting if all(need in done for need in needs[nb])] if failure is None else []
            alone = not running and len(ready) == 1
            for notebook in ready[:jobs - len(running)]:
                waiting.remove(notebook)
                running[pool.submit(chapter.run, numbers[notebook], notebook,
                                    side_by_side=1 if alone else jobs)] = notebook
            if not running:  # nothing can start: an earlier chapter failed
                if failure is None:
                    raise RuntimeError(f"chapters {[nb.name for nb in waiting]} wait for chapters that never run")
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: numbers[running[f]]):
                notebook = running.pop(future)
                try:
                    done[notebook] = future.result()
                except BaseException as error:  # noqa: BLE001 - re-raised below, the first one
                    failure = failure or error
    if failure is not None:
        raise failure
    return [done[notebook] for notebook in chosen]


def _publish(source: Any, executed: Any, names: Sequence[tuple[str, str]]) -> tuple[Any | None, Tidied]:
    """An executed copy as the book shows it: tidied (in place), then merged into the chapter
    as it is now (None when the two do not pair up)."""
    tidied = tidy_notebook(executed, names=names)
    return merge_outputs(source, executed), tidied


def _kernel_manager(*, log: Path, cwd: Path, env: dict[str, str]) -> type:
    """A Jupyter kernel manager whose kernel starts in ``cwd`` with ``env`` added to its
    environment and writes its standard error to ``log``, its own file (TensorFlow's C++
    start-up lines would drown the build log). None of them touches this process's working
    directory, environment or standard error, which chapters running side by side in
    threads share."""
    from jupyter_client.manager import AsyncKernelManager

    class ChapterKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            with open(log, "wb") as stderr:  # the kernel inherits the file; ours closes at once
                kw.update(stderr=stderr, cwd=str(cwd), env={**kw.get("env", os.environ), **env})
                return await super()._async_launch_kernel(kernel_cmd, **kw)

    return ChapterKernelManager


def _execute(notebook: Path, output: Path, *, parameters: dict, kernel: str, timeout: int | None,
             start: float, say: Callable[[str], None], env: dict[str, str]) -> None:
    """Run one chapter with papermill into ``output``, ``env`` added to its kernel's
    environment; a failing cell raises :class:`NotebookExecutionError` naming it."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    kernel_log = output.with_suffix(".kernel.log")
    try:
        # Written once at the end (or on error), not at every cell's start and end: those
        # rewrites of a growing notebook of figures and audio cost seconds per chapter.
        # The kernel's own log (a warning about TCP at each start) stays out of the build log.
        # No cwd= here: papermill would chdir this whole process, which threads share.
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, kernel_name=kernel,
            progress_bar=False, log_output=False,
            execution_timeout=timeout, language="python", request_save_on_cell_execute=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],
            kernel_manager_class=_kernel_manager(log=kernel_log, cwd=notebook.parent, env=env),
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
