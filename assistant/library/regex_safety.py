"""Refuse regular expressions that can backtrack catastrophically.

A curator's REGEX runs on every token of every draft, so one `(a+)+` would freeze the page on a long
draft. We walk the parsed expression (the standard library's own parser, so we judge exactly what
`re` will run) and refuse the two shapes that make backtracking exponential: a repeat nested inside an
unbounded repeat, and an unbounded repeat over alternatives that can match the same text.
"""

from __future__ import annotations

import re

try:  # Python 3.11+ moved the parser; 3.10 still has the public module.
    from re import _constants as sre_constants  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - exercised on 3.10 only
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_POSSESSIVE = getattr(sre_constants, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(sre_constants, "ATOMIC_GROUP", None)


def regex_problem(pattern: str) -> str | None:
    """Return why `pattern` is refused, or None when it compiles and is safe to run."""
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    return _scan(list(parsed), inside_unbounded_repeat=False)


def _is_unbounded(max_count: int) -> bool:
    return max_count == sre_constants.MAXREPEAT or max_count > 1


def _scan(items: list, inside_unbounded_repeat: bool) -> str | None:
    for op, arg in items:
        if op in (_POSSESSIVE, _ATOMIC):
            # Possessive and atomic groups never backtrack into themselves.
            continue
        if op in _REPEATS:
            _min, max_count, body = arg
            unbounded = _is_unbounded(max_count)
            if unbounded and inside_unbounded_repeat:
                return "nested repetition such as (a+)+ can backtrack catastrophically"
            if unbounded and _has_overlapping_branches(list(body)):
                return "repeated alternatives that can match the same text, such as (a|a)*, can backtrack catastrophically"
            problem = _scan(list(body), inside_unbounded_repeat or unbounded)
            if problem:
                return problem
        elif op == sre_constants.SUBPATTERN:
            problem = _scan(list(arg[-1]), inside_unbounded_repeat)
            if problem:
                return problem
        elif op == sre_constants.BRANCH:
            for branch in arg[1]:
                problem = _scan(list(branch), inside_unbounded_repeat)
                if problem:
                    return problem
    return None


def _has_overlapping_branches(body: list) -> bool:
    """True when an alternation directly under the repeat has two branches with a common first literal."""
    for op, arg in body:
        if op == sre_constants.SUBPATTERN:
            return _has_overlapping_branches(list(arg[-1]))
        if op == sre_constants.BRANCH:
            seen: set[object] = set()
            for branch in arg[1]:
                first = _first_literal(list(branch))
                if first is None:
                    # A branch that starts with a class or wildcard may overlap anything.
                    return len(arg[1]) > 1 and any(
                        _first_literal(list(b)) is None for b in arg[1] if b is not branch
                    )
                if first in seen:
                    return True
                seen.add(first)
    return False


def _first_literal(branch: list) -> object | None:
    if not branch:
        return ""
    op, arg = branch[0]
    if op == sre_constants.LITERAL:
        return arg
    if op == sre_constants.SUBPATTERN:
        return _first_literal(list(arg[-1]))
    return None
