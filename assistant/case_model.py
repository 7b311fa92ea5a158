"""An optional learned case-type classifier: multinomial Naive Bayes over words and word pairs.

Curated signals name the strong cues ("marked as delivered"); a customer rarely uses only those. The
classifier learns the rest of the vocabulary from labelled messages in this repository, at pipeline
build (a few hundred messages train in milliseconds), runs offline and is optional: without a
`model:` entry in case_types.yml the suggestion uses the signals alone. Both are combined as
log P(case | words) + signal_weight × signal score.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

NULL_CASE = "null"
SMOOTHING = 0.5


def features(doc: Doc) -> list[str]:
    words = [token.lower_ for token in doc if token.is_alpha]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


@dataclass
class NaiveBayesCases:
    class_counts: Counter
    feature_counts: dict[str, Counter]
    totals: dict[str, int]
    vocabulary: set[str]
    documents: int
    trained_on: tuple[Path, ...] = ()

    @classmethod
    def train(
        cls, labelled: Iterable[tuple[list[str], str]], trained_on: tuple[Path, ...] = ()
    ) -> NaiveBayesCases:
        class_counts: Counter = Counter()
        feature_counts: dict[str, Counter] = defaultdict(Counter)
        vocabulary: set[str] = set()
        documents = 0
        for words, case_type in labelled:
            documents += 1
            class_counts[case_type] += 1
            feature_counts[case_type].update(words)
            vocabulary.update(words)
        totals = {case_type: sum(counts.values()) for case_type, counts in feature_counts.items()}
        return cls(class_counts, dict(feature_counts), totals, vocabulary, documents, trained_on)

    def log_posteriors(self, words: list[str]) -> dict[str, float]:
        """log P(case | words), normalised over the known cases (NULL_CASE included)."""
        size = len(self.vocabulary)
        known = [word for word in words if word in self.vocabulary]
        scores = {}
        for case_type, count in self.class_counts.items():
            counts, total = self.feature_counts[case_type], self.totals[case_type]
            denominator = math.log(total + SMOOTHING * size)
            scores[case_type] = math.log(count / self.documents) + sum(
                math.log(counts[word] + SMOOTHING) - denominator for word in known
            )
        top = max(scores.values())
        log_total = top + math.log(sum(math.exp(value - top) for value in scores.values()))
        return {case_type: value - log_total for case_type, value in scores.items()}

    def telling_words(self, words: list[str], case_type: str, limit: int = 5) -> list[str]:
        """The words present that most favour case_type over the other cases."""
        size = len(self.vocabulary)

        def lift(word: str) -> float:
            mine = (self.feature_counts[case_type][word] + SMOOTHING) / (
                self.totals[case_type] + SMOOTHING * size
            )
            rest = sum(self.feature_counts[c][word] for c in self.class_counts if c != case_type)
            rest_total = sum(self.totals[c] for c in self.class_counts if c != case_type)
            return math.log(mine / ((rest + SMOOTHING) / (rest_total + SMOOTHING * size)))

        ranked = sorted(
            {w for w in words if w in self.vocabulary and " " not in w}, key=lift, reverse=True
        )
        return [word for word in ranked[:limit] if lift(word) > 0]


def train_from_files(
    nlp: Language, paths: Iterable[Path], examples: dict[str, tuple[str, ...]]
) -> NaiveBayesCases:
    """Train on labelled JSONL messages (`text`, `case_type`) plus the case types' own examples."""
    labelled: list[tuple[str, str]] = []
    used = []
    for path in paths:
        if not path.exists():
            continue
        used.append(path.resolve())
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                labelled.append((record["text"], record.get("case_type") or NULL_CASE))
    labelled.extend((text, case_type) for case_type, texts in examples.items() for text in texts)
    docs = nlp.tokenizer.pipe(text for text, _ in labelled)
    return NaiveBayesCases.train(
        ((features(doc), case_type) for doc, (_, case_type) in zip(docs, labelled, strict=True)),
        tuple(used),
    )
