"""Atomic saves that never silently overwrite someone else's save, nor a file marked read-only.

Every edit starts from a Snapshot (the text and its digest as the editor loaded it). A save re-reads
the file under a lock and refuses with SaveConflict when the file changed since the snapshot, so two
agents editing the same file cannot overwrite each other; the refused edit stays with its author.
`update()` holds the lock from the read to the write, for changes computed from the current text.

A save replaces the file with a temp file (a half-written file is never seen), which would give it
the temp file's mode and the saver as owner: the replacement gets the old file's mode, and its
owner and group as far as the saver may give them. A save that cannot happen (read-only file or
folder, full disk) raises SaveRefused, in words, and leaves no temp file.

Given `log_root`, a save that happened is recorded in that library's save log (save_log.py),
which appends under the same lock (`locked()`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.core.problems import display_path

try:  # POSIX: an advisory lock makes check-then-replace one step for cooperating writers.
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; the digest check still applies
    fcntl = None  # type: ignore[assignment]

# A file created by a save gets what any new file gets: this, less the umask (applied by os.open).
NEW_FILE_MODE = 0o666
_CREATE_FLAGS = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
# Why a save failed, for the curator; any other OSError is shown with the system's own words.
_REASONS = {
    getattr(errno, name): reason
    for name, reason in (
        ("EACCES", "its folder does not allow writing there"),
        ("EPERM", "its folder does not allow writing there"),
        ("ENOSPC", "the disk is full"),
        ("EDQUOT", "the disk quota is used up"),
        ("EROFS", "it is on a read-only file system"),
        ("ENOENT", "its folder does not exist"),
    )
    if hasattr(errno, name)
}


class SaveError(Exception):
    """A save that did not happen; the edit stays with its author."""


class SaveConflict(SaveError):
    """The file changed on disk after the editor loaded it."""


class SaveRefused(SaveError):
    """The file cannot be written (read-only file or folder, full disk); the message says which."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    text: str
    digest: str


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot(path: str | Path) -> Snapshot:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    return Snapshot(path, text, digest(text))


def save(
    path: str | Path,
    text: str,
    expected_digest: str,
    *,
    who: str | None = None,
    log_root: Path | None = None,
) -> Snapshot:
    """Write text if the file still matches expected_digest; atomically (temp file + rename).

    With log_root (the library folder the file belongs to), the save is recorded in that
    library's save log under `who` once the file is written; a refused save is never recorded."""
    path = Path(path)
    with _locked(path):
        _check_writable(path)
        if digest(_current_text(path)) != expected_digest:
            raise SaveConflict(_conflict_message(path))
        _replace(path, text)
    _log(log_root, who, path, "save")
    return Snapshot(path, text, digest(text))


def update(
    path: str | Path,
    change: Callable[[str], str],
    *,
    who: str | None = None,
    log_root: Path | None = None,
) -> Snapshot:
    """Replace the file's text with change(current text), holding the lock throughout, so no
    cooperating writer saves in between. A writer that takes no lock (a text editor) is still
    caught: SaveConflict, and the caller may start again from the new text. `who` and
    `log_root` as for save()."""
    path = Path(path)
    with _locked(path):
        _check_writable(path)
        current = _current_text(path)
        text = change(current)
        if _current_text(path) != current:
            raise SaveConflict(_conflict_message(path))
        _replace(path, text)
    _log(log_root, who, path, "update")
    return Snapshot(path, text, digest(text))


@contextlib.contextmanager
def locked(path: str | Path) -> Iterator[None]:
    """Hold the lock that saves of `path` take, for another writer that must not interleave with
    them (the save log appends under it). SaveRefused when the lock file cannot be opened."""
    with _locked(Path(path)):
        yield


def _log(log_root: Path | None, who: str | None, path: Path, action: str) -> None:
    if log_root is None:
        return
    # save_log appends under this module's lock, so it imports this module: importing it here,
    # when a save is logged, keeps the two from importing each other half-initialised.
    from assistant.curation.save_log import UNKNOWN_AUTHOR, record_save

    record_save(Path(log_root), who if who is not None else UNKNOWN_AUTHOR, path, action)


def _conflict_message(path: Path) -> str:
    return (
        f"{display_path(path)} was changed by someone else after you opened it; "
        "your edit was not saved. Reload the file and apply your change again."
    )


def _refused(path: Path, reason: str) -> SaveRefused:
    return SaveRefused(
        f"{display_path(path)} could not be saved: {reason}; your edit was not saved."
    )


def _reason(exc: OSError) -> str:
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with os.fdopen(_open_lock(path), "rb") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _open_lock(path: Path) -> int:
    """The lock file's descriptor. One another curator created may not be writable by this one:
    reading is enough to lock it."""
    lock_path = path.with_name(f".{path.name}.lock")
    cloexec = getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(lock_path, os.O_RDWR | os.O_CREAT | cloexec, NEW_FILE_MODE)
    except PermissionError as exc:
        try:
            return os.open(lock_path, os.O_RDONLY | cloexec)
        except OSError:
            raise _refused(path, _reason(exc)) from exc
    except OSError as exc:
        raise _refused(path, _reason(exc)) from exc


def _check_writable(path: Path) -> None:
    """Refuse a file its saver may not write, or one nobody may write (which root otherwise
    could): the rename would replace it regardless, since it only needs the folder's permission."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not (mode & 0o222) or not os.access(path, os.W_OK):
        raise SaveRefused(
            f"{display_path(path)} is read-only; your edit was not saved. "
            "Make it writable, or ask whoever owns it, and save again."
        )


def _current_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise _refused(path, f"it cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise _refused(path, f"it is not UTF-8 text (byte {exc.start})") from exc


def _replace(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        handle = os.open(temp, _CREATE_FLAGS, NEW_FILE_MODE)
    except OSError as exc:
        raise _refused(path, _reason(exc)) from exc
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            _keep_owner_and_mode(out.fileno(), path)
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        _discard(temp)
        raise _refused(path, _reason(exc)) from exc
    except BaseException:
        _discard(temp)
        raise


def _keep_owner_and_mode(handle: int, path: Path) -> None:
    """Give the temp file the old file's owner and group where the saver may, and its mode.
    Owner first: changing it clears the set-id bits that the mode then puts back."""
    try:
        old = path.stat()
    except FileNotFoundError:
        return
    if hasattr(os, "fchown"):
        # Only root may give a file away, and only a member may give it the group: otherwise the
        # file becomes the saver's, as a new file would; refusing the save would help no one.
        for owner in (old.st_uid, -1):
            with contextlib.suppress(OSError):
                os.fchown(handle, owner, old.st_gid)
                break
    if hasattr(os, "fchmod"):
        os.fchmod(handle, stat.S_IMODE(old.st_mode))


def _discard(temp: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)
