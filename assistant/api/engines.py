"""The engine the API serves, rebuilt when the library's files change, without dropping requests.

A request takes the current engine and keeps it to the end: a reload builds the new engine on a
background thread while the old one goes on answering, then swaps one reference. A library saved
broken keeps the old engine serving and says so in /v1/library until a save fixes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from assistant.compose.render import ComposeError
from assistant.core import resources
from assistant.core.problems import LibraryError
from assistant.engine import Engine
from assistant.library.loader import library_signature

log = logging.getLogger("assistant.api")

Signature = tuple[tuple[str, int, int], ...]
# Stat-ing the library's files takes about 1 ms on the busy 2-core machine, as long as a check:
# twice a second keeps it off the hot path and still picks up a curator's save at once.
DEFAULT_CHECK_INTERVAL = 0.5


@dataclass(frozen=True)
class Loaded:
    engine: Engine
    signature: Signature
    digest: str
    loaded_at: dt.datetime


def library_digest(signature: Signature, rules_dir: Path) -> str:
    """sha256 over each library file's path (relative) and bytes: equal libraries, equal digests,
    wherever they are installed."""
    digest = hashlib.sha256()
    for name, _mtime, _size in signature:
        path = Path(name)
        digest.update(path.relative_to(rules_dir).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0missing")
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


# Made up for the warm-up; what they find does not matter, only that every part has run once.
# "Zorvexa" is in no syllable table: it makes readability load textstat's fallback dictionaries
# (9 s on the busy machine), which a first request would otherwise pay inside its check.
_WARM_DRAFT = (
    "Thanks for writing in, Zorvexa. I've sent a replacement today and I'll email you by Friday."
)
_WARM_MESSAGE = "My parcel never arrived and I want a refund."


def warm_up(engine: Engine) -> None:
    """One check of each kind before the engine serves. Parts built on first use (textstat's
    dictionaries for a word the shipped syllable table lacks, the first template render) take
    seconds on a busy machine; inside a request that time counts against the check's 3 s budget,
    and a check with a case type that stops early reports its required elements missing."""
    engine.review(_WARM_DRAFT)
    case_types = engine.case_types()
    if case_types and engine.library.required.elements:
        engine.review(_WARM_DRAFT, case_types[0])
    engine.scan(_WARM_MESSAGE)
    # The first render compiles the shared template parts (about 2 s on the busy machine).
    for case_type in case_types:
        sample = engine.templates_dir / case_type / "sample.yml"
        if sample.is_file():
            try:
                context = yaml.safe_load(sample.read_text("utf-8"))
                engine.compose(case_type, context if isinstance(context, dict) else {})
            except (ComposeError, yaml.YAMLError, OSError):
                continue  # a sample that does not render is the curator's to fix, not a start failure
            break


class EngineHolder:
    def __init__(
        self,
        rules_dir: str | Path | None = None,
        templates_dir: str | Path | None = None,
        *,
        check_interval: float = DEFAULT_CHECK_INTERVAL,
        build: Callable[[Path, Path], Engine] = Engine.load,
    ):
        """Builds the first engine at once: raises LibraryError for a broken library."""
        self.rules_dir = resources.rules_dir(rules_dir)
        self.templates_dir = resources.templates_dir(templates_dir)
        self.check_interval = check_interval
        self._build = build
        self._lock = threading.Lock()
        self._reloading: threading.Thread | None = None
        self.reload_error: str | None = None
        self.reloads = 0
        self._failed_signature: Signature | None = None
        self._loaded = self._load()
        self._checked_at = time.monotonic()

    def _load(self) -> Loaded:
        # The signature is taken before the files are read: a save during the build changes it
        # again, so the next check rebuilds rather than serving a half-old library as current.
        signature = library_signature(self.rules_dir)
        engine = self._build(self.rules_dir, self.templates_dir)
        warm_up(engine)
        return Loaded(
            engine,
            signature,
            library_digest(signature, self.rules_dir),
            dt.datetime.now(dt.timezone.utc),
        )

    @property
    def loaded(self) -> Loaded:
        return self._loaded

    def current(self) -> Loaded:
        """The engine to answer this request with; starts a rebuild when the files changed."""
        now = time.monotonic()
        if now - self._checked_at >= self.check_interval:
            self._checked_at = now
            self._maybe_reload()
        return self._loaded

    def _maybe_reload(self) -> None:
        signature = library_signature(self.rules_dir)
        # A worn pipeline (engine.RENEW_PIPELINE_AFTER checks) is rebuilt like a changed library:
        # beside the one serving, swapped in one step, so memory stays flat over months of names.
        # Not while the saved library is one already refused: it would fail again every interval.
        if signature == self._failed_signature:
            return
        if signature == self._loaded.signature and not self._loaded.engine.worn:
            return
        with self._lock:
            if self._reloading is not None and self._reloading.is_alive():
                return
            self._reloading = threading.Thread(
                target=self._reload, name="reply-assistant-reload", daemon=True
            )
            self._reloading.start()

    def _reload(self) -> None:
        try:
            loaded = self._load()
        except LibraryError as exc:
            self._failed_signature = library_signature(self.rules_dir)
            first = exc.problems[0] if exc.problems else "unknown problem"
            self.reload_error = (
                f"the library saved at {dt.datetime.now(dt.timezone.utc):%H:%M:%S} UTC has "
                f"{len(exc.problems)} problem(s), first: {first}; still serving the previous one"
            )
            log.warning("library reload refused: %s", self.reload_error)
            return
        except Exception as exc:  # a bug in a rebuild must not stop the engine already serving
            self._failed_signature = library_signature(self.rules_dir)
            self.reload_error = f"the library could not be rebuilt ({type(exc).__name__}); still serving the previous one"
            log.exception("library reload failed")
            return
        self._loaded = loaded
        self.reload_error = None
        self._failed_signature = None
        self.reloads += 1
        log.info("library reloaded (%s)", loaded.digest[:19])

    def wait_for_reload(self, timeout: float = 30.0) -> None:
        """For tests and benchmarks: look for changes now and wait until any rebuild is done."""
        self._checked_at = time.monotonic()
        self._maybe_reload()
        thread = self._reloading
        if thread is not None:
            thread.join(timeout)
