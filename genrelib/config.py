"""Frozen configuration: genres, feature parameters, the training recipe and run profiles.

Notebooks take ``profile`` ("quick" for CI, "full" for real runs) from papermill and read
every setting from here, so a number in the book always names the setting that made it.
Which model reads which features is in ``genrelib.models.kinds``.
"""

from __future__ import annotations

import hashlib
import json
import numbers
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, ClassVar

GTZAN_GENRES: tuple[str, ...] = (
    "blues", "classical", "country", "disco", "hiphop",
    "jazz", "metal", "pop", "reggae", "rock",
)
SAMPLE_RATE = 22_050
CLIP_SECONDS = 30.0
#: Tracks per genre in the full GTZAN (1,000 tracks in all).
GTZAN_TRACKS_PER_GENRE = 100

#: The feature kinds a FeatureConfig can describe.
FEATURE_KINDS: tuple[str, ...] = ("mel", "mfcc", "stats")

#: The per-frame descriptors of the "stats" features after the n_mfcc MFCCs ("mfcc_1" ...),
#: in order. Each is computed by librosa from the segment's frames of the clip's STFT
#: (the zero-crossing rate from the same frames of the signal); a segment is described by
#: the mean over its frames of every descriptor, then by their standard deviations
#: (``FeatureConfig.feature_names``).
STATS_DESCRIPTORS: tuple[str, ...] = (
    "spectral_centroid", "spectral_bandwidth", "spectral_rolloff", "spectral_flatness",
    *(f"spectral_contrast_{band}" for band in range(1, 8)),  # 6 octave bands + the rest
    *(f"chroma_{pitch}" for pitch in ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")),
    "zero_crossing_rate", "rms",
)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


@dataclass(frozen=True)
class FeatureConfig:
    """Everything that changes the features of a clip (and so keys the feature cache).

    ``kind`` is "mel" (log-mel, shape (n_mels, frames) per segment), "mfcc"
    (shape (n_mfcc, frames)) or "stats" (summary statistics over the segment's frames for
    the classical models, shape (n_features, 1); ``feature_names`` lists them). Defaults
    are the study's: 3 s segments with 50 % overlap (19 per 30 s clip), n_fft 2048, hop 512,
    128 mels, power -> dB, giving (128, 130).
    Notebook: 02_features.ipynb
    """

    sample_rate: int = SAMPLE_RATE
    clip_seconds: float = CLIP_SECONDS
    segment_seconds: float = 3.0
    overlap: float = 0.5
    n_fft: int = 2048
    hop_length: int = 512
    n_mels: int = 128
    n_mfcc: int = 20
    kind: str = "mel"

    def __post_init__(self) -> None:
        for f in (f for f in fields(self) if f.name != "kind"):  # each numeric setting of its default's type
            value, whole = getattr(self, f.name), isinstance(f.default, int)
            _check(isinstance(value, numbers.Integral if whole else numbers.Real) and not isinstance(value, bool),
                   f"{f.name} must be {'an integer' if whole else 'a number'}, got {value!r}")
        _check(self.kind in FEATURE_KINDS, f"kind must be one of {list(FEATURE_KINDS)}, got {self.kind!r}")
        _check(self.sample_rate > 0, f"sample_rate must be positive, got {self.sample_rate}")
        _check(0 < self.segment_seconds <= self.clip_seconds,
               f"segment_seconds must be in (0, clip_seconds={self.clip_seconds}], got {self.segment_seconds}")
        _check(0 <= self.overlap < 1, f"overlap must be in [0, 1), got {self.overlap}")
        _check(self.n_fft > 0 and self.hop_length > 0, "n_fft and hop_length must be positive")
        _check(1 <= self.n_mfcc <= self.n_mels, f"n_mfcc must be in [1, n_mels={self.n_mels}], got {self.n_mfcc}")

    @property
    def clip_samples(self) -> int:
        """Samples per clip after length normalisation (661,500 for 30 s at 22,050 Hz)."""
        return int(round(self.clip_seconds * self.sample_rate))

    @property
    def segment_samples(self) -> int:
        """Samples per segment (66,150 for 3 s)."""
        return int(round(self.segment_seconds * self.sample_rate))

    @property
    def segment_hop_samples(self) -> int:
        """Samples between segment starts (33,075 for 3 s at 50 % overlap)."""
        return max(1, int(round(self.segment_samples * (1.0 - self.overlap))))

    @property
    def frames_per_segment(self) -> int:
        """STFT frames per segment with centred frames (130 for the defaults)."""
        return 1 + self.segment_samples // self.hop_length

    @property
    def segments_per_clip(self) -> int:
        """Segments cut from one normalised clip (19 for the defaults)."""
        return 1 + (self.clip_samples - self.segment_samples) // self.segment_hop_samples

    @property
    def n_features(self) -> int:
        """Rows of a segment's feature matrix: n_mels for "mel", n_mfcc for "mfcc",
        ``len(feature_names)`` for "stats" (90 with 20 MFCCs)."""
        if self.kind == "stats":
            return 2 * (self.n_mfcc + len(STATS_DESCRIPTORS))
        return self.n_mels if self.kind == "mel" else self.n_mfcc

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The name of every row of a segment's features, in order: "mel_1" ... for "mel",
        "mfcc_1" ... for "mfcc"; for "stats" the mean over the segment's frames of
        "mfcc_1" ... "mfcc_<n_mfcc>" and of every ``STATS_DESCRIPTORS`` entry
        ("mfcc_1_mean", ..., "rms_mean"), then their standard deviations ("mfcc_1_std", ...).
        """
        if self.kind == "mel":
            return tuple(f"mel_{i}" for i in range(1, self.n_mels + 1))
        mfccs = tuple(f"mfcc_{i}" for i in range(1, self.n_mfcc + 1))
        if self.kind == "mfcc":
            return mfccs
        rows = mfccs + STATS_DESCRIPTORS
        return tuple(f"{row}_mean" for row in rows) + tuple(f"{row}_std" for row in rows)

    @property
    def segment_shape(self) -> tuple[int, int]:
        """(n_features, frames_per_segment), e.g. (128, 130); (n_features, 1) for "stats"
        (one summary per segment)."""
        return (self.n_features, 1 if self.kind == "stats" else self.frames_per_segment)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FeatureConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        _check(not unknown, f"unknown FeatureConfig keys: {sorted(unknown)}")
        return cls(**data)

    def with_(self, **changes: Any) -> "FeatureConfig":
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)

    def cache_key(self) -> str:
        """A short hash of the fields this kind's features read (log-mel: all but ``n_mfcc``); the cache key."""
        data = {**self.to_dict(), **({"n_mfcc": FeatureConfig.n_mfcc} if self.kind == "mel" else {})}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


#: Training segments per epoch on the full GTZAN with the study's 80/10/10 track split and the
#: default features: 800 tracks x 19 segments = 15,200.
GTZAN_TRAIN_SEGMENTS: int = (round(0.8 * len(GTZAN_GENRES) * GTZAN_TRACKS_PER_GENRE)
                             * FeatureConfig().segments_per_clip)


#: How a track's segment probabilities become its genre (``evaluation.aggregate_tracks``),
#: default first: the majority vote (the study's), the highest mean probability, or the
#: highest mean log-probability (the geometric mean, the product rule).
AGGREGATION_METHODS: tuple[str, ...] = ("vote", "mean", "geometric")

#: ``TrainConfig.precision`` values: "float32" everywhere, or "mixed": 16-bit compute with
#: float32 variables (``genrelib.training.precision_policy`` picks bfloat16 or float16).
PRECISIONS: tuple[str, ...] = ("float32", "mixed")


def segment_grid(cfg: Any) -> str:
    """Where a feature setting cuts its segments, as words: "3 s segments every 1.5 s at 22050
    Hz" for the defaults. ``cfg``: a ``FeatureConfig`` or a tagger's ``EmbeddingSpec`` (any
    object with ``segment_seconds``, ``segment_hop_samples`` and ``sample_rate``). Two models
    whose grids are equal score the same segments of a file, so their segment probabilities
    can be averaged."""
    return (f"{cfg.segment_seconds:g} s segments every {cfg.segment_hop_samples / cfg.sample_rate:g} s "
            f"at {cfg.sample_rate} Hz")


def scaled_learning_rate(batch_size: int, *, base_batch_size: int = 32,
                         base_learning_rate: float = 1e-3) -> float:
    """The linear scaling rule (Goyal et al. 2017): a batch ``k`` times larger takes a learning
    rate ``k`` times larger, ``base_learning_rate * batch_size / base_batch_size``; from the
    study's recipe (batch 32, Adam 1e-3): 128 -> 4e-3, 16 -> 5e-4.
    """
    _check(batch_size >= 1, f"batch_size must be >= 1, got {batch_size}")
    return base_learning_rate * batch_size / base_batch_size


@dataclass(frozen=True)
class TrainConfig:
    """The study's training recipe: Adam 1e-3, batch 32, <= 50 epochs, early stopping on
    validation loss (best weights restored), learning rate /10 on plateau, L2 1e-4.

    How it runs, beside the recipe: ``precision`` "float32" (default) or "mixed" (16-bit
    compute, float32 variables and softmax); ``devices`` the number of devices to train on
    data-parallel (None: every visible one, ``genrelib.training.plan_devices``). A batch
    size other than 32 should come with ``with_batch_size`` (learning rate scaled with it).
    ``augment``: the augmentations of the training stream (names of ``genrelib.augment``,
    checked there; () = none, the study's recipe; ``to_dict`` leaves it out then, so records
    without augmentation read as before). Notebook: 03_cnn.ipynb, 08_small_data.ipynb
    """

    epochs: int = 50
    batch_size: int = 32
    learning_rate: float = 1e-3
    l2: float = 1e-4
    early_stopping_patience: int = 10
    reduce_lr_patience: int = 4
    reduce_lr_factor: float = 0.1
    min_learning_rate: float = 1e-6
    seed: int = 0
    precision: str = "float32"
    devices: int | None = None
    augment: tuple[str, ...] = ()
    #: What a setting left at None means, for a reader's table (``provenance.settings_table``).
    NONE_MEANS: ClassVar[dict[str, str]] = {"devices": "every visible device"}

    def __post_init__(self) -> None:
        object.__setattr__(self, "augment", tuple(str(a) for a in self.augment))
        _check(self.epochs >= 1, f"epochs must be >= 1, got {self.epochs}")
        _check(self.batch_size >= 1, f"batch_size must be >= 1, got {self.batch_size}")
        _check(self.learning_rate > 0, f"learning_rate must be positive, got {self.learning_rate}")
        _check(self.l2 >= 0, f"l2 must be >= 0, got {self.l2}")
        _check(self.precision in PRECISIONS,
               f"precision must be one of {list(PRECISIONS)}, got {self.precision!r}")
        _check(self.devices is None or self.devices >= 1,
               f"devices must be >= 1 (or None for every visible device), got {self.devices}")

    def with_batch_size(self, batch_size: int, *, learning_rate: float | None = None) -> "TrainConfig":
        """A copy with ``batch_size`` and the learning rate scaled linearly from this
        recipe's pair (``scaled_learning_rate``: 1e-3 at 32 -> 4e-3 at 128), unless
        ``learning_rate`` is given, which wins.
        """
        if learning_rate is None:
            learning_rate = scaled_learning_rate(batch_size, base_batch_size=self.batch_size,
                                                 base_learning_rate=self.learning_rate)
        return self.with_(batch_size=int(batch_size), learning_rate=float(learning_rate))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.augment:
            del data["augment"]
        else:
            data["augment"] = list(self.augment)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        return cls(**data)

    def with_(self, **changes: Any) -> "TrainConfig":
        return replace(self, **changes)


@dataclass(frozen=True)
class Profile:
    """A run profile: "quick" runs every notebook in CI in minutes on 2 CPU cores,
    "full" is the real experiment a reader runs.

    ``synthetic_tracks_per_genre``/``synthetic_seconds`` size the built-in synthetic
    dataset used when no real data is given. ``ensemble_seeds`` is how many seeds of one
    model chapter 7 averages. ``max_tracks_per_genre`` caps real data
    (None = all).
    """

    name: str
    synthetic_tracks_per_genre: int
    synthetic_seconds: float
    max_tracks_per_genre: int | None
    train: TrainConfig = field(default_factory=TrainConfig)
    ensemble_seeds: int = 5

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


PROFILES: dict[str, Profile] = {
    "quick": Profile(
        name="quick",
        synthetic_tracks_per_genre=8,
        synthetic_seconds=30.0,
        max_tracks_per_genre=None,
        train=TrainConfig(epochs=3, early_stopping_patience=2, reduce_lr_patience=1),
        ensemble_seeds=2,
    ),
    "full": Profile(
        name="full",
        synthetic_tracks_per_genre=100,
        synthetic_seconds=30.0,
        max_tracks_per_genre=None,
        train=TrainConfig(),
    ),
}


#: The profile names, in the order the command line lists them.
PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES)


def get_profile(name: str) -> Profile:
    """The profile called ``name`` ("quick" or "full"); ValueError lists the choices.

    Notebook: 01_data.ipynb
    """
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {sorted(PROFILES)}") from None
