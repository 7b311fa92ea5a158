"""Which findings the page lets an agent report as false positives."""

from __future__ import annotations

from assistant.core.categories import DOCUMENT_RULE_PREFIXES
from assistant.core.findings import Finding


def reportable(finding: Finding) -> bool:
    """A phrase rule's finding can be reported as a false positive; a document check's cannot."""
    return not finding.rule.startswith(DOCUMENT_RULE_PREFIXES)
