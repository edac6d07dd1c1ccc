"""Build the book: execute every chapter notebook with papermill, then Jupyter Book v1.

The chapters in ``notebooks/`` are committed without outputs. :func:`execute_notebooks`
runs them in order (``01_…`` first) with papermill into a build folder, passing the
parameters every chapter declares (``data_dir``, ``profile``, ``seed``), and stops at the
first failing notebook with an error naming the notebook and the cell.
:func:`build_html` then builds the static HTML book with execution switched off, from
the executed copies, so ``_build/html/index.html`` shows exactly what the run computed.
``genrelib book`` (and ``make book``) call both.
Notebook: 01_data.ipynb (how the book is built, see the set-up page)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
KERNEL_NAME = "genre-book"
CACHE_ENV = "GENREBOOK_CACHE"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
PROFILES = ("quick", "full")
# Files and folders of the book's source besides the notebooks (relative to the root).
BOOK_SOURCES = ("_config.yml", "_toc.yml", "references.bib", "book")
_NOTEBOOK_NAME = re.compile(r"^(\d\d)_[A-Za-z0-9_\-]+\.ipynb$")


@dataclass(frozen=True)
class NotebookRun:
    """One executed chapter: its source, its executed copy and the wall time in seconds.
    Notebook: 01_data.ipynb
    """

    notebook: Path
    output: Path
    seconds: float

    @property
    def name(self) -> str:
        return self.notebook.name


class NotebookExecutionError(RuntimeError):
    """A chapter failed: names the notebook, the failing cell (index in the committed
    notebook, counting from 0, markdown cells included), the exception and where the
    partially executed copy lies.
    Notebook: 01_data.ipynb
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


class BookBuildError(RuntimeError):
    """``jupyter-book build`` failed; the message carries the builder's output."""


def find_notebooks(notebooks_dir: Path | None = None, *,
                   only: Sequence[str] | None = None) -> list[Path]:
    """The chapter notebooks ``NN_name.ipynb`` of ``notebooks_dir`` in chapter order.

    ``only`` keeps the chapters whose number ("01") or name ("01_data" or
    "01_data.ipynb") is listed; ValueError names any entry that matches nothing.
    Notebook: 01_data.ipynb
    """
    notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    if not notebooks_dir.is_dir():
        raise FileNotFoundError(f"notebook folder {notebooks_dir} does not exist")
    found = sorted(p for p in notebooks_dir.iterdir() if _NOTEBOOK_NAME.match(p.name))
    if only is None:
        return found
    wanted = [str(item).strip() for item in only if str(item).strip()]
    chosen: list[Path] = []
    for item in wanted:
        stem = item[:-len(".ipynb")] if item.endswith(".ipynb") else item
        hits = [p for p in found if p.stem == stem or p.name[:2] == stem.zfill(2)]
        if not hits:
            names = ", ".join(p.stem for p in found) or "none"
            raise ValueError(f"no notebook matches {item!r} in {notebooks_dir} (chapters: {names})")
        chosen.extend(p for p in hits if p not in chosen)
    return sorted(chosen)


