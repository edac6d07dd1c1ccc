"""What a pretrained tagger hears in a clip: its 50 tag probabilities per 3 s patch.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from genrelib.pretrained.inputs import clip_patches
from genrelib.pretrained.weights import shared_model
from genrelib.pretrained.wheel import tag_names

__all__ = ["TagScores", "tags"]


@dataclass(frozen=True)
class TagScores:
    """The tags of one clip: ``probabilities`` float32 (n_patches, 50), one row per 3 s
    patch, column j the probability of tag ``names[j]`` (independent sigmoids: rows do not
    sum to 1); ``model`` the tagger's name."""

    model: str
    names: tuple[str, ...]
    probabilities: np.ndarray

    def clip_scores(self) -> np.ndarray:
        """The mean probability of every tag over the patches, float32 (50,)."""
        return self.probabilities.mean(axis=0)

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` tags of highest mean probability over the clip, as (tag, probability),
        most likely first."""
        scores = self.clip_scores()
        order = np.argsort(-scores, kind="stable")[:k]
        return [(self.names[i], float(scores[i])) for i in order]


def tags(clip: "str | os.PathLike[str] | np.ndarray", *, model: str = "MSD_musicnn",
         overlap: float = 0.0, clip_seconds: float | None = None,
         cache_dir: str | os.PathLike[str] | None = None) -> TagScores:
    """Tag a clip with a pretrained tagger.

    Parameters
    ----------
    clip : path or np.ndarray
        An audio file (any format ``genrelib.audio`` reads) or a mono signal at 16 kHz,
        shape (n_samples,), at least 2.976 s long.
    model : str
        "MSD_musicnn", "MSD_vgg", "MTT_musicnn" or "MTT_vgg".
    overlap : float
        Overlap of consecutive 3 s patches, in [0, 1).
    clip_seconds : float, optional
        Cut or zero-pad the clip to this length first (None: the whole clip).
    cache_dir : path, optional
        The feature cache holding the converted weights (``load_pretrained``).

    Returns
    -------
    TagScores
        Probabilities (n_patches, 50) and the 50 tag names of the model's source;
        ``.top(k)`` gives the most likely tags of the clip.

    Notebook: 10_transfer_learning.ipynb
    """
    x = clip_patches(clip, overlap=overlap, clip_seconds=clip_seconds)
    net = shared_model(model, cache_dir=cache_dir)
    probabilities = np.asarray(net.predict_on_batch(x), dtype=np.float32)
    return TagScores(model=model, names=tag_names(model), probabilities=probabilities)
