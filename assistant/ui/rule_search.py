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


# Where a search can find a rule, in the order a result names them.
SEARCHED_FIELDS = ("id", "message", "category", "phrase", "flag example", "pass example")


def _searched_texts(rule: Rule) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return (
        ("id", (rule.id,)),
        ("message", (rule.message,)),
        ("category", (rule.category,)),
        ("phrase", tuple(pattern_text(pattern) for pattern in rule.patterns)),
        ("flag example", tuple(example.text for example in rule.flag_examples)),
        ("pass example", (*rule.pass_examples, *rule.pending_pass_examples)),
    )


def match_reasons(rule: Rule, search: str) -> tuple[str, ...]:
    """Where a case-insensitive search occurs in the rule, as SEARCHED_FIELDS names them; () when
    nowhere or when the search is empty. Exceptions are not searched: they are wording the rule
    leaves alone, as a token's NOT_IN words are."""
    needle = search.lower()
    if not needle:
        return ()
    reasons = tuple(
        name
        for name, texts in _searched_texts(rule)
        if any(needle in text.lower() for text in texts)
    )
    # A search may run from the id into the message ("lucky sounds"), as it always could.
    if not reasons and needle in f"{rule.id} {rule.message} {rule.category}".lower():
        return ("id, message and category",)
    return reasons


def matches(rule: Rule, search: str) -> bool:
    """Case-insensitive substring of "id message category", a phrase, or an example's text."""
    return not search or bool(match_reasons(rule, search))


def found_in(reasons: Sequence[str]) -> str:
    """Why a rule is listed, for the page: "found in phrase, flag example"."""
    return f"found in {', '.join(reasons)}" if reasons else ""


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


def rule_matches(
    rules: Sequence[Rule],
    search: str = "",
    categories: Collection[str] = (),
    families: Collection[str] = (),
) -> list[tuple[Rule, tuple[str, ...]]]:
    """The rules shown, each with where the search found it (() when there is no search): no
    category or family chosen means all of them."""
    shown = []
    for rule in rules:
        if (categories and rule.category not in categories) or (
            families and rule.family not in families
        ):
            continue
        reasons = match_reasons(rule, search)
        if not search or reasons:
            shown.append((rule, reasons))
    return shown


def rule_rows(
    rules: Sequence[Rule],
    search: str = "",
    categories: Collection[str] = (),
    families: Collection[str] = (),
    *,
    reasons: bool = False,
) -> list[dict[str, Any]]:
    """The table rows for the rules shown; with `reasons`, each row also says where the search
    found its rule (column "found in": "phrase, flag example")."""
    rows = []
    for rule, found in rule_matches(rules, search, categories, families):
        row = rule_row(rule)
        if reasons:
            row["found in"] = ", ".join(found)
        rows.append(row)
    return rows