def default_kernel_name() -> str:
    """"genre-book" when that kernel is installed for this very interpreter (``make setup``
    registers it with ``--sys-prefix``), else "python3" (the running interpreter).
    Notebook: 01_data.ipynb
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


def default_cache_dir() -> Path:
    """$GENREBOOK_CACHE when set, else ``~/.cache/genre-book`` (synthetic data, features).
    Notebook: 01_data.ipynb
    """
    value = os.environ.get(CACHE_ENV)
    return Path(value).expanduser() if value else Path.home() / ".cache" / "genre-book"


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
    log: Callable[[str], None] | None = print,
) -> list[NotebookRun]:
    """Execute the chapters in order with papermill into ``out_dir`` (same file names).

    Every notebook gets the parameters ``data_dir`` (absolute path, or "" for the
    synthetic data generated and cached on the fly), ``profile`` and ``seed``; it runs
    with ``notebooks_dir`` as working directory and ``$GENREBOOK_CACHE`` set to
    ``cache_dir`` (default :func:`default_cache_dir`), so later chapters reuse the data
    and features of earlier ones. ``notebooks`` picks chapters (see :func:`find_notebooks`)
    of ``notebooks_dir`` (default: the repository's ``notebooks/``).
    Prints each notebook's wall time through ``log``. Stops at the first failure with
    :class:`NotebookExecutionError` (notebook, cell, exception); the notebooks after it
    are not run. Returns one :class:`NotebookRun` per executed chapter, in order.
    Notebook: 01_data.ipynb
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

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
    cache = Path(cache_dir).expanduser().resolve() if cache_dir else default_cache_dir().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    kernel = kernel_name or default_kernel_name()
    parameters = {"data_dir": data_text, "profile": profile, "seed": int(seed)}
    say = log or (lambda message: None)
    say(f"executing {len(chosen)} notebook(s): profile={profile} data_dir={data_text or '(synthetic)'} "
        f"seed={seed} kernel={kernel} cache={cache}")

    runs: list[NotebookRun] = []
    total_start = time.perf_counter()
    # Kernels inherit this environment. tqdm.auto (imported lazily by librosa via pooch)
    # warns in a kernel without ipywidgets: noise on the book's pages, not information.
    quiet = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), "ignore:IProgress not found"]))
    # TensorFlow's C++ start-up notices (chapters 3-5) would drown the per-notebook times.
    tf_log = os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")
    # The inline backend puts every figure into the executed notebook; an inherited
    # MPLBACKEND=Agg (common on headless machines and CI) would silently drop them all.
    with _environment(**{CACHE_ENV: str(cache), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                         "PYTHONWARNINGS": quiet, "TF_CPP_MIN_LOG_LEVEL": tf_log,
                         "MPLBACKEND": INLINE_BACKEND}):
        for notebook in chosen:
            output = out_dir / notebook.name
            start = time.perf_counter()
            try:
                papermill.execute_notebook(
                    str(notebook), str(output), parameters=parameters, kernel_name=kernel,
                    cwd=str(notebook.parent), progress_bar=False, log_output=False,
                    execution_timeout=timeout, language="python",
                )
            except PapermillExecutionError as error:
                seconds = time.perf_counter() - start
                say(f"  {notebook.name:<28} FAILED after {seconds:6.1f} s")
                source_nb = nbformat.read(notebook, as_version=4)
                index = next((i for i, cell in enumerate(source_nb.cells)
                              if cell.source == error.source), None)
                raise NotebookExecutionError(
                    notebook=notebook, output=output, cell_index=index, ename=error.ename,
                    evalue=error.evalue, source=error.source, seconds=seconds,
                ) from None
            seconds = time.perf_counter() - start
            dropped = drop_backend_noise(output)
            say(f"  {notebook.name:<28} {seconds:6.1f} s"
                + (f" ({dropped} line(s) of TensorFlow start-up logs removed)" if dropped else ""))
            runs.append(NotebookRun(notebook=notebook, output=output, seconds=seconds))
    say(f"  {'all notebooks':<28} {time.perf_counter() - total_start:6.1f} s")
    return runs


# C++ start-up logs that TensorFlow writes to the kernel's stderr (ignoring
# TF_CPP_MIN_LOG_LEVEL because they come before absl's logging is initialised).
BACKEND_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [\d:. ]+\d+ \S+\.(cc|h):\d+\] .*)$"
)


def drop_backend_noise(notebook_path: Path) -> int:
    """Remove TensorFlow's C++ start-up log lines from the stderr outputs of an executed
    notebook (in place) so they do not reach the book's pages; returns how many lines went.
    Every other output, warnings included, is kept. Notebook: 03_cnn.ipynb
    """
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    dropped = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                lines = out["text"].splitlines(keepends=True)
                clean = [line for line in lines if not BACKEND_NOISE.match(line.rstrip("\n"))]
                dropped += len(lines) - len(clean)
                if not clean:
                    continue
                out["text"] = "".join(clean)
            kept.append(out)
        cell["outputs"] = kept
    if dropped:
        nbformat.write(nb, notebook_path)
    return dropped


