"""The fix fields of a rule or required element: `replacements` (pasted) and `advice` (shown).

A replacement replaces exactly the matched span, so it must read as words of a whole sentence: an
ellipsis marks a fragment for the agent to finish, and a fragment pasted into a draft leaves a
broken sentence. Fragments belong in `advice`, which the page shows and never pastes. Libraries
written before the split list everything under `suggestions`; those are read as advice, since
nothing checked that they fit the matched span.

One rule catches many wordings ("sorry for any inconvenience", "apologies for the mix-up"), and
no single text replaces them all, so a replacement may say which matched words it is for:

    replacements:
      - ""                                                     # every match: delete it
      - {text: "sorry about this", when: "sorry for (any|the) inconvenience"}

`when` is a regular expression that must match the whole matched text, and `followed_by` one
that must match at the text right after it (both ignore case; RE2 syntax, as a token pattern's
REGEX): a deletion of an opening phrase
reads whole only when the phrase ended at its comma, so `followed_by: ","` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assistant.core.problems import shorten
from assistant.library.token_patterns import PatternError, compile_regex

ELLIPSES = ("…", "...")
LEGACY_KEY = "suggestions"
WORDING_KEYS = frozenset({"replacements", "advice", LEGACY_KEY})
REPLACEMENT_KEYS = frozenset({"text", "when", "followed_by"})
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
IGNORE_CASE = "(?i)"
# How much of the text after a match `followed_by` reads: the rest of the sentence, no more, so a
# huge draft costs no more per finding than a short one.
FOLLOWING_CHARS = 200

# (rule id, field, problem, line), as _FileParser.problem takes them.
Report = Callable[[str, str, str, int], None]


@dataclass(frozen=True)
class Replacement:
    text: str
    # RE2 expressions (linear time, like the token patterns' REGEX); None: no condition.
    when: Any = None
    followed_by: Any = None

    def fits(self, matched: str, following: str = "") -> bool:
        """Whether this replacement is for a match of these words, with this text after it."""
        if self.when is not None and not self.when.fullmatch(matched.translate(_APOSTROPHES)):
            return False
        if self.followed_by is None:
            return True
        return bool(self.followed_by.match(following[:FOLLOWING_CHARS].translate(_APOSTROPHES)))

    @property
    def condition(self) -> str:
        """The condition as the library states it, for reports."""
        parts = [
            f"{name} {expression.pattern.removeprefix(IGNORE_CASE)!r}"
            for name, expression in (("when", self.when), ("followed by", self.followed_by))
            if expression is not None
        ]
        return " and ".join(parts) or "any match"


@dataclass(frozen=True)
class Wordings:
    replacements: tuple[Replacement, ...] = ()
    advice: tuple[str, ...] = ()


def replacement_problem(replacement: str) -> str | None:
    """Why a text cannot be pasted over a matched span, or None when it can."""
    if any(mark in replacement for mark in ELLIPSES):
        return (
            f"{shorten(replacement)} is a fragment (it has an ellipsis): a replacement must read "
            "as part of a whole sentence; move it to advice"
        )
    if replacement and not replacement.strip():
        return 'only spaces: use "" to delete the matched words'
    if replacement != replacement.strip():
        return f"{shorten(replacement)} starts or ends with a space: it replaces exactly the match"
    if "\n" in replacement:
        return f"{shorten(replacement)} spans lines: a replacement stays within its sentence"
    return None


def _condition(
    item: dict, key: str, owner: str, where: str, line: int, report: Report
) -> tuple[bool, Any]:
    """(ok, compiled) for one optional regular-expression key of a replacement."""
    value = item.get(key)
    if value is None:
        return True, None
    if not isinstance(value, str) or not value.strip():
        report(owner, f"{where}.{key}", "must be a non-empty regular expression", line)
        return False, None
    try:
        return True, compile_regex(IGNORE_CASE + value.translate(_APOSTROPHES))
    except PatternError as exc:
        report(owner, f"{where}.{key}", str(exc), line)
        return False, None


def _replacement(
    item: object, owner: str, where: str, line: int, report: Report
) -> Replacement | None:
    if isinstance(item, str):
        text, item = item, {}
        text_field = where
    elif isinstance(item, dict) and isinstance(item.get("text"), str):
        for key in sorted(set(item) - REPLACEMENT_KEYS, key=str):
            report(
                owner,
                f"{where}.{key}",
                f"unknown key; allowed: {', '.join(sorted(REPLACEMENT_KEYS))}",
                line,
            )
        text, text_field = item["text"], f"{where}.text"
    else:
        report(
            owner,
            where,
            'must be a string ("" deletes the match) or a mapping with text (and when, followed_by)',
            line,
        )
        return None
    problem = replacement_problem(text)
    if problem:
        report(owner, text_field, problem, line)
    when_ok, when = _condition(item, "when", owner, where, line, report)
    after_ok, followed_by = _condition(item, "followed_by", owner, where, line, report)
    if problem or not (when_ok and after_ok):
        return None
    return Replacement(text, when, followed_by)


def parse_wordings(
    data: dict, owner: str, line: int, report: Report, *, allow_replacements: bool = True
) -> Wordings:
    """The replacements and advice of one rule (`owner` is its id), reporting every problem."""
    replacements: list[Replacement] = []
    if "replacements" in data:
        raw = data["replacements"]
        if not allow_replacements:
            report(
                owner,
                "replacements",
                "a check of the whole reply has no span to replace: give advice only",
                line,
            )
        elif not isinstance(raw, list):
            report(owner, "replacements", 'must be a list ("" deletes the match)', line)
        else:
            for position, item in enumerate(raw):
                where = f"replacements[{position}]"
                parsed = _replacement(item, owner, where, line, report)
                if parsed is None:
                    continue
                if any(r.text == parsed.text for r in replacements):
                    report(owner, where, f"repeats {shorten(parsed.text)}", line)
                    continue
                replacements.append(parsed)
    advice: list[str] = []
    if "advice" in data and LEGACY_KEY in data:
        report(
            owner,
            LEGACY_KEY,
            "the old name of advice: give one of advice and suggestions, not both",
            line,
        )
    for key in ("advice", LEGACY_KEY):
        if key not in data:
            continue
        raw = data[key]
        if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
            report(owner, key, "must be a list of non-empty strings", line)
            continue
        advice.extend(item.strip() for item in raw)
    return Wordings(tuple(replacements), tuple(advice))
