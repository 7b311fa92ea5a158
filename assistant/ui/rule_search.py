"""The Library tab's rule table: which rules a search and the filters show, as table rows."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.library.patterns import Pattern
from assistant.library.rules import Rule

# Token-pattern parts that are not words the rule looks for: how often a token repeats, and
# words it must not be (searching "monday" should not find a rule that excludes Monday).
_NOT_WORDS = frozenset({"OP", "NOT_IN"})


def rule_categories(rules: Iterable[Rule]) -> list[str]:
    return sorted({rule.category for rule in rules})


def rule_families(rules: Iterable[Rule]) -> list[str]:
    return sorted({rule.family for rule in rules})


def rule_ids(rules: Iterable[Rule]) -> list[str]:
    return [rule.id for rule in rules]


def _words(value: object) -> list[str]:
    """The strings a token pattern's value matches on, e.g. {"IN": ["a", "b"]} → ["a", "b"]."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [w for key, v in value.items() if key not in _NOT_WORDS for w in _words(v)]
    if isinstance(value, (list, tuple)):
        return [w for v in value for w in _words(v)]
    return []  # booleans and numbers (IS_TITLE: true, LENGTH: 3) name no words


def pattern_text(pattern: Pattern) -> str:
    """A pattern as searchable text: a phrase as written; a token pattern as its tokens' words,
    alternatives joined by "|", tokens that name no word left out
    (`[{LOWER: you}, {IS_TITLE: true}, {LEMMA: {IN: [fail, forget]}}]` → "you fail|forget")."""
    if isinstance(pattern, str):
        return pattern
    return " ".join(alternatives for token in pattern if (alternatives := "|".join(_words(token))))


def matches(rule: Rule, search: str) -> bool:
    """Case-insensitive substring of "id message category", or of one of the rule's patterns."""
    needle = search.lower()
    if needle in f"{rule.id} {rule.message} {rule.category}".lower():
        return True
    return any(needle in pattern_text(pattern).lower() for pattern in rule.patterns)


def rule_row(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "category": rule.category,
        "severity": rule.severity,
        "family": rule.family,
        "file": Path(rule.path).name,
        "line": rule.line,
        "message": rule.message,
    }


def rule_rows(
    rules: Sequence[Rule],
    search: str = "",
    categories: Collection[str] = (),
    families: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The table rows for the rules shown: no category or family chosen means all of them."""
    return [
        rule_row(rule)
        for rule in rules
        if (not categories or rule.category in categories)
        and (not families or rule.family in families)
        and (not search or matches(rule, search))
    ]
