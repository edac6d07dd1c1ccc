"""Fine-tuning a pretrained tagger: its last block and a new softmax head learn, the rest stays.

The tagger (``genrelib.pretrained.load_pretrained``: trained weights) is cut at its
embedding; only its last block and the head (dropout, then a dense softmax "genre") are
trainable. Its batch norms are frozen, which in Keras 3 means inference mode (their trained
statistics, even in training), and its own dropouts are off (rate 0), so everything before
the last block is a fixed function. The run trains it with a low learning rate
(``FINETUNE_LEARNING_RATE``) on the tagger's input patches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras

from genrelib.models.kinds import PRETRAINED_SOURCES, default_feature_config
from genrelib.models.layers import check_option, l2_penalty
from genrelib.pretrained.inputs import N_MELS, PATCH_FRAMES

__all__ = ["FINETUNE_BLOCKS", "FINETUNE_BUILDERS", "build_musicnn_finetune", "build_vgg_finetune",
           "split_frozen_front"]

#: Per architecture: (the layer the head reads, the layers of the last block that learn).
#: The VGG-like's last block is its fifth convolution (its batch norm stays as trained);
#: musicnn's is the back end's dense layer (1,506 pooled numbers -> 200).
FINETUNE_BLOCKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "vgg": ("flatten", ("conv5",)), "musicnn": ("penultimate", ("dense",))}


def _finetune(model_kind: str, *, input_shape: Sequence[int], n_classes: int, source: str,
              dropout: float, l2: float) -> keras.Model:
    """The tagger ``<source>_<architecture>`` cut at its embedding, its last block trainable,
    and a softmax head."""
    from genrelib.pretrained import load_pretrained

    tagger = default_feature_config(model_kind, options={"source": source}).model
    check_option(tuple(input_shape) == (PATCH_FRAMES, N_MELS),
                 f"a fine-tuned tagger reads patches of shape {(PATCH_FRAMES, N_MELS)}, got {tuple(input_shape)}")
    check_option(0.0 <= dropout < 1.0, f"dropout must be in [0, 1), got {dropout}")
    cut, learning = FINETUNE_BLOCKS[model_kind.split("-")[0]]
    net = load_pretrained(tagger)  # a fresh copy: the shared one (tagging, embeddings) is never trained
    body = keras.Model(net.input, net.get_layer(cut).output, name=f"{tagger}_body")
    for layer in body.layers:
        layer.trainable = layer.name in learning  # a frozen BatchNormalization runs in inference mode
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0  # a model's training=True reaches nested layers: switch them off
    patch = keras.Input((PATCH_FRAMES, N_MELS), name="patch")
    x = body(patch)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32",
                                 kernel_regularizer=l2_penalty(l2), name="genre")(x)
    return keras.Model(patch, outputs, name=f"{tagger}_finetune")


def build_vgg_finetune(
    *, input_shape: Sequence[int] = (PATCH_FRAMES, N_MELS), n_classes: int = 10,
    source: str = PRETRAINED_SOURCES[0], dropout: float = 0.5, l2: float = 1e-4,
    standardizer: Any | None = None,
) -> keras.Model:
    """A VGG-like tagger fine-tuned: its fifth convolution and a softmax head learn.

    Parameters
    ----------
    input_shape : sequence of 2 ints
        (187, 96): one 3 s log-mel patch at 16 kHz (``genrelib.pretrained.inputs``), time down.
    n_classes : int
        Genres of the softmax output.
    source : {"MSD", "MTT"}
        The tagger: "MSD_vgg" or "MTT_vgg".
    dropout : float
        Dropout on the 256-number "flatten" embedding before the head.
    l2 : float
        L2 penalty on the head's kernel (``l2_penalty``).
    standardizer : ignored
        The tagger standardises its own input (its first batch norm); accepted because a
        run passes one to every Keras builder.

    Returns
    -------
    keras.Model
        Input "patch" (batch, 187, 96), output "genre" (batch, n_classes) probabilities;
        147,584 trainable weights in "conv5" plus the head's 257 * n_classes. The first call
        converts the tagger's weights into the feature cache (``load_pretrained``).

    Notebook: 10_transfer_learning.ipynb
    """
    return _finetune("vgg-finetune", input_shape=input_shape, n_classes=n_classes, source=source,
                     dropout=dropout, l2=l2)


def build_musicnn_finetune(
    *, input_shape: Sequence[int] = (PATCH_FRAMES, N_MELS), n_classes: int = 10,
    source: str = PRETRAINED_SOURCES[0], dropout: float = 0.5, l2: float = 1e-4,
    standardizer: Any | None = None,
) -> keras.Model:
    """A musicnn tagger fine-tuned: its back end's dense layer and a softmax head learn.

    Parameters
    ----------
    input_shape, n_classes, dropout, l2, standardizer
        As in ``build_vgg_finetune`` (the head reads the 200-number "penultimate").
    source : {"MSD", "MTT"}
        The tagger: "MSD_musicnn" or "MTT_musicnn".

    Returns
    -------
    keras.Model
        Input "patch" (batch, 187, 96), output "genre" (batch, n_classes); 301,400
        trainable weights in "dense" plus the head's.

    Notebook: 10_transfer_learning.ipynb
    """
    return _finetune("musicnn-finetune", input_shape=input_shape, n_classes=n_classes, source=source,
                     dropout=dropout, l2=l2)


#: The builder of every fine-tuned kind.
FINETUNE_BUILDERS = {"vgg-finetune": build_vgg_finetune, "musicnn-finetune": build_musicnn_finetune}


def split_frozen_front(model: keras.Model, model_kind: str) -> tuple[keras.Model, keras.Model]:
    """A fine-tuned model as two models sharing its layers: the frozen front (patch -> the
    input of the last block) and the part that learns (that input -> genre probabilities).

    Everything before the last block is a fixed function (frozen weights, batch norms in
    inference mode, dropouts off), so a run computes the front once per patch and trains the
    second model on its outputs: the same updates as training ``model`` on the patches, for
    a fraction of the cost (the VGG-like's four frozen convolutions are most of it). The
    layers are shared, so training the second model trains ``model``.

    Parameters
    ----------
    model : keras.Model
        Built by ``build_vgg_finetune`` or ``build_musicnn_finetune``.
    model_kind : {"vgg-finetune", "musicnn-finetune"}

    Returns
    -------
    (front, learner) : keras.Model, keras.Model
        ``front``: (batch, 187, 96) -> the last block's input (VGG-like: (batch, 11, 6, 128)
        before "conv5"; musicnn: (batch, 1506) before "dense"). ``learner``: that input ->
        (batch, n_classes), the last block and the head.

    Notebook: 10_transfer_learning.ipynb
    """
    _, learning = FINETUNE_BLOCKS[model_kind.split("-")[0]]
    body = next(layer for layer in model.layers if isinstance(layer, keras.Model))
    first = body.get_layer(learning[0])
    front = keras.Model(body.input, first.input, name=f"{body.name}_front")
    block = keras.Model(first.input, body.output, name=f"{body.name}_last_block")
    x = inputs = keras.Input(tuple(first.input.shape[1:]), name="front_output")
    x = block(x)
    for layer in model.layers[model.layers.index(body) + 1:]:  # the head: dropout, "genre"
        x = layer(x)
    return front, keras.Model(inputs, x, name=f"{model.name}_learner")
