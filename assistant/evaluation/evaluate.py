"""Score the checker against a labelled JSONL set (domain.md §5): per-label P/R/F1 and micro averages.

Agent-reply sets are scored with review(); customer-message sets (records carrying `case_type`) with
scan(), which adds case-type accuracy and a confusion table. One scorer serves both.

Every record goes through the pipeline once. The splits (an id whose trailing number is a multiple of
5 is in the "check" split, any other number in "tuning") and the variants without borderline items
are all cut from those stored predictions, so the figures of one run always agree with each other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.core.categories import (
    DRAFT_CATEGORIES,
    MESSAGE_CATEGORIES,
)
from assistant.core.inputs import SourceError
from assistant.core.text import InputError
from assistant.engine import Engine
from assistant.evaluation.metrics import Prediction, predict_records, score_variants
from assistant.evaluation.records import ALL, CHECK, TUNING, load_records, select_split
from assistant.evaluation.report import EvalReport


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
    records = select_split(all_records, split, path)
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
