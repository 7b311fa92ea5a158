"""A per-check time budget, as LanguageTool's maxCheckTimeMillis: a check that runs out of time
returns what it found so far and says it stopped early, instead of holding an agent's page.

Every input up to the size limit is checked well inside the budget on the 2-core machine (see the
README's Limits); the budget bounds whatever a future rule or an unforeseen text shape costs.
"""

from __future__ import annotations

import time

from spacy.tokens import Doc

CHECK_BUDGET_SECONDS = 3.0
_DEADLINE = "reply_assistant_deadline"
_STOPPED = "reply_assistant_stopped_early"
# Added to a result object only when its check stopped early: every complete result keeps the
# contract's keys exactly.
STOPPED_EARLY_KEY = {"stopped_early": True}
# Looking at the clock costs more than one step of the loops that call this: look every N steps.
CLOCK_EVERY = 64


def start_clock(doc: Doc, budget: float = CHECK_BUDGET_SECONDS) -> None:
    doc.user_data[_DEADLINE] = time.monotonic() + budget


def out_of_time(doc: Doc) -> bool:
    """True once the doc's check is past its deadline; the doc then remembers it stopped early."""
    deadline = doc.user_data.get(_DEADLINE)
    if deadline is None or time.monotonic() <= deadline:
        return False
    doc.user_data[_STOPPED] = True
    return True


def stopped_early(doc: Doc) -> bool:
    return bool(doc.user_data.get(_STOPPED))
