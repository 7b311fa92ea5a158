"""The per-rule editor's form as plain text fields, and back to a RuleDraft. Pure: no Streamlit.

Each list field is one item a line. A phrase pattern, an advice line or a pass example is its own
text; a token pattern or a conditional replacement ({text, when}) is written as JSON on its line;
a replacement that deletes the match is `""`. A flag example is `text | match` (the last ` | `
separates them), or just its text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from assistant.curation.rule_draft import RuleDraft
from assistant.library.rules import FlagExample

LIST_FIELDS = ("patterns", "exceptions", "replacements", "advice", "flag_examples", "pass_examples")
FORM_FIELDS = ("message", "severity", *LIST_FIELDS)
MATCH_SEPARATOR = " | "
GENERAL = "general"
# validate_rule's field names → the form field that shows the problem.
_PROBLEM_FIELD = re.compile(r"^(?P<name>[a-z_.]+)(?:\[\d+\])?")
_EXAMPLE_FIELDS = {"examples.flag": "flag_examples", "examples.pass": "pass_examples"}


def _json_line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _entry_line(entry: object) -> str:
    return entry if isinstance(entry, str) and entry else _json_line(entry)


def form_values(draft: RuleDraft) -> dict[str, str]:
    """The form's text for each field of the draft."""
    flags = [
        e.text if e.match is None else f"{e.text}{MATCH_SEPARATOR}{e.match}"
        for e in draft.flag_examples
    ]
    return {
        "message": draft.message,
        "severity": draft.severity,
        "patterns": "\n".join(_entry_line(p) for p in draft.patterns),
        "exceptions": "\n".join(_entry_line(p) for p in draft.exceptions),
        "replacements": "\n".join(_entry_line(r) for r in draft.replacements),
        "advice": "\n".join(draft.advice),
        "flag_examples": "\n".join(flags),
        "pass_examples": "\n".join(draft.pass_examples),
    }


def _lines(text: str) -> list[tuple[int, str]]:
    return [(n, line.strip()) for n, line in enumerate(text.splitlines()) if line.strip()]


def _json_or_text(line: str, field: str, n: int, problems: dict[str, list[str]]) -> Any:
    if not line.startswith(("[", "{", '"')):
        return line
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        problems.setdefault(field, []).append(f"line {n + 1}: not valid JSON ({exc.msg})")
        return line


def draft_with(
    draft: RuleDraft, values: Mapping[str, str]
) -> tuple[RuleDraft, dict[str, list[str]]]:
    """The draft with the form's values, and the lines that could not be read, by field."""
    problems: dict[str, list[str]] = {}

    def entries(field: str) -> tuple[Any, ...]:
        return tuple(_json_or_text(line, field, n, problems) for n, line in _lines(values[field]))

    flags = []
    for _, line in _lines(values["flag_examples"]):
        text, separator, match = line.rpartition(MATCH_SEPARATOR)
        flags.append(FlagExample(text, match) if separator else FlagExample(line))
    updated = replace(
        draft,
        message=values["message"].strip(),
        severity=values["severity"],
        patterns=entries("patterns"),
        exceptions=entries("exceptions"),
        replacements=entries("replacements"),
        advice=tuple(line for _, line in _lines(values["advice"])),
        flag_examples=tuple(flags),
        pass_examples=tuple(line for _, line in _lines(values["pass_examples"])),
    )
    return updated, problems


def problems_by_field(problems: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """validate_rule's problems ("patterns[2]", "examples.flag[0]", "(file)") at the form field
    that shows them, each with its item named; the rest under GENERAL."""
    shown: dict[str, list[str]] = {}
    for name, lines in problems.items():
        match = _PROBLEM_FIELD.match(name)
        base = match["name"] if match else name
        field = _EXAMPLE_FIELDS.get(base, base)
        if field not in FORM_FIELDS:
            field = GENERAL
        index = name[len(base) :].strip("[]") if match else ""
        # The form counts items from 1, as a curator reads the lines.
        where = f"item {int(index) + 1}: " if index.isdigit() else ""
        for line in lines:
            shown.setdefault(field, []).append(f"{where}{line}")
    return shown
