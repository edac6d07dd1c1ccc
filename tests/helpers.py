"""Helpers shared by several test files (plain functions and constants, imported as
``from helpers import ...``: pytest puts this folder on sys.path; fixtures live in conftest.py):
small audio and datasets for the features, tracks tables for the splits, tiny Keras models,
learnable arrays, augmentation clips and the settings of the tiny training runs."""


from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from genrelib.config import GTZAN_GENRES, FeatureConfig

# --------------------------------------------------------------------------- features
#: A small configuration so that extraction tests take milliseconds: 2 s clips at 8 kHz,
#: 0.5 s segments with 50 % overlap (7 per clip), 32 mels, 32 frames per segment.
SMALL = FeatureConfig(sample_rate=8000, clip_seconds=2.0, segment_seconds=0.5, overlap=0.5,
                      n_fft=256, hop_length=128, n_mels=32, n_mfcc=13)

#: float32 STFTs (scipy.fft, numpy.fft) agree to ~1e-3 dB on ``changing_signal``; a frame
#: taken for its neighbour is off by > 5 dB.
DB_ATOL = 5e-3


def noise(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    """Uniform noise in [-0.5, 0.5), float32 (round(seconds * rate),)."""
    return np.random.default_rng(seed).uniform(-0.5, 0.5, int(round(seconds * rate))).astype(np.float32)


def make_dataset(base: Path, *, genres=("blues", "jazz"), per_genre: int = 2, seconds: float = 2.0,
                 rate: int = 8000) -> Path:
    """``base/genres/<g>/<g>.0000N.wav`` with distinct noise + tone content; returns ``base``."""
    import soundfile as sf

    for gi, genre in enumerate(genres):
        for i in range(per_genre):
            t = np.arange(int(seconds * rate)) / rate
            y = 0.2 * np.sin(2 * np.pi * (300 + 200 * gi + 50 * i) * t) + 0.05 * noise(seconds, rate, 10 * gi + i)
            path = base / "genres" / genre / f"{genre}.{i:05d}.wav"
            path.parent.mkdir(parents=True, exist_ok=True)
            sf.write(path, y.astype(np.float32), rate, subtype="PCM_16")
    return base


def write_silent_wav(path: Path, seconds: float, *, sample_rate: int = 22050) -> Path:
    """A mono 16-bit WAV of ``seconds`` of silence at ``path`` (folders created)."""
    import wave

    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(np.zeros(int(sample_rate * seconds), dtype=np.int16).tobytes())
    return path


def changing_signal(seconds: float = 30.0, rate: int = 22050, seed: int = 7) -> np.ndarray:
    """A NON-stationary test clip: a log chirp 60 Hz -> 9 kHz, tones that jump to a new random
    frequency and level every 0.1 s, 60 noise bursts with sharp onsets (30 ms decay), and a
    -60 dB noise floor (every mel band has energy). Consecutive STFT frames differ by > 5 dB in
    some band, so taking any frame for its neighbour fails a frame-by-frame comparison."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    f0, f1 = 60.0, 9000.0
    k = np.log(f1 / f0) / seconds
    chirp = 0.3 * np.sin(2 * np.pi * f0 * (np.exp(k * t) - 1) / k)
    step = int(0.1 * rate)
    freqs = rng.uniform(100, 8000, size=n // step + 1)
    levels = rng.uniform(0.0, 0.3, size=n // step + 1)
    tones = levels[np.arange(n) // step] * np.sin(2 * np.pi * freqs[np.arange(n) // step] * t)
    bursts = np.zeros(n)
    length = rate // 10
    for onset in rng.integers(0, n - length, size=60):
        decay = np.exp(-np.arange(length) / (0.03 * rate))
        bursts[onset:onset + length] += 0.4 * rng.normal(size=length) * decay
    return (chirp + tones + bursts + 1e-3 * rng.normal(size=n)).astype(np.float32)


def changing_clip() -> tuple[np.ndarray, np.ndarray]:
    """(30 s ``changing_signal``, librosa's log-mel of it with the defaults' parameters in dB)."""
    import librosa

    y = changing_signal()
    mel = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=2048, hop_length=512, n_mels=128,
                                         center=True, pad_mode="constant")
    reference = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    assert reference.shape == (128, 1292)
    return y, reference


# --------------------------------------------------------------------------- metrics

def metrics_by_hand(y_true, y_pred, n_classes: int) -> tuple[float, list, list, list]:
    """Accuracy and per-class precision/recall/F1 from counts (0 when undefined)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    precision, recall, f1 = [], [], []
    for c in range(n_classes):
        tp = np.sum((y_pred == c) & (y_true == c))
        predicted, actual = np.sum(y_pred == c), np.sum(y_true == c)
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        precision.append(p)
        recall.append(r)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(y_true == y_pred)), precision, recall, f1


