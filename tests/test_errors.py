"""genrelib's warnings: one base class for all of them, and their one-line display in the
chapters (``show_warnings_briefly``)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

from genrelib.errors import GenrelibWarning

REPO = Path(__file__).resolve().parents[1]


def _warning_categories() -> list[tuple[str, int, str]]:
    """(module, line, category name) of every ``warnings.warn`` call in genrelib: the class
    of the instance it is given, else its category argument, else "UserWarning" (Python's
    default)."""
    found = []
    for path in sorted((REPO / "genrelib").rglob("*.py")):
        module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "warn" and getattr(node.func.value, "id", "") == "warnings"):
                continue
            given = node.args[0] if node.args else None
            category = (node.args[1] if len(node.args) > 1
                        else next((k.value for k in node.keywords if k.arg == "category"), None))
            if isinstance(given, ast.Call) and isinstance(given.func, ast.Name):
                name = given.func.id
            else:
                name = category.id if isinstance(category, ast.Name) else "UserWarning"
            found.append((module, node.lineno, name))
    return found


def test_every_warning_genrelib_gives_is_a_genrelib_warning() -> None:
    """One filter (``category=GenrelibWarning``) catches every warning of the library.

    Break tried: featureset's warning without its category -> UserWarning named here."""
    calls = _warning_categories()
    assert len(calls) >= 15, calls  # the scan finds the library's warnings
    stray = [f"{module}:{line} warns with {name}" for module, line, name in calls
             if not issubclass(getattr(importlib.import_module(module), name, Warning), GenrelibWarning)
             or not hasattr(importlib.import_module(module), name)]
    assert not stray, "give these warnings a GenrelibWarning category (genrelib/errors.py): " + "; ".join(stray)


def test_the_brief_display_prints_genrelibs_warnings_as_one_line() -> None:
    """A genrelib warning becomes one line of standard output (a chapter page shows it as
    output, not as an error block with a source path); any other warning keeps Python's
    display; a second call changes nothing. Run in a fresh interpreter, as in a kernel
    (pytest records warnings itself).

    Breaks tried: printing to stderr -> stdout empty; no idempotence guard -> a second hook
    wraps the first; every category shown briefly -> the UserWarning is out."""
    script = textwrap.dedent("""
        import warnings
        from genrelib.errors import GenrelibWarning, show_warnings_briefly
        class SkippedClip(GenrelibWarning):
            pass
        warnings.simplefilter("always")
        show_warnings_briefly()
        first = warnings.showwarning
        show_warnings_briefly()  # a chapter's set-up cell run again
        assert warnings.showwarning is first, "a second hook wraps the first"
        warnings.warn("skipped clip blues.00001.wav: unreadable", SkippedClip)
        warnings.warn("someone else's warning", UserWarning)
    """)
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert shown.stdout == "genrelib warns: skipped clip blues.00001.wav: unreadable\n"
    assert "UserWarning: someone else's warning" in shown.stderr
    assert "<string>:12:" in shown.stderr and "blues" not in shown.stderr  # Python's display, its source line
