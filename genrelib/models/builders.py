"""Build a Keras model by kind name ("cnn", "rnn", "crnn", a fine-tuned tagger) with checked options."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import keras

from genrelib.models.cnn import build_cnn
from genrelib.models.crnn import build_crnn
from genrelib.models.finetune import FINETUNE_BUILDERS
from genrelib.models.kinds import is_classical
from genrelib.models.rnn import build_rnn

#: The builder of every Keras model kind.
BUILDERS: dict[str, Callable[..., keras.Model]] = {"cnn": build_cnn, "rnn": build_rnn,
                                                   "crnn": build_crnn}


def build_model(
    model_kind: str, *, input_shape: Sequence[int], n_classes: int, **options: Any
) -> keras.Model:
    """Build Keras model ``model_kind`` with its builder's ``options``.

    Parameters
    ----------
    model_kind : {"cnn", "rnn", "crnn", "vgg-finetune", "musicnn-finetune"}
        The builder: ``build_cnn``, ``build_rnn``, ``build_crnn`` or a fine-tuned tagger's.
    input_shape : sequence of int
        No batch axis: (n_mels, frames, 1) for cnn/crnn, (frames, n_mfcc) for rnn
        (``input_shape_for``).
    n_classes : int
        Genres of the softmax output.
    **options
        The builder's other arguments (e.g. ``kernel_size=5``, ``rnn="lstm"``).

    Returns
    -------
    keras.Model
        Unknown options raise TypeError naming them; a classical kind raises ValueError
        pointing to ``build_classical``.
    """
    if is_classical(model_kind):
        raise ValueError(f"{model_kind!r} is a scikit-learn model: build it with "
                         "genrelib.models.build_classical")
    builder = builder_for(model_kind)
    accepted = set(inspect.signature(builder).parameters)
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(
            f"build_{model_kind} got unknown option(s) {unknown}; accepted: "
            f"{sorted(accepted - {'input_shape', 'n_classes'})}"
        )
    return builder(input_shape=input_shape, n_classes=n_classes, **options)


def builder_for(model_kind: str) -> Callable[..., Any]:
    """The function that builds model ``model_kind``: ``build_cnn``, ``build_rnn``,
    ``build_crnn``, ``build_logreg``, ``build_svm``, or a pretrained kind's
    (``build_vgg_probe``, ``build_vgg_finetune``, ...); its signature lists the kind's options.

    Raises
    ------
    ValueError
        Listing the model kinds, for an unknown one.
    """
    from genrelib.models.kinds import check_model_kind

    if is_classical(check_model_kind(model_kind)):
        from genrelib.models.classical import CLASSICAL_BUILDERS

        return CLASSICAL_BUILDERS[model_kind]
    return FINETUNE_BUILDERS.get(model_kind) or BUILDERS[model_kind]
