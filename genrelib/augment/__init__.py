"""Data augmentation for small data: a seeded stream of altered training segments.

Modules: ``names`` (the augmentations and ``parse_augment``), ``clips`` (the clip bank:
crops at any frame, denser test segments), ``spectrogram`` (masks, gain, mixup),
``waveform`` (stretch, pitch, noise on cached audio copies), ``stream`` (the
``Augmenter`` that ``training.fit_model(augment=...)`` draws batches from). Every draw
comes from ``np.random.default_rng([seed, ...])``: the same seed gives the same stream,
whatever the timing or the thread.
Notebook: 08_small_data.ipynb
"""

from genrelib.augment.clips import ClipBank, dense_segments
from genrelib.augment.names import AUDIO_AUGMENTATIONS, AUGMENTATIONS, DEFAULT_AUGMENT, parse_augment
from genrelib.augment.spectrogram import (GAIN_DB, MASKS, MAX_FREQ_MASK, MAX_TIME_MASK, MIXUP_ALPHA,
                                          freq_mask, gain, mixup, time_mask)
from genrelib.augment.stream import Augmenter
from genrelib.augment.waveform import (AUDIO_COPIES, AUDIO_COPIES_VERSION, NOISE_SNR_DB,
                                       PITCH_SEMITONES, STRETCH_RATE, audio_copies, augment_audio)

__all__ = ["AUDIO_AUGMENTATIONS", "AUDIO_COPIES", "AUDIO_COPIES_VERSION", "AUGMENTATIONS",
           "Augmenter", "ClipBank", "DEFAULT_AUGMENT", "GAIN_DB", "MASKS", "MAX_FREQ_MASK",
           "MAX_TIME_MASK", "MIXUP_ALPHA", "NOISE_SNR_DB", "PITCH_SEMITONES", "STRETCH_RATE",
           "audio_copies", "augment_audio", "dense_segments", "freq_mask", "gain", "mixup",
           "parse_augment", "time_mask"]
