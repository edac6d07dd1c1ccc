"""Build the book: execute every chapter notebook with papermill, tidy the executed copies,
then build the static HTML with Jupyter Book v1.

The chapters in ``notebooks/`` are committed without outputs. :func:`execute_notebooks`
runs them in order (``01_…`` first) with papermill into a build folder, passing the
parameters every chapter declares (``data_dir``, ``profile``, ``seed``), and stops at the
first failing notebook with an error naming the notebook and the cell.
Each executed copy is then tidied for publication (:func:`tidy_executed_notebook`):

- papermill's injected-parameters cell is merged into the chapter's own ``parameters``
  cell, which then shows the values this build used (``profile = "quick"``, ``seed = 0``:
  papermill's literals, so integers stay integers), and is removed: one parameters cell;
- the build machine's absolute paths are replaced with portable names in every output
  (stream text, ``text/*`` data such as ``text/plain``, ``text/html``, ``text/markdown``,
  error tracebacks), in the merged parameters cell and in papermill's metadata:
  the cache folder (where ``$GENREBOOK_CACHE`` points, by default ``~/.cache/genre-book``)
  becomes ``$GENREBOOK_CACHE``, the data folder given with ``--data`` becomes ``$DATA``,
  the repository root becomes relative paths (``genrelib/training.py``; the root itself
  ``.``) and the home folder becomes ``~`` (the most specific folder wins: a cache inside
  the repository is ``$GENREBOOK_CACHE``);
- TensorFlow's C++ start-up log lines are removed from the stderr outputs.

:func:`build_html` then builds the static HTML book with execution switched off, from
the executed copies, so ``_build/html/index.html`` shows exactly what the run computed.
``genrelib book`` (and ``make book``) call both.
Notebook: 01_data.ipynb
"""

from __future__ import annotations

import ast
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
from typing import Any

from genrelib.cache import CACHE_ENV, cache_root

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
KERNEL_NAME = "genre-book"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
PROFILES = ("quick", "full")
# Files and folders of the book's source besides the notebooks (relative to the root).
BOOK_SOURCES = ("_config.yml", "_toc.yml", "references.bib", "book")
_NOTEBOOK_NAME = re.compile(r"^(\d\d)_[A-Za-z0-9_\-]+\.ipynb$")


@dataclass(frozen=True)
class NotebookRun:
    """One executed chapter: its source, its executed copy and the wall time in seconds."""

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
    ``cache_dir`` (default: ``genrelib.cache.cache_root()``), so later
    chapters reuse the data and features of earlier ones. ``notebooks`` picks chapters
    (see :func:`find_notebooks`) of ``notebooks_dir`` (default: the repository's
    ``notebooks/``). Each executed copy is tidied (:func:`tidy_executed_notebook`: one
    parameters cell with this build's values; the cache, data, repository and home
    folders shown as ``$GENREBOOK_CACHE``, ``$DATA``, relative paths and ``~``).
    Prints each notebook's wall time through ``log``. Stops at the first failure with
    :class:`NotebookExecutionError` (notebook, cell, exception); the notebooks after it
    are not run and the failed copy is left untidied, machine paths included, for
    debugging. Returns one :class:`NotebookRun` per executed chapter, in order.
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
    cache = Path(cache_dir).expanduser().resolve() if cache_dir else cache_root().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    names = portable_names(cache_dir=cache, data_dir=data_text or None)
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
            tidied = tidy_executed_notebook(output, names=names)
            say(f"  {notebook.name:<28} {seconds:6.1f} s"
                + (f" ({tidied.describe()})" if tidied.describe() else ""))
            runs.append(NotebookRun(notebook=notebook, output=output, seconds=seconds))
    say(f"  {'all notebooks':<28} {time.perf_counter() - total_start:6.1f} s")
    return runs


# C++ start-up logs that TensorFlow writes to the kernel's stderr (ignoring
# TF_CPP_MIN_LOG_LEVEL because they come before absl's logging is initialised), and its
# notice that scoring several models in a row retraced tf.functions (chapter 7: harmless).
BACKEND_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [\d:. ]+\d+ \S+\.(cc|h):\d+\] .*"
    r"|WARNING:tensorflow:\d+ out of the last \d+ calls to .* triggered tf\.function retracing\..*)$"
)
PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
# Terminal colour codes (IPython tracebacks): paths are matched between them, not across.
_ANSI_CODE = re.compile(r"(\x1b\[[\d;]*m)")


