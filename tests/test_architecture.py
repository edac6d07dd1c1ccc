"""The shape of the library: the flow runs one way, and no module imports itself in a circle.

Every module of ``genrelib`` has a place in the flow (``LAYERS``, lowest first): audio ->
index -> split -> features -> model -> run records -> training -> metrics -> the end-to-end run ->
figures and the book -> the command line. A module may import its own layer and the ones
below it, never one above (function-local and type-only imports count too), and the
import graph has no cycle. A new module must be given its place here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "genrelib"

#: (layer name, module prefixes), lowest layer first. A prefix matches the module itself
#: and, for a package, everything below it.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("settings", ("genrelib", "genrelib.config", "genrelib.cache", "genrelib.cpu_threads", "genrelib.errors",
                  "genrelib.provenance")),
    ("audio", ("genrelib.audio",)),
    ("datasets: index, split, synthetic", ("genrelib.datasets",)),
    ("features", ("genrelib.features",)),
    ("pretrained taggers: their input, tags and embeddings", ("genrelib.pretrained",)),
    ("looking at data", ("genrelib.explore", "genrelib.leakage")),
    ("models", ("genrelib.models",)),
    ("run records", ("genrelib.runs",)),
    ("augmentation", ("genrelib.augment",)),
    ("training", ("genrelib.training",)),
    ("evaluation", ("genrelib.evaluation",)),
    ("the end-to-end run", ("genrelib.pipeline", "genrelib.predict")),
    ("tuning: sweeps and searches of runs", ("genrelib.tuning",)),
    ("figures and results", ("genrelib.plots", "genrelib.results")),
    ("build tooling: the book", ("genrelib.build",)),
    ("command line", ("genrelib.cli", "genrelib.commands", "genrelib.__main__")),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    """Index into LAYERS of the most specific prefix that matches ``module``."""
    best, best_length = None, -1
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or (prefix != "genrelib" and module.startswith(prefix + "."))
            if matches and len(prefix) > best_length:
                best, best_length = rank, len(prefix)
    if best is None:
        raise KeyError(module)
    return best


def _target(importer: str, node: ast.ImportFrom, alias: ast.alias) -> str | None:
    """The genrelib module an ``from X import name`` brings in (the submodule when ``name``
    is one, else the module X itself)."""
    base = node.module or ""
    if node.level:  # relative import
        anchor = importer.split(".")
        if not MODULES[importer].name == "__init__.py":
            anchor = anchor[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join(anchor + ([base] if base else []))
    if not (base == "genrelib" or base.startswith("genrelib.")):
        return None
    submodule = f"{base}.{alias.name}"
    return submodule if submodule in MODULES else base


def imports_of(module: str) -> set[str]:
    """Every genrelib module that ``module`` imports, anywhere in its source."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name == "genrelib" or a.name.startswith("genrelib.")}
        elif isinstance(node, ast.ImportFrom):
            found |= {t for a in node.names if (t := _target(module, node, a))}
    found.discard(module)
    return {name for name in found if name in MODULES}


GRAPH: dict[str, set[str]] = {module: imports_of(module) for module in MODULES}


def test_every_module_has_a_place_in_the_flow() -> None:
    homeless = []
    for module in MODULES:
        try:
            layer_of(module)
        except KeyError:
            homeless.append(module)
    assert not homeless, f"give these modules a layer in tests/test_architecture.py LAYERS: {homeless}"