# --------------------------------------------------------------------------- splits
def make_tracks(per_genre: int | dict[str, int] = 10, *, genres=GTZAN_GENRES,
                tracks_per_artist: int | None = None) -> pd.DataFrame:
    """A tracks table like DatasetIndex.tracks (track_id, genre, artist)."""
    counts = per_genre if isinstance(per_genre, dict) else {g: per_genre for g in genres}
    rows = []
    for genre, n in counts.items():
        for i in range(n):
            artist = None if tracks_per_artist is None else f"{genre}-artist{i // tracks_per_artist}"
            rows.append({"track_id": f"{genre}.{i:05d}", "genre": genre, "artist": artist})
    return pd.DataFrame(rows)


def genre_of(tracks: pd.DataFrame, ids) -> Counter:
    """How many of ``ids`` each genre has."""
    return Counter(tracks.set_index("track_id").loc[list(ids), "genre"])


def assert_partition(split, tracks: pd.DataFrame) -> None:
    """Every track of ``tracks`` is in exactly one set of ``split`` (a TrackSplit)."""
    everything = [t for ids in split.sets().values() for t in ids]
    assert len(everything) == len(set(everything)) == len(tracks)
    assert set(everything) == set(tracks["track_id"])


def write_lists(folder: Path, lists: dict[str, list[str]]) -> Path:
    """``folder/my_<set>.txt`` split lists (with a comment line and blank lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, entries in lists.items():
        (folder / f"my_{name}.txt").write_text("# a comment\n" + "\n".join(entries) + "\n\n")
    return folder

# --------------------------------------------------------------------------- tiny Keras models

#: (mels, frames) and (mfccs, frames) of tiny features: a training step in well under a second.
TINY_MEL = (32, 40)
TINY_MFCC = (20, 40)


def tiny_model(model_kind: str, **options):
    """A small model of ``model_kind`` for TINY_MEL / TINY_MFCC features and 10 classes."""
    from genrelib import models

    shape = models.input_shape_for(model_kind, TINY_MFCC if model_kind == "rnn" else TINY_MEL)
    small = {"units": 16} if model_kind in ("rnn", "crnn") else {}
    if model_kind in ("cnn", "crnn"):
        small["filters"] = (4, 4, 8, 8, 8)
    if model_kind == "cnn":
        small["dense_units"] = 16
    return models.build_model(model_kind, input_shape=shape, n_classes=10, **{**small, **options})


def tiny_features(model_kind: str, n: int = 8, seed: int = 0) -> np.ndarray:
    """Random raw features (n, n_features, frames) for ``tiny_model(model_kind)``."""
    rows = TINY_MFCC if model_kind == "rnn" else TINY_MEL
    return np.random.default_rng(seed).normal(size=(n, *rows)).astype("float32")


# --------------------------------------------------------------------------- learnable arrays

#: (mels, frames) of the training tests' features.
SHAPE = (16, 24)


def learnable_arrays(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random features (n, 16, 24) with a learnable signal: class c brightens mel rows 3c..3c+2."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 4
    X = rng.normal(size=(n, *SHAPE)).astype("float32")
    for c in range(4):
        X[y == c, 3 * c:3 * c + 3, :] += 2.0
    return X, y


def small_model(model_kind: str = "cnn"):
    """A small model of ``model_kind`` for (16, 24) features and 4 classes."""
    from genrelib import models

    if model_kind == "cnn":
        return models.build_cnn(input_shape=(*SHAPE, 1), n_classes=4, filters=(4, 8), dense_units=8)
    if model_kind == "rnn":
        return models.build_rnn(input_shape=SHAPE[::-1], n_classes=4, units=8)
    return models.build_crnn(input_shape=(*SHAPE, 1), n_classes=4, conv_blocks=1, filters=(4,),
                             units=8)


# --------------------------------------------------------------------------- augmentation

def chirp(seed: int, seconds: float = 8.0) -> np.ndarray:
    """A chirp at 22,050 Hz with a little noise: every frame differs from its neighbours."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 22050)) / 22050
    return (0.3 * np.sin(2 * np.pi * (200 + 50 * seed) * t * (1 + 0.1 * t)) +
            0.05 * rng.normal(size=t.size)).astype(np.float32)


