"""Reported false positives: the sentence becomes a pending pass example of its rule.

A curator then fixes the rule; until then `rules test` lists the example without failing on it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from assistant.core.problems import display_path
from assistant.curation.saves import SaveConflict, update
from assistant.library.loader import collect, rule_files
from assistant.library.rules import Rule, parse_rule_text

# A report starts again when an editor that takes no lock saved the file meanwhile; a file that
# keeps changing this often is being edited by hand, and the curator is told so.
REPORT_ATTEMPTS = 3


class CurationError(ValueError):
    """An edit that cannot be applied, with a message for the curator."""


class AlreadyListed(CurationError):
    """The reported sentence is already an example of the rule: nothing to add."""


def rule_file(rules_dir: str | Path, rule_id: str) -> Path:
    """The rule file that defines rule_id; CurationError naming the library when none does."""
    return _rule_file_for(Path(rules_dir), rule_id)


def _rule_file_for(rules_dir: Path, rule_id: str) -> Path:
    pattern = re.compile(rf"^\s*-\s*id:\s*['\"]?{re.escape(rule_id)}['\"]?\s*$", re.MULTILINE)
    for path in rule_files(rules_dir):
        if pattern.search(path.read_text(encoding="utf-8")):
            return path
    raise CurationError(f"no rule with id {rule_id!r} in {display_path(rules_dir)}")


def add_pending_pass_example(
    rules_dir: str | Path,
    rule_id: str,
    sentence: str,
    *,
    today: dt.date | None = None,
    note: str | None = None,
) -> Path:
    """Add a reported false positive to the rule's pass examples, marked pending until the rule is fixed.

    The file is edited as text (so the curator's comments and layout survive), then parsed again: the
    edit is saved only if the rule gained exactly this example and nothing else changed. Reading,
    checking and writing happen under the file's lock, so reports made at once all land; a sentence
    the rule already lists raises AlreadyListed. `note` replaces the default "reported as a false
    positive on <today>" (the report queue says who filed and who accepted it).
    """
    rules_dir = Path(rules_dir)
    sentence = " ".join(sentence.split())
    if not sentence:
        raise CurationError("the reported sentence is empty")
    path = _rule_file_for(rules_dir, rule_id)
    entry = _pending_entry(sentence, today or dt.date.today(), note)
    add = partial(_with_pending_example, rules_dir, path, rule_id, sentence, entry)
    for _ in range(REPORT_ATTEMPTS - 1):
        with contextlib.suppress(SaveConflict):
            update(path, add)
            return path
    update(path, add)
    return path


def _pending_entry(sentence: str, day: dt.date, note: str | None = None) -> str:
    note = " ".join(note.split()) if note else f"reported as a false positive on {day.isoformat()}"
    return (
        "{text: "
        + json.dumps(sentence, ensure_ascii=False)
        + ", pending: true, note: "
        + json.dumps(note)
        + "}"
    )


def _with_pending_example(
    rules_dir: Path, path: Path, rule_id: str, sentence: str, entry: str, text: str
) -> str:
    """`text` (the file as it is now) with the example added, checked against the whole library.

    One load of the library (the lock is held meanwhile); the file's text before and after is
    compared on its own, which suffices since no other file changes."""
    new_text = _insert_pass_example(text, rule_id, entry)
    library, problems = collect(rules_dir, overrides={path: new_text})
    shown = display_path(path)
    old_rules, _ = parse_rule_text(text, shown, library.lexicon)
    old_rule = _rule_in(old_rules, rule_id, path)
    _refuse_listed(old_rule, sentence, path)
    if problems:
        raise CurationError("; ".join(str(p) for p in problems))
    new_rules, _ = parse_rule_text(new_text, shown, library.lexicon)
    expected = (*old_rule.pending_pass_examples, sentence)
    if (
        len(new_rules) != len(old_rules)
        or _rule_in(new_rules, rule_id, path).pending_pass_examples != expected
    ):
        raise CurationError(f"could not add the example to {shown} safely; add it by hand")
    return new_text


def _rule_in(rules: Sequence[Rule], rule_id: str, path: Path) -> Rule:
    found = next((rule for rule in rules if rule.id == rule_id), None)
    if found is None:
        raise CurationError(
            f"rule {rule_id!r} is no longer in {display_path(path)}; report the sentence again"
        )
    return found


def refuse_listed(rule: Rule, sentence: str, path: Path) -> None:
    """Raise AlreadyListed when `rule` (defined in `path`) already lists the sentence, pending
    or not; whitespace is not compared."""
    _refuse_listed(rule, " ".join(sentence.split()), path)


def _refuse_listed(rule: Rule, sentence: str, path: Path) -> None:
    def same(example: str) -> bool:
        return " ".join(example.split()) == sentence

    where = f"{rule.id} in {display_path(path)}"
    if any(same(example) for example in rule.pending_pass_examples):
        raise AlreadyListed(
            f"“{sentence}” is already pending as a pass example of {where}; "
            "a curator will fix the rule."
        )
    if any(same(example) for example in rule.pass_examples):
        raise AlreadyListed(
            f"“{sentence}” is already a pass example of {where}; "
            "`rules test` shows whether the rule still fires on it."
        )


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
