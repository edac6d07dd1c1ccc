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

``--memory`` measures instead the peak resident memory (the kernel's ``ru_maxrss`` of a fresh
process per step, read by ``os.wait4``) of extracting, caching and loading the log-mels of a
GTZAN-sized set (1,000 clips x 19 segments x 128 x 130 float32 = 1.26 GB), e.g. the synthetic
set of ``genrelib data synth DIR --tracks-per-genre 100``; ``--scheduler ADDRESS`` adds the
same extraction on that Dask cluster (``--scheduler local``: a LocalCluster of 2 worker
processes started here), with the workers' own peaks:

    python benchmarks/bench_features.py --memory --data DIR [--scheduler local|ADDRESS]
Notebook: 02_features.ipynb
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
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


# --------------------------------------------------------------------------- --memory

#: What each --memory step does in its own fresh process (after imports and indexing).
MEMORY_STEPS = {
    "extract": "extract_features(mel), empty cache: compute 1,000 clips, write the .npz",
    "load": "extract_features(mel) again: read the cached .npz back",
    "skip": "as extract, one of the clips too short to use (skipped, like GTZAN's corrupt jazz.00054)",
    "command": "genrelib features DATA --out DIR (log-mel + MFCC), empty cache",
    "cluster": "extract_features(mel, scheduler=...), empty cache: this process only",
}


def _rss_mib() -> float:
    """Resident memory of this process now (VmRSS), MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_step(step: str, data: Path, cache: Path, scheduler: str | None) -> None:
    """Run one --memory step in this (fresh) process; print a JSON line of its figures."""
    if step == "command":
        from genrelib.cli import main as cli_main

        before = _rss_mib()
        start = time.perf_counter()
        code = cli_main(["features", str(data), "--out", str(cache), "--quiet"])
        print(json.dumps({"before_mib": before, "seconds": time.perf_counter() - start, "exit": code}))
        return
    index = index_dataset(data, progress=False)
    cfg = FeatureConfig(kind="mel")
    before = _rss_mib()  # numpy, librosa, genrelib and the index loaded
    start = time.perf_counter()
    features = extract_features(index, cfg, cache_dir=cache, progress=False,
                                scheduler=scheduler if step == "cluster" else None)
    seconds = time.perf_counter() - start
    print(json.dumps({"before_mib": before, "seconds": seconds, "shape": list(features.X.shape),
                      "gb": features.X.nbytes / 1e9}))


def run_memory_step(step: str, data: Path, cache: Path, scheduler: str | None) -> dict:
    """``memory_step`` in a child process; its figures plus its peak RSS (``ru_maxrss``)."""
    command = [sys.executable, __file__, "--memory-step", step, "--data", str(data), "--cache", str(cache)]
    if scheduler:
        command += ["--scheduler", scheduler]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"--memory step {step} failed with exit code {child.returncode}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["peak_mib"] = usage.ru_maxrss / 1024  # KiB on Linux
    return figures


def one_clip_too_short(data: Path, out: Path) -> Path:
    """``out``: links to every audio file of ``data`` but the first, which is a 1 s clip there."""
    import soundfile as sf

    paths = index_dataset(data, progress=False).tracks["path"].tolist()
    for i, path in enumerate(map(Path, paths)):
        link = out / path.relative_to(data)
        link.parent.mkdir(parents=True, exist_ok=True)
        if i == 0:
            sf.write(link, np.zeros(22050, dtype=np.float32), 22050, subtype="PCM_16")
        else:
            link.symlink_to(path.resolve())
    return out


def run_memory(data: Path, scheduler: str | None) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n = len(index_dataset(data, progress=False).tracks)
    print(f"{datetime.date.today()}  --memory: {n} tracks from {data}; {cores} cores, "
          f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB, {platform.processor() or platform.machine()}; "
          f"Python {platform.python_version()}, numpy {np.__version__}, librosa {librosa.__version__}; "
          f"load average {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        cache = Path(tmp) / "features"
        for step in ("extract", "load"):
            rows.append((step, run_memory_step(step, data, cache, None)))
        rows.append(("skip", run_memory_step("extract", one_clip_too_short(data, Path(tmp) / "skip"),
                                             Path(tmp) / "skip-cache", None)))
        rows.append(("command", run_memory_step("command", data, Path(tmp) / "command", None)))
        workers: dict = {}
        if scheduler:
            from contextlib import nullcontext

            from distributed import Client, LocalCluster

            local = scheduler == "local"
            with (LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address="127.0.0.1:0")
                  if local else nullcontext()) as cluster:
                address = cluster.scheduler_address if local else scheduler
                rows.append(("cluster", run_memory_step("cluster", data, Path(tmp) / "cluster", address)))
                with Client(address, set_as_default=False) as client:
                    workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(f"| step | what | peak RSS (MiB) | RSS before the step (MiB) | time (s) |")
    print("|---|---|---|---|---|")
    for step, figures in rows:
        print(f"| {step} | {MEMORY_STEPS[step]} | **{figures['peak_mib']:.0f}** | {figures['before_mib']:.0f} | "
              f"{figures['seconds']:.1f} |")
    for address, peak in sorted(workers.items()):
        print(f"| cluster worker {address} | its own peak (a worker process) | {peak:.0f} | | |")
    shape = next((f["shape"] for _, f in rows if "shape" in f), None)
    print(f"log-mel set: X {shape} float32 = {next(f['gb'] for _, f in rows if 'gb' in f):.2f} GB; goal <= 3 GB "
          f"resident: {'met' if max(f['peak_mib'] for _, f in rows) <= 3 * 1024 else 'NOT met'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data(), help="GTZAN mini folder")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs of each method (default 3)")
    parser.add_argument("--jobs", type=int, default=None, help="library workers (default: all cores)")
    parser.add_argument("--memory", action="store_true",
                        help="peak resident memory of extracting/loading a GTZAN-sized log-mel set instead")
    parser.add_argument("--scheduler", default=None, metavar="local|ADDRESS",
                        help="--memory: also extract on this Dask cluster (local: start a LocalCluster here)")
    parser.add_argument("--memory-step", choices=MEMORY_STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.data.is_dir():
        parser.error(f"no data at {args.data}: pass --data or set GENREBOOK_GTZAN_MINI")
    if args.memory_step:
        memory_step(args.memory_step, args.data, args.cache, args.scheduler)
        return 0
    if args.memory:
        return run_memory(args.data, args.scheduler)

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
