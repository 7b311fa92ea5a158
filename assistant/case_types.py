"""Case-type suggestion for a customer's message, from weighted signals in phrase_rules/case_types.yml.

Evidence decides, in three steps: a specific case type when its signals reach `minimum_score` and
outweigh the signals of `other` (an insurance claim, an app bug, rude staff: cases with no template
of their own); else `other` when the message complains at all (`complaint_signals`: a problem
described, negative words, a demand, being ignored) and its complaint and `other` evidence reach
`complaint_score`; else no case (praise, thanks, greetings, a bare threat: threat words are ignored). A curator extends it without code: add a signal with a weight, and an
example message that must come out as that case type. Nothing is downloaded or trained.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc, Span

from .categories import CASE_SPAN_KEY, CASE_TYPES
from .lexicon import Lexicon
from .problems import Problem
from .token_matcher import TokenMatcher
from .yaml_lines import line_of

SIGNAL_SEPARATOR = "|"
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


def parse_case_types(
    data: dict[str, Any], path: str, problems: list[Problem], lexicon: Lexicon
) -> CaseTypeModel:
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
    for case_type, spec in case_types.items():
        parsed = _parse_case_type(case_type, spec, path, line, problems, lexicon)
        if parsed is not None:
            signals.extend(parsed[0])
            if parsed[1]:
                examples[case_type] = parsed[1]
    for index, raw in enumerate(data.get("complaint_signals") or []):
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
        complaint_score=complaint,
        preselect_confidence=preselect,
        examples=examples,
        no_case_examples=tuple(no_case),
    )


def _parse_case_type(
    case_type: Any, spec: Any, path: str, line: int, problems: list[Problem], lexicon: Lexicon
) -> tuple[list[Signal], tuple[str, ...]] | None:
    spec_line = line_of(spec, line)
    if case_type not in CASE_TYPES:
        problems.append(
            Problem(
                path,
                str(case_type),
                "case_types",
                f"unknown case type; known: {', '.join(CASE_TYPES)}",
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
        for index, raw in enumerate(spec.get("signals") or [])
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
    from .library import parse_patterns  # the library owns pattern validation

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
                    f"{pattern!r} can match function words only: no evidence of a case",
                    signal_line,
                )
            )
    return Signal(case_type, f"{prefix}{index}", float(weight), patterns)


class CaseTypeSignals:
    """spaCy component: marks every case-type signal in a message as a span (label = case type)."""

    def __init__(self, nlp: Language, model: CaseTypeModel):
        self.model = model
        self.matcher = TokenMatcher(nlp.vocab.strings)
        for signal in model.signals:
            self.matcher.add(signal.key, signal.patterns)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[CASE_SPAN_KEY] = [
            Span(doc, start, end, label=key.split(SIGNAL_SEPARATOR)[0], span_id=key)
            for key, start, end in self.matcher(doc)
        ]
        return doc


@Language.factory(
    "reply_assistant_case_types", assigns=["doc.spans"], default_config={"rules_dir": None}
)
def make_case_type_signals(nlp: Language, name: str, rules_dir: str | None) -> CaseTypeSignals:
    from .pipeline import cached_library

    return CaseTypeSignals(nlp, cached_library(rules_dir).case_types)


def _scores(
    doc: Doc, model: CaseTypeModel, ignored: list[tuple[int, int]]
) -> tuple[dict[str, float], dict[str, list[tuple[float, str]]]]:
    """Signal weight per case type, complaint signals under COMPLAINT, with the words matched.

    A match inside a longer match of the same signal ("says delivered" inside "tracking says
    delivered") or of a heavier signal of the same case type ("porch" inside "nothing on my porch")
    adds nothing, and a signal repeated in the same words
    ("broken … broken") counts once, so one cue said at length is not several pieces of evidence."""
    spans = [
        span
        for span in doc.spans[CASE_SPAN_KEY]
        if not any(span.start_char < end and start < span.end_char for start, end in ignored)
    ]
    spans.sort(key=lambda span: (-model.weight(span.id_), -len(span), span.start))
    taken: dict[str, list[tuple[int, int, str, float]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for span in spans:
        kind = COMPLAINT if _is_complaint(span.id_) else span.label_
        words = span.text.lower()
        weight = model.weight(span.id_)
        if (span.id_, words) in seen or any(
            start <= span.start and span.end <= end and (key == span.id_ or heavier > weight)
            for start, end, key, heavier in taken[kind]
        ):
            continue
        seen.add((span.id_, words))
        taken[kind].append((span.start, span.end, span.id_, weight))
        scores[kind] += weight
        evidence[kind].append((weight, span.text))
    return dict(scores), evidence


def _is_complaint(key: str) -> bool:
    return key.split(SIGNAL_SEPARATOR, 1)[1].startswith(COMPLAINT)


def suggest(
    doc: Doc, model: CaseTypeModel, ignore: Iterable[tuple[int, int]] = ()
) -> CaseSuggestion:
    """A specific case type with enough evidence, else `other` for a complaint, else None.

    `ignore` holds character ranges (the threats) whose words say nothing about the case:
    "I'll dispute the charge" is a threat, not a billing question, and a bare threat is no case.
    """
    scores, evidence = _scores(doc, model, list(ignore))
    topical = scores.get(OTHER, 0.0)
    complaint = scores.get(COMPLAINT, 0.0)
    specific = sorted(
        (
            (score, case_type)
            for case_type, score in scores.items()
            if case_type not in (OTHER, COMPLAINT)
        ),
        key=lambda item: (-item[0], CASE_TYPES.index(item[1])),
    )
    top, best = specific[0] if specific else (0.0, None)
    runner_up = specific[1][0] if len(specific) > 1 else 0.0
    if best is not None and top >= model.minimum_score and top > topical:
        confidence = specific_confidence(top, max(runner_up, topical), model.minimum_score)
        return CaseSuggestion(best, confidence, _evidence(evidence[best]), scores)
    # A complaint makes any message a case; `other` evidence alone must be a problem stated.
    if complaint >= model.complaint_score or topical >= model.minimum_score:
        confidence = other_confidence(topical, top, model)
        found = evidence[OTHER] + evidence[COMPLAINT]
        return CaseSuggestion(OTHER, confidence, _evidence(found), scores)
    return CaseSuggestion(None, no_case_confidence(complaint, top, model), (), scores)


def _evidence(found: list[tuple[float, str]], limit: int = 8) -> tuple[str, ...]:
    ordered = [text for _, text in sorted(found, key=lambda item: -item[0])]
    return tuple(dict.fromkeys(ordered))[:limit]


# Confidence is the chance the suggestion is right. The shapes follow what the real tuning split showed:
# a specific type is about as reliable as its lead over the runner-up (a long message with two strong
# cues is a coin toss) and weaker when its evidence barely reaches the minimum; `other` is reliable
# when a problem of its own is named and doubtful when a specific type has half the evidence it needs;
# "no case" is often a complaint the signals missed. The constants were fitted so that each confidence
# bin of `reply-assistant eval` on that split is right about as often as it says.
def _squash(value: float) -> float:
    return round(max(0.05, min(0.97, value)), 2)


def specific_confidence(top: float, runner_up: float, minimum: float) -> float:
    contested = (runner_up / top) * min(1.0, top / (2 * minimum))
    thin = max(0.0, 1 - (top - minimum) / minimum)  # 1 at the minimum, 0 at twice the minimum
    return _squash(0.92 - 0.45 * contested - 0.2 * thin)


def other_confidence(topical: float, specific: float, model: CaseTypeModel) -> float:
    # A complaint alone was right a little under 85% of the time on the real tuning split (it is
    # often a specific case the signals missed), so it stays just under the preselection threshold.
    named = 0.17 if topical >= model.minimum_score else 0.0  # its own problem stated
    doubt = min(1.0, specific / model.minimum_score)  # part-way evidence of a specific type
    return _squash(0.78 + named - 0.2 * doubt)


def no_case_confidence(complaint: float, specific: float, model: CaseTypeModel) -> float:
    doubt = min(1.0, complaint / model.complaint_score + specific / model.minimum_score)
    return _squash(0.45 - 0.15 * doubt)
