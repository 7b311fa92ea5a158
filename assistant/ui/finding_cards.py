"""How the page lists findings: most severe first, a page at a time, with Markdown-safe titles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from assistant.core.categories import DOCUMENT_RULE_PREFIXES, SEVERITIES
from assistant.core.findings import Finding
from assistant.ui.safe_text import markdown_literal

# One widget tree per card: rendering all of them made a 100k-character draft take 38 s.
PAGE_SIZE = 50
# Streamlit's Markdown colours, matching the highlight marks (highlight.SEVERITY_COLOURS).
SEVERITY_MARKDOWN_COLOURS = {"error": "red", "warning": "orange", "suggestion": "blue"}


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then warnings, then suggestions; in reading order within each."""
    return sorted(findings, key=lambda f: (-SEVERITIES.index(f.severity), f.start, f.end, f.rule))


def shown(findings: Sequence[Finding], limit: int) -> tuple[Sequence[Finding], int]:
    """The first `limit` findings (at least one page) and how many are left out."""
    limit = max(PAGE_SIZE, limit)
    return findings[:limit], max(0, len(findings) - limit)


def is_document_level(finding: Finding) -> bool:
    """A check of the whole reply (a missing element, readability): there is no span to replace."""
    return finding.rule.startswith(DOCUMENT_RULE_PREFIXES)


def card_title(finding: Finding) -> str:
    """The card's first line as Markdown: severity in its colour, category, rule id."""
    colour = SEVERITY_MARKDOWN_COLOURS.get(finding.severity, "gray")
    return (
        f":{colour}[**{markdown_literal(finding.severity.title())}**] · "
        f"{markdown_literal(finding.category.replace('_', ' '))} · "
        f"{markdown_literal(finding.rule)}"
    )


def card_body(finding: Finding) -> str:
    """The rule's message, inert (it quotes the user's words); the flagged words first when the
    message does not quote them already."""
    message = markdown_literal(finding.message)
    if is_document_level(finding) or not finding.text.strip() or finding.text in finding.message:
        return message
    return f"**“{markdown_literal(finding.text)}”** {message}"


def findings_summary(findings: Sequence[Finding]) -> str:
    """'3 findings (1 error, 2 warnings), most severe first.'"""
    noun = "finding" if len(findings) == 1 else "findings"
    return f"{len(findings)} {noun} ({severity_counts(findings)}), most severe first."


def severity_counts(findings: Iterable[Finding]) -> str:
    """'2 errors, 1 warning', most severe first; empty when there are none."""
    counts = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    parts = [
        f"{counts[s]} {s}{'' if counts[s] == 1 else 's'}"
        for s in reversed(SEVERITIES)
        if counts.get(s)
    ]
    return ", ".join(parts)
