"""Reported false positives wait in a queue until a curator accepts or dismisses them.

An agent's report no longer edits the shared rule file: it lands in `.pending_reports.jsonl` beside
the library, one JSON object a line. The file sits in the library's own folder so a report always
travels with the rules it names (each library has its own rule ids); its dot name and its
extension keep it out of everything that reads the library: `rule_files()` and
`library_signature()` look at `*.yml` only, so filing a report neither adds a "rule file" nor
rebuilds the engine, and the wheel ships only `*.yml` and `*.txt` of the bundled library.

Every write (file, accept, dismiss) rewrites the queue under its lock through `saves.update()`, so
reports made at once all land. A line that cannot be read is skipped by the listing, named by file
and line, and kept as it is by every write, so a curator can mend it by hand.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core import resources
from assistant.core.problems import Problem, display_path
from assistant.curation.false_positives import (
    REPORT_ATTEMPTS,
    AlreadyListed,
    CurationError,
    add_pending_pass_example,
    refuse_listed,
    rule_file,
)
from assistant.curation.saves import SaveConflict, update
from assistant.library.loader import Library, collect, library_signature
from assistant.library.rules import Rule

if TYPE_CHECKING:
    from assistant.engine import Engine

QUEUE_FILE = ".pending_reports.jsonl"
MAX_SENTENCE_CHARS = 1000
MAX_NOTE_CHARS = 1000
MAX_PERSON_CHARS = 100
REPORT_FIELDS = ("id", "rule_id", "sentence", "reporter", "filed_at", "note")
_REQUIRED_TEXT = ("id", "rule_id", "sentence", "filed_at")
_OPTIONAL_TEXT = ("reporter", "note")

log = logging.getLogger(__name__)
_LIBRARY_LOCK = threading.Lock()


class ReportError(CurationError):
    """A report that cannot be filed, accepted or dismissed, with the reason in words."""


class AlreadyPending(ReportError):
    """The same sentence is already waiting in the queue for this rule."""

    def __init__(self, message: str, report: Report):
        super().__init__(message)
        self.report = report


class ReportNotFound(ReportError):
    """No queued report has this id (already accepted or dismissed, or never filed)."""


@dataclass(frozen=True)
class Report:
    id: str
    rule_id: str
    sentence: str
    reporter: str | None
    filed_at: str  # ISO 8601, UTC
    note: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


@dataclass(frozen=True)
class Queue:
    """The queue as read: the reports in filing order, and the lines that could not be read."""

    reports: tuple[Report, ...]
    skipped: tuple[Problem, ...] = ()


def queue_path(rules_dir: str | Path | None = None) -> Path:
    return resources.rules_dir(rules_dir) / QUEUE_FILE


def file_report(
    rules_dir: str | Path | None,
    rule_id: str,
    sentence: str,
    *,
    reporter: str | None,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Queue a reported false positive of rule_id. The sentence is stored as given (the page
    masks personal data and lets the agent trim it first), its spacing tidied.

    Refuses (ReportError) an empty or overlong sentence and an unknown rule id; raises
    AlreadyPending when this rule already has the sentence queued, AlreadyListed when the rule
    already lists it as an example."""
    sentence = _one_line(sentence)
    if not sentence:
        raise ReportError("the reported sentence is empty")
    if len(sentence) > MAX_SENTENCE_CHARS:
        raise ReportError(
            f"the reported sentence is {len(sentence):,} characters long; at most "
            f"{MAX_SENTENCE_CHARS:,} can be reported: keep the sentence that holds the finding"
        )
    rule = _rule(resources.rules_dir(rules_dir), rule_id)
    refuse_listed(rule, sentence, Path(rule.path))
    report = Report(
        id=secrets.token_hex(6),
        rule_id=rule_id,
        sentence=sentence,
        reporter=_person(reporter, "reporter") if reporter and reporter.strip() else None,
        filed_at=_stamp(now),
        note=_note(note),
    )
    path = queue_path(rules_dir)

    def append(text: str) -> str:
        queued = _same_report(_parse(text, path).reports, rule_id, sentence)
        if queued is not None:
            raise AlreadyPending(
                f"“{sentence}” is already waiting for a curator as a false positive of "
                f"{rule_id} (report {queued.id}, filed {queued.filed_at})",
                queued,
            )
        return _with_newline(text) + report.to_json() + "\n"

    _update(path, append)
    return report


def read_queue(rules_dir: str | Path | None = None) -> Queue:
    """The queued reports, oldest first; lines that cannot be read are skipped and listed."""
    path = queue_path(rules_dir)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Queue(())
    except OSError as exc:
        problem = Problem(display_path(path), "(queue)", "(file)", f"cannot be read: {exc}")
        return Queue((), (problem,))
    return _parse_bytes(data, path)


def pending_reports(rules_dir: str | Path | None = None) -> list[Report]:
    """The queued reports, oldest first. A line that cannot be read is logged and skipped;
    read_queue() gives those lines to show them."""
    queue = read_queue(rules_dir)
    for problem in queue.skipped:
        log.warning("skipped a report: %s", problem)
    return list(queue.reports)


