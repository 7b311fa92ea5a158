"""Quality floors on the real labelled sets (../shared/data, see its README) and the synthetic dev set.

A rule change that lowers a figure below its floor fails here. The floors sit a little below what the
checker reached when they were last set, so ordinary noise passes and a real regression does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine import Engine
from assistant.evaluation.evaluate import evaluate_file
from assistant.evaluation.metrics import Scores, preselection
from assistant.evaluation.records import ALL, CHECK, TUNING
from assistant.evaluation.report import EvalReport

# >>> The one place to edit. Floors sit a little below the figures reached when last set (about
# 0.03; 0.05 on the check splits, where 37 reply labels and 30 message labels make one error worth
# 0.02-0.03), ceilings a little above. Raise them when the rules improve; do not lower one to let a
# change through without saying why in the commit. Set against (issue 9/10 rewrite): replies tuning
# P 0.987 F1 0.909, check P 0.808 F1 0.667, clean false alarms 0.020, dev P 0.976; messages tuning
# P 0.974 F1 0.889, check P 0.824 F1 0.596, hard negatives flagged 3 of 103 (0.029); case type
# whole file 0.728 (non-null 0.722), preselection right 73 of 77 (0.948).
# The check-split precision floors were lowered from 0.90 (replies) when recall rose from 0.38 to
# 0.57: the rules now catch more, and 3 more of 64 clean check replies are flagged.
FLOORS: dict[str, float] = {
    "real_replies.tuning.micro_precision": 0.955,
    "real_replies.tuning.micro_f1": 0.88,
    "real_replies.check.micro_precision": 0.76,
    "real_replies.check.micro_f1": 0.62,
    "real_replies.all.false_alarm_rate.max": 0.035,
    "dev_replies.all.micro_precision": 0.95,
    "real_messages.tuning.micro_precision": 0.94,
    "real_messages.tuning.micro_f1": 0.86,
    "real_messages.check.micro_precision": 0.77,
    "real_messages.check.micro_f1": 0.55,
    "real_messages.all.hard_negatives_flagged_rate.max": 0.06,
    "real_messages.all.case_accuracy": 0.70,
    "real_messages.all.preselection_precision": 0.90,
}
# <<<

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
DEV_REPLIES = REPO / "tests" / "data" / "dev_replies.jsonl"


def _real_report(name: str, engine: Engine) -> EvalReport:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"real labelled data not found: {path} (clone ../shared beside the repo)")
    return evaluate_file(path, engine)


# One pipeline run per file for the whole module: every floor reads the same stored predictions.
@pytest.fixture(scope="module")
def real_replies(engine: Engine) -> EvalReport:
    return _real_report("real_replies.jsonl", engine)


@pytest.fixture(scope="module")
def real_messages(engine: Engine) -> EvalReport:
    return _real_report("real_messages.jsonl", engine)


@pytest.fixture(scope="module")
def dev_replies(engine: Engine) -> EvalReport:
    return evaluate_file(DEV_REPLIES, engine)


def _scores(report: EvalReport, split: str) -> Scores:
    return report.variants[split, False]  # borderline items kept: the figures README reports


def _at_least(name: str, value: float) -> None:
    floor = FLOORS[name]
    assert value >= floor, f"{name} = {value:.3f}, below its floor {floor} (FLOORS, top of file)"


def _at_most(name: str, value: float) -> None:
    ceiling = FLOORS[name]
    assert value <= ceiling, (
        f"{name} = {value:.3f}, above its ceiling {ceiling} (FLOORS, top of file)"
    )


@pytest.mark.parametrize("split", [TUNING, CHECK])
def test_real_replies_micro_precision_and_f1(real_replies, split):
    micro = _scores(real_replies, split).micro
    _at_least(f"real_replies.{split}.micro_precision", micro.precision)
    _at_least(f"real_replies.{split}.micro_f1", micro.f1)


def test_real_replies_clean_false_alarm_rate(real_replies):
    rate = _scores(real_replies, ALL).false_alarm_rate
    assert rate is not None, "the real reply set has no clean records"
    _at_most("real_replies.all.false_alarm_rate.max", rate)


def test_dev_replies_micro_precision(dev_replies):
    _at_least("dev_replies.all.micro_precision", _scores(dev_replies, ALL).micro.precision)


@pytest.mark.parametrize("split", [TUNING, CHECK])
def test_real_messages_threat_precision_and_f1(real_messages, split):
    micro = _scores(real_messages, split).micro
    _at_least(f"real_messages.{split}.micro_precision", micro.precision)
    _at_least(f"real_messages.{split}.micro_f1", micro.f1)


def test_real_messages_hard_negatives_flagged(real_messages):
    scores = _scores(real_messages, ALL)
    assert scores.hard_negatives, "the real message set has no hard negatives"
    rate = scores.hard_negatives_flagged / scores.hard_negatives
    _at_most("real_messages.all.hard_negatives_flagged_rate.max", rate)


def test_real_messages_case_type_accuracy_and_preselection(real_messages):
    scores = _scores(real_messages, ALL)
    assert scores.case_accuracy is not None, "the real message set has no case types"
    _at_least("real_messages.all.case_accuracy", scores.case_accuracy)
    threshold = real_messages.preselect_confidence
    assert threshold is not None, "case_types.yml sets no preselect_confidence"
    chosen = preselection(real_messages.outcomes, threshold)
    assert chosen.precision is not None, "no suggestion reaches the preselection threshold"
    _at_least("real_messages.all.preselection_precision", chosen.precision)
