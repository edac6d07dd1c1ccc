"""Feature extraction speed on the 80 real GTZAN tracks: genrelib vs a naive per-segment loop.

Both compute, for every 3 s segment (50 % overlap, 19 per clip) of every track, the log-mel
spectrogram (n_fft 2048, hop 512, 128 mels, power -> dB) and the 20 MFCCs of it, starting
from the audio files:

- library: ``extract_features(kind="mel", cache_dir=False, n_jobs=all cores)`` (one STFT per
  clip, segments sliced from it, parallel workers), then the MFCCs of those log-mel segments
  (``mfcc_from_log_mel``, which is what ``extract_features(kind="mfcc")`` does when the log-mel
  set is cached, e.g. in ``genrelib features``);
- naive: one process, ``librosa.load`` per file, then per segment
  ``librosa.feature.melspectrogram`` + ``power_to_db`` + ``librosa.feature.mfcc`` (the loop of
  the popular GTZAN Keras tutorials).

The two methods run alternately ``--repeat`` times in one process (so a busy machine slows
both alike) after one warm-up track each (imports and lazy initialisation are not timed);
the median is reported, plus the library's "loky" (process) backend for comparison, whose
first call includes starting the worker processes.

    python benchmarks/bench_features.py [--data DIR] [--repeat 3] [--jobs N]

Data: --data, else $GENREBOOK_GTZAN_MINI, else ../shared/data/gtzan-mini beside the repo.
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import librosa  # noqa: E402

from genrelib.config import FeatureConfig  # noqa: E402
from genrelib.datasets import index_dataset  # noqa: E402
from genrelib.features import extract_features, mfcc_from_log_mel  # noqa: E402


def default_data() -> Path:
    value = os.environ.get("GENREBOOK_GTZAN_MINI")
    return Path(value) if value else REPO.parent / "shared" / "data" / "gtzan-mini"


def naive_track(path: str, cfg: FeatureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per-segment librosa features of one file: (19, 128, 130) log-mel, (19, 20, 130) MFCC."""
    signal, sr = librosa.load(path, sr=cfg.sample_rate)
    signal = librosa.util.fix_length(signal, size=cfg.clip_samples)  # GTZAN clips are 29.9-30.6 s
    mels, mfccs = [], []
    for d in range(cfg.segments_per_clip):
        start = d * cfg.segment_hop_samples
        segment = signal[start:start + cfg.segment_samples]
        S = librosa.feature.melspectrogram(y=segment, sr=sr, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                                           n_mels=cfg.n_mels)
        S_db = librosa.power_to_db(S, ref=1.0, amin=1e-10, top_db=None)
        mels.append(S_db)
        mfccs.append(librosa.feature.mfcc(S=S_db, n_mfcc=cfg.n_mfcc))
    return np.stack(mels), np.stack(mfccs)


def run_naive(paths: list[str], cfg: FeatureConfig) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    first = None
    for path in paths:
        mel, _ = naive_track(path, cfg)
        first = mel if first is None else first
    return time.perf_counter() - start, first


def run_library(index, cfg: FeatureConfig, *, n_jobs: int, backend: str) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    mel = extract_features(index, cfg, cache_dir=False, n_jobs=n_jobs, progress=False, backend=backend)
    mfcc_from_log_mel(mel.X, n_mfcc=cfg.n_mfcc)
    return time.perf_counter() - start, mel.X[:cfg.segments_per_clip]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data(), help="GTZAN mini folder")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each method (default 3)")
    parser.add_argument("--jobs", type=int, default=None, help="library workers (default: all cores)")
    args = parser.parse_args()
    if not args.data.is_dir():
        parser.error(f"no data at {args.data}: pass --data or set GENREBOOK_GTZAN_MINI")

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_jobs = args.jobs or cores
    index = index_dataset(args.data)
    paths = index.tracks["path"].tolist()
    n = len(paths)
    cfg = FeatureConfig(kind="mel", n_mfcc=20)
    print(f"{datetime.date.today()}  {n} tracks from {args.data}")
    print(f"cores {cores}, library n_jobs {n_jobs}; Python {platform.python_version()}, librosa {librosa.__version__}, "
          f"numpy {np.__version__}; load average before: {os.getloadavg()[0]:.2f}")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a skipped clip would make the comparison unfair
        # warm-up: imports, filterbank, FFT plans (not timed)
        naive_track(paths[0], cfg)
        extract_features(index.subset(index.tracks["track_id"][:1]), cfg, cache_dir=False, n_jobs=1, progress=False)

        loky_cold, _ = run_library(index, cfg, n_jobs=n_jobs, backend="loky")
        library, naive, loky_warm = [], [], []
        for _ in range(args.repeat):
            t, lib_first = run_library(index, cfg, n_jobs=n_jobs, backend="threading")
            library.append(t)
            t, naive_first = run_naive(paths, cfg)
            naive.append(t)
            loky_warm.append(run_library(index, cfg, n_jobs=n_jobs, backend="loky")[0])

    # Same numbers? Segment 0 of track 0 starts on the frame grid: its interior frames agree exactly.
    diff = np.abs(lib_first[0][:, 4:-4] - naive_first[0][:, 4:-4]).max()
    rate = {name: n / statistics.median(times) for name, times in
            (("library", library), ("naive", naive), ("loky", loky_warm))}
    print(f"check: max |library - naive| on segment 0 interior = {diff:.2e} dB")
    print(f"runs (s): library {[round(t, 2) for t in library]}, naive {[round(t, 2) for t in naive]}, "
          f"loky {[round(t, 2) for t in loky_warm]} (cold {loky_cold:.2f})")
    print("| method | tracks/s (median of %d) |" % args.repeat)
    print("|---|---|")
    print(f"| genrelib, threads, n_jobs={n_jobs} | {rate['library']:.1f} |")
    print(f"| genrelib, loky processes, n_jobs={n_jobs} (warm) | {rate['loky']:.1f} |")
    print(f"| genrelib, loky processes, first call (starts workers) | {n / loky_cold:.1f} |")
    print(f"| naive per-segment librosa loop, 1 process | {rate['naive']:.1f} |")
    print(f"speed-up library / naive: {rate['library'] / rate['naive']:.2f}x "
          f"(goal >= 1.5x and >= 50 tracks/s); load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
