"""Features of a clip (log-mel, MFCC or summary statistics per 3 s segment), the standardiser
and the parallel, cached extraction of a whole dataset.

Modules, one job each: ``spectral`` (the maths chapter 2 teaches), ``blockwise`` (the same
maths, fast, for whole clips), ``segments`` (``clip_features``, ``SegmentStream``), ``stats``
(the classical models' statistics), ``featureset``, ``standardize``, ``extract`` (parallel
extraction), ``store`` (the .npz cache), ``worker`` (one track), ``cluster`` (Dask).
Notebook: 02_features.ipynb
"""

from genrelib.features.blockwise import log_mel
from genrelib.features.cluster import CLUSTER_EXTRA, SCHEDULER_TIMEOUT, SchedulerError
from genrelib.features.extract import ClipLengthWarning, SampleRateWarning, SkippedClipWarning, extract_features
from genrelib.features.featureset import FeatureSet
from genrelib.features.segments import SegmentStream, clip_features, segment_frame_starts
from genrelib.features.spectral import (DB_AMIN, analysis_frames, feature_steps, hann_window,
                                        mel_filterbank, mel_spectrogram, mfcc_from_log_mel,
                                        power_spectrogram, power_to_db)
from genrelib.features.standardize import Standardizer
from genrelib.features.stats import CONTRAST_BANDS, CONTRAST_FMIN, ROLLOFF_PERCENT
from genrelib.features.store import FEATURES_VERSION, STATS_VERSION, feature_cache_path

__all__ = [
    "CLUSTER_EXTRA",
    "CONTRAST_BANDS",
    "CONTRAST_FMIN",
    "DB_AMIN",
    "FEATURES_VERSION",
    "FeatureSet",
    "ROLLOFF_PERCENT",
    "SCHEDULER_TIMEOUT",
    "STATS_VERSION",
    "SchedulerError",
    "SegmentStream",
    "ClipLengthWarning",
    "SampleRateWarning",
    "SkippedClipWarning",
    "Standardizer",
    "analysis_frames",
    "clip_features",
    "extract_features",
    "feature_cache_path",
    "feature_steps",
    "hann_window",
    "log_mel",
    "mel_filterbank",
    "mel_spectrogram",
    "mfcc_from_log_mel",
    "power_spectrogram",
    "power_to_db",
    "segment_frame_starts",
]
