"""Launch buttons that work (genrelib.build.launch, binder/): every chapter's first code cell
installs genrelib from the book's repository where it is missing (Colab) and does nothing
where it is installed, hidden on the page; Binder's configuration installs the project.
The install is tried for real, offline: in a fresh virtual environment whose dependencies
come from this one's site-packages but which lacks genrelib, from a copy of the checkout."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.requirements import Requirement

from genrelib.build.chapters import find_notebooks
from genrelib.build.execute import KERNEL_NAME
from genrelib.build.launch import (CELL_ID, HIDE_TAG, PIP_OPTIONS_ENV, SOURCE_ENV, chapter_install_source,
                                   install_cell_source, pretrained_pins, repository, write_install_cells)

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = find_notebooks(REPO / "notebooks")


def _code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def _import_cell(path: Path) -> str:
    """The chapter's import cell: the first code cell after the parameters cell."""
    cells = _code_cells(path)
    index = next(i for i, cell in enumerate(cells) if "parameters" in cell.metadata.get("tags", []))
    return cells[index + 1].source


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_starts_with_the_hidden_install_cell(path: Path) -> None:
    first = _code_cells(path)[0]
    url, branch = repository(REPO / "_config.yml")
    assert first.get("id") == CELL_ID, f"{path.name}: the first code cell must be the install cell " \
        "(python -m genrelib.build.launch writes it)"
    assert first.source == chapter_install_source(nbformat.read(path, as_version=4), url, branch), \
        f"{path.name}: the install cell is not the one for {url} ({branch}): run python -m genrelib.build.launch"
    assert first.metadata.get("tags") == [HIDE_TAG], f"{path.name}: the install cell must be hidden on the page"
    assert f'"{url}"' in first.source and f'"{branch}"' in first.source


def test_a_chapter_with_the_pretrained_taggers_installs_their_weights_without_dependencies() -> None:
    """On Colab, chapter 10 needs musicnn's wheel (the taggers' weights), installed as make and
    Binder install it: --no-deps, the pin of pyproject's [pretrained] extra; the other
    chapters do not download it.

    Break tried: the install cell without the pretrained pins (as before) -> chapter 10's cell
    lacks musicnn (MissingWeightsError on Colab at its first load_pretrained)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert pretrained_pins() == tuple(project["optional-dependencies"]["pretrained"]) == ("musicnn==0.1.0",)
    url, branch = repository(REPO / "_config.yml")
    for path in CHAPTERS:
        source = _code_cells(path)[0].source
        uses = any("genrelib.pretrained" in cell.source for cell in _code_cells(path)[1:])
        assert ('"--no-deps",\n                    "musicnn==0.1.0"' in source) == uses, path.name
        assert uses == (path.name == "10_transfer_learning.ipynb"), path.name
    assert "musicnn" not in install_cell_source(url, branch)


def test_writing_the_install_cell_inserts_it_and_changes_nothing_else(tmp_path: Path) -> None:
    chapter = tmp_path / CHAPTERS[0].name
    shutil.copy(CHAPTERS[0], chapter)
    assert write_install_cells([chapter], config_path=REPO / "_config.yml") == [], "already current"
    committed = nbformat.read(chapter, as_version=4)
    without = nbformat.read(chapter, as_version=4)
    without.cells = [cell for cell in without.cells if cell.get("id") != CELL_ID]
    nbformat.write(without, chapter)
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/fork\n  branch: draft\n")
    assert write_install_cells([chapter], config_path=config) == [chapter]
    rewritten = nbformat.read(chapter, as_version=4)
    others = [cell for cell in rewritten.cells if cell.get("id") != CELL_ID]
    assert others == [cell for cell in committed.cells if cell.get("id") != CELL_ID]
    first = [cell for cell in rewritten.cells if cell.cell_type == "code"][0]
    assert first.id == CELL_ID and first.source == install_cell_source("https://github.com/someone/fork", "draft")
    assert rewritten.cells.index(first) == committed.cells.index(_code_cells(CHAPTERS[0])[0])
    config.write_text("repository:\n  url: genre-book\n")
    with pytest.raises(ValueError, match="repository.url"):
        write_install_cells([chapter], config_path=config)


def test_the_install_cell_does_nothing_where_genrelib_is_installed(tmp_path: Path) -> None:
    source = install_cell_source(*repository(REPO / "_config.yml"))
    env = dict(os.environ, PYTHONPATH=str(REPO), **{SOURCE_ENV: str(tmp_path / "nowhere"),
                                                    PIP_OPTIONS_ENV: "--not-a-pip-option"})
    done = subprocess.run([sys.executable, "-c", source], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "genre-book").exists()


def _environment_without_genrelib(tmp_path: Path) -> Path:
    """A virtual environment that sees this one's packages (a .pth line naming a folder of
    links to them) but not genrelib, and nothing downloaded; returns its python."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    links = tmp_path / "shared-packages"
    links.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.name.lower().startswith(("genrelib", "__editable__")) or entry.suffix == ".pth":
            continue
        (links / entry.name).symlink_to(entry)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "shared-packages.pth").write_text(f"{links}\n")
    return python


