"""Reading drafts and batches from files or standard input, with errors that say what and where."""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, NoReturn

from assistant.core.text import MAX_TEXT_CHARS

_BOM = b"\xef\xbb\xbf"

# Python's own bound for int() (3.11), kept whatever the interpreter is set to: no id or field of
# a record needs a longer number, and converting one costs time quadratic in its length.
MAX_NUMBER_DIGITS = 4300

# In a str, a surrogate code point is always unpaired: json.loads joins a valid "\ud83d\ude00"
# pair into one character. An unpaired one cannot be encoded as UTF-8, so no output could hold it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class SourceError(Exception):
    """An input that cannot be read at all (missing file, binary data, invalid UTF-8)."""


class RecordError(ValueError):
    """A JSON line this reader refuses although it may parse elsewhere; the message says why."""


def read_bytes(source: str | None) -> tuple[bytes, str]:
    """The raw bytes of FILE, or of standard input for '-' or None, and a name for messages."""
    with open_binary(source) as (stream, name):
        try:
            return stream.read(), name
        except OSError as exc:
            raise SourceError(f"{name}: cannot read ({exc.strerror})") from None


@contextmanager
def open_binary(source: str | None) -> Iterator[tuple[BinaryIO, str]]:
    """FILE, or standard input for '-' or None, as a binary stream, and a name for messages."""
    if source in (None, "-"):
        if sys.stdin is None:
            raise SourceError("<stdin>: standard input is closed")
        yield sys.stdin.buffer, "<stdin>"
        return
    try:
        stream = open(source, "rb")  # noqa: SIM115 -- closed below, after the caller's reads
    except FileNotFoundError:
        raise SourceError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{source}: is a directory, not a file") from None
    except OSError as exc:
        raise SourceError(f"{source}: cannot read ({exc.strerror})") from None
    with stream:
        yield stream, source


# A record's text holds at most MAX_TEXT_CHARS characters, each at most 6 bytes as a JSON escape
# (\uXXXX): a longer line cannot be a valid record, and reading it whole would let one line with no
# end take all the memory there is.
MAX_LINE_BYTES = 1 << 20


@dataclass(frozen=True)
class OverlongLine:
    """A line longer than MAX_LINE_BYTES, skipped unread; `size` is its length in bytes."""

    size: int


def lines_of(stream: BinaryIO, where: str) -> Iterator[bytes | OverlongLine]:
    """The lines of a stream as they arrive, cut at b"\\n" only, so that nothing waits for the end
    of the input and a raw U+2028 or U+0085 inside a JSON string never splits a record. A line over
    MAX_LINE_BYTES is read through in bounded pieces and given as an OverlongLine."""
    while True:
        line = _read_line(stream, MAX_LINE_BYTES + 1, where)
        if not line:
            return
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while piece := _read_line(stream, MAX_LINE_BYTES, where):
            size += len(piece)
            if piece.endswith(b"\n"):
                break
        yield OverlongLine(size)


def _read_line(stream: BinaryIO, limit: int, where: str) -> bytes:
    try:
        return stream.readline(limit)
    except OSError as exc:
        raise SourceError(f"{where}: cannot read ({exc.strerror})") from None


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


def shown_name(name: str) -> str:
    """A file name fit for UTF-8 output: bytes of a name that is not UTF-8 (which Python hands on
    as lone surrogates) are written as \\xNN, as Python's own error messages do."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def unicode_problem(text: str) -> str | None:
    """Why `text` is not valid Unicode, or None when it is."""
    found = _LONE_SURROGATE.search(text)
    if found is None:
        return None
    return (
        f"lone surrogate \\u{ord(found.group()):04x} at offset {found.start()} "
        "(half of a UTF-16 pair)"
    )


def _refuse_constant(name: str) -> NoReturn:
    raise RecordError(f"not valid JSON: {name} is not a JSON value")


def _bounded_int(digits: str) -> int:
    count = len(digits.lstrip("-"))
    if count > MAX_NUMBER_DIGITS:
        raise RecordError(f"a number has {count:,} digits; the limit is {MAX_NUMBER_DIGITS:,}")
    return int(digits)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        shown = literal if len(literal) <= 20 else literal[:20] + "…"
        raise RecordError(f"number {shown} is out of range")
    return value


def parse_json_line(line: str) -> Any:
    """Strict JSON (no NaN or Infinity) within the bounds Python can read without failing.

    Raises json.JSONDecodeError for text that is not JSON and RecordError for the rest."""
    try:
        return json.loads(
            line,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except RecursionError:
        raise RecordError("arrays or objects nested too deeply") from None


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


def _numbered_lines(
    lines: Iterable[bytes | OverlongLine],
) -> Iterator[tuple[int, bytes | OverlongLine]]:
    """Each non-blank line with its 1-based number (blank lines count), without the line end and
    without a byte-order mark on the first line."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, OverlongLine):
            yield number, raw
            continue
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        raw = raw.removesuffix(b"\n").rstrip(b"\r")
        if raw.strip():
            yield number, raw


