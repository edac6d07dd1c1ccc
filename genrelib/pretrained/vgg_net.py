"""The VGG-like baseline taggers of the musicnn wheel, rebuilt with standard Keras 3 layers.

Five blocks of a 3 x 3 convolution (128 filters, ReLU), a batch norm and a max pooling,
then flatten and dense 50 sigmoid. The two trained graphs pool differently (read from the
``.meta`` graphs, not from the wheel's ``models.py``, which matches MTT_vgg only):
"""

from __future__ import annotations

import keras

from genrelib.pretrained.inputs import N_MELS, PATCH_FRAMES

__all__ = ["VGG_LAYERS", "VGG_POOLS", "build_vgg"]

#: (pool size, strides) over (time, mel) of the five blocks, as the trained graphs run them.
VGG_POOLS: dict[str, tuple[tuple[tuple[int, int], tuple[int, int]], ...]] = {
    "MSD_vgg": (((4, 1), (4, 1)), ((1, 4), (1, 4)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4), (4, 4))),
    "MTT_vgg": (((4, 1), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((2, 2), (2, 2)), ((4, 4), (4, 4))),
}
_FILTERS = 128
#: The named layers worth reading (output shapes without the batch axis, for MSD_vgg;
#: MTT_vgg's pool1 and pool2 are (92, 48, 128) and (46, 24, 128)).
VGG_LAYERS: dict[str, tuple[int, ...]] = {
    "pool1": (46, 96, 128), "pool2": (46, 24, 128), "pool3": (23, 12, 128), "pool4": (11, 6, 128),
    "pool5": (2, 1, 128), "flatten": (256,), "logits": (50,), "tags": (50,),
}


def build_vgg(name: str = "MSD_vgg", *, n_tags: int = 50) -> keras.Model:
    """A VGG-like tagger of the wheel, untrained (``genrelib.pretrained.load_pretrained``
    loads weights).

    Parameters
    ----------
    name : str
        "MSD_vgg" or "MTT_vgg": picks the pooling of ``VGG_POOLS``.
    n_tags : int
        Output units (50 for both sources).

    Returns
    -------
    keras.Model
        Input (batch, 187, 96) log-mel patches (time, mel); output "tags" (batch, 50)
        sigmoid probabilities. 607,030 parameters (605,748 trainable) for 50 tags. Named
        layers of ``VGG_LAYERS``: "pool1" ... "pool5" (time, mel, 128 maps), "flatten"
        (256,), "logits" (50,).
    """
    if name not in VGG_POOLS:
        raise ValueError(f"unknown VGG tagger {name!r}; choose one of {list(VGG_POOLS)}")
    layers = keras.layers
    patch = keras.Input((PATCH_FRAMES, N_MELS), name="patch")
    x = layers.Reshape((PATCH_FRAMES, N_MELS, 1), name="expand")(patch)
    x = layers.BatchNormalization(name="input_bn")(x)
    for block, (size, strides) in enumerate(VGG_POOLS[name], start=1):
        x = layers.Conv2D(_FILTERS, 3, padding="same", activation="relu", name=f"conv{block}")(x)
        x = layers.BatchNormalization(name=f"bn{block}")(x)
        x = layers.MaxPooling2D(size, strides=strides, name=f"pool{block}")(x)
        if block < 5:
            x = layers.Dropout(0.25, name=f"dropout{block}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.5, name="flatten_dropout")(x)
    logits = layers.Dense(n_tags, name="logits")(x)
    tags = layers.Activation("sigmoid", name="tags")(logits)
    return keras.Model(patch, tags, name=name)
