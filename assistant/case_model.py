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
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy
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
        cases, priors, weights, rows = self._matrix()
        found = [rows[word] for word in words if word in rows]
        scores = priors + (weights[found].sum(axis=0) if found else 0.0)
        log_total = numpy.logaddexp.reduce(scores)
        return {
            case_type: float(score - log_total)
            for case_type, score in zip(cases, scores, strict=True)
        }

    def _matrix(self) -> tuple[list[str], numpy.ndarray, numpy.ndarray, dict[str, int]]:
        """Log-probabilities as one matrix (a row per word, a column per case), built once:
        scoring a message is then a row lookup and one sum instead of a loop per word and case."""
        cached = self.__dict__.get("_matrix_cache")
        if cached is None:
            cases = sorted(self.class_counts)
            vocabulary = sorted(self.vocabulary)
            size = len(vocabulary)
            priors = numpy.log(numpy.array([self.class_counts[c] / self.documents for c in cases]))
            denominators = numpy.log(
                numpy.array([self.totals[c] + SMOOTHING * size for c in cases])
            )
            counts = numpy.array(
                [[self.feature_counts[c][word] for c in cases] for word in vocabulary], dtype=float
            )
            weights = numpy.log(counts + SMOOTHING) - denominators
            cached = (cases, priors, weights, {word: row for row, word in enumerate(vocabulary)})
            self.__dict__["_matrix_cache"] = cached
        return cached

    def telling_words(self, words: list[str], case_type: str, limit: int = 5) -> list[str]:
        """The words present that most favour case_type: highest log-probability over the other cases' mean."""
        cases, _priors, weights, rows = self._matrix()
        column = cases.index(case_type)
        singles = sorted({word for word in words if word in rows and " " not in word})
        if not singles:
            return []
        block = weights[[rows[word] for word in singles]]
        others = numpy.delete(block, column, axis=1).mean(axis=1)
        lift = block[:, column] - others
        order = numpy.argsort(-lift)[:limit]
        return [singles[i] for i in order if lift[i] > 0]


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
