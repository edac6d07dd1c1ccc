"""Speed and memory of ``genrelib predict`` once the model is loaded.

Times ``genrelib.predict.predict_file`` end to end (decode, resample, features, model, top-k)
on a 30 s clip (22,050 Hz mono 16-bit WAV, like GTZAN) and on a 4-minute 44.1 kHz stereo song
(16-bit WAV and MP3), after one untimed warm-up call; the median of ``--repeat`` runs is shown,
with the audio + features part alone beside it. Peak memory: each case runs in a fresh
subprocess that loads the model and predicts a 3 s file first, then resets its peak resident
memory (Linux ``/proc/self/clear_refs``): VmHWM after predicting the file is the peak while
predicting it, and tracemalloc's peak of the NumPy and Python allocations is shown beside it,
for 30 s clips (22.05 kHz mono, 44.1 kHz stereo), a 10-minute 44.1 kHz stereo song (chunked,
and whole-file for comparison) and the same song as MP3.

Models: the study's CNN and CRNN (default architectures), trained for one epoch on the quick
profile's synthetic GTZAN (speed does not depend on how well a model is trained), or the run
folders given with ``--runs``. The audio is a generated non-stationary signal (a gliding,
pulsing tone, clicks, noise that comes and goes; the channels differ).

    python benchmarks/bench_predict.py                 # trains the CNN and CRNN first (~1-2 min)
    python benchmarks/bench_predict.py --runs runs/cnn --repeat 5 --json predict.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

SR = 22_050


def music(seconds: float, rate: int, channels: int, *, start: float = 0.0, seed: int = 0) -> np.ndarray:
    """A non-stationary test signal from ``start`` s on, float32 (n, channels)."""
    n = int(round(seconds * rate))
    t = start + np.arange(n, dtype=np.float64) / rate
    rng = np.random.default_rng([seed, int(start)])
    phase = 2 * np.pi * (330 * t - 220 / (2 * np.pi * 0.07) * np.cos(2 * np.pi * 0.07 * t))  # 330 +- 220 Hz
    tone = 0.3 * np.sin(phase) * (0.3 + 0.7 * np.sin(2 * np.pi * 0.3 * t) ** 2)
    clicks = 0.5 * (np.sin(2 * np.pi * 2 * t) > 0.95) * rng.standard_normal(n)
    noise = 0.15 * rng.standard_normal(n) * (t % 20 > 12)
    both = np.stack([tone + clicks, 0.5 * tone + noise], axis=1)
    return (both if channels == 2 else both.mean(axis=1, keepdims=True)).astype(np.float32)


def write_audio(folder: Path) -> dict[str, Path]:
    """The benchmark's files, written a minute at a time."""
    files = {"warm-up 3 s": (3, SR, 1, "wav"), "30 s clip (22.05 kHz mono WAV)": (30, SR, 1, "wav"),
             "30 s song (44.1 kHz stereo WAV)": (30, 44_100, 2, "wav"),
             "4 min song (44.1 kHz stereo WAV)": (240, 44_100, 2, "wav"),
             "4 min song (44.1 kHz stereo MP3)": (240, 44_100, 2, "mp3"),
             "10 min song (44.1 kHz stereo WAV)": (600, 44_100, 2, "wav"),
             "10 min song (44.1 kHz stereo MP3)": (600, 44_100, 2, "mp3")}
    paths = {}
    for name, (seconds, rate, channels, ext) in files.items():
        path = paths[name] = folder / f"{seconds}s-{rate}-{channels}ch.{ext}"
        with sf.SoundFile(path, "w", rate, channels, subtype="PCM_16" if ext == "wav" else None) as out:
            for start in range(0, seconds, 60):
                out.write(music(min(60, seconds - start), rate, channels, start=start))
    return paths


def train_models(kinds: list[str], out: Path) -> list[Path]:
    from genrelib.datasets import resolve_data_dir
    from genrelib.pipeline import RunSpec, train_run

    data = resolve_data_dir("", profile="quick", seed=0)
    return [train_run(data, RunSpec(model=kind, profile="quick", epochs=1), out_dir=out / kind,
                      verbose=0).run_dir
            for kind in kinds]


def features_seconds(path: Path, cfg) -> float:
    """Seconds to decode, resample and featurise ``path`` chunk by chunk (no model)."""
    from genrelib.audio import stream_audio
    from genrelib.features import SegmentStream
    from genrelib.predict import CHUNK_SECONDS

    start = time.perf_counter()
    stream = SegmentStream(cfg)
    for chunk in stream_audio(path, sample_rate=cfg.sample_rate, chunk_seconds=CHUNK_SECONDS):
        stream.feed(chunk)
    stream.finish()
    return time.perf_counter() - start


