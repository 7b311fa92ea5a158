"""Findings as HTML marks over the escaped text, for the page. Pure: no Streamlit here."""

from __future__ import annotations

import html
from collections.abc import Sequence

from assistant.core.categories import SEVERITIES
from assistant.core.findings import Finding

SEVERITY_COLOURS = {"error": "#f8c4c4", "warning": "#fde7a8", "suggestion": "#d6e9fb"}


def highlight_html(text: str, findings: Sequence[Finding]) -> str:
    """Escaped text with <mark> over each finding; overlapping findings take the most severe colour."""
    marks = sorted(
        (
            f
            for f in findings
            if f.end > f.start
            and not (f.start == 0 and f.end >= len(text.rstrip()) and f.category == "readability")
        ),
        key=lambda f: (f.start, -f.end),
    )
    out: list[str] = []
    position = 0
    for finding in marks:
        if finding.start < position:
            continue  # nested or overlapping: the outer mark already shows it
        out.append(html.escape(text[position : finding.start]))
        same_place = [f for f in marks if f.start < finding.end and finding.start < f.end]
        worst = max(same_place, key=lambda f: SEVERITIES.index(f.severity))
        title = "; ".join(sorted({f"{f.category} ({f.severity})" for f in same_place}))
        out.append(
            f'<mark style="background:{SEVERITY_COLOURS[worst.severity]};padding:0 2px;border-radius:3px" '
            f'title="{html.escape(title, quote=True)}">{html.escape(text[finding.start : finding.end])}</mark>'
        )
        position = finding.end
    out.append(html.escape(text[position:]))
    return "".join(out).replace("\n", "<br>")
