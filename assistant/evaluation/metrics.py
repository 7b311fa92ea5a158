"""Scoring stored predictions: per-label P/R/F1, micro averages, case-type accuracy and calibration."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.core.categories import (
    LABEL_SEVERITIES,
    NULL_CASE,
)
from assistant.evaluation.records import (
    ALL,
    is_borderline,
    is_hard_negative,
    record_split,
)


@dataclass(frozen=True)
class LabelScore:
    label: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives

    # Nothing predicted means nothing wrongly predicted, and nothing to find means nothing missed:
    # both count as perfect so an empty label does not drag a table down.
    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "support": self.support,
            "tp": self.true_positives,
            "fp": self.false_positives,
            "fn": self.false_negatives,
        }


def _sum_scores(label: str, scores: Iterable[LabelScore]) -> LabelScore:
    scores = list(scores)
    return LabelScore(
        label,
        sum(s.true_positives for s in scores),
        sum(s.false_positives for s in scores),
        sum(s.false_negatives for s in scores),
    )


@dataclass(frozen=True)
class Prediction:
    """What the pipeline said about one text: its findings and, for messages, the case type."""

    findings: tuple[Any, ...]
    case_type: str | None = None
    case_confidence: float = 0.0
    case_evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """One labelled record with its prediction: every figure of a report is computed from these."""

    record: Mapping[str, Any]
    findings: tuple[Any, ...]  # only label-level findings of the set's categories
    gold: frozenset[str]
    case_type: str | None = None
    case_confidence: float = 0.0
    case_evidence: tuple[str, ...] = ()

    @property
    def id(self) -> Any:
        return self.record.get("id")

    @property
    def text(self) -> str:
        return self.record["text"]

    @property
    def predicted(self) -> frozenset[str]:
        return frozenset(f.category for f in self.findings)

    @property
    def split(self) -> str | None:
        return record_split(self.id)

    @property
    def borderline(self) -> bool:
        return is_borderline(self.record)

    @property
    def hard_negative(self) -> bool:
        return is_hard_negative(self.record)

    @property
    def flagged(self) -> bool:
        """Got a label the annotators did not give it."""
        return bool(self.predicted - self.gold)

    @property
    def gold_case(self) -> str:
        return self.record.get("case_type") or NULL_CASE

    @property
    def case_right(self) -> bool:
        return (self.case_type or NULL_CASE) == self.gold_case


def predict_records(
    records: Sequence[Mapping[str, Any]],
    predict: Callable[[str], Prediction],
    labels: Sequence[str],
) -> list[Outcome]:
    """Run the predictor once per record and keep what scoring needs."""
    wanted = set(labels)
    outcomes = []
    for record in records:
        prediction = predict(record["text"])
        findings = tuple(
            f
            for f in prediction.findings
            if f.severity in LABEL_SEVERITIES and f.category in wanted
        )
        gold = frozenset(record.get("labels", [])) & wanted
        outcomes.append(
            Outcome(
                record,
                findings,
                gold,
                prediction.case_type,
                prediction.case_confidence,
                prediction.case_evidence,
            )
        )
    return outcomes


def _same_span(found: tuple[str, tuple[int, int]], gold: tuple[str, tuple[int, int]]) -> bool:
    """Same label and overlapping offsets: gold spans are clauses, findings are the phrases inside them."""
    (found_label, (start, end)), (gold_label, (gold_start, gold_end)) = found, gold
    return found_label == gold_label and start < gold_end and gold_start < end


def _span_counts(outcome: Outcome, labels: set[str]) -> Counter:
    gold_spans = [
        (s["label"], (s["start"], s["end"]))
        for s in outcome.record.get("spans", [])
        if s.get("label") in labels
    ]
    found = [(f.category, (f.start, f.end)) for f in outcome.findings]
    hits = sum(any(_same_span(f, g) for g in gold_spans) for f in found)
    return Counter(
        tp=hits,
        fp=len(found) - hits,
        fn=sum(not any(_same_span(f, g) for f in found) for g in gold_spans),
    )


def _label_scores(outcomes: Sequence[Outcome], labels: Sequence[str]) -> list[LabelScore]:
    counts = {label: Counter() for label in labels}
    for outcome in outcomes:
        for label in labels:
            if label in outcome.gold and label in outcome.predicted:
                counts[label]["tp"] += 1
            elif label in outcome.predicted:
                counts[label]["fp"] += 1
            elif label in outcome.gold:
                counts[label]["fn"] += 1
    return [LabelScore(label, c["tp"], c["fp"], c["fn"]) for label, c in counts.items()]


def _case_confusion(outcomes: Sequence[Outcome]) -> dict[str, Counter]:
    confusion: dict[str, Counter] = {}
    for outcome in outcomes:
        gold = outcome.record.get("case_type") or NULL_CASE
        confusion.setdefault(gold, Counter())[outcome.case_type or NULL_CASE] += 1
    return confusion


# Bins of the case-type confidence: the eval shows how often each is right, so the number means it.
CONFIDENCE_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.5),
    (0.5, 0.7),
    (0.7, 0.85),
    (0.85, 1.01),
)


def _bin_name(low: float, high: float) -> str:
    if low == 0.0:
        return f"<{high:.2f}"
    return f">={low:.2f}" if high > 1 else f"{low:.2f}-{high:.2f}"


@dataclass(frozen=True)
class Bin:
    name: str
    records: int
    right: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.records if self.records else None

    def to_dict(self) -> dict[str, Any]:
        accuracy = self.accuracy
        return {
            "confidence": self.name,
            "records": self.records,
            "right": self.right,
            "accuracy": None if accuracy is None else round(accuracy, 3),
        }


def confidence_bins(outcomes: Sequence[Outcome]) -> list[Bin]:
    """Case-type accuracy per confidence bin, over every answer (a null answer included)."""
    bins = []
    for low, high in CONFIDENCE_BINS:
        chosen = [o for o in outcomes if low <= o.case_confidence < high]
        bins.append(Bin(_bin_name(low, high), len(chosen), sum(o.case_right for o in chosen)))
    return bins


@dataclass(frozen=True)
class Preselection:
    """How the page's preselection threshold does: suggestions of a case at or above it."""

    threshold: float
    suggested: int  # answers that name a case type (null is nothing to preselect)
    preselected: int
    right: int

    @property
    def precision(self) -> float | None:
        return self.right / self.preselected if self.preselected else None

    @property
    def coverage(self) -> float | None:
        return self.preselected / self.suggested if self.suggested else None

    def to_dict(self) -> dict[str, Any]:
        precision, coverage = self.precision, self.coverage
        return {
            "threshold": self.threshold,
            "suggested": self.suggested,
            "preselected": self.preselected,
            "right": self.right,
            "precision": None if precision is None else round(precision, 3),
            "coverage": None if coverage is None else round(coverage, 3),
        }


