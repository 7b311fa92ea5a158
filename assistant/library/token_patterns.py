"""The token-pattern language the matcher runs: spaCy's Matcher patterns, restricted to a subset.

Text attributes (ORTH, TEXT, LOWER, NORM, LEMMA, SHAPE) as a value or with IN / NOT_IN / REGEX,
the IS_* and LIKE_* flags, and the OP quantifiers. REGEX values run on RE2, which matches in time
linear in the text: a curated regex can never backtrack catastrophically (lookarounds and
backreferences, which need backtracking, are refused). Repetition is bounded too: counts at most
MAX_REPEAT, and at most one unbounded token (`*`, `+`, `{n,}`) per pattern, since each further one
multiplies the ways the matcher can try a long text. The library validates curated patterns against
it; the matcher (nlp/token_matcher.py) compiles them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import re2
from spacy import attrs

from assistant.core.problems import shorten

TEXT_ATTRS = {
    "ORTH": attrs.ORTH,
    "TEXT": attrs.ORTH,
    "LOWER": attrs.LOWER,
    "NORM": attrs.NORM,
    "LEMMA": attrs.LEMMA,
    "SHAPE": attrs.SHAPE,
}
FLAG_ATTRS = {
    name: getattr(attrs, name)
    for name in (
        "IS_ALPHA",
        "IS_ASCII",
        "IS_DIGIT",
        "IS_LOWER",
        "IS_UPPER",
        "IS_TITLE",
        "IS_PUNCT",
        "IS_SPACE",
        "IS_STOP",
        "LIKE_NUM",
        "LIKE_URL",
        "LIKE_EMAIL",
        "IS_CURRENCY",
        "IS_QUOTE",
        "IS_BRACKET",
        "IS_LEFT_PUNCT",
        "IS_RIGHT_PUNCT",
    )
}
SUPPORTED_KEYS = frozenset(TEXT_ATTRS) | frozenset(FLAG_ATTRS) | {"OP"}
UNBOUNDED = 1 << 30
MAX_REPEAT = 50
_QUANTIFIER = re.compile(r"^\{(\d*)(,?)(\d*)\}$")


class PatternError(ValueError):
    """A token pattern outside the language, with a message for the curator."""


def op_bounds(op: str | None) -> tuple[int, int, bool]:
    """(minimum, maximum, negated) repetitions for an OP value."""
    if op is None:
        return 1, 1, False
    if not isinstance(op, str):
        raise PatternError(f"OP must be a string such as ?, *, + or {{1,3}}, got {shorten(op)}")
    simple = {"?": (0, 1), "*": (0, UNBOUNDED), "+": (1, UNBOUNDED), "!": (1, 1)}
    if op in simple:
        low, high = simple[op]
        return low, high, op == "!"
    found = _QUANTIFIER.match(op)
    if not found or not (found.group(1) or found.group(3)):
        raise PatternError(f"unsupported OP {shorten(op)}")
    low_text, comma, high_text = found.groups()
    if any(len(text) > 3 or int(text) > MAX_REPEAT for text in (low_text, high_text) if text):
        # `{1000000000}` once asked the matcher for a billion steps (and 8 GB) per token.
        raise PatternError(
            f"OP {shorten(op)}: a count above {MAX_REPEAT}; no phrase repeats that often"
        )
    low = int(low_text or 0)
    high = (int(high_text) if high_text else UNBOUNDED) if comma else low
    if high < low:
        raise PatternError(f"OP {shorten(op)}: the maximum is below the minimum")
    return low, high, False


_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error is reported to the curator, not logged to stderr


def compile_regex(pattern: str) -> re2._Regexp:
    """Raises PatternError naming why RE2 cannot run the expression."""
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(
            f"REGEX {shorten(pattern)}: {reason} (lookarounds and backreferences are not supported)"
        ) from None


def check_pattern(pattern: Sequence[dict]) -> str | None:
    """Why the matcher cannot run the pattern, or None."""
    unbounded = 0
    for token in pattern:
        problem = token_problem(dict(token))
        if problem:
            return problem
        unbounded += op_bounds(token.get("OP"))[1] >= UNBOUNDED
    if unbounded > 1:
        return (
            f"{unbounded} unbounded repetitions (*, + or {{n,}}): at most one per pattern; "
            "bound the others, as in {0,8}"
        )
    return None


def token_problem(token: dict) -> str | None:
    """Why the matcher cannot run this one token spec, or None."""
    unknown = set(token) - SUPPORTED_KEYS
    if unknown:
        return f"unsupported attribute {sorted(map(str, unknown))[0]}; use {', '.join(sorted(TEXT_ATTRS))} or IS_*/LIKE_* flags"
    for name, value in token.items():
        problem = _text_value_problem(name, value) if name in TEXT_ATTRS else None
        if problem:
            return problem
    try:
        op_bounds(token.get("OP"))
    except PatternError as exc:
        return str(exc)
    return None


def _text_value_problem(name: str, value: object) -> str | None:
    if isinstance(value, str):
        return None
    if not isinstance(value, dict) or not value:
        return f"{name} must be a string or a mapping with IN, NOT_IN or REGEX"
    for operator, operand in value.items():
        if operator == "REGEX":
            try:
                compile_regex(str(operand))
            except PatternError as exc:
                return str(exc)
        elif operator not in ("IN", "NOT_IN"):
            return f"{name}: unsupported operator {operator}; use IN, NOT_IN or REGEX"
    return None
