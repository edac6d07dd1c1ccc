"""The musicnn tagger (Pons & Serra 2019) rebuilt with standard Keras 3 layers.

Front end: two timbral convolutions (7 x 38 and 7 x 67 over time x mel, 204 filters each)
and three temporal ones (128 x 1, 64 x 1, 32 x 1, 51 filters each), each max-pooled over
all frequencies; mid end: three 7-wide convolutions over time (64 filters) with residual
adds; back end: max and mean pooling over time, batch norms, dense 200, dense 50 sigmoid.
"""

from __future__ import annotations

import keras

from genrelib.pretrained.inputs import N_MELS, PATCH_FRAMES

__all__ = ["MUSICNN_LAYERS", "TIMBRAL_WIDTHS", "TEMPORAL_LENGTHS", "build_musicnn"]

#: Mel-axis widths of the timbral filters: int(0.4 * 96), int(0.7 * 96).
TIMBRAL_WIDTHS: tuple[int, ...] = (38, 67)
#: Time-axis lengths of the temporal filters (frames).
TEMPORAL_LENGTHS: tuple[int, ...] = (128, 64, 32)
_TIMBRAL_FILTERS, _TEMPORAL_FILTERS, _MIDEND_FILTERS, _DENSE_UNITS = 204, 51, 64, 200
#: The named layers worth reading (output shapes without the batch axis), from the input up.
MUSICNN_LAYERS: dict[str, tuple[int, ...]] = {
    "timbral": (PATCH_FRAMES, 2 * _TIMBRAL_FILTERS), "temporal": (PATCH_FRAMES, 3 * _TEMPORAL_FILTERS),
    "frontend": (PATCH_FRAMES, 561), "cnn1": (PATCH_FRAMES, 64), "cnn2": (PATCH_FRAMES, 64),
    "cnn3": (PATCH_FRAMES, 64), "max_pool": (753,), "mean_pool": (753,), "pooled": (1506,),
    "penultimate": (200,),
    "logits": (50,), "tags": (50,),
}


def _pooled_block(x: keras.KerasTensor, name: str, kernel: tuple[int, int], filters: int,
                  padding: str) -> keras.KerasTensor:
    """Conv2D (ReLU) -> batch norm -> max over every remaining mel bin -> (frames, filters)."""
    x = keras.layers.Conv2D(filters, kernel, padding=padding, activation="relu", name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    x = keras.layers.MaxPooling2D((1, x.shape[2]), name=f"{name}_pool")(x)
    return keras.layers.Reshape((x.shape[1], filters), name=f"{name}_squeeze")(x)


def build_musicnn(name: str = "MSD_musicnn", *, n_tags: int = 50) -> keras.Model:
    """The musicnn tagger, untrained (``genrelib.pretrained.load_pretrained`` loads weights).

    Parameters
    ----------
    name : str
        The model's name ("MSD_musicnn" or "MTT_musicnn": both have this architecture).
    n_tags : int
        Output units (50 for both sources).

    Returns
    -------
    keras.Model
        Input (batch, 187, 96) log-mel patches (time, mel); output "tags" (batch, 50)
        sigmoid probabilities. 792,079 parameters (787,159 trainable) for 50 tags. Named
        layers of ``MUSICNN_LAYERS``: "timbral" (187, 408), "temporal" (187, 153),
        "frontend" (187, 561), "cnn1"/"cnn2"/"cnn3" (187, 64), "max_pool"/"mean_pool" (753,)
        over time of [frontend, cnn1, cnn2, cnn3], "pooled" (1506,) (both, interleaved as
        in the trained graph), "penultimate" (200,), "logits" (50,).
    """
    layers = keras.layers
    patch = keras.Input((PATCH_FRAMES, N_MELS), name="patch")
    x = layers.Reshape((PATCH_FRAMES, N_MELS, 1), name="expand")(patch)
    x = layers.BatchNormalization(name="input_bn")(x)
    padded = layers.ZeroPadding2D(((3, 3), (0, 0)), name="timbral_pad")(x)
    timbral = [_pooled_block(padded, f"timbral{i + 1}", (7, width), _TIMBRAL_FILTERS, "valid")
               for i, width in enumerate(TIMBRAL_WIDTHS)]
    temporal = [_pooled_block(x, f"temporal{i + 1}", (length, 1), _TEMPORAL_FILTERS, "same")
                for i, length in enumerate(TEMPORAL_LENGTHS)]
    timbral_out = layers.Concatenate(name="timbral")(timbral)
    temporal_out = layers.Concatenate(name="temporal")(temporal)
    front = layers.Concatenate(name="frontend")([timbral_out, temporal_out])

    mid = [front]
    for i in range(3):  # 7-wide convolutions over time; the 2nd and 3rd add their input
        h = layers.Conv1D(_MIDEND_FILTERS, 7, padding="same", activation="relu", name=f"midend{i + 1}_conv")(mid[-1])
        h = layers.BatchNormalization(name="cnn1" if i == 0 else f"midend{i + 1}_bn")(h)
        mid.append(h if i == 0 else layers.Add(name=f"cnn{i + 1}")([h, mid[-1]]))
    features = layers.Concatenate(name="midend")(mid)

    max_pool = layers.GlobalMaxPooling1D(name="max_pool")(features)
    mean_pool = layers.GlobalAveragePooling1D(name="mean_pool")(features)
    # TF1 concatenated (753, 1) max and mean columns on a new last axis and flattened:
    # the 1506 numbers interleave them (max_0, mean_0, max_1, mean_1, ...)
    pairs = [layers.Reshape((features.shape[-1], 1), name=f"{stat}_column")(pooled)
             for stat, pooled in (("max_pool", max_pool), ("mean_pool", mean_pool))]
    x = layers.Flatten(name="pooled")(layers.Concatenate(name="pooled_pairs")(pairs))
    x = layers.BatchNormalization(name="pooled_bn")(x)
    x = layers.Dropout(0.5, name="pooled_dropout")(x)
    x = layers.Dense(_DENSE_UNITS, activation="relu", name="dense")(x)
    x = layers.BatchNormalization(name="penultimate")(x)
    x = layers.Dropout(0.5, name="penultimate_dropout")(x)
    logits = layers.Dense(n_tags, name="logits")(x)
    tags = layers.Activation("sigmoid", name="tags")(logits)
    return keras.Model(patch, tags, name=name)
