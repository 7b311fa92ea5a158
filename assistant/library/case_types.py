"""Case-type settings (phrase_rules/case_types.yml): weighted signals per case type, validated.

A curator extends it without code: add a signal with a weight, and an example message that must
come out as that case type. message/case_type.py weighs the signals a message contains.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from assistant.core.problems import Problem, shorten
from assistant.library.lexicon import Lexicon
from assistant.library.patterns import parse_patterns
from assistant.library.yaml_lines import line_of

SIGNAL_SEPARATOR = "|"
CASE_TYPE_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
OTHER = "other"
COMPLAINT = "complaint"
FILE_KEYS = (
    "case_types",
    "complaint_score",
    "complaint_signals",
    "minimum_score",
    "no_case_examples",
    "preselect_confidence",
)
DEFAULT_MINIMUM = 3.0
DEFAULT_COMPLAINT = 2.0
DEFAULT_PRESELECT = 0.7
# spaCy's stop list also holds some words that do name a case ("amount", "name", "show up", "due"):
# they stay usable as evidence.
CONTENT_STOP_WORDS = frozenset(
    {"amount", "name", "show", "put", "call", "due", "move", "empty", "full", "part", "back"}
)
FUNCTION_WORDS = frozenset(STOP_WORDS) - CONTENT_STOP_WORDS
# Token attributes that hold the literal words of a pattern token (the rest are wildcards or flags).
_WORD_KEYS = ("NORM", "LOWER", "ORTH", "TEXT", "LEMMA")


@dataclass(frozen=True)
class Signal:
    case_type: str
    index: int | str
    weight: float
    patterns: tuple[Any, ...]

    @property
    def key(self) -> str:
        return f"{self.case_type}{SIGNAL_SEPARATOR}{self.index}"


@dataclass(frozen=True)
class CaseTypeModel:
    minimum_score: float = DEFAULT_MINIMUM
    signals: tuple[Signal, ...] = ()
    # What `other` needs from its own signals (complaint evidence) when no specific type qualifies.
    complaint_score: float = DEFAULT_COMPLAINT
    # The page preselects a case in Compose only at or above this confidence (chosen in `eval`).
    preselect_confidence: float = DEFAULT_PRESELECT
    # Messages that are no case at all (praise, thanks, chit-chat, a bare threat): run as tests.
    no_case_examples: tuple[str, ...] = ()
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The case types the file names, in its order: the order that breaks a tie between two.
    case_types: tuple[str, ...] = ()

    def weight(self, key: str) -> float:
        return self._weights[key]

    @property
    def _weights(self) -> dict[str, float]:
        weights = self.__dict__.get("_weights_cache")
        if weights is None:
            weights = {signal.key: signal.weight for signal in self.signals}
            object.__setattr__(self, "_weights_cache", weights)
        return weights

    def preselects(self, suggestion: CaseSuggestion) -> bool:
        """Whether the page may set Compose to the suggestion without the agent choosing it."""
        return (
            suggestion.case_type is not None and suggestion.confidence >= self.preselect_confidence
        )


@dataclass(frozen=True)
class CaseSuggestion:
    case_type: str | None
    confidence: float
    evidence: tuple[str, ...]
    scores: dict[str, float]


def _number(
    data: dict[str, Any],
    key: str,
    default: float,
    where: tuple[str, int],
    problems: list[Problem],
    *,
    at_most_one: bool = False,
) -> float:
    """A positive number setting (at most 1 for a confidence); the default after a problem."""
    value = data.get(key, default)
    bad = not isinstance(value, int | float) or isinstance(value, bool) or value <= 0
    if not bad and at_most_one and value > 1:
        bad = True
    if bad:
        what = "a number above 0 and at most 1" if at_most_one else "a positive number"
        problems.append(Problem(where[0], "(file)", key, f"must be {what}", where[1]))
        return default
    return float(value)


def _stop_words_only(variant: Any) -> bool:
    """A pattern whose every literal word is a function word ("as", "but", "we had") says nothing
    about a case, and its match would be shown to the agent as evidence."""
    literals: list[str] = []
    for token in variant:
        for key in _WORD_KEYS:
            value = token.get(key)
            if isinstance(value, str):
                literals.append(value)
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                words = [str(word) for word in value["IN"]]
                # A class of words is content as soon as one member is.
                literals.append(
                    next((w for w in words if w.lower() not in FUNCTION_WORDS), words[0])
                )
        if any(key in token for key in ("LIKE_NUM", "IS_CURRENCY")):
            return False
    return all(word.lower() in FUNCTION_WORDS for word in literals)


def _signal_list(
    value: Any, where: str, path: str, line: int, problems: list[Problem], owner: str = "(file)"
) -> list[Any]:
    """A list of signals; anything else is named as a problem and read as none."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(path, owner, where, "must be a list of signals", line))
        return []
    return value


