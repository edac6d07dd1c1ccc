"""From segment probabilities to the numbers of the book (numpy, SciPy, scikit-learn; no Keras).

``aggregate`` (segments -> tracks), ``metrics`` (accuracy, F1, confusion, top-k),
``intervals`` (bootstrap over tracks or artists), ``result`` (``evaluate_predictions`` and its typed
records), ``ensembles`` (averaging models) and ``significance`` (paired tests).
Notebook: 07_evaluation.ipynb
"""

from genrelib.evaluation.aggregate import (AGGREGATION_METHODS, TrackPredictions, aggregate_tracks,
                                           group_segments, track_truth)
from genrelib.evaluation.ensembles import (SegmentPredictions, check_same_genres,
                                           ensemble_predictions, same_segments)
from genrelib.evaluation.intervals import (BOOTSTRAP_METRICS, bootstrap_interval, cluster_bootstrap_interval,
                                           mean_interval)
from genrelib.evaluation.metrics import (TOP_K, GenreScores, LevelReport, classification_report,
                                         confusion, top_k_accuracy)
from genrelib.evaluation.result import (Bootstrap, EvaluationResult, EvaluationSummary,
                                        evaluate_predictions, top_genres)
from genrelib.evaluation.significance import (PairedComparison, PairedTest, bonferroni_bar,
                                              cluster_sign_flip_pvalue, compare_predictions, holm_passed,
                                              mcnemar_exact, paired_t_test, sign_flip_floor)

__all__ = [
    "AGGREGATION_METHODS", "BOOTSTRAP_METRICS", "Bootstrap", "EvaluationResult",
    "EvaluationSummary", "GenreScores", "LevelReport", "PairedComparison", "PairedTest",
    "SegmentPredictions", "TOP_K", "TrackPredictions", "aggregate_tracks", "bonferroni_bar",
    "bootstrap_interval", "check_same_genres", "classification_report", "cluster_bootstrap_interval",
    "cluster_sign_flip_pvalue",
    "sign_flip_floor",
    "compare_predictions", "confusion",
    "ensemble_predictions", "evaluate_predictions", "group_segments", "holm_passed", "mcnemar_exact", "mean_interval",
    "paired_t_test", "same_segments", "top_genres", "top_k_accuracy", "track_truth",
]
