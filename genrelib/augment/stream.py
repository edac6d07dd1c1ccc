"""The seeded stream of augmented training batches of one run (``Augmenter``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from genrelib.augment.clips import ClipBank
from genrelib.augment.names import AUDIO_AUGMENTATIONS, parse_augment
from genrelib.augment.spectrogram import freq_mask, gain, mixup, time_mask
from genrelib.features import FeatureSet
from genrelib.models.kinds import model_input


class Augmenter:
    """The augmented training batches of one run.

    ``augmenter(rows, rng)`` gives the batch of training rows ``rows`` (indices into
    ``train``) as ``(x, y)``, every draw from ``rng``: crops at a random frame of their own
    clip ("crop"; else the grid segment), a version of the clip (the clip or an audio copy),
    then gain, frequency and time masks and mixup, each when named.

    Parameters
    ----------
    names : sequence of str
        Augmentation names (``parse_augment``); at least one.
    train : FeatureSet
        The training segments, raw features (mel or mfcc).
    copies : sequence of FeatureSet
        ``audio_copies`` of (at least) the training tracks, needed when ``names`` hold
        audio augmentations.
    model_kind : str or None
        With one, x comes in that model's input shape (``model_input``).

    Attributes
    ----------
    soft_labels : bool
        Whether y is soft, (n, n_classes) float32 (mixup; the loss is then categorical
        cross-entropy); else y is int (n,). x is float32 (n, n_features, frames) raw
        features, or model-shaped.

    Notebook: 08_small_data.ipynb
    """

    def __init__(self, names: Sequence[str], train: FeatureSet, *, copies: Sequence[FeatureSet] = (),
                 model_kind: str | None = None) -> None:
        self.names = parse_augment(list(names))
        if not self.names:
            raise ValueError("an Augmenter needs at least one augmentation; train without one instead")
        if any(n in AUDIO_AUGMENTATIONS for n in self.names) and not copies:
            raise ValueError(f"{[n for n in self.names if n in AUDIO_AUGMENTATIONS]} need the clips' "
                             "augmented audio copies (augment.audio_copies)")
        self.feature_kind, self.n_classes = train.config.kind, len(train.genres)
        self.bank = ClipBank.from_features(train, copies)
        self.rows = self.bank.rows_of(train.track_ids)
        self.grid = self.bank.grid[train.segment_index]
        self.y, self.model_kind = train.y, model_kind

    @property
    def soft_labels(self) -> bool:
        return "mixup" in self.names

    def __call__(self, rows: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        offsets = (rng.integers(0, self.bank.n_frames - self.bank.frames + 1, size=n)
                   if "crop" in self.names else self.grid[rows])
        versions = rng.integers(0, self.bank.clips.shape[1], size=n)
        x, y = self.bank.cut(self.rows[rows], offsets, versions), self.y[rows]
        if "gain" in self.names:
            x = gain(x, rng, feature_kind=self.feature_kind)
        if "freq_mask" in self.names:
            x = freq_mask(x, rng)
        if "time_mask" in self.names:
            x = time_mask(x, rng)
        if "mixup" in self.names:
            x, y = mixup(x, y, rng, n_classes=self.n_classes)
        return (x if self.model_kind is None else model_input(x, self.model_kind)), y

    def describe(self) -> dict[str, Any]:
        """What config.json records: the names and their parameters."""
        return {"names": list(self.names), "versions_per_clip": int(self.bank.clips.shape[1])}
