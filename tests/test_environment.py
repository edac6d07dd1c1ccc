"""environment.yml (the conda route) pins exactly what pyproject.toml pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

# PyPI name -> conda-forge name where they differ.
CONDA_NAMES = {"soundfile": "pysoundfile"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _environment(repo_root: Path) -> tuple[str, dict[str, str]]:
    """(python version, {canonical PyPI name: version}) from environment.yml."""
    data = yaml.safe_load((repo_root / "environment.yml").read_text(encoding="utf-8"))
    assert "conda-forge" in data["channels"], "environment.yml must use conda-forge"
    to_pypi = {conda: pypi for pypi, conda in CONDA_NAMES.items()}
    python = ""
    pins: dict[str, str] = {}
    for entry in data["dependencies"]:
        if isinstance(entry, dict):
            for line in entry.get("pip", []):
                req = Requirement(line)
                specs = list(req.specifier)
                assert len(specs) == 1 and specs[0].operator == "==", f"pip entry {line!r} must pin with =="
                pins[_canonical(req.name)] = specs[0].version
            continue
        name, _, version = str(entry).partition("=")
        name = name.strip()
        if name == "pip":
            continue
        assert version and not version.startswith("="), f"conda entry {entry!r} must pin name=version"
        if name == "python":
            python = version
            continue
        pins[_canonical(to_pypi.get(name, name))] = version
    assert python, "environment.yml must pin python"
    return python, pins


def _pyproject(repo_root: Path, python: str) -> dict[str, str]:
    """{canonical name: version} of every pin in pyproject (dependencies + extras) that
    applies to ``python``."""
    data = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines.extend(extra)
    pins: dict[str, str] = {}
    for line in lines:
        req = Requirement(line)
        if req.name == project["name"]:
            continue  # "genrelib[models,book,test]"
        if req.marker is not None and not req.marker.evaluate({"python_version": python}):
            continue
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"pyproject entry {line!r} must pin with =="
        pins[_canonical(req.name)] = specs[0].version
    return pins


#: Extras installed WITHOUT their dependencies by make (and Binder's postBuild), never by
#: conda or `pip install genrelib[...]`: their metadata pins what the book cannot run with.
NO_DEPS_EXTRAS = ("pretrained",)


def _no_deps_pins(repo_root: Path) -> dict[str, str]:
    project = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_canonical(Requirement(line).name): list(Requirement(line).specifier)[0].version
            for extra in NO_DEPS_EXTRAS for line in project["optional-dependencies"][extra]}


def test_no_deps_extras_are_installed_without_dependencies(repo_root: Path) -> None:
    """make and Binder install each pin of NO_DEPS_EXTRAS with --no-deps, from pyproject."""
    from subprocess import run

    pins = _no_deps_pins(repo_root)
    assert pins == {"musicnn": "0.1.0"}
    printed = run(["make", "-s", "-f", "Makefile", "--eval", "print-musicnn: ; @echo $(MUSICNN)",
                   "print-musicnn"], cwd=repo_root, capture_output=True, text=True, check=True)
    assert printed.stdout.strip() == "musicnn==0.1.0"
    for target, extras in (("book", "all"), ("test", "all,jax,cluster")):  # what a fresh clone runs
        commands = run(["make", "-n", "-B", target], cwd=repo_root, capture_output=True, text=True,
                       check=True).stdout
        assert f"pip install --quiet --no-compile -e '.[{extras}]'" in commands, (target, commands)
        assert "pip install --quiet --no-compile --no-deps 'musicnn==0.1.0'" in commands, (target, commands)
        # pip compiles nothing: the bytecode comes from compileall on every core, after both
        compiled = commands.find("-m compileall -q -j 0 .venv/lib")
        assert compiled > commands.find("'musicnn==0.1.0'") > 0, (target, commands)
    assert "--no-deps \"$(sed -n" in (repo_root / "binder" / "postBuild").read_text(encoding="utf-8")


def test_environment_yml_pins_what_pyproject_pins(repo_root: Path) -> None:
    python, conda = _environment(repo_root)
    pypi = {k: v for k, v in _pyproject(repo_root, python).items() if k not in _no_deps_pins(repo_root)}
    missing = sorted(set(pypi) - set(conda))
    extra = sorted(set(conda) - set(pypi))
    differ = {name: (pypi[name], conda[name]) for name in set(pypi) & set(conda) if pypi[name] != conda[name]}
    assert not missing, f"pinned in pyproject.toml but absent from environment.yml: {missing}"
    assert not extra, f"in environment.yml but not pinned in pyproject.toml: {extra}"
    assert not differ, f"versions differ (pyproject, environment.yml): {differ}"


def test_environment_python_is_supported(repo_root: Path) -> None:
    python, _ = _environment(repo_root)
    requires = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]["requires-python"]
    from packaging.specifiers import SpecifierSet

    assert python in SpecifierSet(requires), f"environment.yml python={python} violates {requires}"

