"""Where each value of a YAML file sits in its text, so one value can be rewritten in place.

PyYAML's composer resolves an alias to the anchored node, whose marks point at the anchor, and
ends a block collection at the next token (past comments and blank lines). Built from the parser's
events instead, every node here has its own place: an alias is a leaf where the `*name` is written,
and a block collection ends where its last value ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

SCALAR, SEQUENCE, MAPPING, ALIAS = "scalar", "sequence", "mapping", "alias"


@dataclass
class Spot:
    """One node: its kind, its [start, end) in the text, and its children (a mapping's are
    key, value, key, value...). `start` includes an anchor written before the node."""

    kind: str
    start: int
    end: int
    flow: bool = False
    value: str | None = None
    anchor: str | None = None
    children: list[Spot] = field(default_factory=list)

    def pairs(self) -> list[tuple[Spot, Spot]]:
        return list(zip(self.children[::2], self.children[1::2], strict=True))

    def get(self, key: str) -> tuple[Spot, Spot] | None:
        """The (key, value) pair whose key is the plain text `key`, in a mapping."""
        for key_spot, value_spot in self.pairs():
            if key_spot.kind == SCALAR and key_spot.value == key:
                return key_spot, value_spot
        return None


def spots(text: str) -> Spot | None:
    """The document's root node, or None for an empty document. Raises yaml.YAMLError.

    The pure-Python parser is used on purpose: its marks count characters, as str indices do."""
    stack: list[Spot] = []
    root: Spot | None = None
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        spot: Spot | None = None
        if isinstance(event, yaml.ScalarEvent):
            spot = Spot(SCALAR, event.start_mark.index, event.end_mark.index, value=event.value)
            spot.anchor = event.anchor
        elif isinstance(event, yaml.AliasEvent):
            spot = Spot(ALIAS, event.start_mark.index, event.end_mark.index, anchor=event.anchor)
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            kind = SEQUENCE if isinstance(event, yaml.SequenceStartEvent) else MAPPING
            stack.append(
                Spot(kind, event.start_mark.index, event.end_mark.index, bool(event.flow_style))
            )
            stack[-1].anchor = event.anchor
            continue
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            spot = stack.pop()
            # A flow collection ends at its bracket; a block one where its last value ends.
            spot.end = event.end_mark.index if spot.flow else _last_end(spot)
        if spot is None:
            continue
        if stack:
            stack[-1].children.append(spot)
        elif root is None:
            root = spot
    return root


def _last_end(spot: Spot) -> int:
    return spot.children[-1].end if spot.children else spot.end