def _checkout_copy(tmp_path: Path) -> Path:
    """What the install needs of the repository: pyproject.toml, README.md, genrelib/."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, checkout / name)
    shutil.copytree(REPO / "genrelib", checkout / "genrelib", ignore=shutil.ignore_patterns("__pycache__"))
    return checkout


def _imports(source: str) -> str:
    """The import statements of a cell, as source."""
    tree = ast.parse(source)
    return "\n".join(ast.get_source_segment(source, node) for node in tree.body
                     if isinstance(node, (ast.Import, ast.ImportFrom)))


def test_the_install_cell_installs_genrelib_where_it_is_missing(tmp_path: Path) -> None:
    python = _environment_without_genrelib(tmp_path)
    checkout = _checkout_copy(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update({"MPLBACKEND": "Agg", "GENREBOOK_CACHE": str(tmp_path / "cache"), "PIP_NO_INDEX": "1",
                "PIP_DISABLE_PIP_VERSION_CHECK": "1", SOURCE_ENV: str(checkout),
                PIP_OPTIONS_ENV: "--no-deps --no-build-isolation --no-index"})
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec('genrelib') is not None)"
    assert subprocess.run([str(python), "-c", probe], cwd=work, env=env).returncode == 0, \
        "the clean environment must not see genrelib"
    assert subprocess.run([str(python), "-c", "import numpy, pandas, librosa, IPython"], cwd=work,
                          env=env).returncode == 0, "the clean environment must see the dependencies"

    first = CHAPTERS[0]
    cells = _code_cells(first)
    script = "\n\n".join([cells[0].source, next(c.source for c in cells if "parameters" in c.metadata.get("tags", [])),
                          _import_cell(first)]
                         + [_imports(_import_cell(chapter)) for chapter in CHAPTERS[1:]]
                         + ["print('imports ok')"])
    done = subprocess.run([str(python), "-c", script], cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "profile 'quick', seed 0, data_dir '(synthetic)'" in done.stdout and "imports ok" in done.stdout

    # Installed, not only on this process's path: a new process finds it, with its command.
    check = ("import genrelib, importlib.metadata, json; "
             "print(json.dumps([genrelib.__file__, importlib.metadata.version('genrelib')]))")
    found = subprocess.run([str(python), "-c", check], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    location, version = json.loads(found.stdout)
    assert Path(location).resolve() == (checkout / "genrelib" / "__init__.py").resolve()
    assert version == tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert (python.parent / "genrelib").is_file(), "pip installs the genrelib command"


# --------------------------------------------------------------------------- Binder
def _pins(lines: list[str], python: str) -> dict[str, str]:
    pins = {}
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"python_version": python}):
            pins[requirement.name.lower()] = str(requirement.specifier)
    return pins


def test_binder_installs_the_project_and_its_kernel() -> None:
    binder = REPO / "binder"
    post_build = binder / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    commands = [line.strip() for line in post_build.read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    install = next(line for line in commands if " pip install " in line)
    assert install.split()[-1] == "." and "--editable" in install, "postBuild installs the repository itself"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == "genrelib", "the repository root is the genrelib project"
    assert any(f"--name {KERNEL_NAME}" in line and "ipykernel install" in line for line in commands), \
        "postBuild registers the kernel the chapters name"
    assert all(nbformat.read(p, as_version=4).metadata["kernelspec"]["name"] == KERNEL_NAME for p in CHAPTERS)

    runtime = (binder / "runtime.txt").read_text().strip()
    conda = yaml.safe_load((REPO / "environment.yml").read_text())["dependencies"]
    assert runtime == "python-" + next(d.split("=")[1] for d in conda if str(d).startswith("python=")), \
        "binder/runtime.txt must name the Python that environment.yml pins"
    python = runtime.removeprefix("python-")
    wanted = project["dependencies"] + project["optional-dependencies"]["models"] \
        + project["optional-dependencies"]["tune"]
    listed = [line for line in (binder / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert _pins(listed, python) == _pins(wanted, python), \
        "binder/requirements.txt must pin what pyproject.toml pins (dependencies, [models], [tune])"


def test_the_repository_branch_defaults_to_main(tmp_path: Path) -> None:
    """A ``_config.yml`` repository without a branch names ``main``."""
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/fork\n")
    assert repository(config) == ("https://github.com/someone/fork", "main")


def test_an_install_cell_that_lost_its_hiding_tag_is_written_again(tmp_path: Path) -> None:
    """An install cell with the right source but without ``remove-cell`` gets the tag back."""
    chapter = tmp_path / CHAPTERS[0].name
    shutil.copy(CHAPTERS[0], chapter)
    nb = nbformat.read(chapter, as_version=4)
    install = next(cell for cell in nb.cells if cell.get("id") == CELL_ID)
    install.metadata["tags"] = []
    nbformat.write(nb, chapter)
    assert write_install_cells([chapter], config_path=REPO / "_config.yml") == [chapter]
    assert _code_cells(chapter)[0].metadata.get("tags") == [HIDE_TAG]
    assert nbformat.read(chapter, as_version=4) == nbformat.read(CHAPTERS[0], as_version=4)


def test_a_repository_without_https_or_without_a_section_is_refused(tmp_path: Path) -> None:
    """``repository.url`` must be an https:// URL; a config without ``repository`` says so."""
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: http://github.com/someone/fork\n")
    with pytest.raises(ValueError, match="repository.url"):
        repository(config)
    config.write_text("title: a book\n")
    with pytest.raises(ValueError, match="repository.url"):
        repository(config)


