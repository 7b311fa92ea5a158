"""One rule as the Library tab edits it: its fields as plain values, read from a rule file's YAML.

Only what a curator edits field by field is a field here; every other key of the rule (category,
ignore_when, note, by_destination...) rides along in `extra`, untouched unless the page changes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.curation.yaml_rewrite import plain
from assistant.library.rules import FlagExample
from assistant.library.wordings import LEGACY_KEY

# A phrase in the notation, or a spaCy token pattern (its token dicts) for what the notation
# cannot say.
PatternEntry = str | tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class RuleDraft:
    """Lists may be given as lists (a form's values); they are kept as tuples. A flag example may
    be given as {"text": ..., "match": ...}."""

    rule_id: str
    file: Path
    message: str = ""
    severity: str = ""
    patterns: tuple[PatternEntry, ...] = ()
    exceptions: tuple[PatternEntry, ...] = ()
    flag_examples: tuple[FlagExample, ...] = ()
    pass_examples: tuple[str, ...] = ()
    # A replacement is a text, or {text, when, followed_by} for the matches it fits (see
    # library/wordings.py): both kinds are kept, or a save would drop the conditional ones.
    replacements: tuple[str | Mapping[str, Any], ...] = ()
    advice: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        def keep(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        keep("file", Path(self.file))
        keep("patterns", tuple(_pattern_entry(p) for p in self.patterns))
        keep("exceptions", tuple(_pattern_entry(p) for p in self.exceptions))
        keep("flag_examples", tuple(_flag_example(e) for e in self.flag_examples))
        for name in ("pass_examples", "replacements", "advice"):
            keep(name, tuple(getattr(self, name)))
        keep("extra", plain(dict(self.extra)))


def _pattern_entry(value: object) -> PatternEntry:
    if isinstance(value, list | tuple):
        return tuple(plain(token) for token in value)
    return value  # type: ignore[return-value]  # anything else is the library's to refuse


def _flag_example(value: object) -> FlagExample:
    if isinstance(value, FlagExample):
        return value
    if isinstance(value, Mapping):
        return FlagExample(value.get("text", ""), value.get("match") or None)
    return FlagExample(value)  # type: ignore[arg-type]


def advice_key(data: Mapping[str, Any]) -> str:
    """The key a rule keeps its advice under: a rule written before the split keeps `suggestions`."""
    return LEGACY_KEY if LEGACY_KEY in data and "advice" not in data else "advice"


def owned_keys(data: Mapping[str, Any]) -> frozenset[str]:
    """The rule's keys a draft edits as fields; the rest are `extra`."""
    return frozenset(
        {"id", "message", "severity", "patterns", "exceptions", "replacements", "examples"}
        | {advice_key(data)}
    )


def _items(value: object) -> list:
    return list(value) if isinstance(value, list) else []


def examples_of(data: Mapping[str, Any]) -> tuple[list, list]:
    """The raw flag and pass items of a rule's examples ([] where absent or malformed)."""
    examples = data.get("examples")
    if not isinstance(examples, Mapping):
        return [], []
    return _items(examples.get("flag")), _items(examples.get("pass"))


def draft_from_data(path: Path, data: Mapping[str, Any]) -> RuleDraft:
    """The draft of a rule as parsed from its file (values the draft cannot hold are left out; the
    library's validation reports them)."""
    flags, passes = examples_of(data)
    return RuleDraft(
        rule_id=str(data.get("id", "")),
        file=path,
        message=_text(data.get("message")),
        severity=_text(data.get("severity")),
        patterns=tuple(p for p in _items(data.get("patterns")) if isinstance(p, str | list)),
        exceptions=tuple(p for p in _items(data.get("exceptions")) if isinstance(p, str | list)),
        flag_examples=tuple(
            FlagExample(*key) for item in flags if (key := flag_key(item)) is not None
        ),
        pass_examples=tuple(t for item in passes if (t := pass_text(item)) is not None),
        replacements=tuple(
            s for s in _items(data.get("replacements")) if isinstance(s, str | Mapping)
        ),
        advice=tuple(s for s in _items(data.get(advice_key(data))) if isinstance(s, str)),
        extra={k: v for k, v in data.items() if k not in owned_keys(data)},
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def flag_key(item: object) -> tuple[str, str | None] | None:
    if isinstance(item, str):
        return item, None
    if isinstance(item, Mapping) and isinstance(item.get("text"), str):
        match = item.get("match")
        return item["text"], match if isinstance(match, str) else None
    return None


def pass_text(item: object) -> str | None:
    if isinstance(item, str):
        return item
    if isinstance(item, Mapping) and isinstance(item.get("text"), str):
        return item["text"]
    return None


def is_pending(item: object) -> bool:
    return isinstance(item, Mapping) and item.get("pending") is True


@dataclass(frozen=True)
class ListField:
    """How one list field's items are compared (`key`, on what the draft shows of an item) and
    written: `new` turns a draft item into YAML data, `merge(old data, new data)` is what an
    item edited in place becomes."""

    key: Callable[[object], Hashable]
    new: Callable[[object], object]
    merge: Callable[[object, object], object]


def _json_key(value: object) -> Hashable:
    return json.dumps(plain(value), sort_keys=True, ensure_ascii=False, default=repr)


def _unique_key(item: object) -> Hashable:
    # An item the draft cannot show never equals a drafted one.
    return ("unreadable", id(item))


def _flag_raw_key(item: object) -> Hashable:
    key = flag_key(item)
    return _unique_key(item) if key is None else _json_key(list(key))


def _flag_new(example: object) -> object:
    assert isinstance(example, FlagExample)
    if example.match is None:
        return {"text": example.text}
    return {"text": example.text, "match": example.match}


def _flag_merge(old: object, new: object) -> object:
    """An edited flag example keeps the keys the editor does not show (a note)."""
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return new
    merged = {**old, **new}
    if "match" not in new:
        merged.pop("match", None)
    return merged


def _pass_raw_key(item: object) -> Hashable:
    text = pass_text(item)
    return _unique_key(item) if text is None else _json_key(text)


def _pass_merge(old: object, text: object) -> object:
    return {**old, "text": text} if isinstance(old, Mapping) else text


def _replace(_old: object, new: object) -> object:
    return plain(new)


PLAIN_LIST = ListField(_json_key, plain, _replace)
FLAG_LIST = ListField(_flag_raw_key, _flag_new, _flag_merge)
PASS_LIST = ListField(_pass_raw_key, plain, _pass_merge)


def draft_key(list_field: ListField, item: object) -> Hashable:
    """A drafted item's key, comparable with `list_field.key` of a parsed item."""
    if list_field is FLAG_LIST:
        assert isinstance(item, FlagExample)
        return _json_key([item.text, item.match])
    return _json_key(item)
