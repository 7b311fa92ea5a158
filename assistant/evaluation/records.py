"""Labelled JSONL records and their splits.

An id whose trailing number is a multiple of 5 is in the "check" split, any other number in
"tuning": rules are tuned on one and judged on the other. Borderline items and hard negatives are
marked in a record's notes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.core.inputs import SourceError, read_text_records

ALL, TUNING, CHECK = "all", "tuning", "check"
SPLITS = (ALL, TUNING, CHECK)

_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")
_BORDERLINE = re.compile(r"\bborderline\b", re.IGNORECASE)
_HARD_NEGATIVE = re.compile(r"\bhard[\s-]negatives?\b", re.IGNORECASE)


def record_split(record_id: Any) -> str | None:
    """The split an id belongs to; None when the id does not end in a number."""
    if record_id is None or isinstance(record_id, bool):
        return None
    match = _TRAILING_NUMBER.search(str(record_id))
    if match is None:
        return None
    return CHECK if int(match.group(1)) % 5 == 0 else TUNING


def _notes(record: Mapping[str, Any]) -> str:
    notes = record.get("notes")
    if isinstance(notes, str):
        return notes
    if isinstance(notes, list):
        return " ".join(str(note) for note in notes)
    return ""


def is_borderline(record: Mapping[str, Any]) -> bool:
    return bool(_BORDERLINE.search(_notes(record)))


def is_hard_negative(record: Mapping[str, Any]) -> bool:
    return bool(_HARD_NEGATIVE.search(_notes(record)))


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of a labelled JSONL file; the first bad line stops the read with its number."""
    if not Path(path).exists():
        raise SourceError(f"{path}: no such file")
    records = read_text_records(Path(path).read_bytes(), str(path))
    for record in records:
        if not isinstance(record.get("labels", []), list):
            raise SourceError(f"{path}: record {record.get('id')!r}: 'labels' must be a list")
    return records


def select_split(
    records: list[dict[str, Any]], split: str, path: str | Path
) -> list[dict[str, Any]]:
    if split == ALL:
        return records
    if split not in SPLITS:
        raise SourceError(f"--split {split!r}: expected one of {', '.join(SPLITS)}")
    if not any(record_split(r.get("id")) for r in records):
        raise SourceError(
            f"{path}: no record id ends in a number, so the file has no {split} split"
        )
    return [r for r in records if record_split(r.get("id")) == split]