def portable_names(*, cache_dir: str | os.PathLike[str] | None = None,
                   data_dir: str | os.PathLike[str] | None = None,
                   root: str | os.PathLike[str] | None = REPO_ROOT,
                   home: str | os.PathLike[str] | None = None) -> list[tuple[str, str]]:
    """The build machine's folders and the portable names that replace them on the pages.

    Returns ``(absolute folder, name)`` pairs, longest folder first so that the most
    specific one wins: ``cache_dir`` → ``$GENREBOOK_CACHE``, ``data_dir`` → ``$DATA``,
    ``root`` (the repository) → ``""`` (paths below it become relative, the root itself
    ``.``), ``home`` (default: this user's home folder) → ``~``. Each folder is listed as
    given and resolved (symbolic links); ``None``, ``""`` and the filesystem root are skipped.
    """
    wanted = [(cache_dir, "$" + CACHE_ENV), (data_dir, "$DATA"), (root, ""),
              (Path.home() if home is None else home, "~")]
    pairs: dict[str, str] = {}
    for folder, name in wanted:
        if folder in (None, ""):
            continue
        path = Path(folder).expanduser()
        for form in (path.absolute(), path.resolve()):
            if len(form.parts) > 1:
                pairs.setdefault(str(form), name)
    return sorted(pairs.items(), key=lambda pair: len(pair[0]), reverse=True)


_Patterns = Sequence[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]


def _path_patterns(names: Sequence[tuple[str, str]]) -> _Patterns:
    # A folder matches as a whole name: not inside a longer name before or after it.
    return [(re.compile(r"(?<![\w.\-])" + re.escape(folder) + r"(?:(/)|(?![\w.\-]))"), _namer(name))
            for folder, name in names]


def _namer(name: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        slash = match.group(1) or ""
        return name + slash if name else ("" if slash else ".")  # "": relative to the root
    return replace


def _make_portable(text: str, patterns: _Patterns) -> tuple[str, int]:
    count = 0
    pieces = _ANSI_CODE.split(text)
    for i in range(0, len(pieces), 2):  # even pieces are text, odd ones colour codes
        for pattern, replace in patterns:
            pieces[i], hits = pattern.subn(replace, pieces[i])
            count += hits
    return "".join(pieces), count


def _portable_strings(value: Any, patterns: _Patterns) -> tuple[Any, int]:
    """``value`` with every string inside (lists, dicts) made portable, and the count."""
    if isinstance(value, str):
        return _make_portable(value, patterns)
    if isinstance(value, list):
        items = [_portable_strings(item, patterns) for item in value]
        return [item for item, _ in items], sum(count for _, count in items)
    if isinstance(value, dict):
        count = 0
        for key in list(value):
            value[key], hits = _portable_strings(value[key], patterns)
            count += hits
        return value, count
    return value, 0


def _portable_output(out: Any, patterns: _Patterns) -> int:
    kind = out.get("output_type")
    if kind == "stream":
        out["text"], count = _make_portable(out["text"], patterns)
        return count
    if kind == "error":
        out["evalue"], count = _make_portable(out.get("evalue", ""), patterns)
        out["traceback"], hits = _portable_strings(list(out.get("traceback", [])), patterns)
        return count + hits
    count = 0
    for mime, value in out.get("data", {}).items():
        if mime.startswith("text/"):
            out["data"][mime], hits = _portable_strings(value, patterns)
            count += hits
    return count


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _assignments(source: str) -> list[tuple[str, ast.expr]] | None:
    """The ``name = value`` statements of a cell, or None when it is not plain Python."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found.append((node.targets[0].id, node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            found.append((node.target.id, node.value))
    return found


def _merge_parameters(nb: Any) -> bool:
    """Put the injected values into the ``parameters`` cell and drop papermill's cell."""
    injected = next((cell for cell in nb.cells if INJECTED_TAG in _tags(cell)), None)
    if injected is None:
        return False
    injected_assignments = _assignments(injected.source) or []
    values = {name: ast.get_source_segment(injected.source, node) for name, node in injected_assignments}
    target = next((cell for cell in nb.cells if PARAMETERS_TAG in _tags(cell)), None)
    own = _assignments(target.source) if target is not None else None
    if target is None or own is None:
        # No (parseable) parameters cell: papermill's cell becomes the parameters cell.
        lines = [line for line in injected.source.splitlines() if line.strip() != "# Parameters"]
        injected.metadata["tags"] = [t for t in _tags(injected) if t != INJECTED_TAG] + [PARAMETERS_TAG]
        injected.source = "\n".join(lines).strip("\n")
        if target is not None:
            nb.cells.remove(target)
        return True
    # Replace each value's text in place (comments and layout of the cell stay), last first.
    lines = target.source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line.encode("utf-8")))
    data = target.source.encode("utf-8")
    for name, node in sorted(own, key=lambda item: (item[1].lineno, item[1].col_offset), reverse=True):
        if name in values:
            begin = starts[node.lineno - 1] + node.col_offset
            end = starts[node.end_lineno - 1] + node.end_col_offset
            data = data[:begin] + values[name].encode("utf-8") + data[end:]
    source = data.decode("utf-8")
    known = {name for name, _ in own}
    extra = [f"{name} = {value}" for name, value in values.items() if name not in known]
    target.source = "\n".join([source.rstrip("\n")] + extra) if extra else source
    nb.cells.remove(injected)
    return True


