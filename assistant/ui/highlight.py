"""Findings as HTML marks over the text made inert, for the page. Pure: no Streamlit here."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.core.categories import SEVERITIES
from assistant.core.findings import Finding
from assistant.ui.safe_text import html_literal

# Background of a mark; the border of a finding card (finding_cards.SEVERITY_BORDERS) matches it.
SEVERITY_COLOURS = {"error": "#f8c4c4", "warning": "#fde7a8", "suggestion": "#d6e9fb"}


def _marked(text: str, finding: Finding) -> bool:
    # A readability finding spans the whole text: marking it would paint everything.
    whole = finding.start == 0 and finding.end >= len(text.rstrip())
    return finding.end > finding.start and not (whole and finding.category == "readability")


def highlight_html(text: str, findings: Sequence[Finding]) -> str:
    """Inert text with <mark> over each finding; overlapping findings take the most severe colour."""
    marks = sorted((f for f in findings if _marked(text, f)), key=lambda f: (f.start, -f.end))
    out: list[str] = []
    position = 0
    for number, finding in enumerate(marks):
        if finding.start < position:
            continue  # nested or overlapping: the outer mark already shows it
        out.append(html_literal(text[position : finding.start]))
        # Marks are sorted by start, so only the ones after this one can start inside it.
        same_place = [finding]
        for other in marks[number + 1 :]:
            if other.start >= finding.end:
                break
            same_place.append(other)
        worst = max(same_place, key=lambda f: SEVERITIES.index(f.severity))
        title = "; ".join(sorted({f"{f.category} ({f.severity})" for f in same_place}))
        out.append(
            f'<mark data-severity="{worst.severity}" '
            f'style="background:{SEVERITY_COLOURS[worst.severity]};padding:0 2px;border-radius:3px" '
            f'title="{html_literal(title)}">{html_literal(text[finding.start : finding.end])}</mark>'
        )
        position = finding.end
    out.append(html_literal(text[position:]))
    return "".join(out)
