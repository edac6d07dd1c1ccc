"""The package surface of genrelib.plots: every figure function of its topic modules is
re-exported, so chapters keep writing ``from genrelib import plots`` / ``plots.plot_x``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import genrelib.plots


def test_every_plot_function_is_reexported() -> None:
    defined = {}
    for info in pkgutil.iter_modules(genrelib.plots.__path__):
        module = importlib.import_module(f"genrelib.plots.{info.name}")
        defined |= {name: obj for name, obj in inspect.getmembers(module, inspect.isfunction)
                    if name.startswith("plot_") and obj.__module__ == module.__name__}
    assert len(defined) >= 21, sorted(defined)
    assert sorted(genrelib.plots.__all__) == sorted(defined)
    for name, function in defined.items():
        assert getattr(genrelib.plots, name) is function, f"genrelib.plots.{name} is not {function.__module__}.{name}"
