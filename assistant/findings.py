"""The Finding record that crosses every boundary (checker → review/scan → CLI and page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

from .categories import LABEL_SEVERITIES, SEVERITIES
from .checker import PhraseChecker


@dataclass(frozen=True)
class Finding:
    category: str
    rule: str
    severity: str
    start: int
    end: int
    text: str
    message: str
    suggestions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "rule": self.rule,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message": self.message,
            "suggestions": list(self.suggestions),
        }


def phrase_findings(doc: Doc, checker: PhraseChecker, original_text: str) -> list[Finding]:
    """Findings for the spans the checker wrote; text is cut from the original, not the folded copy."""
    findings = []
    for span in doc.spans[checker.span_key]:
        rule = checker.rules[span.id_]
        start, end = span.start_char, span.end_char
        matched = original_text[start:end]
        findings.append(
            Finding(
                category=span.label_,
                rule=rule.id,
                severity=rule.severity,
                start=start,
                end=end,
                text=matched,
                message=rule.render_message(matched),
                suggestions=rule.suggestions,
            )
        )
    return findings


def labels_of(findings: Iterable[Finding]) -> list[str]:
    """The contract's `labels`: sorted categories of warnings and errors; a suggestion never counts."""
    return sorted({f.category for f in findings if f.severity in LABEL_SEVERITIES})


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(
        sorted(findings, key=lambda f: (f.start, f.end, -SEVERITIES.index(f.severity), f.rule))
    )
