"""The pieces the three builders share: the standardising first layer, the L2 penalty, the
convolution block, and a one-line check of a builder option.

Only ``keras.layers``/``keras.regularizers`` are used, so the models run under
``KERAS_BACKEND=tensorflow|jax|torch``.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np


def check_option(condition: bool, message: str) -> None:
    """Raise ``ValueError(message)`` unless ``condition``: a builder's argument check.

    Notebook: 03_cnn.ipynb
    """
    if not condition:
        raise ValueError(message)


def l2_penalty(l2: float) -> keras.regularizers.Regularizer | None:
    """The L2 penalty on a kernel: ``l2`` times the sum of its squared weights joins the loss.

    Parameters
    ----------
    l2 : float
        The factor (the study's 1e-4); 0 for none.

    Returns
    -------
    keras.regularizers.L2 or None

    Notebook: 03_cnn.ipynb
    """
    return keras.regularizers.L2(l2) if l2 and l2 > 0 else None


def _mean_and_std(standardizer: Any) -> tuple[np.ndarray, np.ndarray]:
    """(mean, std) as flat float32 arrays from a Standardizer, a dict or a (mean, std) tuple."""
    try:
        if isinstance(standardizer, dict):
            mean, std = standardizer["mean"], standardizer["std"]
        elif isinstance(standardizer, tuple):
            mean, std = standardizer
        else:
            mean, std = standardizer.mean_, standardizer.std_
        return (np.asarray(mean, dtype="float32").reshape(-1),
                np.asarray(std, dtype="float32").reshape(-1))
    except (KeyError, AttributeError, TypeError, ValueError) as error:
        raise ValueError(
            "standardizer must be a fitted Standardizer, a dict with 'mean' and 'std' or a "
            f"(mean, std) tuple: {type(error).__name__}: {error}"
        ) from None


def standardize_layer(standardizer: Any, *, n_features: int, axis: int) -> keras.layers.Layer:
    """A model's first layer: the fitted standardiser, so the model takes raw features.

    Parameters
    ----------
    standardizer : Standardizer, dict or tuple
        A fitted ``features.Standardizer``, a dict with "mean" and "std", or (mean, std):
        one mean and one standard deviation per feature row.
    n_features : int
        Feature rows of the model's input (n_mels or n_mfcc); the standardiser must match.
    axis : int
        The input axis of the feature rows: 1 for an image (n_features, frames, 1), -1 for
        a sequence (frames, n_features).

    Returns
    -------
    keras.layers.Normalization
        Named "standardize", with fixed (not trainable) mean and variance.
        Raises ValueError for a standardiser that is unfitted, not finite or of another size.

    Notebook: 03_cnn.ipynb
    """
    mean, std = _mean_and_std(standardizer)
    if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise ValueError("standardizer must have finite means and positive finite stds "
                         "(is it fitted?)")
    if mean.shape != (n_features,) or std.shape != (n_features,):
        raise ValueError(
            f"standardizer has {mean.shape[0]} means / {std.shape[0]} stds but the model "
            f"input has {n_features} feature rows; fit it on the same features"
        )
    return keras.layers.Normalization(
        axis=axis, mean=mean.tolist(), variance=(std.astype("float64") ** 2).tolist(),
        name="standardize",
    )


def conv_block(x: Any, filters: int, kernel_size: int, *, dropout: float, batch_norm: bool,
               l2: float, index: int) -> Any:
    """One convolution block: Conv2D (same padding) -> [BatchNorm] -> ReLU -> MaxPool 2x2 -> Dropout.

    Parameters
    ----------
    x : keras tensor, shape (batch, freq, time, channels)
    filters, kernel_size : int
        Output channels of the convolution, and the side of its square kernel (3 in the study's
        listing; its Table 1 finds 5 slightly better).
    dropout, batch_norm, l2
        Dropout after the pooling (none when 0); batch normalisation before the ReLU (the
        convolution then has no bias); the L2 penalty on the kernel (``l2_penalty``).
    index : int
        The block's number, in its layers' names ("conv1", "relu1", "pool1", "drop1").

    Returns
    -------
    keras tensor, shape (batch, ceil(freq / 2), ceil(time / 2), filters)

    Notebook: 03_cnn.ipynb
    """
    x = keras.layers.Conv2D(filters, kernel_size, padding="same", use_bias=not batch_norm,
                            kernel_regularizer=l2_penalty(l2), name=f"conv{index}")(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(name=f"bn{index}")(x)
    x = keras.layers.Activation("relu", name=f"relu{index}")(x)
    x = keras.layers.MaxPooling2D((2, 2), padding="same", name=f"pool{index}")(x)
    if dropout > 0:
        x = keras.layers.Dropout(dropout, name=f"drop{index}")(x)
    return x
