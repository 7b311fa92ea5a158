"""Find a finding again in the text the agent sees now, before a replacement is pasted over it."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.core.findings import Finding


def relocate(findings: Iterable[Finding], rule: str, span_text: str, near: int) -> Finding | None:
    """The finding of `rule` over the same words nearest to offset `near` (the text may have been
    edited above it since it was shown); None when the rule no longer flags those words."""
    candidates = [f for f in findings if f.rule == rule and f.text == span_text]
    return min(candidates, key=lambda f: (abs(f.start - near), f.start), default=None)
