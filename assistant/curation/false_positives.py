"""Reported false positives: the sentence becomes a pending pass example of its rule.

A curator then fixes the rule; until then `rules test` lists the example without failing on it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from assistant.core.problems import display_path
from assistant.curation.saves import save, snapshot
from assistant.library.loader import collect, rule_files


class CurationError(ValueError):
    """An edit that cannot be applied, with a message for the curator."""


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
