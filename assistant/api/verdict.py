"""pass | warn | block for a result, so a help-desk app can stop a send without reading findings."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.core.categories import SEVERITIES, severity_rank
from assistant.core.findings import Finding

BLOCK_ON_CHOICES = (*SEVERITIES, "never")
DEFAULT_BLOCK_ON = "error"
# A suggestion (readability) is advice: alone it never turns a reply amber.
_WARN_FROM = severity_rank("warning")


def verdict(findings: Iterable[Finding], block_on: str = DEFAULT_BLOCK_ON) -> str:
    ranks = [severity_rank(f.severity) for f in findings]
    if block_on != "never" and any(rank >= severity_rank(block_on) for rank in ranks):
        return "block"
    return "warn" if any(rank >= _WARN_FROM for rank in ranks) else "pass"
