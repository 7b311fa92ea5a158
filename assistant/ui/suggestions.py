"""What the page does with one finding: apply a suggested wording, or report it as a false positive."""

from __future__ import annotations

from assistant.core.categories import DOCUMENT_RULE_PREFIXES
from assistant.core.findings import Finding


def apply_suggestion(text: str, start: int, end: int, suggestion: str) -> str:
    """Replace the finding's span with the suggested wording (the agent then edits the rest)."""
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}:{end} is outside the draft")
    return text[:start] + suggestion + text[end:]


def reportable(finding: Finding) -> bool:
    """A phrase rule's finding can be reported as a false positive; a document check's cannot."""
    return not finding.rule.startswith(DOCUMENT_RULE_PREFIXES)
