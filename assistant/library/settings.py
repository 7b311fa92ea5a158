"""Typed settings files: readability.yml, and each case type's case.yml and sample.yml.

Each file has one schema here (pydantic models that refuse unknown keys), so a bad value is refused
with a named error in one place instead of being read with a default somewhere else. Problems keep
the library's format: `path:(file): field: problem (line N)`.

The rule files, case_types.yml, guidance.yml and required_elements.yml have their own parsers in
this package (rules.py, case_types.py, guidance.py, required_elements.py), which also compile
patterns; they report problems the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.core.categories import Fault, Severity
from assistant.core.problems import Problem, shorten
from assistant.library.yaml_lines import line_of

# The compose context of the contract (contract.md): its keys and the types each accepts. A case's
# case.yml may declare extra keys its own templates read.
REQUIRED_CONTEXT_KEYS = ("company_name", "agent_name")
OPTIONAL_CONTEXT_KEYS: dict[str, tuple[type, ...]] = {
    "customer_name": (str,),
    "order_number": (str, int),
    "item": (str,),
    "quantity": (int,),
    "amount": (int, float),
    "currency": (str,),
    "order_value": (int, float),
    "fault": (str,),
    "high_value_customer": (bool,),
    "deadline": (str, dt.date),
    "repeat_contact": (bool,),
    "prior_claims": (bool,),
    "threat_present": (bool,),
    "next_update": (str, dt.date),
    "variant": (str,),
}
BOOLEAN_CONTEXT_KEYS = ("high_value_customer", "repeat_contact", "prior_claims", "threat_present")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _AtLeast(_Settings):
    min: float


class _AtMost(_Settings):
    max: float


class _AtMostWords(_Settings):
    max: int = Field(gt=0)


class ReadabilitySettings(_Settings):
    """phrase_rules/readability.yml: the targets a draft's readability findings are judged by."""

    # Below this many words a reading-ease score swings wildly: no score-based findings.
    min_words: int = Field(default=30, ge=0)
    flesch_reading_ease: _AtLeast = _AtLeast(min=50)
    grade: _AtMost = _AtMost(max=10)
    sentence_words: _AtMostWords = _AtMostWords(max=35)
    severity: Severity = "suggestion"


class CaseSettings(_Settings):
    """templates/<case_type>/case.yml: the policy inputs compose and the required elements use."""

    default_fault: Fault = "unknown"
    # The fault the required-elements check assumes when none is given, if not default_fault.
    check_fault: Fault | None = None
    next_update_business_days: int = Field(default=2, ge=0, le=30)
    small_order_below: float = Field(default=50, ge=0)
    large_order_from: float = Field(default=250, ge=0)
    # A deadline this many days away or fewer makes the case urgent (templates: deadline_is_urgent).
    urgent_within_days: int | None = Field(default=None, ge=0)
    extra_keys: tuple[str, ...] = ()


Model = TypeVar("Model", bound=_Settings)


def parse_settings(
    model: type[Model], data: Mapping[str, Any], path: str, problems: list[Problem]
) -> Model:
    """The file's settings; on bad values, each problem is reported and the defaults are used, so
    the rest of the library still loads and every problem is listed at once."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_problem(model, error, data, path))
        return model()


def _problem(model: type[_Settings], error: Any, data: Mapping[str, Any], path: str) -> Problem:
    location = [str(part) for part in error["loc"]]
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        allowed = _fields_at(model, error["loc"][:-1])
        message = f"unknown key; allowed: {', '.join(allowed)}" if allowed else "unknown key"
    elif error["type"] == "literal_error":
        message = f"{message}, got {shorten(error.get('input'))}"
    return Problem(path, "(file)", ".".join(location), message, _line(data, error["loc"]))


def _line(data: Mapping[str, Any], location: Sequence[Any]) -> int:
    """The line of the innermost mapping on the way to the bad value."""
    line = line_of(data)
    node: Any = data
    for part in location:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            line = line_of(node, line)
        else:
            break
    return line


def _fields_at(model: type[_Settings], location: Sequence[Any]) -> list[str]:
    """The keys allowed at a nesting level of a schema, for "unknown key; allowed: …"."""
    for part in location:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, _Settings)):
            return []
        model = annotation
    return sorted(model.model_fields)


def sample_context_problems(
    data: Mapping[str, Any], path: str, extra_keys: Sequence[str] = ()
) -> list[Problem]:
    """sample.yml is a compose context: the contract's keys (and the case's extra keys), typed."""
    problems: list[Problem] = []
    line = line_of(data)
    known = {*REQUIRED_CONTEXT_KEYS, *OPTIONAL_CONTEXT_KEYS, *extra_keys}
    for key in REQUIRED_CONTEXT_KEYS:
        if not isinstance(data.get(key), str):
            problems.append(Problem(path, "(file)", key, "required: a string", line))
    for key, value in data.items():
        if key not in known:
            problems.append(
                Problem(path, "(file)", str(key), "unknown context key (a typo?)", line)
            )
            continue
        expected = OPTIONAL_CONTEXT_KEYS.get(key)
        if value is None or expected is None:
            continue
        wrong_bool = isinstance(value, bool) != (bool in expected)
        if not isinstance(value, expected) or wrong_bool:
            names = " or ".join(kind.__name__ for kind in expected)
            problems.append(
                Problem(path, "(file)", key, f"expected {names}, got {shorten(value)}", line)
            )
    return problems
