"""Who saved which library file when: one line per save, appended to a plain log in the library.

The log is `<library root>/.changes.log`, one line per save: UTC time, who, action and the file
relative to the library root, separated by tabs. It lives inside the library so that it moves,
and is backed up, with it; the loader never reads it (rule files are `*.yml`, case types are
folders) and it is not shipped in the package (package data lists the library's own file types).

Names and paths come from people and file systems: every tab, line break, backslash and other
control character is written as an escape, so one save is always exactly one line and no name
can forge another entry. Appends take the same lock as saves (saves.locked), so concurrent saves
all land, each on its own line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.core.problems import display_path
from assistant.curation.saves import SaveRefused, locked

LOG_NAME = ".changes.log"
UNKNOWN_AUTHOR = "(not signed in)"
_SEPARATOR = "\t"
_FIELDS = 4
_APPEND_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
_LOG_MODE = 0o666  # less the umask, as any new file of the library

# Control characters (C0, DEL, C1), the Unicode line and paragraph separators that
# str.splitlines() breaks on, and the backslash that starts an escape.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
_SHORT_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPE = re.compile(r"\\(?:([\\tnr])|x([0-9a-f]{2})|u([0-9a-f]{4}))")
_SHORT_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


class SaveLogError(Exception):
    """The save log cannot be written or read; the message names the file (and line)."""


@dataclass(frozen=True)
class SaveEntry:
    when: datetime
    who: str
    action: str
    path: str  # relative to the library root, with forward slashes


def log_path(library_root: Path) -> Path:
    return Path(library_root) / LOG_NAME


def record_save(
    library_root: Path, who: str, path: Path, action: str, when: datetime | None = None
) -> SaveEntry:
    """Append one entry for a save of `path` (a file inside library_root). `when` must carry its
    time zone (it is written in UTC); the default is now."""
    when = datetime.now(UTC) if when is None else when
    if when.tzinfo is None:
        raise ValueError("record_save: `when` has no time zone; pass an aware datetime")
    entry = SaveEntry(when.astimezone(UTC), who, action, _relative(Path(library_root), Path(path)))
    log = log_path(library_root)
    line = _format(entry).encode("utf-8")
    try:
        with locked(log):
            _append(log, line, path)
    except SaveRefused as exc:  # the lock file itself could not be opened
        raise SaveLogError(_unwritable(log, path, str(exc))) from exc
    return entry


def _append(log: Path, line: bytes, saved: Path) -> None:
    try:
        handle = os.open(log, _APPEND_FLAGS, _LOG_MODE)
    except OSError as exc:
        raise SaveLogError(_unwritable(log, saved, exc.strerror or str(exc))) from exc
    try:
        rest = memoryview(line)
        while rest:  # a regular file takes it in one write; a short write is finished, not lost
            rest = rest[os.write(handle, rest) :]
    except OSError as exc:
        raise SaveLogError(_unwritable(log, saved, exc.strerror or str(exc))) from exc
    finally:
        os.close(handle)


def read_save_log(library_root: Path, limit: int | None = None) -> list[SaveEntry]:
    """The entries of library_root's log, oldest first; only the last `limit` when given. A
    library nobody has saved in yet has an empty log."""
    log = log_path(library_root)
    try:
        text = log.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise SaveLogError(f"{display_path(log)}: the save log cannot be read ({exc})") from exc
    # Only "\n" ends an entry: the escapes guarantee no other line break is in one.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    numbered = list(enumerate(lines, start=1))
    if limit is not None:
        numbered = numbered[-limit:] if limit > 0 else []
    return [_parse(log, number, line) for number, line in numbered]


def escape(value: str) -> str:
    return _UNSAFE.sub(_escape_one, value)


def unescape(value: str) -> str:
    return _ESCAPE.sub(_unescape_one, value)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _unescape_one(match: re.Match[str]) -> str:
    short, byte, wide = match.groups()
    if short is not None:
        return _SHORT_UNESCAPES[short]
    return chr(int(byte or wide, 16))


def _format(entry: SaveEntry) -> str:
    fields = (entry.when.isoformat(timespec="seconds"), entry.who, entry.action, entry.path)
    return _SEPARATOR.join(escape(field) for field in fields) + "\n"


def _parse(log: Path, number: int, line: str) -> SaveEntry:
    fields = line.split(_SEPARATOR)
    where = f"{display_path(log)}:{number}"
    if len(fields) != _FIELDS:
        raise SaveLogError(
            f"{where}: expected {_FIELDS} tab-separated fields (time, who, action, file), "
            f"found {len(fields)}"
        )
    if "\\" in _ESCAPE.sub("", line):
        raise SaveLogError(f"{where}: a backslash that starts no known escape")
    stamp, who, action, path = (unescape(field) for field in fields)
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise SaveLogError(f"{where}: {stamp!r} is not an ISO time") from exc
    if when.tzinfo is None:
        raise SaveLogError(f"{where}: the time {stamp!r} has no time zone")
    return SaveEntry(when, who, action, path)


def _relative(library_root: Path, path: Path) -> str:
    root = library_root.resolve()
    # The file's folder is resolved, not the file: a link inside the library is logged by its
    # own name, not by what it points at.
    target = path if path.is_absolute() else Path.cwd() / path
    target = target.parent.resolve() / target.name
    try:
        return target.relative_to(root).as_posix()
    except ValueError:
        raise ValueError(
            f"record_save: {display_path(path)} is not inside the library {display_path(root)}"
        ) from None


def _unwritable(log: Path, saved: Path, reason: str) -> str:
    return (
        f"{display_path(saved)} was saved, but the save log {display_path(log)} could not be "
        f"written ({reason}); the save is not recorded."
    )
