"""Curators' edits to the library and templates: validated before saving, saved atomically, and never
silently overwriting someone else's save.

Every edit starts from a Snapshot (the text and its digest as the editor loaded it). A save re-reads
the file under a lock and refuses with SaveConflict when the file changed since the snapshot, so two
agents editing the same file cannot overwrite each other; the refused edit stays with its author.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, DictLoader, TemplateError

from .library import collect, display_path, rule_files
from .problems import Problem

try:  # POSIX: an advisory lock makes check-then-replace one step for cooperating writers.
    import fcntl
except ImportError:  # pragma: no cover - Windows has no fcntl; the digest check still applies
    fcntl = None  # type: ignore[assignment]


class SaveConflict(Exception):
    """The file changed on disk after the editor loaded it."""


class CurationError(ValueError):
    """An edit that cannot be applied, with a message for the curator."""


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


def validate_library_edit(rules_dir: str | Path, path: str | Path, text: str) -> list[Problem]:
    """Problems the library would have with `text` in place of `path` (the whole library is checked,
    so a duplicate id across files is caught too)."""
    _, problems = collect(Path(rules_dir), overrides={Path(path): text}, strict=True)
    return problems


def validate_template_edit(templates_dir: str | Path, relative: str, text: str) -> list[str]:
    """Syntax, private-attribute access, and a render of every case's sample with the edit in place."""
    from .compose import (
        environment,
        list_case_types,
        private_attribute_problems,
        render,
        sample_context,
    )

    root = Path(templates_dir).resolve()
    env = environment(str(root))
    problems: list[str] = []
    try:
        tree = env.parse(text)
    except TemplateError as exc:
        return [f"{relative}:{getattr(exc, 'lineno', 0)}: {exc}"]
    problems.extend(private_attribute_problems(tree, relative))
    if problems:
        return problems
    overlay = env.overlay(loader=ChoiceLoader([DictLoader({relative: text}), env.loader]))
    for case_type in list_case_types(root):
        try:
            render(
                case_type,
                sample_context(case_type, root),
                templates_dir=root,
                environment_override=overlay,
            )
        except Exception as exc:  # every failure is reported to the curator, none is raised
            problems.append(f"{relative}: rendering {case_type} with its sample fails: {exc}")
    return problems


def _rule_file_for(rules_dir: Path, rule_id: str) -> Path:
    pattern = re.compile(rf"^\s*-\s*id:\s*['\"]?{re.escape(rule_id)}['\"]?\s*$", re.MULTILINE)
    for path in rule_files(rules_dir):
        if pattern.search(path.read_text(encoding="utf-8")):
            return path
    raise CurationError(f"no rule with id {rule_id!r} in {display_path(rules_dir)}")


def add_pending_pass_example(
    rules_dir: str | Path, rule_id: str, sentence: str, *, today: dt.date | None = None
) -> Path:
    """Add a reported false positive to the rule's pass examples, marked pending until the rule is fixed.

    The file is edited as text (so the curator's comments and layout survive), then parsed again: the
    edit is saved only if the rule gained exactly this example and nothing else changed.
    """
    rules_dir = Path(rules_dir)
    sentence = " ".join(sentence.split())
    if not sentence:
        raise CurationError("the reported sentence is empty")
    path = _rule_file_for(rules_dir, rule_id)
    before = snapshot(path)
    note = f"reported as a false positive on {(today or dt.date.today()).isoformat()}"
    entry = (
        "{text: "
        + json.dumps(sentence, ensure_ascii=False)
        + ", pending: true, note: "
        + json.dumps(note)
        + "}"
    )
    new_text = _insert_pass_example(before.text, rule_id, entry)
    old_library, _ = collect(rules_dir)
    new_library, problems = collect(rules_dir, overrides={path: new_text})
    if problems:
        raise CurationError("; ".join(str(p) for p in problems))
    old_rule, new_rule = old_library.rule(rule_id), new_library.rule(rule_id)
    expected = (*old_rule.pending_pass_examples, sentence)
    if new_rule.pending_pass_examples != expected or len(new_library.rules) != len(
        old_library.rules
    ):
        raise CurationError(
            f"could not add the example to {display_path(path)} safely; add it by hand"
        )
    save(path, new_text, before.digest)
    return path


def _insert_pass_example(text: str, rule_id: str, entry: str) -> str:
    lines = text.splitlines(keepends=True)
    start = next(
        (
            i
            for i, line in enumerate(lines)
            if re.match(rf"^\s*-\s*id:\s*['\"]?{re.escape(rule_id)}['\"]?\s*$", line)
        ),
        None,
    )
    if start is None:
        raise CurationError(f"rule {rule_id!r} not found")
    rule_indent = len(lines[start]) - len(lines[start].lstrip())
    end = next(
        (
            i
            for i in range(start + 1, len(lines))
            if lines[i].strip()
            and len(lines[i]) - len(lines[i].lstrip()) <= rule_indent
            and lines[i].lstrip().startswith("-")
        ),
        len(lines),
    )
    for i in range(start + 1, end):
        stripped = lines[i].strip()
        if not stripped.startswith("pass:"):
            continue
        indent = len(lines[i]) - len(lines[i].lstrip())
        rest = stripped[len("pass:") :].strip()
        if rest.startswith("[") and rest.endswith("]"):
            inner = rest[1:-1].strip()
            joined = f"{inner}, {entry}" if inner else entry
            lines[i] = " " * indent + f"pass: [{joined}]\n"
            return "".join(lines)
        last = i
        item_indent = indent + 2
        for j in range(i + 1, end):
            if not lines[j].strip() or lines[j].lstrip().startswith("#"):
                continue
            current = len(lines[j]) - len(lines[j].lstrip())
            if current <= indent:
                break
            if lines[j].lstrip().startswith("- ") and last == i:
                item_indent = current
            last = j
        lines.insert(last + 1, " " * item_indent + f"- {entry}\n")
        if not lines[last].endswith("\n"):
            lines[last] += "\n"
        return "".join(lines)
    raise CurationError(f"rule {rule_id!r} has no pass examples list to extend")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence that holds a finding, for a false-positive report."""
    left = max(text.rfind(mark, 0, start) for mark in (".", "!", "?", "\n"))
    right_candidates = [
        i for i in (text.find(mark, end) for mark in (".", "!", "?", "\n")) if i != -1
    ]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    return text[left + 1 : right].strip()
