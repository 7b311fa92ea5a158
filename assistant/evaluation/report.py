"""EvalReport: every scored variant of one file, as text for the terminal or as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from assistant.core.categories import (
    NULL_CASE,
)
from assistant.evaluation.metrics import (
    LabelScore,
    Miss,
    Outcome,
    Scores,
    confidence_bins,
    misses_of,
    preselection,
)
from assistant.evaluation.records import (
    ALL,
    CHECK,
    TUNING,
)


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