def test_no_module_imports_a_stage_above_it() -> None:
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in GRAPH.items() for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert not upward, "imports against the flow:\n" + "\n".join(upward)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_no_import_cycles() -> None:
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_checks_catch_what_they_name() -> None:
    """The checkers themselves: an upward edge and a cycle are found."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert layer_of("genrelib.training") > layer_of("genrelib.models") > layer_of("genrelib.features")
    assert layer_of("genrelib.runs") > layer_of("genrelib.models.kinds") == layer_of("genrelib.models")
    assert layer_of("genrelib.datasets.synthetic.render") == layer_of("genrelib.datasets")
    assert layer_of("genrelib.commands.train") == len(LAYERS) - 1
    with pytest.raises(KeyError):
        layer_of("genrelib_extra.thing")


def test_commands_share_their_error_type_without_importing_the_cli() -> None:
    for module, targets in GRAPH.items():
        if module.startswith("genrelib.commands."):
            assert "genrelib.cli" not in targets, f"{module} imports genrelib.cli"
    assert "genrelib.errors" in GRAPH["genrelib.cli"]


# --------------------------------------------------------------------------- the core path

ROOT = PACKAGE.parent
ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
#: What a learner opens from a chapter: one job per module, at most about 300 lines.
CORE_PATH: tuple[str, ...] = ("genrelib.config", "genrelib.cache", "genrelib.audio",
                              "genrelib.datasets", "genrelib.features", "genrelib.models",
                              "genrelib.runs", "genrelib.augment", "genrelib.training",
                              "genrelib.evaluation", "genrelib.pipeline")
MAX_CORE_LINES = 310
#: The book's build tooling, run by ``genrelib book``; learners never import it.
BUILD_TOOLING = "genrelib.build"
#: Who may import the build tooling: itself and the command line.
BUILD_USERS: tuple[str, ...] = (BUILD_TOOLING, "genrelib.cli", "genrelib.commands", "genrelib.__main__")


def _under(module: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def long_modules(modules: dict[str, Path], *, limit: int = MAX_CORE_LINES) -> list[str]:
    """Core-path modules longer than ``limit`` lines, with their length."""
    return [f"{m} ({n} lines)" for m, p in modules.items() if _under(m, CORE_PATH)
            and (n := len(p.read_text(encoding="utf-8").splitlines())) > limit]


def test_core_path_modules_are_short() -> None:
    """Break tried: genrelib/audio/decode.py padded to 320 lines -> this test fails."""
    assert not long_modules(MODULES), "split these core-path modules (one job, ~300 lines each): " + \
        ", ".join(long_modules(MODULES))


def build_importers(graph: dict[str, set[str]]) -> list[str]:
    """Modules outside BUILD_USERS that import the build tooling."""
    return [f"{m} imports {t}" for m, targets in graph.items() for t in sorted(targets)
            if _under(t, BUILD_TOOLING) and not _under(m, BUILD_USERS)]


def test_the_library_never_imports_the_build_tooling() -> None:
    assert not build_importers(GRAPH), "\n".join(build_importers(GRAPH))


def mapped_modules(text: str) -> set[str]:
    """The modules the architecture page lists (``- `genrelib/x/y.py`: ...``)."""
    return {module_name(ROOT / path) for path in re.findall(r"^- `(genrelib/[\w/]+\.py)`:", text, re.M)}


def test_every_module_is_on_the_architecture_map() -> None:
    mapped = mapped_modules(ARCHITECTURE.read_text(encoding="utf-8"))
    missing, stale = sorted(set(MODULES) - mapped), sorted(mapped - set(MODULES))
    assert not missing, f"add these modules to the module map of docs/ARCHITECTURE.md: {missing}"
    assert not stale, f"docs/ARCHITECTURE.md maps modules that do not exist: {stale}"


def test_the_new_checks_catch_what_they_name(tmp_path) -> None:
    """The checkers themselves: a long core module, a library import of the build tooling, a
    module missing from the map."""
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * (MAX_CORE_LINES + 1))
    short = tmp_path / "short.py"
    short.write_text("x = 1\n")
    assert long_modules({"genrelib.features.big": long, "genrelib.plots.big": long,
                         "genrelib.features.small": short}) == [f"genrelib.features.big ({MAX_CORE_LINES + 1} lines)"]
    assert build_importers({"genrelib.pipeline.run": {"genrelib.build.tidy"},
                            "genrelib.commands.book": {"genrelib.build"}}) == [
        "genrelib.pipeline.run imports genrelib.build.tidy"]
    assert mapped_modules("- `genrelib/a.py`: one.\n- `genrelib/b/__init__.py`: two.\n `genrelib/c.py`") == {
        "genrelib.a", "genrelib.b"}


def guard_table(text: str) -> list[tuple[list[str], list[str]]]:
    """Each row of the leakage-guards table: (library files of its "where" cell, tests named)."""
    section = text.split("### Leakage guards", 1)[-1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`tests/" in line]
    return [(re.findall(r"`((?:\w+/)+\w+\.py)`", line.split(" | ")[1]),
             re.findall(r"`(tests/\w+\.py::\w+)`", line)) for line in rows]


def missing_guard_tests(rows: list[tuple[list[str], list[str]]]) -> list[str]:
    """The table's library files and tests that do not exist."""
    missing = []
    for files, tests in rows:
        missing += [f for f in files if not (ROOT / "genrelib" / f).is_file()]
        for test in tests:
            path, name = test.split("::")
            source = (ROOT / path).read_text(encoding="utf-8") if (ROOT / path).is_file() else ""
            if not re.search(rf"^def {name}\(", source, re.M):
                missing.append(test)
    return missing


def test_every_leakage_guard_names_a_test_that_exists() -> None:
    """docs/ARCHITECTURE.md's table of leakage guards (issue 22) stays true: each row names
    the library files it guards and at least one test, and each exists.

    Break tried: a test renamed in the table (..._training_tracks_onlyX) fails this test."""
    rows = guard_table(ARCHITECTURE.read_text(encoding="utf-8"))
    assert len(rows) >= 15, f"the leakage-guards table lost rows: {len(rows)} left"
    assert all(tests for _, tests in rows) and all(files for files, _ in rows)
    missing = missing_guard_tests(rows)
    assert not missing, f"docs/ARCHITECTURE.md's leakage guards name what does not exist: {missing}"


#: The longest line genrelib's sources may hold (the chapters print library code; a reader
#: scrolls sideways past this).
MAX_LINE = 120


def long_lines(package: Path = PACKAGE, limit: int = MAX_LINE) -> list[str]:
    """``path:line (length)`` of every source line of ``package`` longer than ``limit``."""
    return [f"{path.relative_to(package.parent)}:{number} ({len(line)})"
            for path in sorted(package.rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if len(line) > limit]


def test_library_lines_fit_in_120_columns(tmp_path) -> None:
    """Break tried: a line of 121 characters in a module of a copy of the package -> named."""
    assert not long_lines(), "wrap these lines (at most 120 characters): " + ", ".join(long_lines())
    (tmp_path / "genrelib").mkdir()
    (tmp_path / "genrelib" / "wide.py").write_text("x = 1\n" + "#" * 121 + "\n", encoding="utf-8")
    assert long_lines(tmp_path / "genrelib") == ["genrelib/wide.py:2 (121)"]
