"""Every figure of the book, one function each; each returns a matplotlib Figure.

Functions never call ``plt.show()``: notebooks display the returned figure, tests
save it. The non-interactive backend is used when no display is available.
"""

from __future__ import annotations

import matplotlib

if matplotlib.get_backend().lower() not in ("module://matplotlib_inline.backend_inline", "agg"):
    try:  # pragma: no cover - depends on the environment
        import matplotlib.pyplot as _plt  # noqa: F401
    except ImportError:
        matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["Figure", "np", "plt"]
