"""Tidy an executed chapter for publication: one parameters cell, no machine paths, no
TensorFlow start-up logs (nor tqdm's notice about ipywidgets).

Papermill's injected-parameters cell is merged into the chapter's ``parameters`` cell, which
then shows the values this build used; the build machine's folders in outputs, in that cell
and in papermill's metadata become ``$GENREBOOK_CACHE``, ``$DATA``, relative paths and ``~``
(the most specific folder wins); TensorFlow's C++ start-up lines and tqdm's ipywidgets notice
leave the stream outputs.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genrelib.build.chapters import REPO_ROOT
from genrelib.cache import CACHE_ENV


# C++ start-up logs that TensorFlow writes to the kernel's stderr (ignoring
# TF_CPP_MIN_LOG_LEVEL because they come before absl's logging is initialised), and its
# notice that scoring several models in a row retraced tf.functions (chapter 7: harmless).
BACKEND_NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWE]\d{4} [\d:. ]+\d+ \S+\.(cc|h):\d+\] .*"
    r"|WARNING:tensorflow:\d+ out of the last \d+ calls to .* triggered tf\.function retracing\..*"
    # tqdm's notice when pooch (which librosa imports) imports tqdm.auto in a kernel without
    # ipywidgets: its progress bars fall back to text, which is what the pages want anyway
    r"|\S*/tqdm/auto\.py:\d+: TqdmWarning: IProgress not found\. .*"
    r"|  from \.autonotebook import tqdm as notebook_tqdm)$"
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
            parts.append(f"{self.noise_lines} TensorFlow log or tqdm notice line(s) removed")
        return ", ".join(parts)


def tidy_notebook(nb: Any, *, names: Sequence[tuple[str, str]] = ()) -> Tidied:
    """Tidy a notebook executed by papermill (as read by nbformat), in place, for the pages.

    Merges papermill's ``injected-parameters`` cell into the ``parameters`` cell (each
    value's text replaced by the injected literal, comments kept, new names appended; the
    injected cell removed), replaces the folders of ``names`` (``(folder, portable name)``
    pairs, see :func:`portable_names`) in every output, in the parameters cell and in
    papermill's metadata, and removes TensorFlow's C++ start-up log lines from stderr
    outputs (warnings and every other output are kept). Running it again changes nothing.
    """
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
    return Tidied(parameters_merged=merged, paths_replaced=replaced, noise_lines=noise)


def tidy_executed_notebook(notebook_path: str | os.PathLike[str], *,
                           names: Sequence[tuple[str, str]] = ()) -> Tidied:
    """:func:`tidy_notebook` on the notebook file at ``notebook_path``, rewritten in place
    when anything changed."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    result = tidy_notebook(nb, names=names)
    if result.parameters_merged or result.paths_replaced or result.noise_lines:
        nbformat.write(nb, notebook_path)
    return result
