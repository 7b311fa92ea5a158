"""Findings formatted for a person at a terminal: the line, the marked span, and what to do."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

from assistant.core.findings import Finding


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _line_of(text: str, offset: int) -> tuple[int, int, int]:
    """1-based line number and the [start, end) offsets of the line holding `offset`."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if line_end == -1:
        line_end = len(text)
    return text.count("\n", 0, offset) + 1, line_start, line_end


def format_finding(text: str, finding: Finding) -> str:
    number, line_start, line_end = _line_of(text, finding.start)
    line = text[line_start:line_end]
    mark_end = min(finding.end, line_end)
    pad = _display_width(line[: finding.start - line_start])
    width = max(1, _display_width(text[finding.start : mark_end]))
    prefix = f"  line {number}: "
    out = [
        f"{prefix}{line}",
        " " * (len(prefix) + pad) + "^" * width,
        f"    {finding.severity} · {finding.category} · {finding.rule}",
        f"    {finding.message}",
    ]
    out.extend(f"    try: {suggestion}" for suggestion in finding.suggestions)
    return "\n".join(out)


def summary_line(name: str, findings: Sequence[Finding]) -> str:
    if not findings:
        return f"{name}: no findings"
    counts = Counter(f.severity for f in findings)
    parts = [
        f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
        for s in ("error", "warning", "suggestion")
        if counts[s]
    ]
    return (
        f"{name}: {len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)})"
    )


def format_findings(name: str, text: str, findings: Sequence[Finding]) -> str:
    blocks = [summary_line(name, findings)]
    blocks.extend(format_finding(text, finding) for finding in findings)
    return "\n".join(blocks)