def test_prose_naming_the_pretrained_module_installs_no_weights() -> None:
    """Only code importing ``genrelib.pretrained`` adds musicnn's pin, not a markdown cell."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Chapter 10 uses `genrelib.pretrained`."),
        nbformat.v4.new_code_cell("x = 1")])
    url, branch = "https://github.com/someone/fork", "main"
    assert chapter_install_source(nb, url, branch) == install_cell_source(url, branch)


def test_an_install_cell_of_another_repository_is_rewritten(tmp_path: Path) -> None:
    """After a fork changes ``_config.yml``, the existing install cell names the new repository."""
    chapter = tmp_path / CHAPTERS[0].name
    shutil.copy(CHAPTERS[0], chapter)
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/fork\n  branch: draft\n")
    assert write_install_cells([chapter], config_path=config) == [chapter]
    first = _code_cells(chapter)[0]
    assert first.id == CELL_ID and first.metadata.get("tags") == [HIDE_TAG]
    assert first.source == install_cell_source("https://github.com/someone/fork", "draft")
    assert len(_code_cells(chapter)) == len(_code_cells(CHAPTERS[0])), "replaced, not added"


def test_a_chapter_without_code_gets_the_install_cell_after_its_prose(tmp_path: Path) -> None:
    """With no code cell to precede, the install cell goes last: the title stays first."""
    chapter = tmp_path / "01_a.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")]),
                   chapter)
    assert write_install_cells([chapter], config_path=REPO / "_config.yml") == [chapter]
    cells = nbformat.read(chapter, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "code"] and cells[1].id == CELL_ID
