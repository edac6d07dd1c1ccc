"""The colours every figure gives the train, validation and test sets."""

from __future__ import annotations

#: One colour per set, shared by the figures of every chapter.
SET_COLOURS: dict[str, str] = {"train": "#4C72B0", "valid": "#DD8452", "test": "#C44E52"}
