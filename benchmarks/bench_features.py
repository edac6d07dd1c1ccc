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
  the popular GTZAN Keras tutorials);
- per-segment + matmul: the naive loop with the mel projection done as one matrix product
  (a stronger baseline: librosa 1.0's ``melspectrogram`` projects with a slow ``np.einsum``),
  which isolates the gain of one STFT per clip + parallel workers.

The two methods run alternately ``--repeat`` times in one process (so a busy machine slows
both alike) after one warm-up track each (imports and lazy initialisation are not timed);
every method uses one BLAS thread per process/worker (OpenBLAS threads spinning on a busy
2-core machine would distort the single-process baselines); the median is reported, plus the library's "loky" (process) backend for comparison, whose
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
from threadpoolctl import threadpool_limits  # noqa: E402

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


def matmul_track(path: str, cfg: FeatureConfig, basis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stronger baseline: still one STFT per segment, but the mel projection as one matmul
    (librosa 1.0's ``melspectrogram`` projects with a slow ``np.einsum``)."""
    signal, sr = librosa.load(path, sr=cfg.sample_rate)
    signal = librosa.util.fix_length(signal, size=cfg.clip_samples)
    mels, mfccs = [], []
    for d in range(cfg.segments_per_clip):
        start = d * cfg.segment_hop_samples
        S = np.abs(librosa.stft(signal[start:start + cfg.segment_samples], n_fft=cfg.n_fft,
                                hop_length=cfg.hop_length)) ** 2
        S_db = librosa.power_to_db(basis @ S, ref=1.0, amin=1e-10, top_db=None)
        mels.append(S_db)
        mfccs.append(librosa.feature.mfcc(S=S_db, n_mfcc=cfg.n_mfcc))
    return np.stack(mels), np.stack(mfccs)


def run_naive(paths: list[str], cfg: FeatureConfig, basis: np.ndarray | None = None) -> np.ndarray:
    """Run a single-process baseline over every path; returns the first track's log-mel."""
    first = None
    with threadpool_limits(limits=1):  # one process, one BLAS thread (as each library worker)
        for path in paths:
            mel, _ = naive_track(path, cfg) if basis is None else matmul_track(path, cfg, basis)
            first = mel if first is None else first
    return first


def run_library(index, cfg: FeatureConfig, *, n_jobs: int, backend: str) -> np.ndarray:
    """genrelib from audio to log-mel + MFCC; returns the first track's log-mel."""
    mel = extract_features(index, cfg, cache_dir=False, n_jobs=n_jobs, progress=False, backend=backend)
    mfcc_from_log_mel(mel.X, n_mfcc=cfg.n_mfcc)
    return mel.X[:cfg.segments_per_clip]


def timed(function, *args, **kwargs) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process incl. its threads, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu, result


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

    methods = {
        "library": ("genrelib, threads (default), n_jobs=%d" % n_jobs,
                    lambda: run_library(index, cfg, n_jobs=n_jobs, backend="threading")),
        "loky": ("genrelib, loky processes, n_jobs=%d (workers running)" % n_jobs,
                 lambda: run_library(index, cfg, n_jobs=n_jobs, backend="loky")),
        "naive": ("naive per-segment librosa loop, 1 process", lambda: run_naive(paths, cfg)),
        "matmul": ("per-segment STFT + matmul mel, 1 process", lambda: run_naive(paths, cfg, basis)),
    }
    walls: dict[str, list[float]] = {name: [] for name in methods}
    cpus: dict[str, list[float]] = {name: [] for name in methods}
    firsts: dict[str, np.ndarray] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a skipped clip would make the comparison unfair
        # warm-up: imports, filterbank, FFT plans (not timed)
        naive_track(paths[0], cfg)
        basis = librosa.filters.mel(sr=cfg.sample_rate, n_fft=cfg.n_fft, n_mels=cfg.n_mels)
        matmul_track(paths[0], cfg, basis)
        extract_features(index.subset(index.tracks["track_id"][:1]), cfg, cache_dir=False, n_jobs=1, progress=False)
        loky_cold, _, _ = timed(methods["loky"][1])  # includes starting the worker processes
        for _ in range(args.repeat):
            for name, (_, function) in methods.items():
                wall, cpu, firsts[name] = timed(function)
                walls[name].append(wall)
                cpus[name].append(cpu)

    # Same numbers? Segment 0 starts on the frame grid: its interior frames agree with the naive loop.
    diff = np.abs(firsts["library"][0][:, 4:-4] - firsts["naive"][0][:, 4:-4]).max()
    rate = {name: n / statistics.median(times) for name, times in walls.items()}
    print(f"check: max |library - naive| on segment 0 interior = {diff:.2e} dB")
    print("runs (s): " + "; ".join(f"{name} {[round(t, 2) for t in times]}" for name, times in walls.items()))
    print(f"| method | tracks/s (median of {args.repeat}) | CPU ms per track |")
    print("|---|---|---|")
    for name, (label, _) in methods.items():
        cpu = "(in workers)" if name == "loky" else f"{1000 * statistics.median(cpus[name]) / n:.0f}"
        print(f"| {label} | {rate[name]:.1f} | {cpu} |")
    print(f"| genrelib, loky processes, first call (starts the workers) | {n / loky_cold:.1f} | |")
    print(f"speed-up library / naive: {rate['library'] / rate['naive']:.2f}x; "
          f"library / per-segment+matmul: {rate['library'] / rate['matmul']:.2f}x "
          f"(goal >= 1.5x and >= 50 tracks/s); load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
