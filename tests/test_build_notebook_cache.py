"""The executed-chapter cache (genrelib.build.notebook_cache): what a key depends on, how
cached outputs go back into a chapter, and what the log says on a miss. Nothing is executed
here; tests/test_build_execute.py runs throwaway notebooks through the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
import soundfile as sf

from genrelib.build import notebook_cache as nc


def _chapter(code: list[str], markdown: str = "# A chapter") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown)] + [nbformat.v4.new_code_cell(s) for s in code]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _key(nb: nbformat.NotebookNode, **changes: object) -> nc.CacheKey:
    inputs = {"parameters": {"data_dir": "", "profile": "quick", "seed": 0}, "library": "lib",
              "data": "synthetic", "environment": "env", **changes}
    return nc.notebook_key(nb, "01_a.ipynb", **inputs)


def test_the_key_follows_code_cells_not_markdown_or_outputs() -> None:
    nb = _chapter(["x = 1", "print(x)"])
    same = _chapter(["x = 1", "print(x)"], markdown="# A chapter, reworded")
    same.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    assert _key(same).digest == _key(nb).digest
    assert _key(_chapter(["x = 2", "print(x)"])).digest != _key(nb).digest
    assert _key(_chapter(["x = 1", "", "print(x)"])).digest != _key(nb).digest  # a cell added


@pytest.mark.parametrize("part, value", [("parameters", {"data_dir": "", "profile": "quick", "seed": 1}),
                                         ("library", "lib2"), ("data", "index 0123"),
                                         ("environment", "env2")])
def test_every_input_is_part_of_the_key(part: str, value: object) -> None:
    nb = _chapter(["x = 1"])
    assert _key(nb, **{part: value}).digest != _key(nb).digest


def test_library_digest_covers_every_file_of_the_package(tmp_path: Path) -> None:
    package = tmp_path / "genrelib"
    shutil.copytree(nc.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = nc.library_digest(package)
    assert nc.library_digest() == before, "the default is the genrelib package itself"
    (package / "__pycache__").mkdir(exist_ok=True)
    (package / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"compiled")
    assert nc.library_digest(package) == before, "compiled files are not sources"
    training = next(package.rglob("training*.py"))
    training.write_text(training.read_text() + "# an edit\n")
    edited = nc.library_digest(package)
    assert edited != before
    training.unlink()
    assert nc.library_digest(package) not in (before, edited), "a removed module changes the key"
    data_file = package / "datasets" / "gtzan_md5.csv"
    assert data_file.is_file()
    data_file.write_text("changed\n")
    before = nc.library_digest(package)
    data_file.write_text("changed again\n")
    changed = nc.library_digest(package)
    assert changed != before, "package data is part of the library"
    tooling = package / "build" / "site.py"
    tooling.write_text(tooling.read_text() + "# an edit of the build tooling\n")
    assert nc.library_digest(package) == changed, "the build tooling never runs in a chapter's kernel"


def test_no_chapter_imports_the_build_tooling() -> None:
    """What lets the key leave genrelib/build out (the core path: tests/test_architecture.py)."""
    from genrelib.build.chapters import NOTEBOOKS_DIR, find_notebooks

    for path in find_notebooks(NOTEBOOKS_DIR):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert "genrelib.build" not in code and "genrelib import build" not in code, path.name


def test_synthetic_data_fingerprint_is_the_generator_version_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    from genrelib.config import get_profile
    from genrelib.datasets import synthetic

    quick = nc.data_fingerprint("", "quick")
    settings = get_profile("quick")
    assert f"v{synthetic.SYNTHETIC_VERSION}" in quick and f"{settings.synthetic_tracks_per_genre} tracks" in quick
    assert nc.data_fingerprint("", "full") != quick
    monkeypatch.setattr(synthetic, "SYNTHETIC_VERSION", synthetic.SYNTHETIC_VERSION + 1)
    assert nc.data_fingerprint("", "quick") != quick


def test_a_data_folder_is_fingerprinted_by_its_index(tmp_path: Path) -> None:
    for genre in ("blues", "jazz"):
        (tmp_path / "genres" / genre).mkdir(parents=True)
        sf.write(tmp_path / "genres" / genre / f"{genre}.00000.wav", np.zeros(2205, dtype=np.float32), 22050)
    first = nc.data_fingerprint(tmp_path, "quick")
    assert first.startswith("index ") and nc.data_fingerprint(tmp_path, "quick") == first
    sf.write(tmp_path / "genres" / "jazz" / "jazz.00000.wav", np.zeros(4410, dtype=np.float32), 22050)
    assert nc.data_fingerprint(tmp_path, "quick") != first


def test_environment_digest_follows_backend_and_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "tensorflow")
    base = nc.environment_digest("genre-book")
    assert nc.environment_digest("genre-book") == base
    assert nc.environment_digest("python3") != base
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert nc.environment_digest("genre-book") != base
    assert {"keras", "numpy", "librosa", "papermill"} <= set(nc._dependency_names())


def test_cached_outputs_go_into_the_chapter_as_it_is_now() -> None:
    executed = _chapter(['seed = 3', 'print("hello")'], markdown="# Old title")
    executed.cells[1].source = "seed = 3  # the build's value"
    executed.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hello\n")]
    executed.cells[2].execution_count = 2
    executed.cells[2].metadata["papermill"] = {"duration": 0.1}
    executed.metadata["papermill"] = {"parameters": {"seed": 3}}
    source = _chapter(["seed = 0", 'print("hello")'], markdown="# New title")
    source.cells[2].metadata["tags"] = ["hide-input"]
    merged = nc.merge_outputs(source, executed)
    assert merged.cells[0].source == "# New title"
    assert merged.cells[1].source == "seed = 3  # the build's value"
    assert merged.cells[2].outputs[0]["text"] == "hello\n" and merged.cells[2].execution_count == 2
    assert merged.cells[2].metadata == {"tags": ["hide-input"], "papermill": {"duration": 0.1}}
    assert [c.id for c in merged.cells] == [c.id for c in source.cells]
    assert merged.metadata["papermill"] == {"parameters": {"seed": 3}}
    assert source.cells[2].outputs == [], "the source is not changed"
    assert nc.merge_outputs(_chapter(["a = 1"]), executed) is None, "code cells that do not pair up"


def _store_and_chapter(tmp_path: Path) -> tuple[nc.NotebookCache, nbformat.NotebookNode, Path]:
    """An empty store under ``tmp_path``, a one-cell chapter and its executed copy, 01_a.ipynb."""
    store = nc.NotebookCache(tmp_path / "cache")
    nb = _chapter(["x = 1"])
    executed = tmp_path / "01_a.ipynb"
    nbformat.write(nb, executed)
    return store, nb, executed


def test_the_store_keeps_entries_says_why_a_key_missed_and_prunes(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store, nb, executed = _store_and_chapter(tmp_path)
    key = _key(nb)
    assert store.load(key) is None and store.why_missed(key) == "not executed before"
    store.store(key, executed)
    assert store.load(key) == nb
    assert store.why_missed(_key(nb, library="lib2", data="other")) == "genrelib source, data changed"
    assert store.why_missed(_key(_chapter(["x = 2"]))) == "code cells changed"
    monkeypatch.setattr(nc, "KEEP_PER_CHAPTER", 2)
    for seed in (1, 2, 3):
        store.store(_key(nb, parameters={"seed": seed}), executed)
    kept = sorted(p.name for p in (tmp_path / "cache").glob("01_a-*.ipynb"))
    assert len(kept) == 2 and store.path(_key(nb, parameters={"seed": 3})).name in kept
    store.path(key).write_text("{not json")
    assert store.load(key) is None, "an unreadable entry is a miss"


def test_synthetic_data_fingerprint_follows_the_clip_length(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Synthetic clips of another length are other data: the fingerprint changes."""
    import dataclasses

    from genrelib import config

    quick = nc.data_fingerprint("", "quick")
    shorter = dataclasses.replace(config.PROFILES["quick"], synthetic_seconds=10.0)
    monkeypatch.setitem(config.PROFILES, "quick", shorter)
    assert nc.data_fingerprint("", "quick") != quick


