"""assistant.evaluation: the arithmetic, the splits and borderline variants, and the eval command around them.

Every text here is written for these tests; none comes from a labelled data set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from assistant.cli.main import main
from assistant.core.findings import Finding
from assistant.core.inputs import SourceError
from assistant.evaluation.metrics import (
    LabelScore,
    Outcome,
    Prediction,
    misses_of,
    predict_records,
    score,
    score_outcomes,
    score_variants,
)
from assistant.evaluation.records import (
    ALL,
    CHECK,
    TUNING,
    is_borderline,
    is_hard_negative,
    load_records,
    record_split,
)

LABELS = ("hollow_apology", "excuse_making", "threat")


def finding(category: str, start: int, end: int, severity: str = "warning") -> Finding:
    return Finding(
        category=category,
        rule=f"test.{category}",
        severity=severity,
        start=start,
        end=end,
        text="matched",
        message="",
    )


def record(
    record_id: str,
    text: str,
    labels: Iterable[str] = (),
    spans: Iterable[tuple[str, int, int]] = (),
    notes: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": record_id,
        "text": text,
        "labels": sorted(labels),
        "spans": [
            {"label": label, "start": start, "end": end, "text": text[start:end]}
            for label, start, end in spans
        ],
        "notes": notes,
        **extra,
    }


def fake_predictor(by_text: dict[str, list[Finding]]):
    return lambda text: by_text.get(text, [])


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --- LabelScore -----------------------------------------------------------------------------------


def test_label_score_math():
    s = LabelScore("x", true_positives=6, false_positives=2, false_negatives=4)
    assert s.support == 10
    assert s.precision == pytest.approx(0.75)
    assert s.recall == pytest.approx(0.6)
    assert s.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert s.to_dict() == {
        "label": "x",
        "precision": 0.75,
        "recall": 0.6,
        "f1": 0.667,
        "support": 10,
        "tp": 6,
        "fp": 2,
        "fn": 4,
    }


def test_label_score_zero_division_edges():
    nothing = LabelScore("x", 0, 0, 0)
    assert (nothing.precision, nothing.recall, nothing.f1, nothing.support) == (1.0, 1.0, 1.0, 0)
    only_misses = LabelScore("x", 0, 0, 3)
    assert (only_misses.precision, only_misses.recall, only_misses.f1) == (1.0, 0.0, 0.0)
    only_alarms = LabelScore("x", 0, 2, 0)
    assert (only_alarms.precision, only_alarms.recall, only_alarms.f1) == (0.0, 1.0, 0.0)
    all_wrong = LabelScore("x", 0, 2, 3)
    assert (all_wrong.precision, all_wrong.recall, all_wrong.f1) == (0.0, 0.0, 0.0)


# --- score() with a fake predictor -----------------------------------------------------------------

APOLOGY = "Sorry for the bother. The van broke down."
THREAT = "Pay by Monday or we call the bailiffs."
CLEAN = "Your parcel left the depot this morning."
BOTH = "Sorry for the bother. It was the busy season."


def scored_records() -> list[dict[str, Any]]:
    return [
        record("T0001", APOLOGY, ["hollow_apology"], [("hollow_apology", 0, 21)]),
        record("T0002", THREAT, ["threat"], [("threat", 0, 38)]),
        record("T0003", CLEAN),
        record(
            "T0004",
            BOTH,
            ["excuse_making", "hollow_apology"],
            [("hollow_apology", 0, 21), ("excuse_making", 22, 45)],
        ),
    ]


def scored_predictions() -> dict[str, list[Finding]]:
    return {
        APOLOGY: [finding("hollow_apology", 0, 5), finding("excuse_making", 22, 40)],
        THREAT: [],
        CLEAN: [finding("threat", 0, 4), finding("excuse_making", 0, 4, severity="suggestion")],
        BOTH: [finding("hollow_apology", 30, 40), finding("blame_shifting", 0, 5)],
    }


def test_score_counts_per_label_and_micro():
    scores = score(scored_records(), fake_predictor(scored_predictions()), LABELS)
    by_label = {s.label: s for s in scores.per_label}
    assert by_label["hollow_apology"] == LabelScore("hollow_apology", 2, 0, 0)
    # A suggestion is not a label, so CLEAN's excuse_making finding counts for nothing.
    assert by_label["excuse_making"] == LabelScore("excuse_making", 0, 1, 1)
    assert by_label["threat"] == LabelScore("threat", 0, 1, 1)
    assert scores.micro == LabelScore("micro", 2, 2, 2)
    assert scores.records == 4


def test_score_span_overlap():
    scores = score(scored_records(), fake_predictor(scored_predictions()), LABELS)
    # Hits: APOLOGY's apology inside its gold span. Misses of a gold span: THREAT's threat,
    # BOTH's apology (found in the excuse clause, not the apology one) and BOTH's excuse.
    # Alarms: APOLOGY's excuse, CLEAN's threat, BOTH's misplaced apology. blame_shifting is not
    # one of LABELS and is left out.
    assert scores.span_micro == LabelScore("span", 1, 3, 3)


def test_predictions_are_made_once_per_record():
    calls: list[str] = []

    def predict(text: str) -> Prediction:
        calls.append(text)
        return Prediction(tuple(scored_predictions()[text]))

    outcomes = predict_records(scored_records(), predict, LABELS)
    score_variants(outcomes, LABELS, [ALL, TUNING, CHECK], case_types=False)
    assert calls == [APOLOGY, THREAT, CLEAN, BOTH]


# --- splits, borderline, hard negatives ------------------------------------------------------------


@pytest.mark.parametrize(
    ("record_id", "split"),
    [
        ("RD0005", CHECK),
        ("RD0010", CHECK),
        ("CD0100", CHECK),
        ("RD0001", TUNING),
        ("RD0012", TUNING),
        ("X0", CHECK),
        (15, CHECK),
        (7, TUNING),
        ("batch-3/item-25", CHECK),
        ("RD5x", None),
        ("no-number", None),
        ("", None),
        (None, None),
    ],
)
def test_split_comes_from_the_trailing_number(record_id, split):
    assert record_split(record_id) == split


@pytest.mark.parametrize(
    ("notes", "borderline", "hard"),
    [
        ("Borderline: hedged intent", True, False),
        ("a close call, BORDERLINE", True, False),
        ("hard negative: sorry to hear, not hollow", False, True),
        ("Hard Negative", False, True),
        ("borderline; hard negative", True, True),
        ("the borderlines of the case", False, False),
        ("", False, False),
        (None, False, False),
    ],
)
def test_borderline_and_hard_negative_come_from_notes(notes, borderline, hard):
    row = record("X0001", "text", notes=notes)
    assert is_borderline(row) is borderline
    assert is_hard_negative(row) is hard


def outcome(
    record_id: str,
    gold: Iterable[str] = (),
    predicted: Iterable[str] = (),
    notes: str | None = None,
) -> Outcome:
    row = record(record_id, f"text of {record_id}", gold, notes=notes)
    findings = tuple(finding(label, 0, 4) for label in predicted)
    return Outcome(row, findings, frozenset(gold))


def test_false_alarm_rate_counts_clean_records_that_got_any_label():
    outcomes = [
        outcome("A0001"),
        outcome("A0002", predicted=["threat"]),
        outcome("A0003", predicted=["threat", "hollow_apology"]),
        outcome("A0004"),
        outcome("A0006", gold=["threat"], predicted=["hollow_apology"]),  # not clean
    ]
    scores = score_outcomes(outcomes, LABELS)
    assert (scores.clean, scores.clean_flagged) == (4, 2)
    assert scores.false_alarm_rate == pytest.approx(0.5)


def test_false_alarm_rate_is_undefined_without_clean_records():
    scores = score_outcomes([outcome("A0001", gold=["threat"])], LABELS)
    assert scores.false_alarm_rate is None
    assert scores.to_dict()["false_alarm_rate"] is None


def test_hard_negatives_flagged():
    outcomes = [
        outcome("A0001", notes="hard negative", predicted=["hollow_apology"]),
        outcome("A0002", notes="hard negative"),
        outcome("A0003", notes="hard negative"),
        outcome("A0004", predicted=["threat"]),  # a false alarm, but not a hard negative
    ]
    scores = score_outcomes(outcomes, LABELS)
    assert (scores.hard_negatives, scores.hard_negatives_flagged) == (3, 1)


def test_variants_split_and_leave_out_borderline_items():
    outcomes = [
        outcome("A0001", gold=["threat"], predicted=["threat"]),
        outcome("A0002", gold=["threat"], notes="borderline"),
        outcome("A0005", gold=["hollow_apology"], predicted=["hollow_apology"]),
        outcome("A0010", predicted=["threat"], notes="Borderline, hard negative"),
        outcome("A0011"),
    ]
    variants = score_variants(outcomes, LABELS, [ALL, TUNING, CHECK], case_types=False)
    assert set(variants) == {(s, b) for s in (ALL, TUNING, CHECK) for b in (False, True)}
    records = {key: v.records for key, v in variants.items()}
    assert records == {
        (ALL, False): 5,
        (ALL, True): 3,
        (TUNING, False): 3,
        (TUNING, True): 2,
        (CHECK, False): 2,
        (CHECK, True): 1,
    }
    assert variants[TUNING, False].micro == LabelScore("micro", 1, 0, 1)
    assert variants[TUNING, True].micro == LabelScore("micro", 1, 0, 0)
    assert variants[CHECK, False].micro == LabelScore("micro", 1, 1, 0)
    assert variants[CHECK, True].micro == LabelScore("micro", 1, 0, 0)
    assert variants[CHECK, False].hard_negatives_flagged == 1
    assert variants[CHECK, True].heading == "check split, borderline left out (1 records)"
    assert variants[ALL, False].heading == "whole file (5 records)"


def test_misses_name_gold_spans_and_extra_rules_and_filter_by_label():
    records = scored_records()
    outcomes = predict_records(
        records, lambda text: Prediction(tuple(scored_predictions()[text])), LABELS
    )
    misses = {m.record_id: m for m in misses_of(outcomes)}
    assert set(misses) == {"T0001", "T0002", "T0003", "T0004"}
    both = misses["T0004"]
    assert both.missed == ("excuse_making",)
    assert both.gold_spans == (("excuse_making", "It was the busy season."),)
    assert misses["T0001"].extra == (("excuse_making", "test.excuse_making", "matched"),)
    assert {m.record_id for m in misses_of(outcomes, "threat")} == {"T0002", "T0003"}
    assert {m.record_id for m in misses_of(outcomes, "hollow_apology")} == set()


def test_load_records_keeps_line_separator_characters_inside_strings(tmp_path):
    # JSON allows a raw U+2028 in a string; it must not split the record in two.
    path = tmp_path / "set.jsonl"
    path.write_text(
        json.dumps({"id": "L0001", "text": "one\u2028two", "labels": []}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    assert [r["text"] for r in load_records(path)] == ["one\u2028two"]


def test_load_records_names_the_bad_line(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "L1", "text": "fine", "labels": []}\n{"id": \n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"set\.jsonl:2: not valid JSON"):
        load_records(path)


# --- the eval command ------------------------------------------------------------------------------

HOLLOW = "We're sorry for any inconvenience."
LEGAL = "We will take legal action if the balance is not paid."
PLAIN = "I checked your order and the parcel left our warehouse on Monday."
TRACKED = "Thanks for your message. I've sent a replacement today and attached the tracking link."
# Gold labels the checker cannot find in these texts: guaranteed misses for the listing tests.
TUNING_MISS = "The gulls over the harbour were loud on Tuesday morning."
CHECK_MISS = "A heron stood in the shallow river beside the old mill."


def eval_set(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "replies.jsonl",
        [
            record("X0001", HOLLOW, ["hollow_apology"], [("hollow_apology", 0, len(HOLLOW))]),
            record("X0002", LEGAL, ["threat"], [("threat", 0, len(LEGAL))]),
            record("X0003", PLAIN, notes="hard negative"),
            record("X0004", TUNING_MISS, ["stonewalling"], [("stonewalling", 0, 9)]),
            record("X0005", CHECK_MISS, ["stonewalling"], [("stonewalling", 0, 7)]),
            record("X0006", TRACKED, notes="borderline"),
            record("X0010", HOLLOW, ["hollow_apology"], [("hollow_apology", 0, len(HOLLOW))]),
        ],
    )


def run_eval(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["eval", *args])
    return code, capsys.readouterr().out


def test_end_to_end_with_the_real_checker(tmp_path, capsys):
    path = eval_set(tmp_path)
    code, output = run_eval(capsys, str(path), "--format", "json")
    assert code == 0
    report = json.loads(output)
    labels = {row["label"]: row for row in report["labels"]}
    assert (labels["hollow_apology"]["tp"], labels["hollow_apology"]["fp"]) == (2, 0)
    assert (labels["threat"]["tp"], labels["threat"]["fp"]) == (1, 0)
    assert labels["stonewalling"]["fn"] == 2
    assert report["micro"]["tp"] == 3
    assert report["records"] == 7
    assert report["clean_records"] == 2
    assert report["false_alarm_rate"] == 0.0
    assert (report["hard_negatives"], report["hard_negatives_flagged"]) == (1, 0)
    check = report["splits"]["check"]
    assert check["with_borderline"]["records"] == 2
    assert check["with_borderline"]["micro"]["tp"] == 1
    assert report["splits"]["tuning"]["without_borderline"]["records"] == 4


def test_text_output_has_every_section(tmp_path, capsys):
    code, output = run_eval(capsys, str(eval_set(tmp_path)))
    assert code == 0
    for heading in (
        "whole file (7 records)",
        "tuning split (5 records)",
        "check split (2 records)",
        "tuning split, borderline left out (4 records)",
        "check split, borderline left out (2 records)",
        "false alarms on clean records: 0 of 2 (0.000)",
        "hard negatives flagged: 0 of 1",
        "micro summary",
    ):
        assert heading in output
    assert TUNING_MISS not in output  # texts only with --show-errors


def test_show_errors_hides_check_split_texts_by_default(tmp_path, capsys):
    path = str(eval_set(tmp_path))
    _, output = run_eval(capsys, path, "--show-errors")
    assert TUNING_MISS in output and "X0004" in output
    assert CHECK_MISS not in output and "X0005" not in output
    assert "1 check-split record(s) held back" in output

    _, output = run_eval(capsys, path, "--show-errors", "--format", "json")
    report = json.loads(output)
    assert [e["id"] for e in report["errors"]] == ["X0004"]
    assert report["errors_held_back"] == 1
    assert CHECK_MISS not in output


def test_show_errors_lists_the_check_split_when_asked_explicitly(tmp_path, capsys):
    _, output = run_eval(capsys, str(eval_set(tmp_path)), "--split", "check", "--show-errors")
    assert CHECK_MISS in output and "X0005" in output
    assert TUNING_MISS not in output
    assert "missed: stonewalling" in output
    assert "gold stonewalling: “A heron”" in output


def test_label_restricts_the_listing(tmp_path, capsys):
    path = str(eval_set(tmp_path))
    _, output = run_eval(capsys, path, "--label", "hollow_apology")
    assert "errors on hollow_apology: 0 record(s)" in output
    _, output = run_eval(capsys, path, "--label", "stonewalling", "--split", "tuning")
    assert "errors on stonewalling, tuning split: 1 record(s)" in output
    assert TUNING_MISS in output


def test_split_restricts_every_figure(tmp_path, capsys):
    _, output = run_eval(capsys, str(eval_set(tmp_path)), "--split", "tuning", "--format", "json")
    report = json.loads(output)
    assert report["split"] == "tuning"
    assert report["records"] == 5
    assert set(report["splits"]) == {"tuning"}


def test_split_needs_numbered_ids(tmp_path, capsys):
    path = write_jsonl(tmp_path / "plain.jsonl", [record("first", PLAIN), record("second", HOLLOW)])
    assert main(["eval", str(path), "--split", "check"]) == 2
    assert "no record id ends in a number" in capsys.readouterr().err
    code, output = run_eval(capsys, str(path), "--format", "json")
    assert code == 0
    assert set(json.loads(output)["splits"]) == {"all"}


def test_json_structure_for_several_files(tmp_path, capsys):
    replies = eval_set(tmp_path)
    messages = write_jsonl(
        tmp_path / "messages.jsonl",
        [
            record(
                "M0001", "My blender arrived with a cracked jug.", case_type="defective_or_damaged"
            ),
            record("M0002", "Lovely service, thank you all.", case_type=None),
        ],
    )
    code, output = run_eval(capsys, str(replies), str(messages), "--format", "json")
    assert code == 0
    reports = json.loads(output)
    assert [r["path"] for r in reports] == [str(replies), str(messages)]
    legacy = {"path", "kind", "records", "labels", "micro", "span_micro"}
    added = {"split", "borderline", "hard_negatives", "hard_negatives_flagged", "false_alarm_rate"}
    for report in reports:
        assert legacy | added | {"splits"} <= set(report)
    assert reports[0]["kind"] == "agent-reply"
    assert "case_type_accuracy" not in reports[0]
    assert reports[1]["kind"] == "customer-message"
    assert {"case_type_accuracy", "case_type_note", "case_type_confusion"} <= set(reports[1])
    variant = reports[1]["splits"]["all"]["without_borderline"]
    assert {
        "records",
        "borderline_left_out",
        "labels",
        "micro",
        "span_micro",
        "false_alarm_rate",
        "hard_negatives",
        "hard_negatives_flagged",
        "case_type_accuracy",
    } <= set(variant)
    assert set(reports[1]["splits"]) == {"all", "tuning", "check"}
    assert [row["label"] for row in variant["labels"]][:2] == ["review_threat", "review_extortion"]


def test_one_file_gives_one_object(tmp_path, capsys):
    _, output = run_eval(capsys, str(eval_set(tmp_path)), "--format", "json")
    assert isinstance(json.loads(output), dict)


def test_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main(["eval", str(tmp_path / "absent.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


# --- case types: calibration and preselection --------------------------------------------------

CASE_MESSAGES = [
    ("M0001", "My blender arrived with a cracked jug.", "defective_or_damaged"),
    ("M0002", "Lovely service, thank you all.", None),
    ("M0003", "I was charged twice for one order.", "billing_or_chargeback"),
    ("M0004", "Our insurer denied the claim for the operation.", "other"),
    ("M0005", "Check split: the tracking says delivered but nothing came.", "lost_or_delayed"),
    ("M0006", "The hotel booked us for the wrong week.", "billing_or_chargeback"),
]


def message_set(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "messages.jsonl",
        [record(i, text, case_type=case) for i, text, case in CASE_MESSAGES],
    )


def test_eval_prints_case_accuracy_by_confidence_and_the_preselection(tmp_path, capsys):
    code, output = run_eval(capsys, str(message_set(tmp_path)))
    assert code == 0
    assert "case-type accuracy by confidence" in output
    for name in ("<0.50", "0.50-0.70", "0.70-0.85", ">=0.85"):
        assert f"\n{name}" in output
    assert "preselection at confidence >= " in output
    assert "on non-null gold" in output and "null recall" in output


def test_eval_json_has_the_calibration_bins(tmp_path, capsys):
    _, output = run_eval(capsys, str(message_set(tmp_path)), "--format", "json")
    report = json.loads(output)
    bins = report["case_type_calibration"]
    assert [b["confidence"] for b in bins] == ["<0.50", "0.50-0.70", "0.70-0.85", ">=0.85"]
    assert sum(b["records"] for b in bins) == len(CASE_MESSAGES)
    preselect = report["case_type_preselect"]["with_borderline"]
    assert 0 < preselect["threshold"] <= 1
    assert preselect["preselected"] <= preselect["suggested"]


def test_case_errors_hide_check_split_texts_by_default(tmp_path, capsys):
    path = str(message_set(tmp_path))
    _, output = run_eval(capsys, path, "--show-case-errors")
    assert "M0006" in output and "gold billing_or_chargeback, predicted company_error" in output
    assert "Check split:" not in output and "1 check-split record(s) held back" in output
    _, output = run_eval(capsys, path, "--show-case-errors", "--split", "check")
    assert "Check split:" in output


def test_preselection_counts_only_suggestions_at_or_above_the_threshold():
    from assistant.evaluation.metrics import Outcome, confidence_bins, preselection

    def outcome(case: str | None, gold: str | None, confidence: float) -> Outcome:
        return Outcome({"text": "x", "case_type": gold}, (), frozenset(), case, confidence)

    outcomes = [
        outcome("other", "other", 0.9),
        outcome("billing_or_chargeback", "other", 0.85),
        outcome("other", "other", 0.6),
        outcome(None, None, 0.4),
    ]
    chosen = preselection(outcomes, 0.85)
    assert (chosen.suggested, chosen.preselected, chosen.right) == (3, 2, 1)
    assert [b.records for b in confidence_bins(outcomes)] == [1, 1, 0, 2]
