"""The Check tab's line about the likely case type: what it is, why, and whether Compose follows."""

from __future__ import annotations

from assistant.library.case_types import CaseSuggestion
from assistant.ui.safe_text import markdown_literal

EVIDENCE_SHOWN = 5


def case_hint(case: CaseSuggestion, threshold: float, preselects: bool) -> str:
    """Markdown for the hint (the evidence is the customer's words, so it is made inert).

    Compose is set only at or above the library's `preselect_confidence`; the line says which
    side of it the confidence fell, so the agent sees why Compose did or did not follow."""
    if not case.case_type:
        return (
            "No case evident (praise, thanks, or a threat with no problem stated): "
            "Compose is left for you to choose."
        )
    evidence = ", ".join(f"“{markdown_literal(word)}”" for word in case.evidence[:EVIDENCE_SHOWN])
    name = markdown_literal(case.case_type.replace("_", " "))
    if preselects:
        action = (
            f"Compose is set to it: confidence {case.confidence:.2f} reaches the "
            f"preselection threshold {threshold:.2f}."
        )
    else:
        action = (
            f"Not confident enough to set Compose ({case.confidence:.2f} is below "
            f"{threshold:.2f}): choose the case type there."
        )
    return f"Likely case type: **{name}**; from {evidence or 'no single phrase'}. {action}"
