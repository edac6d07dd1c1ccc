"""Datasets: find and index labelled audio (GTZAN in both layouts, any ``root/<label>/``
tree), verify MD5 manifests, split by track, and the built-in synthetic GTZAN.

Modules (one job each): ``folder`` (find the root, list files), ``gtzan`` (layouts, known
faults, artists), ``manifest`` (MD5s), ``index`` (``DatasetIndex``, ``index_dataset``),
``splits`` (protocols and the leakage check), ``resolve`` (user folder or cached synthetic
data), ``synthetic`` (the generator). Importing this package does not import scikit-learn,
librosa or TensorFlow.
Notebook: 01_data.ipynb
"""

from genrelib.datasets.folder import AUDIO_EXTENSIONS, find_root, list_audio_files
from genrelib.datasets.gtzan import KNOWN_FAULTS, find_split_lists, read_artists
from genrelib.datasets.index import DatasetIndex, UnreadableAudioWarning, index_dataset
from genrelib.datasets.manifest import file_md5, read_manifest, verify_checksums
from genrelib.datasets.resolve import resolve_data_dir, synthetic_cache_dir
from genrelib.datasets.splits import (LeakageError, TrackSplit, artist_split, check_leakage,
                                      kfold_splits, random_split, split_from_lists)

__all__ = [
    "AUDIO_EXTENSIONS", "generate_synthetic_gtzan", "KNOWN_FAULTS", "DatasetIndex", "LeakageError", "TrackSplit",
    "UnreadableAudioWarning", "artist_split", "check_leakage", "file_md5", "find_root", "find_split_lists",
    "index_dataset", "kfold_splits", "list_audio_files", "random_split",
    "read_artists", "read_manifest", "resolve_data_dir", "split_from_lists",
    "synthetic_cache_dir", "verify_checksums",
]


def __getattr__(name: str):
    """``generate_synthetic_gtzan`` is loaded on first use (its DSP imports take a second)."""
    if name == "generate_synthetic_gtzan":
        from genrelib.datasets.synthetic import generate_synthetic_gtzan

        return generate_synthetic_gtzan
    raise AttributeError(f"module 'genrelib.datasets' has no attribute {name!r}")