def accept_report(
    rules_dir: str | Path | None,
    report_id: str,
    *,
    curator: str,
    today: dt.date | None = None,
) -> Path:
    """Add the report's sentence to its rule as a pending pass example and take it off the queue;
    returns the rule file.

    Pending, not plain: the curator agrees the rule should not fire here, but until the rule is
    fixed it still does, and a plain pass example would fail `rules test` for every curator
    meanwhile; the pending mark lists it as "pending fix" and says when to drop the mark. If the
    rule file cannot be written the report stays queued. A sentence the rule lists already (added
    by hand, or by a curator accepting at the same time) counts as accepted."""
    rules_dir = resources.rules_dir(rules_dir)
    curator = _person(curator, "curator")
    path = queue_path(rules_dir)
    written: list[Path] = []

    def accept(text: str) -> str:
        report = _find(text, path, report_id)
        note = (
            f"reported as a false positive on {report.filed_at[:10]}, accepted by {curator} "
            f"on {(today or dt.date.today()).isoformat()}"
        )
        try:
            target = add_pending_pass_example(
                rules_dir, report.rule_id, report.sentence, today=today, note=note
            )
        except AlreadyListed:
            target = rule_file(rules_dir, report.rule_id)
        written.append(target)
        return _without(text, path, report_id)

    _update(path, accept)
    log.info("report %s accepted by %s into %s", report_id, curator, written[-1])
    return written[-1]


def dismiss_report(rules_dir: str | Path | None, report_id: str, *, curator: str) -> None:
    """Take the report off the queue without touching the rule."""
    curator = _person(curator, "curator")
    path = queue_path(rules_dir)

    def dismiss(text: str) -> str:
        _find(text, path, report_id)
        return _without(text, path, report_id)

    _update(path, dismiss)
    log.info("report %s dismissed by %s", report_id, curator)


def still_fires(engine: Engine, rule_id: str, sentence: str) -> bool:
    """Whether rule_id fires on the sentence: after masking and trimming, a report whose rule no
    longer fires would show the curator nothing to fix (and `rules test` would call it fixed)."""
    rule = engine.library.rule(rule_id)
    result = engine.review(sentence) if rule.kind == "draft" else engine.scan(sentence)
    return any(finding.rule == rule_id for finding in result.findings)


def _update(path: Path, change: Callable[[str], str]) -> None:
    """saves.update, started again when an editor that takes no lock saved the queue meanwhile."""
    for _ in range(REPORT_ATTEMPTS - 1):
        with contextlib.suppress(SaveConflict):
            update(path, change)
            return
    update(path, change)


def _rule(rules_dir: Path, rule_id: str) -> Rule:
    # One parse for agents reporting at once: lru_cache alone would let each of them parse.
    with _LIBRARY_LOCK:
        library = _library(str(rules_dir), library_signature(rules_dir))
    try:
        return library.rule(rule_id)
    except KeyError:
        raise ReportError(f"no rule with id {rule_id!r} in {display_path(rules_dir)}") from None


@lru_cache(maxsize=4)
def _library(rules_dir: str, signature: tuple) -> Library:
    # Keyed on the files' signature like shared_engine: a saved rule file is seen at once.
    library, _ = collect(rules_dir)
    return library


def _parse(text: str, path: Path) -> Queue:
    return _parse_bytes(text.encode("utf-8"), path)


def _parse_bytes(data: bytes, path: Path) -> Queue:
    reports: list[Report] = []
    skipped: list[Problem] = []
    shown = display_path(path)
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            reports.append(_report_from(json.loads(raw.decode("utf-8"))))
        except UnicodeDecodeError as exc:
            skipped.append(_skip(shown, number, f"not UTF-8 text (byte {exc.start})"))
        except json.JSONDecodeError as exc:
            skipped.append(_skip(shown, number, f"not JSON ({exc.msg}, column {exc.colno})"))
        except ValueError as exc:
            skipped.append(_skip(shown, number, str(exc)))
    return Queue(tuple(reports), tuple(skipped))


def _skip(shown: str, line: int, reason: str) -> Problem:
    return Problem(shown, "(queue)", "report", f"skipped: {reason}", line)


def _report_from(value: Any) -> Report:
    if not isinstance(value, dict):
        raise ValueError(f"a report is a JSON object, not {type(value).__name__}")
    for name in _REQUIRED_TEXT:
        if not isinstance(value.get(name), str) or not value[name]:
            raise ValueError(f"field {name!r} is missing or not text")
    for name in _OPTIONAL_TEXT:
        if value.get(name) is not None and not isinstance(value[name], str):
            raise ValueError(f"field {name!r} is not text")
    return Report(**{name: value.get(name) for name in REPORT_FIELDS})


def _find(text: str, path: Path, report_id: str) -> Report:
    found = next((r for r in _parse(text, path).reports if r.id == report_id), None)
    if found is None:
        raise ReportNotFound(
            f"no report {report_id!r} in {display_path(path)}: "
            "it was accepted or dismissed already, or never filed"
        )
    return found


def _without(text: str, path: Path, report_id: str) -> str:
    """The queue's text less the report's line; every other line, unreadable ones included,
    stays exactly as it was."""
    kept = [
        line for line in text.splitlines(keepends=True) if not _is_report(line, path, report_id)
    ]
    return "".join(kept)


def _is_report(line: str, path: Path, report_id: str) -> bool:
    queue = _parse(line, path)
    return any(report.id == report_id for report in queue.reports)


def _same_report(reports: tuple[Report, ...], rule_id: str, sentence: str) -> Report | None:
    key = _key(sentence)
    return next((r for r in reports if r.rule_id == rule_id and _key(r.sentence) == key), None)


def _key(sentence: str) -> str:
    """Two reports are the same whatever their spacing or capitals."""
    return _one_line(sentence).casefold()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _with_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _stamp(now: dt.datetime | None) -> str:
    moment = now or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _person(name: str | None, role: str) -> str:
    name = _one_line(name or "")
    if not name:
        raise ReportError(f"the {role}'s name is empty")
    if len(name) > MAX_PERSON_CHARS:
        raise ReportError(f"the {role}'s name is over {MAX_PERSON_CHARS} characters")
    return name


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ReportError(f"the note is {len(note):,} characters long; at most {MAX_NOTE_CHARS:,}")
    return note or None
