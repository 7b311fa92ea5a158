"""review(): check an agent draft with a built pipeline. The Engine is what callers use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.language import Language

from assistant.core.findings import Finding, labels_of, sort_findings
from assistant.core.text import validate_text
from assistant.draft.readability import (
    Readability,
    Targets,
    measure_with_sentences,
    readability_findings,
)
from assistant.draft.required_elements import RequiredElementCheck
from assistant.nlp.checker import phrase_findings
from assistant.nlp.deadline import STOPPED_EARLY_KEY, stopped_early
from assistant.nlp.pipeline import checker_for, run

KIND = "draft"


@dataclass(frozen=True)
class Review:
    text: str
    findings: tuple[Finding, ...]
    readability: Readability
    case_type: str | None = None
    # The check ran out of its time budget (nlp/deadline.py): the findings are those found so far.
    stopped_early: bool = False

    @property
    def labels(self) -> list[str]:
        return labels_of(self.findings)

    def to_dict(self, record_id: Any = None) -> dict[str, Any]:
        return {
            "id": record_id,
            "labels": self.labels,
            "findings": [finding.to_dict() for finding in self.findings],
            "readability": self.readability.to_dict(),
            **(STOPPED_EARLY_KEY if self.stopped_early else {}),
        }


@dataclass(frozen=True)
class RequiredFor:
    """What a check with a case type adds: the elements to look for, under the resolved fault."""

    case_type: str
    fault: str
    check: RequiredElementCheck


def review(
    text: str, *, nlp: Language, targets: Targets, required: RequiredFor | None = None
) -> Review:
    """Check an agent draft. Raises InputError for text that cannot be checked."""
    text = validate_text(text)
    doc = run(nlp, text, KIND)
    findings = phrase_findings(doc, checker_for(nlp, KIND), text)
    scores, sentences = measure_with_sentences(doc)
    findings.extend(readability_findings(text, scores, sentences, targets))
    out_of_time = stopped_early(doc)
    # A check cut short by its deadline has not read the whole reply: an element it did not reach
    # is not missing, and saying so would be a false finding on a complete reply.
    if required is not None and not out_of_time:
        findings.extend(required.check.findings(doc, text, required.fault))
    return Review(
        text=text,
        findings=sort_findings(findings),
        readability=scores,
        case_type=required.case_type if required else None,
        stopped_early=out_of_time,
    )
