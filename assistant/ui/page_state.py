"""What the page keeps across reruns and reloads, as plain values: restored fields, undo, compose guard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.core.text import MAX_TEXT_CHARS

# Kept in the agent's browser (localStorage), never on the server: customer text stays on the
# agent's machine, and agents sharing one team server each keep their own drafts.
STORED_FIELDS = ("composed", "compose_agent_name", "compose_company_name")
STORAGE_PREFIX = "reply-assistant:"
DRAFT_STORAGE_KEY = f"{STORAGE_PREFIX}draft"
UNDO_DEPTH = 20


def restorable(
    saved: object, current: Mapping[str, object], names: Sequence[str] = STORED_FIELDS
) -> dict[str, str]:
    """The fields to fill from what the browser kept: known names with string values, within the
    text limit, and only where this session's field is still empty (what the agent typed since
    the reload wins). Anything else the browser sends is ignored: it is not trusted input."""
    if not isinstance(saved, Mapping):
        return {}
    return {
        name: value
        for name, value in saved.items()
        if name in names
        and isinstance(value, str)
        and value
        and len(value) <= MAX_TEXT_CHARS
        and not current.get(name)
    }


def pushed(stack: Sequence[str], text: str, depth: int = UNDO_DEPTH) -> list[str]:
    """The undo stack with `text` on top, the oldest entries dropped beyond `depth`."""
    return [*stack, text][-depth:]


def needs_confirmation(current: str, last_composed: str) -> bool:
    """Composing again would overwrite edits the agent made to the composed reply."""
    return bool(current.strip()) and current != last_composed
