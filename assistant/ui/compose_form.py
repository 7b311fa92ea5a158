"""The Compose tab's form as plain values, and the context `Engine.compose()` takes from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from assistant.compose.environment import CURRENCY_SYMBOLS
from assistant.core.categories import FAULTS

# The first fault choice leaves the fault to the case type's own setting.
USUAL_FAULT = "(usual for this case)"
FAULT_CHOICES = (USUAL_FAULT, *FAULTS)
# The currencies the page has always offered first, in this order; others the composer knows follow.
LEADING_CURRENCIES = ("GBP", "USD", "EUR", "AUD", "CAD")
# Names the composer needs: left empty, they stay out of the context so it names what is missing.
REQUIRED_NAMES = ("company_name", "agent_name")


def currency_choices(known: Iterable[str] = CURRENCY_SYMBOLS) -> list[str]:
    """The currency selectbox's options: the leading ones the composer knows, then the rest."""
    known = list(known)
    return [c for c in LEADING_CURRENCIES if c in known] + [
        c for c in known if c not in LEADING_CURRENCIES
    ]


@dataclass(frozen=True)
class ComposeForm:
    """What the Compose tab's widgets hold (widget key = `compose_` + field name)."""

    case_type: str | None = None
    customer_name: str = ""
    order_number: str = ""
    item: str = ""
    amount: float | None = None
    currency: str = LEADING_CURRENCIES[0]
    order_value: float | None = None
    agent_name: str = ""
    company_name: str = ""
    fault: str = USUAL_FAULT
    high_value: bool = False
    repeat: bool = False
    prior_claims: bool = False
    threat: bool = False
    deadline: dt.date | None = None
    next_update: dt.date | None = None
    variant: str = "default"

    @classmethod
    def from_state(cls, state: Mapping[str, Any], prefix: str = "compose_") -> ComposeForm:
        """The form from widget values keyed `prefix + field` (the page's session state)."""
        return cls(**{f.name: state[prefix + f.name] for f in fields(cls)})


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def compose_context(form: ComposeForm) -> dict[str, Any]:
    """The context for `Engine.compose(form.case_type, context)`.

    Empty text fields become None, dates ISO strings, the usual-fault choice None; an empty
    company or agent name is left out, so the composer names what is missing."""
    context: dict[str, Any] = {
        "company_name": form.company_name or None,
        "agent_name": form.agent_name or None,
        "customer_name": form.customer_name or None,
        "order_number": form.order_number or None,
        "item": form.item or None,
        "amount": form.amount,
        "currency": form.currency,
        "order_value": form.order_value,
        "fault": None if form.fault == USUAL_FAULT else form.fault,
        "high_value_customer": form.high_value,
        "repeat_contact": form.repeat,
        "prior_claims": form.prior_claims,
        "threat_present": form.threat,
        "deadline": _iso(form.deadline),
        "next_update": _iso(form.next_update),
        "variant": form.variant,
    }
    return {k: v for k, v in context.items() if not (k in REQUIRED_NAMES and v is None)}
