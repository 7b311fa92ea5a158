"""review(text, case_type): the one function the CLI and the page call to check an agent draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.language import Language

from .findings import Finding, labels_of, phrase_findings, sort_findings
from .pipeline import checker_for, get_nlp, run
from .readability import Readability, Targets, measure_with_sentences, readability_findings
from .required_elements import required_element_findings
from .text import validate_text

KIND = "draft"


@dataclass(frozen=True)
class Review:
    text: str
    findings: tuple[Finding, ...]
    readability: Readability
    case_type: str | None = None

    @property
    def labels(self) -> list[str]:
        return labels_of(self.findings)

    def to_dict(self, record_id: Any = None) -> dict[str, Any]:
        return {
            "id": record_id,
            "labels": self.labels,
            "findings": [finding.to_dict() for finding in self.findings],
            "readability": self.readability.to_dict(),
        }


def review(
    text: str,
    case_type: str | None = None,
    *,
    nlp: Language | None = None,
    templates_dir: Any = None,
    fault: str | None = None,
) -> Review:
    """Check an agent draft. Raises InputError for text that cannot be checked."""
    text = validate_text(text)
    nlp = nlp or get_nlp()
    checker = checker_for(nlp, KIND)
    doc = run(nlp, text, KIND)
    findings = phrase_findings(doc, checker, text)
    scores, sentences = measure_with_sentences(doc)
    findings.extend(readability_findings(text, scores, sentences, _targets(nlp)))
    if case_type is not None:
        library = checker_for(nlp, KIND).library
        findings.extend(
            required_element_findings(
                doc, text, case_type, library.required, nlp, templates_dir, fault
            )
        )
    return Review(
        text=text, findings=sort_findings(findings), readability=scores, case_type=case_type
    )


def _targets(nlp: Language) -> Targets:
    return Targets.from_settings(checker_for(nlp, KIND).library.readability)
