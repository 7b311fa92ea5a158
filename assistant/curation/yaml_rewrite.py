"""Rewrite chosen values of a YAML file as text edits, leaving every other byte as it was.

A round-trip library re-emits the whole document: measured on the bundled library, ruamel.yaml
0.19 writes `[{LOWER: x}]` back as `[LOWER: x]`, joins multi-line flow lists onto one line and
drops anchors no alias uses, so it changes rules nobody edited. Here only the values that changed
are written: a list keeps the text of each item that is still there (with the comments above it
and beside it), an item edited in place keeps its comments, and a new item is written in flow
style, one per line, as the curators write them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.curation.yaml_spans import ALIAS, MAPPING, SEQUENCE, Spot

# A list written in flow style stays so while its line fits; longer, it becomes a block list.
FLOW_LINE_LIMIT = 110
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Words a YAML 1.1 reader (not ours, but a curator's editor or another tool) takes for booleans.
_RESERVED = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})
# Characters YAML does not allow unescaped inside double quotes, beyond those JSON escapes.
_NOT_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def flow(value: object) -> str:
    """A value in YAML flow style that reads back as the same value: strings in double quotes
    unless they are a plain identifier (LOWER, warning), so no word can turn into a boolean."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        if _PLAIN.match(value) and value.lower() not in _RESERVED:
            return value
        quoted = json.dumps(value, ensure_ascii=False)
        return _NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{flow(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} into a rule file")


def plain(value: object) -> Any:
    """A parsed or drafted value as plain lists and dicts, for comparing the two."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Item:
    """One item of a rewritten list: `old` is the index of the item whose text it keeps (None
    for a new one); `changed` says that item's value is replaced in place."""

    old: int | None
    value: object
    changed: bool = False


def plan_items(
    old: Sequence[object],
    old_keys: Sequence[Hashable],
    new_keys: Sequence[Hashable],
    new_values: Sequence[object],
    merge: Callable[[object, object], object] | None = None,
) -> list[Item]:
    """Which old item each new item keeps the text of. Items are compared by key (what the editor
    shows of them); an item still there keeps its value whole (a pass example's `pending` or a
    `note` the editor does not show), an edited one takes `merge(old, new)` in its old place."""
    matcher = difflib.SequenceMatcher(a=list(old_keys), b=list(new_keys), autojunk=False)
    items: list[Item] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            items.extend(Item(i1 + k, old[i1 + k]) for k in range(i2 - i1))
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(j2 - j1):
            value = new_values[j1 + k]
            if k < paired:
                merged = merge(old[i1 + k], value) if merge else value
                items.append(Item(i1 + k, merged, changed=True))
            else:
                items.append(Item(None, value))
    return items


def unchanged(items: Sequence[Item], old_count: int) -> bool:
    return len(items) == old_count and all(
        item.old == index and not item.changed for index, item in enumerate(items)
    )


class Rewriter:
    """Text edits against one file's text, applied together by `result()`."""

    def __init__(self, text: str):
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self._edits: list[tuple[int, int, int, str]] = []

    # Places in the text

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        end = self.text.find("\n", index)
        end = len(self.text) if end == -1 else end
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def column(self, index: int) -> int:
        return index - self.line_start(index)

    def after_colon(self, key: Spot) -> int:
        return self.text.index(":", key.end) + 1

    def key_column(self, mapping: Spot) -> int:
        return self.column(mapping.children[0].start)

    # Edits

    def replace(self, start: int, end: int, new: str) -> None:
        self._edits.append((start, end, len(self._edits), new))

    def result(self) -> str:
        pieces, position = [], 0
        for start, end, _, new in sorted(self._edits):
            if start < position:
                raise ValueError("overlapping edits")  # a bug here, never a curator's doing
            pieces += [self.text[position:start], new]
            position = end
        return "".join([*pieces, self.text[position:]])

    # Values of a block mapping

    def set_value(self, key: Spot, value: Spot, new: object) -> None:
        """Write `new` (a scalar, a dict or a list given whole) in place of a key's value."""
        # An anchor stays with its value, so aliases elsewhere still resolve.
        anchor = f"&{value.anchor} " if value.anchor and value.kind != ALIAS else ""
        if value.kind in (SEQUENCE, MAPPING) and not value.flow:
            self.replace(self.after_colon(key), self.line_end(value.end), f" {anchor}{flow(new)}")
            return
        self.replace(value.start, value.end, anchor + flow(new))

    def set_list(self, key: Spot, value: Spot, items: Sequence[Item], key_col: int) -> None:
        """Write a list item by item, keeping the text of each item the plan keeps."""
        if not items:
            self.set_value(key, value, [])
            return
        if value.kind == SEQUENCE and not value.flow and value.children:
            self._rebuild_block_list(key, value, items)
            return
        text = flow([item.value for item in items])
        if value.kind == SEQUENCE and self.column(value.start) + len(text) <= FLOW_LINE_LIMIT:
            self.set_value(key, value, [item.value for item in items])
            return
        # Too long for one line, or a shared list (an alias) becoming this rule's own: a block list.
        end = self.line_end(value.end) if value.kind == MAPPING and not value.flow else value.end
        anchor = f" &{value.anchor}" if value.anchor and value.kind != ALIAS else ""
        self.replace(self.after_colon(key), end, anchor + self.block_items(items, key_col + 2))

    def block_items(self, items: Sequence[Item], dash_col: int) -> str:
        return "".join(f"{self.newline}{' ' * dash_col}- {flow(item.value)}" for item in items)

    def _rebuild_block_list(self, key: Spot, value: Spot, items: Sequence[Item]) -> None:
        # Item i's text runs from the line after item i-1 (comments above it included) to the end
        # of its last line (a comment beside it included).
        bounds = [self.line_end(self.after_colon(key))]
        bounds += [self.line_end(child.end) for child in value.children]
        skip = len(self.newline)
        chunks = [self.text[bounds[i] + skip : bounds[i + 1]] for i in range(len(value.children))]
        first = value.children[0]
        before = self.text[self.line_start(first.start) : first.start]
        dash_col = len(before) - len(before.lstrip(" "))
        out = []
        for item in items:
            if item.old is None:
                out.append(f"{' ' * dash_col}- {flow(item.value)}")
            elif not item.changed:
                out.append(chunks[item.old])
            else:
                child = value.children[item.old]
                base = bounds[item.old] + skip
                chunk = chunks[item.old]
                out.append(
                    chunk[: child.start - base] + flow(item.value) + chunk[child.end - base :]
                )
        self.replace(bounds[0], bounds[-1], "".join(self.newline + chunk for chunk in out))

    def delete_key(self, mapping: Spot, key: Spot, value: Spot) -> None:
        pairs = mapping.pairs()
        index = next(i for i, (k, _) in enumerate(pairs) if k is key)
        end = self.line_end(value.end)
        shares_dash_line = bool(self.text[self.line_start(key.start) : key.start].strip())
        if shares_dash_line and index + 1 < len(pairs):
            # The key shares its line with the list dash ("- category: x"): the next key moves up.
            self.replace(key.start, pairs[index + 1][0].start, "")
            return
        start = self.line_start(key.start) - len(self.newline)
        self.replace(max(start, 0), end, "")

    def insert_key(self, after: Spot, key_col: int, key: str, text: str) -> None:
        """Add `key: text` on a new line after the value `after` (text starts with a space for a
        flow value, with a newline for a block one)."""
        at = self.line_end(after.end)
        self.replace(at, at, f"{self.newline}{' ' * key_col}{key}:{text}")
