"""Every figure of the book, one function each; each returns a matplotlib Figure.

Functions never call ``plt.show()``: notebooks display the returned figure, tests
save it. Without a display matplotlib falls back to its non-interactive Agg backend.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
