"""scan(): threats in a customer's message, with guidance, and the likely case type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.language import Language

from assistant.core.findings import Finding, labels_of, sort_findings
from assistant.core.text import validate_text
from assistant.library.case_types import CaseSuggestion, CaseTypeModel
from assistant.library.guidance import Guidance
from assistant.message.case_type import suggest
from assistant.nlp.checker import phrase_findings
from assistant.nlp.deadline import STOPPED_EARLY_KEY, stopped_early
from assistant.nlp.pipeline import checker_for, run

KIND = "message"


@dataclass(frozen=True)
class ScanResult:
    text: str
    findings: tuple[Finding, ...]
    case: CaseSuggestion
    guidance: tuple[str, ...]
    route: str | None
    # The scan ran out of its time budget (nlp/deadline.py): the findings are those found so far.
    stopped_early: bool = False

    @property
    def labels(self) -> list[str]:
        return labels_of(self.findings)

    @property
    def case_type(self) -> str | None:
        return self.case.case_type

    def to_dict(self, record_id: Any = None) -> dict[str, Any]:
        return {
            "id": record_id,
            "labels": self.labels,
            "case_type": self.case.case_type,
            "findings": [finding.to_dict() for finding in self.findings],
            "guidance": list(self.guidance),
            "case_type_confidence": self.case.confidence,
            "case_type_evidence": list(self.case.evidence),
            "route": self.route,
            **(STOPPED_EARLY_KEY if self.stopped_early else {}),
        }


def scan(text: str, *, nlp: Language, case_types: CaseTypeModel, guidance: Guidance) -> ScanResult:
    """Read a customer's message. Raises InputError for text that cannot be read."""
    text = validate_text(text)
    doc = run(nlp, text, KIND)
    findings = sort_findings(phrase_findings(doc, checker_for(nlp, KIND), text))
    categories = labels_of(findings)
    return ScanResult(
        text=text,
        findings=findings,
        case=suggest(doc, case_types, ignore=[(f.start, f.end) for f in findings]),
        guidance=tuple(guidance.for_categories(categories)),
        route=guidance.route(categories),
        stopped_early=stopped_early(doc),
    )
