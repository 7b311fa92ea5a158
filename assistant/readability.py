"""Readability figures from textstat and the findings they lead to.

Thresholds come from phrase_rules/readability.yml so a team can set its own targets without code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import textstat
from spacy.tokens import Doc

from .categories import READABILITY_CATEGORY, SEVERITIES
from .findings import Finding

RULE_PREFIX = "readability"
DEFAULTS: dict[str, Any] = {
    "min_words": 30,
    "flesch_reading_ease": {"min": 50},
    "grade": {"max": 10},
    "sentence_words": {"max": 35},
    "severity": "suggestion",
}


@dataclass(frozen=True)
class Readability:
    flesch_reading_ease: float
    grade: float
    words: int
    sentences: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "flesch_reading_ease": self.flesch_reading_ease,
            "grade": self.grade,
            "words": self.words,
            "sentences": self.sentences,
        }


@dataclass(frozen=True)
class Targets:
    min_words: int
    min_reading_ease: float
    max_grade: float
    max_sentence_words: int
    severity: str

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Targets:
        merged = {**DEFAULTS, **(settings or {})}
        severity = merged["severity"]
        return cls(
            min_words=int(merged["min_words"]),
            min_reading_ease=float(merged["flesch_reading_ease"]["min"]),
            max_grade=float(merged["grade"]["max"]),
            max_sentence_words=int(merged["sentence_words"]["max"]),
            severity=severity if severity in SEVERITIES else "suggestion",
        )


def measure(text: str) -> Readability:
    words = textstat.lexicon_count(text)
    if words == 0:
        return Readability(0.0, 0.0, 0, 0)
    return Readability(
        flesch_reading_ease=round(float(textstat.flesch_reading_ease(text)), 1),
        grade=round(float(textstat.flesch_kincaid_grade(text)), 1),
        words=words,
        sentences=max(1, textstat.sentence_count(text)),
    )


def _word_count(sentence: Doc) -> int:
    return sum(1 for token in sentence if token.is_alpha or token.like_num)


def readability_findings(
    doc: Doc, text: str, scores: Readability, targets: Targets
) -> list[Finding]:
    findings = []
    for sentence in doc.sents:
        words = _word_count(sentence)
        if words > targets.max_sentence_words:
            findings.append(
                Finding(
                    category=READABILITY_CATEGORY,
                    rule=f"{RULE_PREFIX}.long-sentence",
                    severity=targets.severity,
                    start=sentence.start_char,
                    end=sentence.end_char,
                    text=text[sentence.start_char : sentence.end_char],
                    message=f"This sentence has {words} words; aim for at most {targets.max_sentence_words}.",
                    suggestions=("Split it where the idea changes, and put the action first.",),
                )
            )
    if scores.words < targets.min_words:
        return findings
    stripped_start = len(text) - len(text.lstrip())
    stripped_end = len(text.rstrip())
    whole = (stripped_start, stripped_end, text[stripped_start:stripped_end])
    if scores.flesch_reading_ease < targets.min_reading_ease:
        findings.append(
            Finding(
                READABILITY_CATEGORY,
                f"{RULE_PREFIX}.reading-ease",
                targets.severity,
                *whole,
                message=f"Reading ease is {scores.flesch_reading_ease}; aim for {targets.min_reading_ease:g} or more.",
                suggestions=("Use shorter sentences and everyday words.",),
            )
        )
    if scores.grade > targets.max_grade:
        findings.append(
            Finding(
                READABILITY_CATEGORY,
                f"{RULE_PREFIX}.grade",
                targets.severity,
                *whole,
                message=f"Reading grade is {scores.grade}; aim for grade {targets.max_grade:g} or below.",
                suggestions=(
                    "Replace long words with short ones (use, not utilise; help, not facilitate).",
                ),
            )
        )
    return findings
