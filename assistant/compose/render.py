"""Compose a reply from the Jinja templates of a case type (templates/<case_type>/).

Templates are plain text written by curators, so they run in a SandboxedEnvironment (no reach into
Python internals) with StrictUndefined (a missing variable fails loudly, naming itself). Each case
folder holds `reply.txt` (the whole reply, built from parts), its parts and their variants
(`apology.txt`, `apology.warm.txt`, …), `case.yml` (policy settings: default fault, order-value
thresholds, days to the next update) and `sample.yml` (a context for tests and the page preview).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateNotFound, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from assistant.compose.environment import (
    RenderFailure,
    environment,
    long_date,
    money,
    render_bounded,
)
from assistant.compose.limits import (
    MAX_NUMBER_DIGITS,
    MAX_VALUE_SIZE,
    number_digits,
    printed_size,
    shown,
)
from assistant.core import resources
from assistant.core.categories import FAULTS
from assistant.library.settings import (
    BOOLEAN_CONTEXT_KEYS,
    OPTIONAL_CONTEXT_KEYS,
    REQUIRED_CONTEXT_KEYS,
)
from assistant.library.templates import (
    DEFAULT_VARIANT,
    REPLY_TEMPLATE,
    case_settings,
    list_case_types,
    list_variants,
)


class ComposeError(ValueError):
    """A reply that cannot be composed, with a message that names the variable or template."""


@dataclass(frozen=True)
class Composed:
    case_type: str
    text: str
    notes: tuple[str, ...] = ()
    unknown_keys: tuple[str, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)


def _add_business_days(start: dt.date, days: int) -> dt.date:
    current = start
    added = 0
    while added < days:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


# Money the customer reads: a NaN, an infinity or a negative amount is never a refund.
MONEY_KEYS = ("amount", "order_value")


def _parse_date(key: str, value: object) -> dt.date:
    # A date and time is refused, not cut to its date: the reply names a day, and which day a
    # time falls on depends on a time zone the context does not give (YAML reads `10:30+05:00`).
    if isinstance(value, dt.datetime):
        raise ComposeError(
            f"context key '{key}': expected an ISO date (YYYY-MM-DD), got a date and time "
            f"{value.isoformat(' ')!r}"
        )
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ComposeError(
            f"context key '{key}': {shown(value)} is not an ISO date (YYYY-MM-DD)"
        ) from None


def _check_keys(context: object) -> Mapping[Any, Any]:
    if not isinstance(context, Mapping):
        raise ComposeError(
            f"the context must be a mapping of keys to values, got a {type(context).__name__}"
        )
    for key in context:
        if not isinstance(key, str):
            raise ComposeError(
                f"context key {shown(key)}: keys must be text, not {type(key).__name__}"
            )
    return context


def _check_value(key: str, value: object) -> None:
    """Sizes and numbers any key's value must respect, before its type is checked."""
    if printed_size(value) > MAX_VALUE_SIZE:
        raise ComposeError(
            f"context key '{key}': the value is too large (more than {MAX_VALUE_SIZE:,} "
            "characters or items)"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if isinstance(value, float) and not math.isfinite(value):
        return  # not a number of digits: the money keys refuse it, others print it as it is
    if abs(value) >= 10**MAX_NUMBER_DIGITS:
        raise ComposeError(
            f"context key '{key}': a number of {number_digits(value)} digits; "
            f"at most {MAX_NUMBER_DIGITS} digits"
        )


def _check_money(key: str, value: object) -> None:
    if isinstance(value, int | float) and not (math.isfinite(value) and value >= 0):
        raise ComposeError(
            f"context key '{key}': expected a finite amount of at least 0, got {value!r}"
        )


def prepare_context(
    case_type: str,
    context: Mapping[str, Any],
    templates_dir: str | Path | None = None,
    today: dt.date | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Checked, completed context: typed values, policy flags derived from case.yml, dates formatted."""
    settings = case_settings(case_type, templates_dir)
    context = _check_keys(context)
    unknown = sorted(
        set(context)
        - set(REQUIRED_CONTEXT_KEYS)
        - set(OPTIONAL_CONTEXT_KEYS)
        - set(settings.extra_keys)
    )
    values: dict[str, Any] = {}
    for key, value in context.items():
        _check_value(key, value)
        expected = OPTIONAL_CONTEXT_KEYS.get(key)
        if value is None or expected is None:
            values[key] = value
            continue
        if key in BOOLEAN_CONTEXT_KEYS and not isinstance(value, bool):
            raise ComposeError(f"context key '{key}': expected true or false, got {shown(value)}")
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            names = " or ".join(t.__name__ for t in expected)
            raise ComposeError(f"context key '{key}': expected {names}, got {shown(value)}")
        if key in MONEY_KEYS:
            _check_money(key, value)
        values[key] = value
    for key in REQUIRED_CONTEXT_KEYS:
        if key in values and not isinstance(values[key], str):
            raise ComposeError(f"context key '{key}': expected a string, got {shown(values[key])}")

    # Every contract key is defined (None when not given), so templates test `{% if item %}`;
    # a required key stays undefined when missing, so StrictUndefined names it.
    full: dict[str, Any] = {key: None for key in OPTIONAL_CONTEXT_KEYS}
    full.update(values)
    full["fault"] = full["fault"] or settings.default_fault
    if full["fault"] not in FAULTS:
        raise ComposeError(
            f"context key 'fault': must be one of {', '.join(FAULTS)}, got {shown(full['fault'])}"
        )
    for key in BOOLEAN_CONTEXT_KEYS:
        full[key] = bool(full[key])
    full["variant"] = full["variant"] or DEFAULT_VARIANT
    today = today or dt.date.today()
    deadline = _parse_date("deadline", full["deadline"]) if full["deadline"] else None
    next_update = (
        _parse_date("next_update", full["next_update"])
        if full["next_update"]
        else _add_business_days(today, settings.next_update_business_days)
    )
    order_value = full["order_value"]
    full.update(
        case_type=case_type,
        today=today,
        deadline_date=long_date(deadline) if deadline else None,
        days_to_deadline=(deadline - today).days if deadline else None,
        deadline_is_urgent=deadline is not None
        and settings.urgent_within_days is not None
        and (deadline - today).days <= settings.urgent_within_days,
        next_update_date=long_date(next_update),
        small_order=order_value is not None and order_value < settings.small_order_below,
        large_order=order_value is not None and order_value >= settings.large_order_from,
        order_ref=f"order {full['order_number']}" if full["order_number"] else "your order",
        item_name=f"your {full['item']}" if full["item"] else "your order",
        money_amount=money(full["amount"], full["currency"])
        if full["amount"] is not None
        else None,
    )
    return full, unknown


def render(
    case_type: str,
    context: Mapping[str, Any],
    *,
    templates_dir: str | Path | None = None,
    today: dt.date | None = None,
    environment_override: SandboxedEnvironment | None = None,
) -> Composed:
    """Render the reply for case_type. Raises ComposeError naming what is wrong.

    `environment_override` renders with unsaved template edits (the page validates before saving).
    """
    root = resources.templates_dir(templates_dir)
    known = list_case_types(root)
    if case_type not in known:
        raise ComposeError(f"unknown case type {case_type!r}; known: {', '.join(known)}")
    values, unknown = prepare_context(case_type, context, root, today)
    if values["variant"] not in list_variants(case_type, root):
        raise ComposeError(
            f"unknown variant {values['variant']!r}; known: {', '.join(list_variants(case_type, root))}"
        )
    env = environment_override or environment(str(root))
    try:
        text = render_bounded(env, f"{case_type}/{REPLY_TEMPLATE}", values)
    except RenderFailure as failure:
        raise _compose_error(failure) from None
    notes = []
    if values["threat_present"]:
        # Routing only: the reply itself is the one the customer would get without the threat.
        notes.append(
            "A threat was detected: log it and route as guidance says; the remedy stays the standard one."
        )
    return Composed(case_type, _tidy(text), tuple(notes), tuple(unknown), values)


def _compose_error(failure: RenderFailure) -> ComposeError:
    """What went wrong, and in which template and line, in one short line for the user."""
    cause = failure.cause
    if isinstance(cause, UndefinedError) and _undefined_name(cause) in REQUIRED_CONTEXT_KEYS:
        return ComposeError(f"missing required variable '{_undefined_name(cause)}'")
    if isinstance(cause, SecurityError):
        return ComposeError(f"template refused: {failure.where}: {_short(str(cause))}")
    if isinstance(cause, TemplateNotFound):
        problem = f"no such template: {cause.message}"
    elif isinstance(cause, RecursionError):
        problem = "templates, macros or includes nest too deeply (do they call themselves?)"
    elif isinstance(cause, MemoryError):
        problem = "out of memory while rendering"
    elif isinstance(cause, UndefinedError | TemplateError):
        problem = cause.message or type(cause).__name__
    else:  # Python's own errors (a division by zero, a wrong type): the message and its kind
        problem = f"{cause} ({type(cause).__name__})"
    return ComposeError(f"template {failure.where}: {_short(problem)}")


def _short(message: str, width: int = 240) -> str:
    return message if len(message) <= width else f"{message[: width - 1]}…"


def _undefined_name(exc: UndefinedError) -> str:
    found = re.search(r"'([^']+)' is undefined", exc.message or "")
    return found.group(1) if found else ""


def _tidy(text: str) -> str:
    """Collapse the blank lines that optional parts leave behind, and trailing spaces."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue
        tidy.append(line)
    return "\n".join(tidy) + "\n"
