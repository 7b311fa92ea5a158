"""Score the checker against a labelled JSONL set (domain.md §5): per-label P/R/F1 and micro averages.

Agent-reply sets are scored with review(); customer-message sets (records carrying `case_type`) with
scan(), which adds case-type accuracy and a confusion table. One scorer serves both.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .categories import DRAFT_CATEGORIES, LABEL_SEVERITIES, MESSAGE_CATEGORIES
from .inputs import SourceError, read_text_records

NULL_CASE = "null"


@dataclass(frozen=True)
class LabelScore:
    label: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives

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


@dataclass(frozen=True)
class Miss:
    record_id: Any
    text: str
    missed: tuple[str, ...]
    extra: tuple[tuple[str, str, str], ...]  # (label, rule, matched text)


@dataclass
class EvalReport:
    path: str
    kind: str
    records: int
    per_label: list[LabelScore]
    micro: LabelScore
    span_micro: LabelScore
    misses: list[Miss] = field(default_factory=list)
    case_accuracy: float | None = None
    case_note: str = ""
    case_confusion: dict[str, Counter] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind,
            "records": self.records,
            "labels": [score.to_dict() for score in self.per_label],
            "micro": self.micro.to_dict(),
            "span_micro": self.span_micro.to_dict(),
        }
        if self.case_accuracy is not None:
            out["case_type_accuracy"] = round(self.case_accuracy, 3)
            out["case_type_note"] = self.case_note
            out["case_type_confusion"] = {
                gold: dict(row) for gold, row in self.case_confusion.items()
            }
        return out

    def format(self, show_errors: bool = False) -> str:
        lines = [f"{self.path}: {self.records} {self.kind} records", ""]
        lines.append(f"{'label':<22} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
        for score in [*self.per_label, self.micro]:
            lines.append(
                f"{score.label:<22} {score.precision:>9.3f} {score.recall:>7.3f} {score.f1:>6.3f} {score.support:>8}"
            )
        span = self.span_micro
        lines.append(
            f"{'span overlap (micro)':<22} {span.precision:>9.3f} {span.recall:>7.3f} {span.f1:>6.3f} {span.support:>8}"
        )
        if self.case_accuracy is not None:
            lines += [
                "",
                f"case type accuracy: {self.case_accuracy:.3f}",
                "",
                *self._confusion_lines(),
            ]
        if show_errors and self.misses:
            lines += ["", "errors:"]
            for miss in self.misses:
                lines.append(
                    f"- {miss.record_id}: missed {list(miss.missed)} extra {[e[:2] for e in miss.extra]}"
                )
                lines.append(f"    {miss.text[:300]!r}")
                lines.extend(f"    fired {rule} on {text!r}" for _label, rule, text in miss.extra)
        return "\n".join(lines)

    def _confusion_lines(self) -> list[str]:
        names = sorted(
            {*self.case_confusion, *(p for row in self.case_confusion.values() for p in row)}
        )
        short = {name: name[:6] for name in names}
        corner = "gold \\ predicted"
        header = f"{corner:<30}" + "".join(f"{short[n]:>7}" for n in names)
        rows = [header]
        for gold in names:
            row = self.case_confusion.get(gold, Counter())
            rows.append(f"{gold:<30}" + "".join(f"{row.get(p, 0) or '.':>7}" for p in names))
        return rows


def load_records(path: str | Path) -> list[dict[str, Any]]:
    if not Path(path).exists():
        raise SourceError(f"{path}: no such file")
    records = read_text_records(Path(path).read_bytes(), str(path))
    for record in records:
        if not isinstance(record.get("labels", []), list):
            raise SourceError(f"{path}: record {record.get('id')!r}: 'labels' must be a list")
    return records


def _same_span(found: tuple[str, tuple[int, int]], gold: tuple[str, tuple[int, int]]) -> bool:
    """Same label and overlapping offsets: gold spans are clauses, findings are the phrases inside them."""
    (found_label, (start, end)), (gold_label, (gold_start, gold_end)) = found, gold
    return found_label == gold_label and start < gold_end and gold_start < end


def score(
    records: Sequence[dict[str, Any]],
    predict: Callable[[str], Iterable[Any]],
    labels: Sequence[str],
) -> tuple[list[LabelScore], LabelScore, LabelScore, list[Miss], list[list[Any]]]:
    """Record-level label scores plus a span-overlap micro score. Returns the predictions too."""
    counts = {label: Counter() for label in labels}
    span_counts: Counter = Counter()
    misses: list[Miss] = []
    predictions: list[list[Any]] = []
    for record in records:
        findings = [
            f
            for f in predict(record["text"])
            if f.severity in LABEL_SEVERITIES and f.category in counts
        ]
        predictions.append(findings)
        gold = set(record.get("labels", [])) & set(labels)
        predicted = {f.category for f in findings}
        for label in labels:
            if label in gold and label in predicted:
                counts[label]["tp"] += 1
            elif label in predicted:
                counts[label]["fp"] += 1
            elif label in gold:
                counts[label]["fn"] += 1
        gold_spans = [
            (s["label"], (s["start"], s["end"]))
            for s in record.get("spans", [])
            if s.get("label") in counts
        ]
        found = [(f.category, (f.start, f.end)) for f in findings]
        found_hits = [any(_same_span(f, g) for g in gold_spans) for f in found]
        span_counts["tp"] += sum(found_hits)
        span_counts["fp"] += len(found_hits) - sum(found_hits)
        span_counts["fn"] += sum(not any(_same_span(f, g) for f in found) for g in gold_spans)
        if gold != predicted:
            extra = tuple((f.category, f.rule, f.text) for f in findings if f.category not in gold)
            misses.append(
                Miss(record.get("id"), record["text"], tuple(sorted(gold - predicted)), extra)
            )
    per_label = [LabelScore(label, c["tp"], c["fp"], c["fn"]) for label, c in counts.items()]
    micro = LabelScore(
        "micro",
        sum(s.true_positives for s in per_label),
        sum(s.false_positives for s in per_label),
        sum(s.false_negatives for s in per_label),
    )
    span_micro = LabelScore("span", span_counts["tp"], span_counts["fp"], span_counts["fn"])
    return per_label, micro, span_micro, misses, predictions


def evaluate_file(path: str | Path, rules_dir: str | None = None) -> EvalReport:
    from .pipeline import get_nlp

    records = load_records(path)
    nlp = get_nlp(rules_dir)
    is_messages = any("case_type" in record for record in records)
    started = time.perf_counter()
    if is_messages:
        from .scan import scan

        results: dict[str, Any] = {}

        def predict(text: str) -> Iterable[Any]:
            result = scan(text, nlp=nlp)
            results[text] = result
            return result.findings

        per_label, micro, span_micro, misses, _ = score(records, predict, MESSAGE_CATEGORIES)
        confusion: dict[str, Counter] = {}
        correct = 0
        for record in records:
            gold = record.get("case_type") or NULL_CASE
            predicted = results[record["text"]].case_type or NULL_CASE
            confusion.setdefault(gold, Counter())[predicted] += 1
            correct += gold == predicted
        from .pipeline import CASE_TYPES_PIPE

        classifier = nlp.get_pipe(CASE_TYPES_PIPE).classifier
        note = (
            "(the case-type classifier was trained on this file: not a fair test; use a held-out set)"
            if classifier is not None and Path(path).resolve() in classifier.trained_on
            else ""
        )
        return EvalReport(
            str(path),
            "customer-message",
            len(records),
            per_label,
            micro,
            span_micro,
            misses,
            case_accuracy=correct / len(records) if records else 0.0,
            case_confusion=confusion,
            case_note=note,
            seconds=time.perf_counter() - started,
        )
    from .review import review

    per_label, micro, span_micro, misses, _ = score(
        records, lambda text: review(text, nlp=nlp).findings, DRAFT_CATEGORIES
    )
    return EvalReport(
        str(path),
        "agent-reply",
        len(records),
        per_label,
        micro,
        span_micro,
        misses,
        seconds=time.perf_counter() - started,
    )
