"""Runs, above every stage of the flow: ``spec`` (what a run is), ``run`` (one run end to
end), ``folder`` (writing its folder safely), ``records`` (its typed records),
``crossval`` (k folds by track) and ``scoring`` (saved runs on any data).
Notebook: 03_cnn.ipynb
"""

from genrelib.pipeline.crossval import CV_PROTOCOLS, cross_validate, cross_validated_predictions, fold_dirs
from genrelib.pipeline.folder import ReplacedRunWarning, RunFolderError
from genrelib.pipeline.records import (RunConfig, RunMetrics, RunRecord, RunResult, SetSizes,
                                       describe_run, estimate_epoch_seconds, load_run_record)
from genrelib.pipeline.run import (ModelBuilder, UntrainedGenreWarning, capped_index, evaluate_features,
                                   model_features, train_run)
from genrelib.pipeline.scoring import (EnsembleEvaluation, SeenTracksWarning, compare_runs, evaluate_run,
                                       evaluate_runs, run_predictions, unseen_index)
from genrelib.pipeline.spec import RUN_SET, Hardware, RunSpec, check_options, train_config

__all__ = [
    "CV_PROTOCOLS", "EnsembleEvaluation", "RUN_SET", "Hardware", "ModelBuilder", "ReplacedRunWarning", "RunConfig",
    "RunFolderError", "RunMetrics", "RunRecord", "RunResult", "RunSpec", "SeenTracksWarning", "SetSizes",
    "UntrainedGenreWarning", "capped_index", "check_options",
    "compare_runs", "cross_validate", "cross_validated_predictions", "describe_run",
    "estimate_epoch_seconds",
    "evaluate_features", "evaluate_run", "evaluate_runs", "fold_dirs", "load_run_record", "model_features",
    "run_predictions", "train_config", "train_run", "unseen_index",
]
