"""Build the static HTML book with Jupyter Book v1 from the executed chapters.

The sources and executed copies are staged in one folder with the generated pages, and
Jupyter Book builds them with execution off. When the staged files are byte for byte those
of the last successful build and its HTML is there, the build is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from genrelib.build.chapters import REPO_ROOT, toc_files
from genrelib.build.log import say_now
from genrelib.build.pages import write_generated_pages

#: Files and folders of the book's source besides the notebooks (relative to the root).
BOOK_SOURCES = ("_config.yml", "_toc.yml", "references.bib", "book")
#: Beside the Sphinx output: what the last successful build was made from.
STAMP_NAME = "genrelib-build.json"


class BookBuildError(RuntimeError):
    """``jupyter-book build`` failed; the message carries the builder's output."""


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


def tree_digest(folder: Path) -> str:
    """Hash of every file below ``folder``: relative path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build_html(
    *,
    executed_dir: Path = Path("_build/executed"),
    out_dir: Path = Path("_build"),
    root: Path = REPO_ROOT,
    strict: bool = False,
    log: Callable[[str], None] | None = say_now,
) -> Path:
    """Build the static HTML book from the executed notebooks; returns ``out_dir/html/index.html``.

    Stages the sources in ``out_dir/_source`` (:func:`stage_book`), runs Jupyter Book v1
    (``jupyter-book build``, execution off as ``_config.yml`` says) with the output in
    ``out_dir/_sphinx`` and copies the HTML to ``out_dir/html``. Sphinx warnings are
    printed (their count at the end); ``strict=True`` turns them into an error. When the
    staged files and ``strict`` are those of the last successful build and
    ``out_dir/html/index.html`` exists, nothing is built again.
    Raises :class:`BookBuildError` with the builder's output when the build fails.
    """
    out_dir = Path(out_dir).resolve()
    say = log or (lambda message: None)
    stage = stage_book(executed_dir=executed_dir, stage_dir=out_dir / "_source", root=root)
    sphinx_out = out_dir / "_sphinx"
    html = out_dir / "html"
    stamp = {"stage": tree_digest(stage), "strict": strict}
    stamp_path = sphinx_out / STAMP_NAME
    if (html / "index.html").is_file() and _read_json(stamp_path) == stamp:
        say(f"  {'book (jupyter-book build)':<34} skipped: the staged sources are those of the last build")
        say(f"book: {html / 'index.html'}")
        return html / "index.html"
    stamp_path.unlink(missing_ok=True)
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(stage), "--path-output", str(sphinx_out), "--all"]
    if strict:
        command += ["-W", "--keep-going"]
    say(f"  {'book (jupyter-book build)':<34} started")
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
    if html.exists():
        shutil.rmtree(html)
    shutil.copytree(built, html)
    stamp_path.write_text(json.dumps(stamp), encoding="utf-8")
    for line in warnings:
        say(f"  {line}")
    say(f"  {'book (jupyter-book build)':<34} {seconds:6.1f} s, {len(warnings)} warning(s)")
    say(f"book: {html / 'index.html'}")
    return html / "index.html"


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