def preselection(outcomes: Sequence[Outcome], threshold: float) -> Preselection:
    suggested = [o for o in outcomes if o.case_type is not None]
    chosen = [o for o in suggested if o.case_confidence >= threshold]
    return Preselection(threshold, len(suggested), len(chosen), sum(o.case_right for o in chosen))


def _split_name(split: str) -> str:
    return "whole file" if split == ALL else f"{split} split"


@dataclass(frozen=True)
class Scores:
    """All the figures of one selection of records (a split, with or without borderline items)."""

    split: str
    borderline_left_out: bool
    records: int
    per_label: tuple[LabelScore, ...]
    micro: LabelScore
    span_micro: LabelScore
    clean: int
    clean_flagged: int
    hard_negatives: int
    hard_negatives_flagged: int
    case_confusion: dict[str, Counter] | None = None

    @property
    def false_alarm_rate(self) -> float | None:
        """Share of records with no gold label that got a label; None when there are none."""
        return self.clean_flagged / self.clean if self.clean else None

    @property
    def case_accuracy(self) -> float | None:
        if self.case_confusion is None:
            return None
        correct = sum(row[gold] for gold, row in self.case_confusion.items())
        return correct / self.records if self.records else 0.0

    @property
    def case_accuracy_non_null(self) -> float | None:
        """Accuracy on records that have a case: what Compose gets right when there is one."""
        if self.case_confusion is None:
            return None
        rows = {g: r for g, r in self.case_confusion.items() if g != NULL_CASE}
        total = sum(sum(row.values()) for row in rows.values())
        return sum(row[g] for g, row in rows.items()) / total if total else None

    @property
    def null_recall(self) -> float | None:
        if self.case_confusion is None:
            return None
        row = self.case_confusion.get(NULL_CASE, Counter())
        total = sum(row.values())
        return row[NULL_CASE] / total if total else None

    @property
    def heading(self) -> str:
        left_out = ", borderline left out" if self.borderline_left_out else ""
        return f"{_split_name(self.split)}{left_out} ({self.records} records)"

    def to_dict(self) -> dict[str, Any]:
        rate = self.false_alarm_rate
        out: dict[str, Any] = {
            "records": self.records,
            "borderline_left_out": self.borderline_left_out,
            "labels": [s.to_dict() for s in self.per_label],
            "micro": self.micro.to_dict(),
            "span_micro": self.span_micro.to_dict(),
            "clean_records": self.clean,
            "clean_flagged": self.clean_flagged,
            "false_alarm_rate": None if rate is None else round(rate, 3),
            "hard_negatives": self.hard_negatives,
            "hard_negatives_flagged": self.hard_negatives_flagged,
        }
        if self.case_confusion is not None:
            out["case_type_accuracy"] = round(self.case_accuracy or 0.0, 3)
            out["case_type_accuracy_non_null"] = _rounded(self.case_accuracy_non_null)
            out["case_type_null_recall"] = _rounded(self.null_recall)
            out["case_type_confusion"] = {g: dict(row) for g, row in self.case_confusion.items()}
        return out


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def score_outcomes(
    outcomes: Sequence[Outcome],
    labels: Sequence[str],
    split: str = ALL,
    borderline_left_out: bool = False,
    case_types: bool = False,
) -> Scores:
    """Score outcomes already cut to one selection; split and borderline_left_out only name it."""
    per_label = _label_scores(outcomes, labels)
    wanted = set(labels)
    spans = sum((_span_counts(o, wanted) for o in outcomes), Counter())
    clean = [o for o in outcomes if not o.gold]
    hard = [o for o in outcomes if o.hard_negative]
    return Scores(
        split=split,
        borderline_left_out=borderline_left_out,
        records=len(outcomes),
        per_label=tuple(per_label),
        micro=_sum_scores("micro", per_label),
        span_micro=LabelScore("span", spans["tp"], spans["fp"], spans["fn"]),
        clean=len(clean),
        clean_flagged=sum(o.flagged for o in clean),
        hard_negatives=len(hard),
        hard_negatives_flagged=sum(o.flagged for o in hard),
        case_confusion=_case_confusion(outcomes) if case_types else None,
    )