def short_config():
    """8 s clips, 32 mels: 4 segments of 130 frames, 345 frames in all."""
    from genrelib.config import FeatureConfig

    return FeatureConfig(clip_seconds=8.0, n_mels=32)


def clip_feature_set(signals: list[np.ndarray], cfg=None):
    """A FeatureSet of every segment of ``signals`` (track "t<i>", labels i % 3 of a, b, c)."""
    from genrelib.features import FeatureSet, clip_features

    cfg = cfg or short_config()
    X = [clip_features(y, cfg) for y in signals]
    n = X[0].shape[0]
    return FeatureSet(X=np.concatenate(X), y=np.repeat(np.arange(len(X)) % 3, n),
                      track_ids=np.repeat([f"t{i}" for i in range(len(X))], n),
                      genres=("a", "b", "c"), config=cfg)


def check_one_training_step(model_kind: str, options: dict) -> None:
    """A tiny ``model_kind`` model with ``options`` takes one training step: the loss is
    finite, a weight moves, and its outputs are probabilities (8 segments, 10 classes)."""
    import keras

    from genrelib import models

    model = tiny_model(model_kind, **options)
    X = models.model_input(tiny_features(model_kind), model_kind)
    y = np.arange(8) % 10
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    before = [w.copy() for w in model.get_weights()]
    loss = model.train_on_batch(X, y)
    assert np.isfinite(float(np.asarray(loss).reshape(-1)[0]))
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    probs = keras.ops.convert_to_numpy(model(X))
    assert probs.shape == (8, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def spy_callbacks(monkeypatch, first: tuple = (), last: tuple = ()) -> list:
    """Record the callbacks fit_model makes, with ``first`` ones before them, ``last`` after."""
    from genrelib.training import fit

    made: list = []
    real = fit.make_callbacks

    def spy(*args, **kwargs):
        made.extend([*first, *real(*args, **kwargs), *last])
        return made

    monkeypatch.setattr(fit, "make_callbacks", spy)
    return made


# --------------------------------------------------------------------------- tiny runs

#: Features of the tiny library runs: (16 mels or 8 MFCCs, 33 frames), 10 segments per 30 s
#: clip, so a ``train_run`` on the tiny synthetic set takes a second or two.
#: (Not TINY_MEL: that name is the tiny Keras models' feature shape above.)
RUN_MEL = FeatureConfig(n_mels=16, n_mfcc=8, hop_length=2048, overlap=0.0)
RUN_MFCC = RUN_MEL.with_(kind="mfcc")
TINY_FEATURES = {"cnn": RUN_MEL, "crnn": RUN_MEL, "rnn": RUN_MFCC}
TINY_OPTIONS = {
    "cnn": {"filters": (4, 8), "dense_units": 8},
    "rnn": {"units": 8, "n_layers": 1},
    "crnn": {"conv_blocks": 1, "filters": (4, 8), "units": 8},
}

#: ``genrelib train`` options of the CLI runs: small enough to train in seconds, large
#: enough to predict several genres (a model that answers one genre for every track would
#: let wrong metrics pass).
TINY_CNN_ARGS = ["--option", "filters=[4,8]", "--option", "dense_units=16",
                 "--option", "dropout=0", "--option", "dense_dropout=0"]


def tiny_spec(model: str = "cnn", **changes):
    """The RunSpec of a tiny library run of ``model``: one epoch, seed 0, a third of the
    tracks each for validation and test, ``changes`` overriding any field."""
    from genrelib.pipeline import RunSpec

    settings = {"model": model, "epochs": 1, "seed": 0, "valid_fraction": 0.34,
                "test_fraction": 0.34, "features": TINY_FEATURES.get(model),
                "options": TINY_OPTIONS.get(model, {})}
    return RunSpec(**{**settings, **changes})


FOUR_GENRES = ("blues", "classical", "country", "disco")


def artist_tracks(per_genre: int = 6, artists_per_genre: int = 3) -> pd.DataFrame:
    """A track table of FOUR_GENRES with made-up paths and ``artists_per_genre`` artists each."""
    rows = []
    for g in FOUR_GENRES:
        for i in range(per_genre):
            rows.append({"track_id": f"{g}.{i:05d}", "genre": g, "path": f"/x/{g}.{i:05d}.wav",
                         "duration": 30.0 + 0.01 * i, "artist": f"{g}-artist-{i % artists_per_genre}"})
    return pd.DataFrame(rows)


def main_axes(fig) -> list:
    """A matplotlib figure's visible axes without colorbars."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