def test_environment_digest_follows_python_and_dependency_versions(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another Python or another version of a dependency is another environment."""
    import importlib.metadata
    import sys

    base = nc.environment_digest("genre-book")
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    other_python = nc.environment_digest("genre-book")
    assert other_python != base
    monkeypatch.undo()
    real_version = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "0.0.1" if name == "numpy" else real_version(name))
    assert nc.environment_digest("genre-book") not in (base, other_python)


def test_cached_outputs_bring_the_execution_records_and_language_info() -> None:
    """A cell's execution timings and the notebook's language_info and widgets come along."""
    executed = _chapter(["x = 1"])
    executed.cells[1].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    executed.metadata["language_info"] = {"name": "python", "version": "3.12.3"}
    executed.metadata["widgets"] = {"state": {}}
    merged = nc.merge_outputs(_chapter(["x = 1"]), executed)
    assert merged.cells[1].metadata["execution"] == {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    assert merged.metadata["language_info"] == {"name": "python", "version": "3.12.3"}
    assert merged.metadata["widgets"] == {"state": {}}


def test_pruning_keeps_the_entries_of_the_other_chapters(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the stored chapter's older entries go; another chapter's stay."""
    store, nb, executed = _store_and_chapter(tmp_path)
    other = nc.notebook_key(nb, "02_b.ipynb", parameters={}, library="lib", data="d",
                            environment="e")
    store.store(other, executed)
    monkeypatch.setattr(nc, "KEEP_PER_CHAPTER", 1)
    for seed in (1, 2):
        store.store(_key(nb, parameters={"seed": seed}), executed)
    assert store.load(other) == nb, "another chapter's entry must not be pruned"
    assert len(list((tmp_path / "cache").glob("01_a-*.ipynb"))) == 1


def test_a_stored_key_whose_copy_is_gone_says_so(tmp_path: Path) -> None:
    """Same inputs as last stored but no copy: "cached copy missing", not "not executed before"."""
    store, nb, executed = _store_and_chapter(tmp_path)
    key = _key(nb)
    store.store(key, executed).unlink()
    assert store.load(key) is None and store.why_missed(key) == "cached copy missing"


def test_the_kernel_language_is_part_of_the_code_key() -> None:
    """The same code cells under a kernel of another language are another key."""
    nb = _chapter(["x = 1"])
    other = _chapter(["x = 1"])
    other.metadata["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    assert nc.code_digest(other) != nc.code_digest(nb)


def test_the_order_of_the_parameters_does_not_change_the_key() -> None:
    """The same parameters given in another order are the same key (no needless re-run)."""
    nb = _chapter(["x = 1"])
    shuffled = {"seed": 0, "profile": "quick", "data_dir": ""}
    assert _key(nb, parameters=shuffled).digest == _key(nb).digest


def test_dependency_names_come_from_the_installed_metadata_without_a_pyproject(
        tmp_path: Path) -> None:
    """Outside a checkout (no pyproject.toml) the installed genrelib's requirements are named."""
    names = nc._dependency_names(tmp_path)
    assert {"keras", "numpy", "librosa", "papermill"} <= set(names)
    assert names == sorted(names)


def test_genrelib_itself_is_not_a_dependency_of_the_environment_key() -> None:
    """pyproject's ``all`` extra names ``genrelib[...]``: its own version is not an input."""
    assert "genrelib" not in nc._dependency_names()
    assert {"keras", "pytest", "optuna"} <= set(nc._dependency_names())


def test_environment_digest_follows_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another processor architecture (platform.machine) is another environment."""
    import platform

    base = nc.environment_digest("genre-book")
    monkeypatch.setattr(platform, "machine", lambda: "riscv64")
    assert nc.environment_digest("genre-book") != base


def test_an_unreadable_last_key_record_means_not_executed_before(tmp_path: Path) -> None:
    """A broken ``<stem>.last.json`` is read as no record, not an error."""
    store, nb, executed = _store_and_chapter(tmp_path)
    key = _key(nb)
    store.store(key, executed)
    (tmp_path / "cache" / "01_a.last.json").write_text("{not json")
    assert store.why_missed(_key(nb, data="other")) == "not executed before"