def score(
    records: Sequence[Mapping[str, Any]],
    predict: Callable[[str], Iterable[Any]],
    labels: Sequence[str],
) -> Scores:
    """Whole-set scores of a findings predictor (no case types): the simple entry point for tests."""
    outcomes = predict_records(records, lambda text: Prediction(tuple(predict(text))), labels)
    return score_outcomes(outcomes, labels)


@dataclass(frozen=True)
class Miss:
    record_id: Any
    text: str
    missed: tuple[str, ...]
    extra: tuple[tuple[str, str, str], ...]  # (label, rule, matched text)
    gold_spans: tuple[tuple[str, str], ...] = ()  # (label, text) of the missed labels
    split: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.record_id,
            "split": self.split,
            "missed": list(self.missed),
            "extra": [{"label": lab, "rule": rule, "text": text} for lab, rule, text in self.extra],
            "gold_spans": [{"label": lab, "text": text} for lab, text in self.gold_spans],
            "text": self.text,
        }


def _miss_of(outcome: Outcome) -> Miss:
    missed = outcome.gold - outcome.predicted
    text = outcome.text
    gold_spans = tuple(
        (s["label"], s.get("text") or text[s["start"] : s["end"]])
        for s in outcome.record.get("spans", [])
        if s.get("label") in missed
    )
    extra = tuple(
        (f.category, f.rule, f.text) for f in outcome.findings if f.category not in outcome.gold
    )
    return Miss(outcome.id, text, tuple(sorted(missed)), extra, gold_spans, outcome.split)


def misses_of(outcomes: Iterable[Outcome], label: str | None = None) -> list[Miss]:
    """Records whose predicted labels differ from the gold ones; with label, only that label's misses."""
    misses = []
    for outcome in outcomes:
        wrong = outcome.gold ^ outcome.predicted
        if wrong and (label is None or label in wrong):
            misses.append(_miss_of(outcome))
    return misses


def score_variants(
    outcomes: Sequence[Outcome], labels: Sequence[str], splits: Sequence[str], case_types: bool
) -> dict[tuple[str, bool], Scores]:
    """Scores of every (split, borderline left out) pair, all cut from the same outcomes."""
    variants = {}
    for split in splits:
        chosen = [o for o in outcomes if split == ALL or o.split == split]
        for left_out in (False, True):
            kept = [o for o in chosen if not (left_out and o.borderline)]
            variants[split, left_out] = score_outcomes(kept, labels, split, left_out, case_types)
    return variants
