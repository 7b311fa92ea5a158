"""Reading drafts and batches from files or standard input, with errors that say what and where."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SourceError(Exception):
    """An input that cannot be read at all (missing file, binary data, invalid UTF-8)."""


def read_bytes(source: str | None) -> tuple[bytes, str]:
    """The raw bytes of FILE, or of standard input for '-' or None, and a name for messages."""
    if source in (None, "-"):
        return sys.stdin.buffer.read(), "<stdin>"
    path = Path(source)
    try:
        return path.read_bytes(), source
    except FileNotFoundError:
        raise SourceError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{source}: is a directory, not a file") from None
    except OSError as exc:
        raise SourceError(f"{source}: cannot read ({exc.strerror})") from None


def decode(data: bytes, where: str) -> str:
    nul = data.find(b"\x00")
    if nul != -1:
        raise SourceError(f"{where}: looks like binary data (NUL byte at offset {nul}), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{where}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None


def read_text(source: str | None) -> tuple[str, str]:
    data, name = read_bytes(source)
    return decode(data, name), name


@dataclass(frozen=True)
class BatchItem:
    line: int
    id: Any
    text: str
    case_type: str | None


@dataclass(frozen=True)
class BatchError:
    line: int
    id: Any
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "line": self.line, "error": self.error}


def read_batch(data: bytes, where: str) -> Iterator[BatchItem | BatchError]:
    """One item or one error per non-blank line; a broken line never stops the batch."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if not raw.strip():
            continue
        yield _parse_line(raw, number, where)


def _parse_line(raw: bytes, number: int, where: str) -> BatchItem | BatchError:
    try:
        line = decode(raw, f"{where}:{number}")
    except SourceError as exc:
        return BatchError(number, None, str(exc).split(": ", 1)[1])
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return BatchError(number, None, f"not valid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return BatchError(number, None, f"expected a JSON object, got {type(record).__name__}")
    record_id = record.get("id")
    if isinstance(record_id, dict | list):
        return BatchError(number, None, "id must be a string, number or null")
    if "text" not in record:
        return BatchError(number, record_id, "missing field 'text'")
    text = record["text"]
    if not isinstance(text, str):
        return BatchError(
            number, record_id, f"field 'text' must be a string, got {type(text).__name__}"
        )
    case_type = record.get("case_type")
    if case_type is not None and not isinstance(case_type, str):
        return BatchError(number, record_id, "field 'case_type' must be a string or null")
    return BatchItem(number, record_id, text, case_type)


def read_text_records(data: bytes, where: str) -> list[dict[str, Any]]:
    """Whole-file JSONL records that each carry a `text` string; the first bad line stops the read.

    For files read as a unit (a labelled set, an uploaded batch), unlike `read_batch`, which keeps
    going past broken lines of a batch being checked."""
    records = []
    # Cut at newlines only: a JSON string may hold a raw U+2028 or U+0085, which str.splitlines()
    # would take for line ends and so break a valid record in two.
    for number, line in enumerate(decode(data, where).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{where}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise SourceError(f"{where}:{number}: each record needs a 'text' string")
        records.append(record)
    return records
