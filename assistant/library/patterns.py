"""Patterns in curated files: phrases in the notation or spaCy token patterns, validated.

Rules, case-type signals and required elements all list patterns the same way; this module turns
such a list into the token patterns the matcher runs, reporting each bad entry with its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from spacy.matcher import Matcher
from spacy.vocab import Vocab

from assistant.core.problems import Problem, shorten
from assistant.library.lexicon import Lexicon
from assistant.library.notation import NotationError, compile_pattern, tokenizer
from assistant.library.token_patterns import check_pattern
from assistant.library.yaml_lines import line_of

# A phrase in the notation (notation.py) is a string; a token pattern is a list of spaCy
# Matcher token dicts, for what the notation cannot say.
TokenPattern = tuple[dict[str, Any], ...]
Pattern = str | TokenPattern


# (owner, field, problem, line): how a pattern problem is reported to the file being parsed.
ReportProblem = Callable[..., None]


@lru_cache(maxsize=1)
def _pattern_vocab() -> Vocab:
    return Vocab()


def _token_pattern_problem(pattern: list) -> str | None:
    """spaCy's own schema validation, then the subset our matcher runs (REGEX on RE2, bounded
    repetition)."""
    if not pattern:
        return "a token pattern needs at least one token"
    # Our own language first: spaCy's schema expands a count such as {1000000000} into that many
    # tokens before it looks at anything else (8 GB).
    if all(isinstance(token, dict) for token in pattern):
        unsupported = check_pattern(pattern)
        if unsupported:
            return f"invalid token pattern: {unsupported}"
    matcher = Matcher(_pattern_vocab(), validate=True)
    try:
        matcher.add("validate", [pattern])
    except Exception as exc:  # spaCy raises MatchPatternError, ValueError or KeyError here
        detail = " ".join(str(exc).split())
        detail = re.sub(
            r"^Invalid token patterns for matcher rule 'validate'\s*(Pattern 0:)?\s*", "", detail
        )
        return f"invalid token pattern: {detail if len(detail) <= 300 else detail[:299] + '…'}"
    for word in _single_token_values(pattern) if _STRICT.get() else ():
        pieces = _tokens_of(word)
        if len(pieces) > 1 and not _is_attached_token(word):
            # A token pattern compares one token at a time, so this value can never match.
            return (
                f"{shorten(word)} is split by the tokenizer into {' + '.join(repr(p) for p in pieces)}: "
                "no single token can equal it; match the pieces as separate tokens, or use a phrase"
            )
    return None


# Checks that only help curators (a token value the tokenizer always splits can never match, but
# breaks nothing) run in `rules validate` and on the page's edits, not on every start: building a
# tokenizer for them costs a fifth of a cold `check`.
_STRICT: ContextVar[bool] = ContextVar("strict_library_checks", default=False)


@lru_cache(maxsize=4096)
def _tokens_of(word: str) -> tuple[str, ...]:
    return tuple(token.text for token in tokenizer()(word))


def _is_attached_token(word: str) -> bool:
    """Clitics such as 're or n't only exist attached to a word: "I" + "'m" gives the token "'m"."""
    return any(word in _tokens_of(host + word) for host in ("I", "do", "it", "we", "you"))


def _single_token_values(pattern: list) -> Iterable[str]:
    for token in pattern:
        if not isinstance(token, dict):
            continue
        for attr in ("LOWER", "ORTH", "TEXT"):
            value = token.get(attr)
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict):
                for key in ("IN", "NOT_IN"):
                    yield from (v for v in value.get(key, []) if isinstance(v, str))


STRING_ATTRS = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE", "PREFIX", "SUFFIX"})


def _as_text(value: object) -> object:
    # YAML reads `24` in [in, 24, hours] as a number; in a text attribute it can only mean the word "24".
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    return value


def _normalise_token_pattern(pattern: list) -> list:
    return [
        {key: (_as_text(value) if key in STRING_ATTRS else value) for key, value in token.items()}
        if isinstance(token, dict)
        else token
        for token in pattern
    ]


def _freeze_pattern(pattern: str | list) -> Pattern:
    if isinstance(pattern, str):
        return " ".join(pattern.split())
    return tuple(dict(token) for token in pattern)


@contextmanager
def strict_checks(enabled: bool = True) -> Iterator[None]:
    """Run the curator-only checks (see _STRICT) for the patterns parsed inside the block."""
    token = _STRICT.set(enabled)
    try:
        yield
    finally:
        _STRICT.reset(token)


def parse_pattern_list(
    value: object,
    owner: str,
    field_name: str,
    line: int,
    required: bool,
    lexicon: Lexicon,
    problem: ReportProblem,
) -> tuple[tuple[Pattern, ...], tuple[tuple[TokenPattern, ...], ...]]:
    """A curated list of phrases and token patterns: the patterns as written and, for each, the
    token patterns the matcher runs. Each bad entry is reported and left out."""
    if not isinstance(value, list) or (required and not value):
        need = "a non-empty list" if required else "a list"
        problem(owner, field_name, f"must be {need} of phrases or token patterns", line)
        return (), ()
    frozen: list[Pattern] = []
    compiled: list[tuple[TokenPattern, ...]] = []
    for position, pattern in enumerate(value):
        where = f"{field_name}[{position}]"
        if isinstance(pattern, str):
            if not pattern.strip():
                problem(owner, where, "empty phrase", line)
                continue
            try:
                variants = compile_pattern(pattern, lexicon)
            except NotationError as exc:
                problem(owner, where, f"{shorten(pattern)}: {exc}", line)
                continue
            frozen.append(_freeze_pattern(pattern))
            compiled.append(tuple(tuple(token for token in v) for v in variants))
            continue
        if isinstance(pattern, list):
            pattern = _normalise_token_pattern(pattern)
            why = _token_pattern_problem(pattern)
            if why:
                problem(owner, where, why, line_of(pattern[0] if pattern else None, line))
                continue
        else:
            problem(
                owner,
                where,
                "must be a phrase (string) or a token pattern (list of token dicts)",
                line,
            )
            continue
        token_pattern = _freeze_pattern(pattern)
        frozen.append(token_pattern)
        compiled.append((token_pattern,))  # type: ignore[arg-type]
    return tuple(frozen), tuple(compiled)


def parse_patterns(
    value: object,
    path: str,
    owner: str,
    field_name: str,
    line: int,
    problems: list[Problem],
    lexicon: Lexicon,
) -> tuple[TokenPattern, ...]:
    """Validate phrases and token patterns from any curated file (rules, case types): token patterns."""

    def report(owner: str, field_name: str, text: str, line: int = 0) -> None:
        problems.append(Problem(path, owner, field_name, text, line))

    _, compiled = parse_pattern_list(value, owner, field_name, line, True, lexicon, report)
    return tuple(variant for variants in compiled for variant in variants)
