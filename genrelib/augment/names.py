"""The augmentations by name: what each does, the audio-level ones, the recommended set, and
parsing of "crop,mixup"."""

from __future__ import annotations

from collections.abc import Sequence

#: Every augmentation, in the order they are applied, with what it does: the audio ones when
#: the cached copies are made (``augment_audio``: stretch, pitch, noise), the others on every
#: training batch (``Augmenter``).
AUGMENTATIONS: dict[str, str] = {
    "stretch": "audio: time stretch by a random rate (cached copies)",
    "pitch": "audio: pitch shift by a random number of semitones (cached copies)",
    "noise": "audio: white noise at a random SNR (cached copies)",
    "crop": "segments cut at a random frame offset of their clip each epoch",
    "gain": "a random gain in dB (exact on log-mel, except where a bin sits at the -100 dB silence floor)",
    "freq_mask": "SpecAugment frequency masks",
    "time_mask": "SpecAugment time masks",
    "mixup": "pairs of segments and their labels mixed",
}
#: The audio-level ones (they need ``audio_copies``).
AUDIO_AUGMENTATIONS: tuple[str, ...] = ("stretch", "pitch", "noise")
#: What ``--augment default`` means: what chapter 8 recommends after measuring on the 80 real
#: tracks (5-fold CV by track, small CNN, seed 0): crops + mixup 73.8 %, crops alone 68.8 %,
#: crops + SpecAugment masks 60.0 %, none 66.2 % (the 95 % intervals overlap: see the chapter).
DEFAULT_AUGMENT: tuple[str, ...] = ("crop", "mixup")


def parse_augment(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """Augmentation names from a comma-separated string or a list.

    Parameters
    ----------
    spec : str, sequence of str or None
        E.g. "crop,mixup" or ["crop", "mixup"]; "default" expands to :data:`DEFAULT_AUGMENT`;
        None, "" and "none" mean no augmentation.

    Returns
    -------
    tuple of str
        The names in :data:`AUGMENTATIONS` order, without repeats. ValueError listing the
        accepted names for an unknown one.

    Notebook: 08_small_data.ipynb
    """
    if spec is None:
        return ()
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names: set[str] = set()
    for item in (str(i).strip().lower() for i in items):
        if item in ("", "none"):
            continue
        if item == "default":
            names.update(DEFAULT_AUGMENT)
        elif item in AUGMENTATIONS:
            names.add(item)
        else:
            raise ValueError(f"unknown augmentation {item!r}; choose from "
                             f"{', '.join(AUGMENTATIONS)} (comma-separated), 'default' "
                             f"({','.join(DEFAULT_AUGMENT)}) or 'none'")
    return tuple(name for name in AUGMENTATIONS if name in names)
