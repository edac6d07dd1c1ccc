"""Every figure of the book, one function each; each returns a matplotlib Figure.

Grouped by topic (``data``, ``features``, ``training``, ``evaluation``, ``tuning``,
``augmentation``, ``prediction``) and re-exported here, so chapters write
``from genrelib import plots`` and ``plots.plot_x(...)``. Functions never call
``plt.show()``: notebooks display the returned figure, tests save it. Without a display
matplotlib falls back to its non-interactive Agg backend.
"""

from __future__ import annotations

from genrelib.plots.augmentation import plot_augmentations
from genrelib.plots.data import (plot_durations, plot_genre_artists, plot_leakage, plot_split_protocols,
                                 plot_waveforms)
from genrelib.plots.evaluation import (plot_confusion_matrix, plot_embedding, plot_filters, plot_intervals,
                                       plot_model_comparison, plot_per_genre)
from genrelib.plots.features import (plot_mel_filterbank, plot_mel_steps, plot_mfcc, plot_segmentation,
                                     plot_standardization, plot_stft)
from genrelib.plots.prediction import plot_timeline
from genrelib.plots.training import plot_learning_curves
from genrelib.plots.tuning import plot_factor_sweeps

__all__ = [
    "plot_augmentations", "plot_confusion_matrix", "plot_durations", "plot_embedding", "plot_factor_sweeps",
    "plot_filters", "plot_genre_artists", "plot_intervals", "plot_leakage", "plot_learning_curves",
    "plot_mel_filterbank", "plot_mel_steps", "plot_mfcc", "plot_model_comparison", "plot_per_genre",
    "plot_segmentation", "plot_split_protocols", "plot_standardization", "plot_stft", "plot_timeline",
    "plot_waveforms",
]