def parse_case_types(
    data: dict[str, Any],
    path: str,
    problems: list[Problem],
    lexicon: Lexicon,
    known: Sequence[str] = (),
) -> CaseTypeModel:
    """`known` holds the case types that have templates; a case type named here must be one of
    them, and each of them needs its signals here (else scan could never suggest it)."""
    if not data:
        return CaseTypeModel()
    line = line_of(data)
    for key in sorted(set(data) - set(FILE_KEYS), key=str):
        problems.append(
            Problem(path, "(file)", str(key), f"unknown key; allowed: {', '.join(FILE_KEYS)}", line)
        )
    where = (path, line)
    minimum = _number(data, "minimum_score", DEFAULT_MINIMUM, where, problems)
    complaint = _number(data, "complaint_score", DEFAULT_COMPLAINT, where, problems)
    preselect = _number(
        data, "preselect_confidence", DEFAULT_PRESELECT, where, problems, at_most_one=True
    )
    case_types = data.get("case_types")
    if not isinstance(case_types, dict) or not case_types:
        problems.append(
            Problem(
                path, "(file)", "case_types", "missing: map each case type to its signals", line
            )
        )
        return CaseTypeModel(minimum, complaint_score=complaint, preselect_confidence=preselect)
    signals: list[Signal] = []
    examples: dict[str, tuple[str, ...]] = {}
    for case_type in [name for name in known if name not in case_types]:
        problems.append(
            Problem(
                path,
                case_type,
                "case_types",
                "has templates but no signals here: scan could never suggest it",
                line,
            )
        )
    for case_type, spec in case_types.items():
        parsed = _parse_case_type(case_type, spec, path, line, problems, lexicon, known)
        if parsed is not None:
            signals.extend(parsed[0])
            if parsed[1]:
                examples[case_type] = parsed[1]
    for index, raw in enumerate(
        _signal_list(data.get("complaint_signals"), "complaint_signals", path, line, problems)
    ):
        signal = _parse_signal(OTHER, index, raw, path, line, problems, lexicon, COMPLAINT)
        if signal is not None:
            signals.append(signal)
    no_case = data.get("no_case_examples", [])
    if not isinstance(no_case, list) or not all(isinstance(t, str) for t in no_case):
        problems.append(
            Problem(path, "(file)", "no_case_examples", "must be a list of example messages", line)
        )
        no_case = []
    return CaseTypeModel(
        minimum,
        tuple(signals),
        case_types=tuple(name for name in case_types if isinstance(name, str)),
        complaint_score=complaint,
        preselect_confidence=preselect,
        examples=examples,
        no_case_examples=tuple(no_case),
    )


def _parse_case_type(
    case_type: Any,
    spec: Any,
    path: str,
    line: int,
    problems: list[Problem],
    lexicon: Lexicon,
    known: Sequence[str],
) -> tuple[list[Signal], tuple[str, ...]] | None:
    spec_line = line_of(spec, line)
    if known and case_type not in known:
        problems.append(
            Problem(
                path,
                str(case_type),
                "case_types",
                f"unknown case type (no templates/{case_type}/ folder); known: {', '.join(known)}",
                spec_line,
            )
        )
        return None
    if not isinstance(case_type, str) or not CASE_TYPE_NAME.match(case_type):
        problems.append(
            Problem(
                path,
                str(case_type),
                "case_types",
                "a case type is named like its templates/ folder: lower-case words joined by _",
                spec_line,
            )
        )
        return None
    if not isinstance(spec, dict):
        problems.append(
            Problem(
                path,
                case_type,
                "(case type)",
                "must be a mapping with signals and examples",
                spec_line,
            )
        )
        return None
    for key in sorted(set(spec) - {"signals", "examples", "description"}, key=str):
        problems.append(
            Problem(
                path,
                case_type,
                str(key),
                "unknown key; allowed: description, examples, signals",
                spec_line,
            )
        )
    signals = [
        signal
        for index, raw in enumerate(
            _signal_list(spec.get("signals"), "signals", path, spec_line, problems, case_type)
        )
        if (signal := _parse_signal(case_type, index, raw, path, spec_line, problems, lexicon))
    ]
    texts = spec.get("examples")
    if not isinstance(texts, list) or not texts or not all(isinstance(t, str) for t in texts):
        problems.append(
            Problem(
                path,
                case_type,
                "examples",
                "needs at least one example message (a list of strings)",
                spec_line,
            )
        )
        return signals, ()
    return signals, tuple(texts)


def _parse_signal(
    case_type: str,
    index: int,
    signal: Any,
    path: str,
    spec_line: int,
    problems: list[Problem],
    lexicon: Lexicon,
    prefix: str = "",
) -> Signal | None:
    where = f"{prefix}_signals[{index}]" if prefix else f"signals[{index}]"
    owner = "(file)" if prefix else case_type
    signal_line = line_of(signal, spec_line)
    if not isinstance(signal, dict) or set(signal) - {"weight", "patterns"}:
        problems.append(
            Problem(
                path,
                owner,
                where,
                "must be a mapping with weight and patterns only",
                signal_line,
            )
        )
        return None
    weight = signal.get("weight")
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
        problems.append(
            Problem(path, owner, f"{where}.weight", "must be a positive number", signal_line)
        )
        return None
    patterns = parse_patterns(
        signal.get("patterns"), path, owner, f"{where}.patterns", signal_line, problems, lexicon
    )
    raw = signal.get("patterns")
    for number, pattern in enumerate(raw if isinstance(raw, list) else []):
        # Each pattern alone, so the problem names the pattern a curator wrote, not a variant of it.
        variants = parse_patterns([pattern], path, owner, "", signal_line, [], lexicon)
        if any(_stop_words_only(variant) for variant in variants):
            problems.append(
                Problem(
                    path,
                    owner,
                    f"{where}.patterns[{number}]",
                    f"{shorten(pattern)} can match function words only: no evidence of a case",
                    signal_line,
                )
            )
    return Signal(case_type, f"{prefix}{index}", float(weight), patterns)
