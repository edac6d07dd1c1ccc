"""Genres of a recording (any format, rate and length) from trained models: the top-k genres, a
timeline, and a note when the genres mean little.

``models``: ``load_predictor`` (one model or an averaged ensemble); ``files``:
``predict_file`` and ``predict_paths`` (chunk by chunk, any format, rate and length);
``checks``: how a file compares with the training data (near-silent, unfamiliar). Every
public name is re-exported here.
Notebook: 09_using_the_model.ipynb
"""

from genrelib.predict.checks import FAR_DISTANCE, SILENCE_DBFS, STEADY_VARIATION, InputReport
from genrelib.predict.files import (CHUNK_SECONDS, SHOWN_PASSED_OVER, FileFailure, FilePrediction,
                                    PassedOverWarning, PredictionError, audio_files, passed_over_files,
                                    passed_over_message, predict_file, predict_paths)
from genrelib.predict.models import SCORE_BATCH, ModelMember, Predictor, load_predictor, model_settings

__all__ = ["CHUNK_SECONDS", "FAR_DISTANCE", "FileFailure", "FilePrediction", "InputReport",
           "ModelMember", "PassedOverWarning", "PredictionError", "Predictor", "SCORE_BATCH", "SHOWN_PASSED_OVER",
           "SILENCE_DBFS", "STEADY_VARIATION", "audio_files", "load_predictor", "model_settings",
           "passed_over_files", "passed_over_message", "predict_file", "predict_paths"]
