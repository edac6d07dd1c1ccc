"""The records file of a sweep: one JSON line per finished trial, rewritten atomically.

A trial is identified by ``trial_key`` of its *identity*: the model, its full settings
(builder options, batch size, learning rate, feature configuration), the profile and
epochs, the split and its seed, the data fingerprint and the training seed. Two trials
with the same key are the same training run, whatever factor asked for it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from genrelib.cache import atomic_write_text

__all__ = ["RECORDS_FILE", "SEARCH_FILE", "append_record", "read_records", "trial_key"]

#: The one-factor-at-a-time sweep's records, in the sweep's folder.
RECORDS_FILE = "trials.jsonl"
#: The joint search's records, beside them.
SEARCH_FILE = "search.jsonl"


def normalised(data: Any) -> Any:
    """``data`` as JSON stores it (tuples become lists), so keys compare stored and new."""
    return json.loads(json.dumps(data, sort_keys=True))


def trial_key(identity: dict[str, Any]) -> str:
    """A 16-hex-digit hash of a trial's identity (JSON, sorted keys)."""
    text = json.dumps(normalised(identity), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_records(path: str | Path) -> list[dict[str, Any]]:
    """Every record of a records file (``[]`` when it does not exist yet), in order.

    ValueError names the file and line of a line that is not a JSON object.
    Notebook: 06_tuning.ipynb
    """
    path = Path(path)
    if not path.is_file():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}, line {number}: not a JSON record ({error.msg}); "
                             "remove the line to retrain that trial") from None
        if not isinstance(record, dict):
            raise ValueError(f"{path}, line {number}: not a JSON object")
        records.append(record)
    return records


def append_record(path: str | Path, record: dict[str, Any]) -> None:
    """Add ``record`` as the last line of ``path``: the whole file is rewritten to a
    temporary file and moved into place (``cache.atomic_write_text``), so an interrupted
    write leaves the previous records intact."""
    path = Path(path)
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    atomic_write_text(path, old + json.dumps(normalised(record), sort_keys=True) + "\n")