def read_batch(
    lines: Iterable[bytes | OverlongLine], where: str
) -> Iterator[BatchItem | BatchError]:
    """One item or one error per non-blank line, as each line arrives; a broken line, whatever
    is wrong with it, never stops the batch."""
    for number, raw in _numbered_lines(lines):
        if isinstance(raw, OverlongLine):
            yield BatchError(
                number,
                None,
                f"line is {raw.size:,} bytes; a record line holds at most {MAX_LINE_BYTES:,} "
                f"(a text of at most {MAX_TEXT_CHARS:,} characters)",
            )
            continue
        # One line's failure, whatever it is, is that line's error; the yield stays outside the
        # guard so that nothing the consumer does is taken for this line's fault.
        try:
            parsed = _parse_line(raw, number, where)
        except Exception as exc:
            parsed = BatchError(number, None, f"internal error on this line: {summary_of(exc)}")
        yield parsed


def summary_of(exc: BaseException) -> str:
    """An exception as one line: its type and message."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _parse_line(raw: bytes, number: int, where: str) -> BatchItem | BatchError:
    try:
        line = decode(raw, f"{where}:{number}")
    except SourceError as exc:
        return BatchError(number, None, str(exc).split(": ", 1)[1])
    try:
        record = parse_json_line(line)
    except json.JSONDecodeError as exc:
        return BatchError(number, None, f"not valid JSON: {exc.msg} at column {exc.colno}")
    except RecordError as exc:
        return BatchError(number, None, str(exc))
    if not isinstance(record, dict):
        return BatchError(number, None, f"expected a JSON object, got {type(record).__name__}")
    record_id = record.get("id")
    if isinstance(record_id, dict | list):
        return BatchError(number, None, "id must be a string, number or null")
    if isinstance(record_id, str) and (problem := unicode_problem(record_id)):
        return BatchError(number, None, f"id is not valid Unicode: {problem}")
    if "text" not in record:
        return BatchError(number, record_id, "missing field 'text'")
    text = record["text"]
    if not isinstance(text, str):
        return BatchError(
            number, record_id, f"field 'text' must be a string, got {type(text).__name__}"
        )
    if problem := unicode_problem(text):
        return BatchError(number, record_id, f"field 'text' is not valid Unicode: {problem}")
    case_type = record.get("case_type")
    if case_type is not None and not isinstance(case_type, str):
        return BatchError(number, record_id, "field 'case_type' must be a string or null")
    if case_type is not None and (problem := unicode_problem(case_type)):
        return BatchError(number, record_id, f"field 'case_type' is not valid Unicode: {problem}")
    return BatchItem(number, record_id, text, case_type)


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON value, keys included; a loop, not recursion, as the value
    may be nested nearly as deep as the parser allows."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def read_text_records(data: bytes, where: str) -> list[dict[str, Any]]:
    """Whole-file JSONL records that each carry a `text` string; the first bad line stops the read.

    For files read as a unit (a labelled set, an uploaded batch), unlike `read_batch`, which keeps
    going past broken lines of a batch being checked. Lines are cut at "\\n" only (a JSON string
    may hold a raw U+2028 or U+0085, which str.splitlines() would take for line ends); a "\\r"
    before it is JSON whitespace; blank lines are skipped but counted."""
    records = []
    for number, line in enumerate(decode(data, where).split("\n"), start=1):
        if line.strip():
            records.append(_text_record(line, f"{where}:{number}"))
    return records


def _text_record(line: str, where: str) -> dict[str, Any]:
    try:
        record = parse_json_line(line)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{where}: not valid JSON: {exc.msg}") from None
    except RecordError as exc:
        raise SourceError(f"{where}: {exc}") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise SourceError(f"{where}: each record needs a 'text' string")
    if problem := unicode_problem(record["text"]):
        raise SourceError(f"{where}: field 'text' is not valid Unicode: {problem}")
    for string in _strings(record):
        if problem := unicode_problem(string):
            raise SourceError(f"{where}: not valid Unicode: {problem} in a string")
    return record
