"""The Finding record that crosses every boundary (checker → review/scan → CLI, page and API)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from assistant.core.categories import LABEL_SEVERITIES, SEVERITIES


@dataclass(frozen=True)
class Finding:
    category: str
    rule: str
    severity: str
    start: int
    end: int
    text: str
    message: str
    # Texts that replace exactly text[start:end] and leave a whole sentence ("" deletes the span);
    # `rules test` checks each one on the rule's flag examples, so the page may paste them.
    replacements: tuple[str, ...] = ()
    # Guidance for the agent ("Say what you have done: …"): shown, never pasted into the draft.
    advice: tuple[str, ...] = ()

    @property
    def suggestions(self) -> tuple[str, ...]:
        """The contract's "better wordings": replacements first, then advice."""
        return self.replacements + self.advice

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
            "replacements": list(self.replacements),
            "advice": list(self.advice),
        }


def labels_of(findings: Iterable[Finding]) -> list[str]:
    """The contract's `labels`: sorted categories of warnings and errors; a suggestion never counts."""
    return sorted({f.category for f in findings if f.severity in LABEL_SEVERITIES})


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(
        sorted(findings, key=lambda f: (f.start, f.end, -SEVERITIES.index(f.severity), f.rule))
    )
