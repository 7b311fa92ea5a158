"""The compose context from the command line: a JSON or YAML file, then `--set key=value`."""

from __future__ import annotations

import json
import sys

import yaml

from assistant.core.inputs import SourceError, decode, read_bytes

TEXT_KEYS = (
    "order_number",
    "customer_name",
    "agent_name",
    "company_name",
    "item",
    "currency",
    "variant",
)


def parse_setting(item: str) -> tuple[str, object]:
    """`--set key=value`: numbers, true/false and dates typed as in YAML; names and numbers-as-ids kept as text."""
    if "=" not in item:
        raise SourceError(f"--set {item!r}: expected key=value")
    key, raw = (part.strip() for part in item.split("=", 1))
    if not key:
        raise SourceError(f"--set {item!r}: the key is empty; expected key=value")
    if key in TEXT_KEYS:
        return key, raw
    try:
        return key, yaml.safe_load(raw) if raw else None
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        # Not a value YAML can build (an impossible date such as 2026-02-30, a number of
        # thousands of digits): kept as text, so compose names the key and what it expected.
        return key, raw


def read_context(path: str | None) -> dict[str, object]:
    if not path:
        return {}
    data, name = read_bytes(path)
    text = decode(data, name)
    kind = "JSON" if name.endswith(".json") else "YAML"
    try:
        context = json.loads(text) if kind == "JSON" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SourceError(f"{name}: not valid {kind}: {exc}") from None
    except RecursionError:
        raise SourceError(f"{name}: not valid {kind}: nested too deeply") from None
    except (ValueError, OverflowError) as exc:
        # Well-formed, but a value Python cannot build: an impossible date, a huge number.
        raise SourceError(f"{name}: not valid {kind}: {_value_problem(exc)}") from None
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise SourceError(f"{name}: the context must be a mapping of keys to values")
    for key in context:
        if not isinstance(key, str):
            raise SourceError(
                f"{name}: context keys must be text; {_shown(key)} is a {_kind(key)} "
                "(put it in quotes)"
            )
    return context


def _value_problem(exc: Exception) -> str:
    if "integer string conversion" in str(exc):  # Python's limit, with advice for programmers
        return f"a number has more than {sys.get_int_max_str_digits()} digits"
    return str(exc)


def _shown(key: object) -> str:
    text = repr(key)
    return text if len(text) <= 40 else f"{text[:39]}…"


def _kind(key: object) -> str:
    if isinstance(key, bool):
        return "true-or-false value"
    if isinstance(key, int | float):
        return "number"
    return "null" if key is None else type(key).__name__
