"""Case-type suggestion for a customer's message, from weighted signals in phrase_rules/case_types.yml.

A curator extends it without code: add a signal (phrases or token patterns) with a weight, and an
example message that must come out as that case type. No model is downloaded or trained.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from .case_model import NULL_CASE, NaiveBayesCases, features, train_from_files
from .categories import CASE_SPAN_KEY, CASE_TYPES
from .lexicon import Lexicon
from .problems import Problem
from .token_matcher import TokenMatcher, as_token_patterns
from .yaml_lines import line_of

SIGNAL_SEPARATOR = "|"
FALLBACK_INDEX = "fallback"
FALLBACK_CONFIDENCE = 0.3


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
    minimum_score: float = 2.0
    signals: tuple[Signal, ...] = ()
    fallback: str | None = None
    # The optional classifier: labelled message files (resolved paths) and the weight of signal scores.
    training: tuple[Path, ...] = ()
    signal_weight: float = 2.0
    # Messages that are no case at all (praise, thanks, chit-chat): tested, and taught to the classifier.
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


@dataclass(frozen=True)
class CaseSuggestion:
    case_type: str | None
    confidence: float
    evidence: tuple[str, ...]
    scores: dict[str, float]


def parse_case_types(
    data: dict[str, Any], path: str, problems: list[Problem], lexicon: Lexicon
) -> CaseTypeModel:
    from .library import parse_patterns  # the library owns pattern validation

    if not data:
        return CaseTypeModel()
    line = line_of(data)
    for key in sorted(
        set(data) - {"minimum_score", "case_types", "fallback", "model", "no_case_examples"},
        key=str,
    ):
        problems.append(
            Problem(
                path,
                "(file)",
                str(key),
                "unknown key; allowed: case_types, fallback, minimum_score",
                line,
            )
        )
    minimum = data.get("minimum_score", 2)
    if not isinstance(minimum, int | float) or isinstance(minimum, bool) or minimum <= 0:
        problems.append(Problem(path, "(file)", "minimum_score", "must be a positive number", line))
        minimum = 2
    case_types = data.get("case_types")
    if not isinstance(case_types, dict) or not case_types:
        problems.append(
            Problem(
                path, "(file)", "case_types", "missing: map each case type to its signals", line
            )
        )
        return CaseTypeModel(float(minimum))
    signals: list[Signal] = []
    examples: dict[str, tuple[str, ...]] = {}
    for case_type, spec in case_types.items():
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
            continue
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
            continue
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
        for index, signal in enumerate(spec.get("signals") or []):
            where = f"signals[{index}]"
            signal_line = line_of(signal, spec_line)
            if not isinstance(signal, dict) or set(signal) - {"weight", "patterns"}:
                problems.append(
                    Problem(
                        path,
                        case_type,
                        where,
                        "must be a mapping with weight and patterns only",
                        signal_line,
                    )
                )
                continue
            weight = signal.get("weight")
            if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
                problems.append(
                    Problem(
                        path, case_type, f"{where}.weight", "must be a positive number", signal_line
                    )
                )
                continue
            patterns = parse_patterns(
                signal.get("patterns"),
                path,
                case_type,
                f"{where}.patterns",
                signal_line,
                problems,
                lexicon,
            )
            signals.append(Signal(case_type, index, float(weight), patterns))
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
        else:
            examples[case_type] = tuple(texts)
    fallback = data.get("fallback")
    fallback_type = None
    if fallback is not None:
        fallback_line = line_of(fallback, line)
        if not isinstance(fallback, dict) or set(fallback) != {"case_type", "patterns"}:
            problems.append(
                Problem(
                    path,
                    "(file)",
                    "fallback",
                    "must be a mapping with case_type and patterns",
                    fallback_line,
                )
            )
        elif fallback["case_type"] not in CASE_TYPES:
            problems.append(
                Problem(
                    path,
                    "(file)",
                    "fallback.case_type",
                    f"unknown case type {fallback['case_type']!r}",
                    fallback_line,
                )
            )
        else:
            fallback_type = fallback["case_type"]
            patterns = parse_patterns(
                fallback["patterns"],
                path,
                "(file)",
                "fallback.patterns",
                fallback_line,
                problems,
                lexicon,
            )
            signals.append(Signal(fallback_type, FALLBACK_INDEX, 0.0, patterns))
    no_case = data.get("no_case_examples", [])
    if not isinstance(no_case, list) or not all(isinstance(t, str) for t in no_case):
        problems.append(
            Problem(path, "(file)", "no_case_examples", "must be a list of example messages", line)
        )
        no_case = []
    training, signal_weight = _parse_model(data.get("model"), path, line, problems)
    return CaseTypeModel(
        float(minimum),
        tuple(signals),
        fallback=fallback_type,
        examples=examples,
        training=training,
        signal_weight=signal_weight,
        no_case_examples=tuple(no_case),
    )


def _parse_model(
    value: Any, path: str, line: int, problems: list[Problem]
) -> tuple[tuple[Path, ...], float]:
    if value is None:
        return (), 2.0
    model_line = line_of(value, line)
    if not isinstance(value, dict) or set(value) - {"training", "signal_weight"}:
        problems.append(
            Problem(
                path,
                "(file)",
                "model",
                "must be a mapping with training and signal_weight",
                model_line,
            )
        )
        return (), 2.0
    training = value.get("training", [])
    weight = value.get("signal_weight", 2.0)
    if not isinstance(training, list) or not all(isinstance(t, str) for t in training):
        problems.append(
            Problem(path, "(file)", "model.training", "must be a list of JSONL paths", model_line)
        )
        training = []
    if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
        problems.append(
            Problem(
                path, "(file)", "model.signal_weight", "must be a number of at least 0", model_line
            )
        )
        weight = 2.0
    base = Path(path).resolve().parent
    return tuple((base / t).resolve() for t in training), float(weight)


class CaseTypeSignals:
    """spaCy component: marks every case-type signal in a message as a span (label = case type)."""

    def __init__(self, nlp: Language, model: CaseTypeModel):
        self.model = model
        self._nlp = nlp
        self._classifier: NaiveBayesCases | None = None
        self.matcher = TokenMatcher(nlp.vocab.strings)
        for signal in model.signals:
            self.matcher.add(signal.key, as_token_patterns(nlp, signal.patterns))

    @property
    def classifier(self) -> NaiveBayesCases | None:
        """Trained on first use: only scans need it, so `check` never pays for the training."""
        if self._classifier is None and self.model.training:
            examples = {**self.model.examples, NULL_CASE: self.model.no_case_examples}
            self._classifier = train_from_files(self._nlp, self.model.training, examples)
        return self._classifier

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


def suggest(
    doc: Doc,
    model: CaseTypeModel,
    ignore: Iterable[tuple[int, int]] = (),
    classifier: NaiveBayesCases | None = None,
) -> CaseSuggestion:
    """The best-scoring case type, or None when nothing reaches the minimum score.

    `ignore` holds character ranges (the threats) whose words say nothing about the case:
    "I'll dispute the charge" is a threat, not a billing question.
    """
    ignored = list(ignore)
    seen: set[tuple[str, str]] = set()
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[tuple[float, str]]] = defaultdict(list)
    complaint_words: list[str] = []
    for span in doc.spans[CASE_SPAN_KEY]:
        if any(span.start_char < end and start < span.end_char for start, end in ignored):
            continue
        if span.id_.endswith(SIGNAL_SEPARATOR + FALLBACK_INDEX):
            complaint_words.append(span.text)
            continue
        words = span.text.lower()
        # Each signal counts once per distinct wording, so "broken … broken" is not double evidence.
        if (span.id_, words) in seen:
            continue
        seen.add((span.id_, words))
        weight = model.weight(span.id_)
        scores[span.label_] += weight
        evidence[span.label_].append((weight, span.text))
    if classifier is not None:
        return _combined(doc, model, classifier, scores, evidence)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], CASE_TYPES.index(item[0])))
    if not ranked or ranked[0][1] < model.minimum_score:
        if model.fallback and complaint_words:
            return CaseSuggestion(
                model.fallback, FALLBACK_CONFIDENCE, tuple(complaint_words[:5]), dict(scores)
            )
        return CaseSuggestion(None, 0.0, (), dict(scores))
    best, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    confidence = round(top / (top + runner_up), 2)
    words = tuple(text for _, text in sorted(evidence[best], key=lambda item: -item[0]))
    return CaseSuggestion(best, confidence, words, dict(scores))


def _combined(
    doc: Doc,
    model: CaseTypeModel,
    classifier: NaiveBayesCases,
    scores: dict[str, float],
    evidence: dict[str, list[tuple[float, str]]],
) -> CaseSuggestion:
    """log P(case | words) from the classifier plus the weighted signal score of each case."""
    words = features(doc)
    combined = {
        case_type: log_p + model.signal_weight * scores.get(case_type, 0.0)
        for case_type, log_p in classifier.log_posteriors(words).items()
    }
    best = max(combined, key=lambda case_type: (combined[case_type], case_type != NULL_CASE))
    top = combined[best]
    confidence = round(1 / sum(math.exp(value - top) for value in combined.values()), 2)
    if best == NULL_CASE or best not in CASE_TYPES:
        return CaseSuggestion(None, confidence, (), dict(scores))
    signal_words = [text for _, text in sorted(evidence.get(best, []), key=lambda item: -item[0])]
    said = " ".join(signal_words).lower()
    telling = [word for word in classifier.telling_words(words, best) if word not in said]
    return CaseSuggestion(best, confidence, tuple(signal_words + telling)[:8], dict(scores))
