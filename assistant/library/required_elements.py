"""Required elements of a reply for a given case type (phrase_rules/required_elements.yml).

Unlike phrase rules, these findings are raised when something is missing: ownership in a company-fault
case, a concrete remedy, a dated next step; and when there are too many apologies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.core.categories import FAULTS, REQUIRED_ELEMENT_CATEGORIES, SEVERITIES
from assistant.core.problems import Problem
from assistant.library.lexicon import Lexicon
from assistant.library.patterns import parse_patterns
from assistant.library.wordings import WORDING_KEYS, parse_wordings
from assistant.library.yaml_lines import line_of

APOLOGY_LEMMAS = frozenset(
    {"sorry", "apologise", "apologize", "apology", "apologies", "apologetic"}
)
# `replacements` is known so that it gets its own problem: an absent element has no span to replace.
ELEMENT_KEYS = frozenset({"category", "severity", "faults", "message", "patterns", *WORDING_KEYS})


@dataclass(frozen=True)
class Element:
    name: str
    category: str
    severity: str
    faults: frozenset[str]
    message: str
    # Shown to the agent, never pasted: the finding covers the whole reply, not a span of it.
    advice: tuple[str, ...]
    patterns: tuple[Any, ...]


@dataclass(frozen=True)
class RequiredElements:
    elements: tuple[Element, ...] = ()
    max_apologies: int = 2


def parse_required_elements(
    data: dict[str, Any], path: str, problems: list[Problem], lexicon: Lexicon
) -> RequiredElements:
    if not data:
        return RequiredElements()
    line = line_of(data)
    for key in sorted(set(data) - {"max_apologies", "elements"}, key=str):
        problems.append(
            Problem(path, "(file)", str(key), "unknown key; allowed: elements, max_apologies", line)
        )
    max_apologies = data.get("max_apologies", 2)
    if not isinstance(max_apologies, int) or isinstance(max_apologies, bool) or max_apologies < 1:
        problems.append(
            Problem(path, "(file)", "max_apologies", "must be a whole number of at least 1", line)
        )
        max_apologies = 2
    elements = []
    specs = data.get("elements") or {}
    if not isinstance(specs, dict):
        problems.append(
            Problem(path, "(file)", "elements", "must map element names to their settings", line)
        )
        specs = {}
    for name, spec in specs.items():
        spec_line = line_of(spec, line)
        if not isinstance(spec, dict):
            problems.append(Problem(path, str(name), "(element)", "must be a mapping", spec_line))
            continue
        before = len(problems)
        for key in sorted(set(spec) - ELEMENT_KEYS, key=str):
            problems.append(
                Problem(
                    path,
                    name,
                    str(key),
                    f"unknown key; allowed: {', '.join(sorted(ELEMENT_KEYS))}",
                    spec_line,
                )
            )
        if spec.get("category") not in REQUIRED_ELEMENT_CATEGORIES:
            problems.append(
                Problem(
                    path,
                    name,
                    "category",
                    f"must be one of {', '.join(REQUIRED_ELEMENT_CATEGORIES)}",
                    spec_line,
                )
            )
        if spec.get("severity") not in SEVERITIES:
            problems.append(
                Problem(
                    path, name, "severity", f"must be one of {', '.join(SEVERITIES)}", spec_line
                )
            )
        faults = spec.get("faults")
        if not isinstance(faults, list) or not set(faults) <= set(FAULTS):
            problems.append(
                Problem(
                    path,
                    name,
                    "faults",
                    f"must be a list drawn from {', '.join(FAULTS)}",
                    spec_line,
                )
            )
            faults = []
        if not isinstance(spec.get("message"), str):
            problems.append(Problem(path, name, "message", "missing or not a string", spec_line))
        patterns = parse_patterns(
            spec.get("patterns"), path, name, "patterns", spec_line, problems, lexicon
        )
        wordings = parse_wordings(
            spec,
            str(name),
            spec_line,
            lambda owner, field, text, at: problems.append(Problem(path, owner, field, text, at)),
            allow_replacements=False,
        )
        if len(problems) == before:
            elements.append(
                Element(
                    name,
                    spec["category"],
                    spec["severity"],
                    frozenset(faults),
                    spec["message"],
                    wordings.advice,
                    patterns,
                )
            )
    return RequiredElements(tuple(elements), max_apologies)