def time_run(run: Path, audio: dict[str, Path], repeat: int) -> list[dict]:
    from genrelib.predict import load_predictor, predict_file

    start = time.perf_counter()
    predictor = load_predictor(run)
    load_s = time.perf_counter() - start
    print(f"# {run}: loaded in {load_s:.2f} s", flush=True)
    member = predictor.members[0]
    params = int(member.model.count_params()) if hasattr(member.model, "count_params") else None
    rows = []
    for name, path in audio.items():
        if name.startswith(("warm-up", "10 min")):
            continue
        predict_file(predictor, path)  # warm-up: traces the model for these batch sizes
        times, feats = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            result = predict_file(predictor, path)
            times.append(time.perf_counter() - start)
            feats.append(features_seconds(path, predictor.config))
        rows.append({"model": member.kind, "parameters": params, "file": name, "segments": result.segments,
                     "seconds": round(statistics.median(times), 3),
                     "features_seconds": round(statistics.median(feats), 3), "load_seconds": round(load_s, 2)})
        print(f"| {member.kind} | {name} | {result.segments} | {rows[-1]['seconds']:.3f} | "
              f"{rows[-1]['features_seconds']:.3f} |", flush=True)
    return rows


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MiB."""
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def memory_case(run: str, warm: str, path: str, mode: str) -> dict:
    """In this (fresh) process: load the model, predict ``warm``, then ``path``. The peak
    resident memory is reset after the warm-up (Linux ``/proc/self/clear_refs``), so VmHWM is
    the peak while predicting ``path``."""
    from genrelib.predict import load_predictor, predict_file

    predictor = load_predictor(run)
    predict_file(predictor, warm)
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = _status_mib("VmRSS")
    tracemalloc.start()
    predict_file(predictor, path, **({"chunk_seconds": None} if mode == "whole" else {}))
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    peak = _status_mib("VmHWM")
    return {"rss_before_mib": round(before), "rss_peak_mib": round(peak),
            "rss_increase_mib": round(peak - before), "tracemalloc_peak_mib": round(traced, 1)}


def measure_memory(run: Path, audio: dict[str, Path]) -> list[dict]:
    from genrelib.predict import CHUNK_SECONDS

    cases = [("30 s clip (22.05 kHz mono WAV)", "chunked"), ("30 s song (44.1 kHz stereo WAV)", "chunked"),
             ("10 min song (44.1 kHz stereo WAV)", "chunked"), ("10 min song (44.1 kHz stereo WAV)", "whole"),
             ("10 min song (44.1 kHz stereo MP3)", "chunked")]
    rows = []
    for name, mode in cases:
        out = subprocess.run([sys.executable, __file__, "--memory-case", str(run), str(audio["warm-up 3 s"]),
                              str(audio[name]), mode], capture_output=True, text=True, check=True)
        record = json.loads(out.stdout.strip().splitlines()[-1])
        mode = "whole file" if mode == "whole" else f"chunks of {CHUNK_SECONDS:g} s"
        rows.append({"file": name, "mode": mode, **record})
        print(f"| {name} | {mode} | {record['rss_before_mib']} | {record['rss_peak_mib']} | "
              f"{record['rss_increase_mib']} | {record['tracemalloc_peak_mib']} |", flush=True)
    return rows


def environment() -> dict:
    import keras

    from genrelib.training import device_description

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "device": device_description(),
            "backend": keras.backend.backend(), "keras": keras.__version__,
            "python": platform.python_version(), "load_average_before": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", nargs="+", type=Path, help="run folders (default: train a CNN and a CRNN)")
    parser.add_argument("--models", nargs="+", default=["cnn", "crnn"], help="kinds to train without --runs")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--memory-case", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_case:
        print(json.dumps(memory_case(*args.memory_case)))
        return 0
    env = environment()
    print(f"# {env}")
    with tempfile.TemporaryDirectory() as tmp:
        audio = write_audio(Path(tmp))
        runs = args.runs or train_models(args.models, Path(tmp) / "runs")
        print("| model | file | segments | predict_file (s, median) | audio + features alone (s) |")
        print("|---|---|---|---|---|")
        speed = [row for run in runs for row in time_run(run, audio, args.repeat)]
        print("| file | mode | RSS before (MiB) | RSS peak (MiB) | increase (MiB) | tracemalloc peak (MiB) |")
        print("|---|---|---|---|---|---|")
        memory = measure_memory(runs[0], audio)
    env["load_average_after"] = os.getloadavg()
    print(f"# load average after: {env['load_average_after']}")
    if args.json:
        args.json.write_text(json.dumps({"environment": env, "speed": speed, "memory": memory}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