def stage_book(*, executed_dir: Path, stage_dir: Path, root: Path = REPO_ROOT) -> Path:
    """Copy the book's sources (``_config.yml``, ``_toc.yml``, ``references.bib``,
    ``book/``) and the executed notebooks (as ``notebooks/NN_name.ipynb``) into
    ``stage_dir``, so the table of contents resolves to the executed copies. Chapters
    listed in ``_toc.yml`` but not executed raise FileNotFoundError naming them.
    Notebook: 01_data.ipynb
    """
    executed_dir = Path(executed_dir)
    stage_dir = Path(stage_dir)
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    stage_dir.mkdir(parents=True)
    for name in BOOK_SOURCES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, stage_dir / name)
        elif source.is_file():
            shutil.copy2(source, stage_dir / name)
        else:
            raise FileNotFoundError(f"the book source {source} is missing")
    (stage_dir / "notebooks").mkdir()
    for notebook in sorted(Path(executed_dir).glob("*.ipynb")):
        shutil.copy2(notebook, stage_dir / "notebooks" / notebook.name)
    missing = [f for f in toc_files(root / "_toc.yml")
               if not any((stage_dir / (f + suffix)).exists() for suffix in ("", ".md", ".ipynb"))]
    if missing:
        raise FileNotFoundError(
            f"_toc.yml lists {missing}, which are neither book sources nor executed notebooks in "
            f"{executed_dir}: execute them first (genrelib book) or drop them from _toc.yml"
        )
    return stage_dir


def toc_files(toc_path: Path) -> list[str]:
    """Every ``file:`` entry of a Jupyter Book ``_toc.yml`` (root first), without suffix.
    Notebook: 01_data.ipynb
    """
    import yaml

    data = yaml.safe_load(Path(toc_path).read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    files.append(str(node[key]))
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return files


def build_html(
    *,
    executed_dir: Path = Path("_build/executed"),
    out_dir: Path = Path("_build"),
    root: Path = REPO_ROOT,
    strict: bool = False,
    log: Callable[[str], None] | None = print,
) -> Path:
    """Build the static HTML book from the executed notebooks; returns ``out_dir/html/index.html``.

    Stages the sources in ``out_dir/_source`` (:func:`stage_book`), runs Jupyter Book v1
    (``jupyter-book build``, execution off as ``_config.yml`` says) with the output in
    ``out_dir/_sphinx`` and copies the HTML to ``out_dir/html``. Sphinx warnings are
    printed (their count at the end); ``strict=True`` turns them into an error.
    Raises :class:`BookBuildError` with the builder's output when the build fails.
    Notebook: 01_data.ipynb
    """
    out_dir = Path(out_dir).resolve()
    say = log or (lambda message: None)
    stage = stage_book(executed_dir=executed_dir, stage_dir=out_dir / "_source", root=root)
    sphinx_out = out_dir / "_sphinx"
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(stage), "--path-output", str(sphinx_out), "--all"]
    if strict:
        command += ["-W", "--keep-going"]
    start = time.perf_counter()
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=stage)
    seconds = time.perf_counter() - start
    text = result.stdout + result.stderr
    warnings = [line for line in text.splitlines() if "WARNING" in line or "ERROR" in line]
    built = sphinx_out / "_build" / "html"
    if result.returncode != 0 or not (built / "index.html").is_file():
        raise BookBuildError(
            f"jupyter-book build failed (exit code {result.returncode}) after {seconds:.1f} s; "
            f"its output:\n{text[-8000:]}"
        )
    html = out_dir / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.copytree(built, html)
    for line in warnings:
        say(f"  {line}")
    say(f"  {'book (jupyter-book build)':<28} {seconds:6.1f} s, {len(warnings)} warning(s)")
    say(f"book: {html / 'index.html'}")
    return html / "index.html"
