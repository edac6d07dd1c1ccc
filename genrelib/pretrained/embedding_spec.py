"""What names an embedding: ``EmbeddingSpec`` (tagger, layer, patch overlap, clip length)
and the layers of each tagger. A spec is a run's ``feature_config`` for a pretrained model
kind (kind "embedding") and the key of the embedding cache (``genrelib.pretrained.embeddings``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from genrelib.pretrained import inputs
from genrelib.pretrained.musicnn_net import MUSICNN_LAYERS
from genrelib.pretrained.vgg_net import VGG_LAYERS
from genrelib.pretrained.wheel import source_of

__all__ = ["DEFAULT_LAYERS", "PATCH_LAYER", "EmbeddingSpec", "embedding_layers"]

#: The layer an EmbeddingSpec reads when none is named.
DEFAULT_LAYERS = {"musicnn": "penultimate", "vgg": "flatten"}
#: The "layer" that is the taggers' input (their Keras ``Input`` is named so): the log-mel
#: patch itself, (96 mel bands, 187 frames) per row, not averaged.
PATCH_LAYER = "patch"


def _architecture(model: str) -> str:
    source_of(model)
    return model.split("_", 1)[1]


def embedding_layers(model: str) -> dict[str, int]:
    """``{layer name: embedding size}`` of ``model``'s named layers (maps are averaged over
    time and frequency, so their size is their channel count), and ``PATCH_LAYER``, the
    input (96 mel bands per frame).

    Notebook: 10_transfer_learning.ipynb
    """
    shapes = VGG_LAYERS if _architecture(model) == "vgg" else MUSICNN_LAYERS
    return {PATCH_LAYER: inputs.N_MELS, **{name: shape[-1] for name, shape in shapes.items()}}


@dataclass(frozen=True)
class EmbeddingSpec:
    """Everything that changes a clip's embeddings (and so keys their cache).

    ``model`` one of ``MODEL_NAMES``; ``layer`` one of ``embedding_layers(model)`` (None:
    ``DEFAULT_LAYERS``; ``PATCH_LAYER``: the input patches); ``overlap`` of consecutive 3 s
    patches (0.5: 19 per 30 s clip, like the project's segments); ``clip_seconds`` the length
    every clip is cut or zero-padded to. ``kind`` is "embedding" (a run's ``feature_config``
    beside ``FeatureConfig``'s "mel", "mfcc", "stats"); ``sample_rate``, ``segment_seconds``
    and ``segment_hop_samples`` describe the patch grid as ``FeatureConfig`` does its segments.

    Notebook: 10_transfer_learning.ipynb
    """

    model: str = "MSD_musicnn"
    layer: str | None = None
    overlap: float = 0.5
    clip_seconds: float = 30.0
    kind: str = field(default="embedding", init=False)

    def __post_init__(self) -> None:
        layers = embedding_layers(self.model)
        if self.layer is None:
            object.__setattr__(self, "layer", DEFAULT_LAYERS[_architecture(self.model)])
        if self.layer not in layers:
            raise ValueError(f"{self.model} has no embedding layer {self.layer!r}; choose one of {list(layers)}")
        inputs.hop_frames(self.overlap)
        if not self.clip_seconds >= inputs.PATCH_SECONDS:
            raise ValueError(f"clip_seconds must be at least one patch ({inputs.PATCH_SECONDS:.3f} s), "
                             f"got {self.clip_seconds}")

    @property
    def n_features(self) -> int:
        """Numbers per embedding (e.g. 200 for musicnn's "penultimate")."""
        return embedding_layers(self.model)[str(self.layer)]

    @property
    def segment_shape(self) -> tuple[int, int]:
        """Shape of one row of ``extract_embeddings``' X: (n_features, 1); (96, 187) for the
        input patches (mel bands, frames)."""
        return (self.n_features, inputs.PATCH_FRAMES if self.layer == PATCH_LAYER else 1)

    @property
    def sample_rate(self) -> int:
        """The taggers' sample rate, 16,000 Hz."""
        return inputs.SAMPLE_RATE

    @property
    def segment_seconds(self) -> float:
        """Seconds of audio per patch (2.976 s: 187 frames)."""
        return inputs.PATCH_SECONDS

    @property
    def segment_hop_samples(self) -> int:
        """Samples (at 16 kHz) between patch starts: 23,808 (1.488 s) at overlap 0.5."""
        return inputs.hop_frames(self.overlap) * inputs.HOP_LENGTH

    @property
    def segments_per_clip(self) -> int:
        """Patches of a normalised clip (19 for 30 s at overlap 0.5)."""
        frames = 1 + int(round(self.clip_seconds * inputs.SAMPLE_RATE)) // inputs.HOP_LENGTH
        return len(inputs.patch_starts(frames, inputs.hop_frames(self.overlap)))

    def to_dict(self) -> dict[str, Any]:
        """The fields and ``kind`` as a JSON-ready dict (``from_dict`` reads it back)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EmbeddingSpec":
        """An EmbeddingSpec from ``to_dict``'s output; ValueError naming unknown keys or
        another kind."""
        data = dict(data)
        kind = data.pop("kind", "embedding")
        unknown = sorted(set(data) - {"model", "layer", "overlap", "clip_seconds"})
        if unknown or kind != "embedding":
            raise ValueError(f"not an EmbeddingSpec: unknown field(s) {unknown}, kind {kind!r}")
        return cls(**data)

    def cache_key(self) -> str:
        """The fields and the input recipe as one canonical string (part of the cache key)."""
        recipe = {"sample_rate": inputs.SAMPLE_RATE, "n_fft": inputs.N_FFT, "hop": inputs.HOP_LENGTH,
                  "n_mels": inputs.N_MELS, "patch": inputs.PATCH_FRAMES, "log_scale": inputs.LOG_SCALE}
        fields = {k: v for k, v in self.to_dict().items() if k != "kind"}
        return json.dumps({**fields, **recipe}, sort_keys=True)
