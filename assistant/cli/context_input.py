"""The compose context from the command line: a JSON or YAML file, then `--set key=value`."""

from __future__ import annotations

import json

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
    if key in TEXT_KEYS:
        return key, raw
    try:
        return key, yaml.safe_load(raw) if raw else None
    except yaml.YAMLError:
        return key, raw


def read_context(path: str | None) -> dict[str, object]:
    if not path:
        return {}
    data, name = read_bytes(path)
    text = decode(data, name)
    try:
        context = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SourceError(
            f"{name}: not valid {'JSON' if name.endswith('.json') else 'YAML'}: {exc}"
        ) from None
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise SourceError(f"{name}: the context must be a mapping of keys to values")
    return context
