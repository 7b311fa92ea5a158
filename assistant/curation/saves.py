"""Atomic saves that never silently overwrite someone else's save.

Every edit starts from a Snapshot (the text and its digest as the editor loaded it). A save re-reads
the file under a lock and refuses with SaveConflict when the file changed since the snapshot, so two
agents editing the same file cannot overwrite each other; the refused edit stays with its author.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.core.problems import display_path

try:  # POSIX: an advisory lock makes check-then-replace one step for cooperating writers.
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; the digest check still applies
    fcntl = None  # type: ignore[assignment]


class SaveConflict(Exception):
    """The file changed on disk after the editor loaded it."""


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


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock_path = path.with_name(f".{path.name}.lock")
    with open(lock_path, "a+") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def save(path: str | Path, text: str, expected_digest: str) -> Snapshot:
    """Write text if the file still matches expected_digest; atomically (temp file + rename)."""
    path = Path(path)
    with _locked(path):
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if digest(current) != expected_digest:
            raise SaveConflict(
                f"{display_path(path)} was changed by someone else after you opened it; "
                "your edit was not saved. Reload the file and apply your change again."
            )
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
    return Snapshot(path, text, digest(text))
