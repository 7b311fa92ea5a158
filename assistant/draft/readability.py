"""Readability figures from textstat and the findings they lead to.

Thresholds come from phrase_rules/readability.yml so a team can set its own targets without code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyphen
import textstat
from spacy.attrs import IDX, IS_ALPHA, LENGTH, LIKE_NUM, LOWER, SENT_START
from spacy.tokens import Doc

from assistant.core.categories import READABILITY_CATEGORY, READABILITY_RULE_PREFIX
from assistant.core.findings import Finding
from assistant.draft.syllables import load_table
from assistant.library.settings import ReadabilitySettings


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
    def from_settings(cls, settings: ReadabilitySettings) -> Targets:
        return cls(
            min_words=settings.min_words,
            min_reading_ease=settings.flesch_reading_ease.min,
            max_grade=settings.grade.max,
            max_sentence_words=settings.sentence_words.max,
            severity=settings.severity,
        )


# The Flesch constants for English, as textstat applies them.
FRE_BASE, FRE_SENTENCE_LENGTH, FRE_SYLLABLES = 206.835, 1.015, 84.6
FK_SENTENCE_LENGTH, FK_SYLLABLES, FK_BASE = 0.39, 11.8, 15.59

_syllables: dict[int, int] = {}
MAX_CACHED_SYLLABLES = 50_000


# No dictionary word is longer; past it a "word" is a pasted code or an attack, and textstat's
# hyphenation takes most of a millisecond on each.
LONGEST_WORD = 30
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


# What textstat strips from a word before counting (it keeps apostrophes of contractions).
_NOT_COUNTED = re.compile(r"[^\w']")
# textstat's own language setting for its Pyphen fallback.
TEXTSTAT_LANG = "en_US"


def syllables(word: str) -> int:
    """textstat's syllable count (CMU dictionary, then Pyphen) for one word."""
    if len(word) > LONGEST_WORD:
        return max(1, len(_VOWEL_GROUPS.findall(word)))
    count = load_table().get(word)
    if count is None:
        count = _outside_the_table(word)
    return max(1, count)


def _outside_the_table(word: str) -> int:
    """The table holds every CMU word without an apostrophe, so for any other word textstat
    would miss the dictionary and ask Pyphen: ask Pyphen directly, and spare the first draft with
    a name or a number the 2-5 s textstat takes to load the dictionary it would miss in."""
    cleaned = _NOT_COUNTED.sub("", word.lower())
    if "'" in cleaned:
        return textstat.syllable_count(word)  # the dictionary may hold a contraction
    if not cleaned:
        return 0
    return len(_hyphenator().positions(cleaned)) + 1


@lru_cache(maxsize=1)
def _hyphenator() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=TEXTSTAT_LANG)


@dataclass(frozen=True)
class SentenceWords:
    start_char: int
    end_char: int
    words: int


def _counts(doc: Doc) -> tuple[list[SentenceWords], int]:
    """Words per sentence and the syllables in them, from the checker's own tokens.

    Scoring the text with textstat directly re-tokenizes it (about 65 µs a draft, a third of the
    check's budget), so we read token arrays and remember each word's textstat syllable count.
    """
    if not len(doc):
        return [], 0
    rows = doc.to_array([SENT_START, IS_ALPHA, LIKE_NUM, LOWER, IDX, LENGTH]).tolist()
    strings = doc.vocab.strings
    sentences: list[SentenceWords] = []
    syllable_total = words = sentence_start = 0
    for i, (sent_start, is_alpha, like_num, lower, _idx, _length) in enumerate(rows):
        if sent_start == 1 and i:
            sentences.append(SentenceWords(rows[sentence_start][4], _end_char(rows[i - 1]), words))
            sentence_start, words = i, 0
        if is_alpha or like_num:
            words += 1
            count = _syllables.get(lower)
            if count is None:
                if len(_syllables) >= MAX_CACHED_SYLLABLES:
                    _syllables.clear()  # a batch of unique words must not grow it without end
                count = _syllables[lower] = syllables(strings[lower])
            syllable_total += count
    sentences.append(SentenceWords(rows[sentence_start][4], _end_char(rows[-1]), words))
    return sentences, syllable_total


def _end_char(row: list[int]) -> int:
    return row[4] + row[5]


def measure(doc: Doc) -> Readability:
    """Flesch reading ease and Flesch-Kincaid grade over the checker's own tokens and sentences."""
    return _score(*_counts(doc))


def _score(sentences: list[SentenceWords], syllable_count: int) -> Readability:
    word_count = sum(s.words for s in sentences)
    sentence_count = sum(1 for s in sentences if s.words)
    if not word_count:
        return Readability(0.0, 0.0, 0, 0)
    words_per_sentence = word_count / sentence_count
    syllables_per_word = syllable_count / word_count
    return Readability(
        flesch_reading_ease=round(
            FRE_BASE
            - FRE_SENTENCE_LENGTH * words_per_sentence
            - FRE_SYLLABLES * syllables_per_word,
            1,
        ),
        grade=round(
            FK_SENTENCE_LENGTH * words_per_sentence + FK_SYLLABLES * syllables_per_word - FK_BASE, 1
        ),
        words=word_count,
        sentences=sentence_count,
    )


def measure_with_sentences(doc: Doc) -> tuple[Readability, list[SentenceWords]]:
    sentences, syllable_count = _counts(doc)
    return _score(sentences, syllable_count), sentences


def readability_findings(
    text: str, scores: Readability, sentences: list[SentenceWords], targets: Targets
) -> list[Finding]:
    findings = []
    for sentence in sentences:
        if sentence.words > targets.max_sentence_words:
            findings.append(
                Finding(
                    category=READABILITY_CATEGORY,
                    rule=f"{READABILITY_RULE_PREFIX}long-sentence",
                    severity=targets.severity,
                    start=sentence.start_char,
                    end=sentence.end_char,
                    text=text[sentence.start_char : sentence.end_char],
                    message=f"This sentence has {sentence.words} words; aim for at most {targets.max_sentence_words}.",
                    advice=("Split it where the idea changes, and put the action first.",),
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
                f"{READABILITY_RULE_PREFIX}reading-ease",
                targets.severity,
                *whole,
                message=f"Reading ease is {scores.flesch_reading_ease}; aim for {targets.min_reading_ease:g} or more.",
                advice=("Use shorter sentences and everyday words.",),
            )
        )
    if scores.grade > targets.max_grade:
        findings.append(
            Finding(
                READABILITY_CATEGORY,
                f"{READABILITY_RULE_PREFIX}grade",
                targets.severity,
                *whole,
                message=f"Reading grade is {scores.grade}; aim for grade {targets.max_grade:g} or below.",
                advice=(
                    "Replace long words with short ones (use, not utilise; help, not facilitate).",
                ),
            )
        )
    return findings
