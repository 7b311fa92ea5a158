"""Required elements of a reply for a given case type (phrase_rules/required_elements.yml).

Unlike phrase rules, these findings are raised when something is missing: ownership in a company-fault
case, a concrete remedy, a dated next step; and when there are too many apologies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .categories import REQUIRED_ELEMENT_CATEGORIES, SEVERITIES
from .findings import Finding
from .lexicon import Lexicon
from .problems import Problem
from .text import InputError
from .token_matcher import TokenMatcher
from .yaml_lines import line_of

APOLOGY_LEMMAS = frozenset(
    {"sorry", "apologise", "apologize", "apology", "apologies", "apologetic"}
)
ELEMENT_KEYS = frozenset({"category", "severity", "faults", "message", "suggestions", "patterns"})
FAULTS = ("company", "customer", "carrier", "unknown")


@dataclass(frozen=True)
class Element:
    name: str
    category: str
    severity: str
    faults: frozenset[str]
    message: str
    suggestions: tuple[str, ...]
    patterns: tuple[Any, ...]


@dataclass(frozen=True)
class RequiredElements:
    elements: tuple[Element, ...] = ()
    max_apologies: int = 2
    _matchers: dict[int, TokenMatcher] = field(default_factory=dict, compare=False, repr=False)

    def matcher(self, nlp: Language) -> TokenMatcher:
        """Built on first use: only checks with a case type need it, and the pipeline stays immutable."""
        matcher = self._matchers.get(id(nlp))
        if matcher is None:
            matcher = TokenMatcher(nlp.vocab.strings)
            for element in self.elements:
                matcher.add(element.name, element.patterns)
            self._matchers[id(nlp)] = matcher
        return matcher


def parse_required_elements(
    data: dict[str, Any], path: str, problems: list[Problem], lexicon: Lexicon
) -> RequiredElements:
    from .library import parse_patterns

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
    for name, spec in (data.get("elements") or {}).items():
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
        if len(problems) == before:
            elements.append(
                Element(
                    name,
                    spec["category"],
                    spec["severity"],
                    frozenset(faults),
                    spec["message"],
                    tuple(spec.get("suggestions", [])),
                    patterns,
                )
            )
    return RequiredElements(tuple(elements), max_apologies)


def required_element_findings(
    doc: Doc,
    text: str,
    case_type: str,
    required: RequiredElements,
    nlp: Language,
    templates_dir: Any = None,
    fault: str | None = None,
) -> list[Finding]:
    from .compose import case_settings, list_case_types

    known = list_case_types(templates_dir)
    if case_type not in known:
        raise InputError(f"unknown case type {case_type!r}; known: {', '.join(known)}")
    if fault is not None and fault not in FAULTS:
        raise InputError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
    settings = case_settings(case_type, templates_dir)
    fault = fault or settings.get("check_fault") or settings.get("default_fault", "unknown")
    present = {key for key, _start, _end in required.matcher(nlp)(doc)}
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    findings = [
        Finding(
            element.category,
            f"required.{element.name}",
            element.severity,
            start,
            end,
            text[start:end],
            element.message,
            element.suggestions,
        )
        for element in required.elements
        if fault in element.faults and element.name not in present and text.strip()
    ]
    apologies = [token for token in doc if token.lemma_ in APOLOGY_LEMMAS]
    if len(apologies) > required.max_apologies:
        extra = apologies[required.max_apologies]
        findings.append(
            Finding(
                "too_many_apologies",
                "required.max-apologies",
                "warning",
                extra.idx,
                extra.idx + len(extra.text),
                text[extra.idx : extra.idx + len(extra.text)],
                f"{len(apologies)} apologies; keep to {required.max_apologies}, naming the failure once, and move on to the fix.",
                ("One clear apology that names what went wrong is enough.",),
            )
        )
    return findings