def _drop_backend_noise(nb: Any) -> int:
    """Remove the ``BACKEND_NOISE`` lines from stream outputs (TensorFlow writes its C++ logs
    to stderr and its Python warnings, through absl, to stdout); every other line stays."""
    dropped = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                lines = out["text"].splitlines(keepends=True)
                clean = [line for line in lines if not BACKEND_NOISE.match(line.rstrip("\n"))]
                dropped += len(lines) - len(clean)
                if not clean:
                    continue
                out["text"] = "".join(clean)
            kept.append(out)
        cell["outputs"] = kept
    return dropped


@dataclass(frozen=True)
class Tidied:
    """What :func:`tidy_executed_notebook` changed in one executed notebook."""

    parameters_merged: bool
    paths_replaced: int
    noise_lines: int

    def describe(self) -> str:
        """A short account for the build log, e.g. "parameters merged, 3 machine path(s) made portable"."""
        parts = ["parameters merged"] if self.parameters_merged else []
        if self.paths_replaced:
            parts.append(f"{self.paths_replaced} machine path(s) made portable")
        if self.noise_lines:
            parts.append(f"{self.noise_lines} TensorFlow start-up log line(s) removed")
        return ", ".join(parts)


def tidy_executed_notebook(notebook_path: str | os.PathLike[str], *,
                           names: Sequence[tuple[str, str]] = ()) -> Tidied:
    """Tidy a notebook executed by papermill, in place, for the book's pages.

    Merges papermill's ``injected-parameters`` cell into the ``parameters`` cell (each
    value's text replaced by the injected literal, comments kept, new names appended; the
    injected cell removed), replaces the folders of ``names`` (``(folder, portable name)``
    pairs, see :func:`portable_names`) in every output, in the parameters cell and in
    papermill's metadata, and removes TensorFlow's C++ start-up log lines from stderr
    outputs (warnings and every other output are kept). Running it again changes nothing.
    """
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    merged = _merge_parameters(nb)
    noise = _drop_backend_noise(nb)
    patterns = _path_patterns(names)
    replaced = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            replaced += _portable_output(out, patterns)
        if PARAMETERS_TAG in _tags(cell):
            cell.source, hits = _make_portable(cell.source, patterns)
            replaced += hits
    if "papermill" in nb.metadata:
        nb.metadata["papermill"], hits = _portable_strings(dict(nb.metadata["papermill"]), patterns)
        replaced += hits
    result = Tidied(parameters_merged=merged, paths_replaced=replaced, noise_lines=noise)
    if merged or replaced or noise:
        nbformat.write(nb, notebook_path)
    return result


#: Pages of the book made at build time from the repository's records, not written by hand.
GENERATED_PAGES: tuple[str, ...] = ("book/results", "book/speed")


def write_generated_pages(stage_dir: Path, *, root: Path = REPO_ROOT) -> list[Path]:
    """Write the generated pages (``GENERATED_PAGES``) into ``stage_dir``: the results page
    from the reference records under ``root/results/reference`` (``genrelib.results``), the
    appendix on training speed and its figure from ``root/benchmarks/records``
    (``genrelib.speed``)."""
    from genrelib.results import RECORDS_DIR, results_page
    from genrelib.speed import SPEED_RECORDS_DIR, speed_page

    book = Path(stage_dir) / "book"
    book.mkdir(parents=True, exist_ok=True)
    results = book / "results.md"
    results.write_text(results_page(root / RECORDS_DIR.relative_to(REPO_ROOT)), encoding="utf-8")
    speed = book / "speed.md"
    speed.write_text(speed_page(root / SPEED_RECORDS_DIR.relative_to(REPO_ROOT),
                                figure=book / "speed.png"), encoding="utf-8")
    return [results, speed]


def stage_book(*, executed_dir: Path, stage_dir: Path, root: Path = REPO_ROOT) -> Path:
    """Copy the book's sources (``_config.yml``, ``_toc.yml``, ``references.bib``,
    ``book/``) and the executed notebooks (as ``notebooks/NN_name.ipynb``) into
    ``stage_dir``, and write the generated pages, so the table of contents resolves. Chapters
    listed in ``_toc.yml`` but not executed raise FileNotFoundError naming them.
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
    write_generated_pages(stage_dir, root=root)
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
