"""Score the checker against a labelled JSONL set (domain.md §5): per-label P/R/F1 and micro averages.

Agent-reply sets are scored with review(); customer-message sets (records carrying `case_type`) with
scan(), which adds case-type accuracy and a confusion table. One scorer serves both.

Every record goes through the pipeline once. The splits (an id whose trailing number is a multiple of
5 is in the "check" split, any other number in "tuning") and the variants without borderline items
are all cut from those stored predictions, so the figures of one run always agree with each other.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.categories import (
    DRAFT_CATEGORIES,
    LABEL_SEVERITIES,
    MESSAGE_CATEGORIES,
    NULL_CASE,
)
from assistant.core.inputs import SourceError, read_text_records
from assistant.core.text import InputError
from assistant.engine import Engine

ALL, TUNING, CHECK = "all", "tuning", "check"
SPLITS = (ALL, TUNING, CHECK)

_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")
_BORDERLINE = re.compile(r"\bborderline\b", re.IGNORECASE)
_HARD_NEGATIVE = re.compile(r"\bhard[\s-]negatives?\b", re.IGNORECASE)


def record_split(record_id: Any) -> str | None:
    """The split an id belongs to; None when the id does not end in a number."""
    if record_id is None or isinstance(record_id, bool):
        return None
    match = _TRAILING_NUMBER.search(str(record_id))
    if match is None:
        return None
    return CHECK if int(match.group(1)) % 5 == 0 else TUNING


def _notes(record: Mapping[str, Any]) -> str:
    notes = record.get("notes")
    if isinstance(notes, str):
        return notes
    if isinstance(notes, list):
        return " ".join(str(note) for note in notes)
    return ""


def is_borderline(record: Mapping[str, Any]) -> bool:
    return bool(_BORDERLINE.search(_notes(record)))


def is_hard_negative(record: Mapping[str, Any]) -> bool:
    return bool(_HARD_NEGATIVE.search(_notes(record)))


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


@dataclass
class EvalReport:
    path: str
    kind: str
    split: str  # the split asked for; ALL unless --split restricted the run
    labels: tuple[str, ...]
    outcomes: list[Outcome]
    variants: dict[tuple[str, bool], Scores]
    case_note: str = ""
    seconds: float = 0.0
    preselect_confidence: float | None = None  # the loaded case_types.yml threshold

    # The selection asked for, borderline items kept: what the keys of the original report describe.
    @property
    def overall(self) -> Scores:
        return self.variants[self.split, False]

    @property
    def records(self) -> int:
        return len(self.outcomes)

    @property
    def per_label(self) -> list[LabelScore]:
        return list(self.overall.per_label)

    @property
    def micro(self) -> LabelScore:
        return self.overall.micro

    @property
    def span_micro(self) -> LabelScore:
        return self.overall.span_micro

    @property
    def case_accuracy(self) -> float | None:
        return self.overall.case_accuracy

    @property
    def case_confusion(self) -> dict[str, Counter]:
        return self.overall.case_confusion or {}

    @property
    def is_messages(self) -> bool:
        return self.overall.case_confusion is not None

    @property
    def has_splits(self) -> bool:
        return any(o.split is not None for o in self.outcomes)

    @property
    def borderline(self) -> int:
        return sum(o.borderline for o in self.outcomes)

    def errors(self, label: str | None = None) -> tuple[list[Miss], int]:
        """Misses to list, and how many check-split misses were held back.

        The check split stays unread while rules are tuned, so its texts are listed only when the
        run was restricted to it on purpose (--split check)."""
        misses = misses_of(self.outcomes, label)
        if self.split == CHECK:
            return misses, 0
        shown = [m for m in misses if m.split != CHECK]
        return shown, len(misses) - len(shown)

    def _chosen(self, borderline_left_out: bool) -> list[Outcome]:
        """The outcomes of the selection asked for (the check split never mixes into tuning)."""
        return [
            o
            for o in self.outcomes
            if (self.split == ALL or o.split == self.split)
            and not (borderline_left_out and o.borderline)
        ]

    def case_errors(self) -> tuple[list[Outcome], int]:
        """Records whose case type is wrong, and how many check-split ones were held back."""
        wrong = [o for o in self.outcomes if not o.case_right]
        if self.split == CHECK:
            return wrong, 0
        shown = [o for o in wrong if o.split != CHECK]
        return shown, len(wrong) - len(shown)

    def to_dict(
        self, show_errors: bool = False, label: str | None = None, show_case_errors: bool = False
    ) -> dict[str, Any]:
        overall = self.overall
        out: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "records": self.records,
            "labels": [s.to_dict() for s in overall.per_label],
            "micro": overall.micro.to_dict(),
            "span_micro": overall.span_micro.to_dict(),
        }
        if self.is_messages:
            out["case_type_accuracy"] = round(overall.case_accuracy or 0.0, 3)
            out["case_type_note"] = self.case_note
            out["case_type_confusion"] = {g: dict(row) for g, row in self.case_confusion.items()}
            chosen = self._chosen(borderline_left_out=False)
            out["case_type_calibration"] = [b.to_dict() for b in confidence_bins(chosen)]
            if self.preselect_confidence is not None:
                out["case_type_preselect"] = {
                    "with_borderline": preselection(chosen, self.preselect_confidence).to_dict(),
                    "without_borderline": preselection(
                        self._chosen(borderline_left_out=True), self.preselect_confidence
                    ).to_dict(),
                }
        rate = overall.false_alarm_rate
        out |= {
            "split": self.split,
            "borderline": self.borderline,
            "hard_negatives": overall.hard_negatives,
            "hard_negatives_flagged": overall.hard_negatives_flagged,
            "clean_records": overall.clean,
            "clean_flagged": overall.clean_flagged,
            "false_alarm_rate": None if rate is None else round(rate, 3),
            "splits": {
                split: {
                    "with_borderline": self.variants[split, False].to_dict(),
                    "without_borderline": self.variants[split, True].to_dict(),
                }
                for split in self._splits()
            },
        }
        if show_errors:
            misses, held_back = self.errors(label)
            out["errors"] = [miss.to_dict() for miss in misses]
            out["errors_held_back"] = held_back
        if show_case_errors and self.is_messages:
            wrong, held_back = self.case_errors()
            out["case_errors"] = [_case_error(o) for o in wrong]
            out["case_errors_held_back"] = held_back
        return out

    def _splits(self) -> list[str]:
        return list(dict.fromkeys(split for split, _ in self.variants))

    def format(
        self, show_errors: bool = False, label: str | None = None, show_case_errors: bool = False
    ) -> str:
        lines = [self._title(), ""]
        for split in self._splits():
            scores = self.variants[split, False]
            if split != self.split and not scores.records:
                continue
            lines += [scores.heading, *_label_table(scores), *self._alarm_lines(scores), ""]
        lines += self._summary_lines()
        if self.is_messages:
            lines += ["", *self._case_lines()]
        if show_errors:
            lines += ["", *self._error_lines(label)]
        if show_case_errors and self.is_messages:
            lines += ["", *self._case_error_lines()]
        return "\n".join(lines)

    def _title(self) -> str:
        parts = []
        if self.has_splits and self.split == ALL:
            tuning = sum(o.split == TUNING for o in self.outcomes)
            check = sum(o.split == CHECK for o in self.outcomes)
            parts.append(f"{tuning} tuning, {check} check")
        parts.append(f"{self.borderline} borderline")
        if self.overall.hard_negatives:
            parts.append(f"{self.overall.hard_negatives} hard negatives")
        of_split = f" of the {self.split} split" if self.split != ALL else ""
        return f"{self.path}: {self.records} {self.kind} records{of_split} ({'; '.join(parts)})"

    def _alarm_lines(self, scores: Scores) -> list[str]:
        lines = [f"false alarms on clean records: {_alarm_text(scores)}"]
        if self.overall.hard_negatives:
            lines.append(
                f"hard negatives flagged: {scores.hard_negatives_flagged} of {scores.hard_negatives}"
            )
        return lines

    def _summary_lines(self) -> list[str]:
        # Without borderline items in the file, the left-out rows would repeat the rows above them.
        rows = [s for s in self.variants.values() if self.borderline or not s.borderline_left_out]
        width = max(len(s.heading) for s in rows)
        case = f" {'case acc':>8}" if self.is_messages else ""
        header = (
            f"{'micro summary':<{width}} {'precision':>9} {'recall':>7} {'f1':>6} {'span f1':>7}"
            f" {'false alarms':>18} {'hard neg':>9}{case}"
        )
        lines = [header]
        for s in rows:
            hard = f"{s.hard_negatives_flagged}/{s.hard_negatives}" if s.hard_negatives else "-"
            accuracy = f" {s.case_accuracy:>8.3f}" if self.is_messages else ""
            lines.append(
                f"{s.heading:<{width}} {s.micro.precision:>9.3f} {s.micro.recall:>7.3f}"
                f" {s.micro.f1:>6.3f} {s.span_micro.f1:>7.3f} {_alarm_text(s):>18} {hard:>9}{accuracy}"
            )
        return lines

    def _case_lines(self) -> list[str]:
        lines = [f"case type accuracy: {self.case_accuracy:.3f} {self.case_note}".rstrip()]
        for left_out in (False, True):
            if left_out and not self.borderline:
                continue
            scores = self.variants[self.split, left_out]
            lines.append(
                f"  {scores.heading}: accuracy {_figure(scores.case_accuracy)},"
                f" on non-null gold {_figure(scores.case_accuracy_non_null)},"
                f" null recall {_figure(scores.null_recall)}"
            )
        lines += ["", f"case-type confusion, {self.overall.heading}:", *self._confusion_lines()]
        lines += ["", *self._calibration_lines()]
        return lines

    def _calibration_lines(self) -> list[str]:
        lines = [f"case-type accuracy by confidence, {self.overall.heading}:"]
        lines.append(f"{'confidence':<12} {'records':>7} {'right':>6} {'accuracy':>8}")
        for b in confidence_bins(self._chosen(borderline_left_out=False)):
            lines.append(f"{b.name:<12} {b.records:>7} {b.right:>6} {_figure(b.accuracy):>8}")
        if self.preselect_confidence is None:
            return lines
        for left_out in (False, True):
            if left_out and not self.borderline:
                continue
            p = preselection(self._chosen(left_out), self.preselect_confidence)
            where = "borderline left out" if left_out else "all records"
            lines.append(
                f"preselection at confidence >= {p.threshold:.2f} ({where}): {p.right} of"
                f" {p.preselected} right ({_figure(p.precision)}), covering {p.preselected} of"
                f" {p.suggested} case suggestions ({_figure(p.coverage)})"
            )
        return lines

    def _case_error_lines(self) -> list[str]:
        wrong, held_back = self.case_errors()
        where = f", {self.split} split" if self.split != ALL else ""
        lines = [f"case-type errors{where}: {len(wrong)} record(s)"]
        if held_back:
            lines.append(
                f"  {held_back} check-split record(s) held back: pass --split check to list them"
            )
        for o in wrong:
            split = f" [{o.split}]" if o.split else ""
            evidence = ", ".join(f"“{e}”" for e in o.case_evidence) or "-"
            lines += [
                f"- {o.id}{split} gold {o.gold_case}, predicted {o.case_type or NULL_CASE}"
                f" ({o.case_confidence:.2f}) from {evidence}",
                f"    text: “{_one_line(o.text)}”",
            ]
        return lines

    def _confusion_lines(self) -> list[str]:
        # Columns are numbered after the rows: cut names collide (wrong_address, wrong_item_or_short).
        names = sorted(
            {*self.case_confusion, *(p for row in self.case_confusion.values() for p in row)}
        )
        width = max((len(name) for name in names), default=4) + 4
        corner = "gold \\ predicted"
        header = f"{corner:<{width}}" + "".join(f"{n:>5}" for n in range(1, len(names) + 1))
        rows = [header]
        for number, gold in enumerate(names, start=1):
            row = self.case_confusion.get(gold, Counter())
            cells = "".join(f"{row.get(p, 0) or '.':>5}" for p in names)
            rows.append(f"{f'{number:>2} {gold}':<{width}}{cells}")
        return rows

    def _error_lines(self, label: str | None) -> list[str]:
        if label is not None and label not in self.labels:
            return [f"errors: {label} is not a label of {self.kind} sets"]
        misses, held_back = self.errors(label)
        scope = f" on {label}" if label else ""
        where = f", {self.split} split" if self.split != ALL else ""
        lines = [f"errors{scope}{where}: {len(misses)} record(s)"]
        if held_back:
            lines.append(
                f"  {held_back} check-split record(s) held back: the check split is not read while"
                " tuning; pass --split check to list them"
            )
        for miss in misses:
            lines += _miss_lines(miss)
        return lines


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _case_error(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.id,
        "split": outcome.split,
        "gold": outcome.gold_case,
        "predicted": outcome.case_type,
        "confidence": outcome.case_confidence,
        "evidence": list(outcome.case_evidence),
        "text": outcome.text,
    }


def _alarm_text(scores: Scores) -> str:
    rate = scores.false_alarm_rate
    if rate is None:
        return "no clean records"
    return f"{scores.clean_flagged} of {scores.clean} ({rate:.3f})"


def _label_table(scores: Scores) -> list[str]:
    lines = [f"{'label':<22} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for s in [*scores.per_label, scores.micro]:
        lines.append(
            f"{s.label:<22} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8}"
        )
    span = scores.span_micro
    lines.append(
        f"{'span overlap (micro)':<22} {span.precision:>9.3f} {span.recall:>7.3f} {span.f1:>6.3f} {span.support:>8}"
    )
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _miss_lines(miss: Miss) -> list[str]:
    split = f" [{miss.split}]" if miss.split else ""
    lines = [f"- {miss.record_id}{split}"]
    if miss.missed:
        lines.append(f"    missed: {', '.join(miss.missed)}")
        lines += [f"      gold {lab}: “{_one_line(text)}”" for lab, text in miss.gold_spans]
    if miss.extra:
        lines.append(f"    extra: {', '.join(sorted({e[0] for e in miss.extra}))}")
        lines += [f"      {lab} by {rule} on “{_one_line(text)}”" for lab, rule, text in miss.extra]
    lines.append(f"    text: “{_one_line(miss.text)}”")
    return lines


def load_records(path: str | Path) -> list[dict[str, Any]]:
    """The records of a labelled JSONL file; the first bad line stops the read with its number."""
    if not Path(path).exists():
        raise SourceError(f"{path}: no such file")
    records = read_text_records(Path(path).read_bytes(), str(path))
    for record in records:
        if not isinstance(record.get("labels", []), list):
            raise SourceError(f"{path}: record {record.get('id')!r}: 'labels' must be a list")
    return records


def _select(records: list[dict[str, Any]], split: str, path: str | Path) -> list[dict[str, Any]]:
    if split == ALL:
        return records
    if split not in SPLITS:
        raise SourceError(f"--split {split!r}: expected one of {', '.join(SPLITS)}")
    if not any(record_split(r.get("id")) for r in records):
        raise SourceError(
            f"{path}: no record id ends in a number, so the file has no {split} split"
        )
    return [r for r in records if record_split(r.get("id")) == split]


def _guarded_predictor(
    predict: Callable[[str], Prediction], path: str | Path, records: Sequence[Mapping[str, Any]]
) -> Callable[[str], Prediction]:
    """Name the record whose text the pipeline cannot read, instead of failing somewhere in the file."""
    ids = {r["text"]: r.get("id") for r in records}

    def guarded(text: str) -> Prediction:
        try:
            return predict(text)
        except InputError as exc:
            raise SourceError(f"{path}: record {ids.get(text)!r}: {exc}") from None

    return guarded


def evaluate_file(path: str | Path, engine: Engine, split: str = ALL) -> EvalReport:
    """Run the checker once over the file (or one split of it) and score every variant."""
    all_records = load_records(path)
    records = _select(all_records, split, path)
    # Decided on the whole file, so a split that happens to lack case types is still scored as one.
    is_messages = any("case_type" in record for record in all_records)
    if is_messages:

        def predict(text: str) -> Prediction:
            result = engine.scan(text)
            case = result.case
            return Prediction(result.findings, case.case_type, case.confidence, case.evidence)

        kind, labels, note = "customer-message", MESSAGE_CATEGORIES, ""
        preselect = engine.library.case_types.preselect_confidence
    else:

        def predict(text: str) -> Prediction:
            return Prediction(engine.review(text).findings)

        kind, labels, note = "agent-reply", DRAFT_CATEGORIES, ""
        preselect = None
    started = time.perf_counter()
    outcomes = predict_records(records, _guarded_predictor(predict, path, records), labels)
    seconds = time.perf_counter() - started
    has_splits = any(o.split for o in outcomes)
    splits = [ALL, TUNING, CHECK] if split == ALL and has_splits else [split]
    return EvalReport(
        path=str(path),
        kind=kind,
        split=split,
        labels=tuple(labels),
        outcomes=outcomes,
        variants=score_variants(outcomes, labels, splits, is_messages),
        case_note=note,
        seconds=seconds,
        preselect_confidence=preselect,
    )
