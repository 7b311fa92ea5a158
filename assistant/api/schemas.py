"""Request and response bodies: docs/contract.md's objects plus `verdict`, as the OpenAPI schema.

Requests refuse unknown fields, so a typo ("case-type") is an error naming it, not a silent
check without the case type. Responses are documented here and built by the engine's `to_dict()`,
the CLI's own code path; tests/test_api_schema.py holds both to this schema.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from assistant.core.categories import FAULTS, SEVERITIES
from assistant.core.text import MAX_TEXT_CHARS

Severity = Literal[SEVERITIES]  # type: ignore[valid-type]
Fault = Literal[FAULTS]  # type: ignore[valid-type]
Verdict = Literal["pass", "warn", "block"]
RecordId = StrictStr | StrictInt | StrictFloat | None

_TEXT = Field(
    description=f"the draft or message; at most {MAX_TEXT_CHARS:,} characters, no NUL byte",
    json_schema_extra={"maxLength": MAX_TEXT_CHARS},
)
_ID = Field(default=None, description="copied to the result unchanged, as a batch line's id")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckRequest(_Request):
    text: StrictStr = _TEXT
    case_type: StrictStr | None = Field(
        default=None, description="also check the elements this case type needs"
    )
    fault: Fault | None = Field(
        default=None,
        description="with case_type: who caused it (default: the case type's usual fault)",
    )
    id: RecordId = _ID


class ScanRequest(_Request):
    text: StrictStr = _TEXT
    id: RecordId = _ID


class ComposeRequest(_Request):
    case_type: StrictStr = Field(description="one of the templates/ folders")
    context: dict[str, Any] = Field(
        default_factory=dict, description="the template's context, as compose --context takes it"
    )


class FindingOut(_Result):
    category: str
    rule: str
    severity: Severity
    start: int
    end: int
    text: str
    message: str
    suggestions: list[str]
    replacements: list[str]
    advice: list[str]


class ReadabilityOut(_Result):
    flesch_reading_ease: float
    grade: float
    words: int
    sentences: int


class CheckResult(_Result):
    id: RecordId
    labels: list[str]
    findings: list[FindingOut]
    readability: ReadabilityOut
    stopped_early: Literal[True] | None = Field(
        default=None, description="present only when the check ran out of time"
    )
    verdict: Verdict


class ScanResult(_Result):
    id: RecordId
    labels: list[str]
    case_type: str | None
    findings: list[FindingOut]
    guidance: list[str]
    case_type_confidence: float | None
    case_type_evidence: list[str]
    route: str | None
    stopped_early: Literal[True] | None = Field(
        default=None, description="present only when the scan ran out of time"
    )
    verdict: Verdict


class ComposeResult(_Result):
    case_type: str
    text: str
    findings: list[FindingOut]
    notes: list[str]
    verdict: Verdict


class ErrorBody(_Result):
    error: str = Field(description="what is wrong, in words; never the request's text")
    field: str | None = Field(description="the request field at fault, or null")


class Health(_Result):
    status: Literal["ok"]
    version: str


class LibraryInfo(_Result):
    version: str = Field(description="the reply-assistant package version")
    digest: str = Field(description="sha256 over the rule library's file names and bytes")
    rules: int
    case_types: list[str]
    loaded_at: str = Field(description="when this library was loaded (ISO 8601, UTC)")
    reloads: int = Field(description="reloads since the service started")
    reload_error: str | None = Field(
        description="why the latest saved library is not in use (the previous one still serves)"
    )
