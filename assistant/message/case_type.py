"""The likely case type of a customer's message, from the case-type signals the pipeline marked.

Evidence decides, in three steps: a specific case type when its signals reach `minimum_score` and
outweigh the signals of `other` (an insurance claim, an app bug, rude staff: cases with no template
of their own); else `other` when the message complains at all (`complaint_signals`: a problem
described, negative words, a demand, being ignored) and its complaint and `other` evidence reach
`complaint_score`; else no case (praise, thanks, greetings, a bare threat: threat words are
ignored). A curator extends it without code (case_types.yml); nothing is downloaded or trained.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from spacy.tokens import Doc

from assistant.core.categories import CASE_SPAN_KEY
from assistant.library.case_types import (
    COMPLAINT,
    OTHER,
    SIGNAL_SEPARATOR,
    CaseSuggestion,
    CaseTypeModel,
)


def _file_order(model: CaseTypeModel, case_type: str) -> int:
    order = model.case_types
    return order.index(case_type) if case_type in order else len(order)


def _scores(
    doc: Doc, model: CaseTypeModel, ignored: list[tuple[int, int]]
) -> tuple[dict[str, float], dict[str, list[tuple[float, str]]]]:
    """Signal weight per case type, complaint signals under COMPLAINT, with the words matched.

    A match inside a longer match of the same signal ("says delivered" inside "tracking says
    delivered") or of a heavier signal of the same case type ("porch" inside "nothing on my porch")
    adds nothing, and a signal repeated in the same words
    ("broken … broken") counts once, so one cue said at length is not several pieces of evidence."""
    spans = [
        span
        for span in doc.spans[CASE_SPAN_KEY]
        if not any(span.start_char < end and start < span.end_char for start, end in ignored)
    ]
    spans.sort(key=lambda span: (-model.weight(span.id_), -len(span), span.start))
    taken: dict[str, list[tuple[int, int, str, float]]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for span in spans:
        kind = COMPLAINT if _is_complaint(span.id_) else span.label_
        words = span.text.lower()
        weight = model.weight(span.id_)
        if (span.id_, words) in seen or any(
            start <= span.start and span.end <= end and (key == span.id_ or heavier > weight)
            for start, end, key, heavier in taken[kind]
        ):
            continue
        seen.add((span.id_, words))
        taken[kind].append((span.start, span.end, span.id_, weight))
        scores[kind] += weight
        evidence[kind].append((weight, span.text))
    return dict(scores), evidence


def _is_complaint(key: str) -> bool:
    return key.split(SIGNAL_SEPARATOR, 1)[1].startswith(COMPLAINT)


def suggest(
    doc: Doc, model: CaseTypeModel, ignore: Iterable[tuple[int, int]] = ()
) -> CaseSuggestion:
    """A specific case type with enough evidence, else `other` for a complaint, else None.

    `ignore` holds character ranges (the threats) whose words say nothing about the case:
    "I'll dispute the charge" is a threat, not a billing question, and a bare threat is no case.
    """
    scores, evidence = _scores(doc, model, list(ignore))
    topical = scores.get(OTHER, 0.0)
    complaint = scores.get(COMPLAINT, 0.0)
    specific = sorted(
        (
            (score, case_type)
            for case_type, score in scores.items()
            if case_type not in (OTHER, COMPLAINT)
        ),
        key=lambda item: (-item[0], _file_order(model, item[1])),
    )
    top, best = specific[0] if specific else (0.0, None)
    runner_up = specific[1][0] if len(specific) > 1 else 0.0
    if best is not None and top >= model.minimum_score and top > topical:
        confidence = specific_confidence(top, max(runner_up, topical), model.minimum_score)
        return CaseSuggestion(best, confidence, _evidence(evidence[best]), scores)
    # A complaint makes any message a case; `other` evidence alone must be a problem stated.
    if complaint >= model.complaint_score or topical >= model.minimum_score:
        confidence = other_confidence(topical, top, model)
        found = evidence[OTHER] + evidence[COMPLAINT]
        return CaseSuggestion(OTHER, confidence, _evidence(found), scores)
    return CaseSuggestion(None, no_case_confidence(complaint, top, model), (), scores)


def _evidence(found: list[tuple[float, str]], limit: int = 8) -> tuple[str, ...]:
    ordered = [text for _, text in sorted(found, key=lambda item: -item[0])]
    return tuple(dict.fromkeys(ordered))[:limit]


# Confidence is the chance the suggestion is right. The shapes follow what the real tuning split showed:
# a specific type is about as reliable as its lead over the runner-up (a long message with two strong
# cues is a coin toss) and weaker when its evidence barely reaches the minimum; `other` is reliable
# when a problem of its own is named and doubtful when a specific type has half the evidence it needs;
# "no case" is often a complaint the signals missed. The constants were fitted so that each confidence
# bin of `reply-assistant eval` on that split is right about as often as it says.
def _squash(value: float) -> float:
    return round(max(0.05, min(0.97, value)), 2)


def specific_confidence(top: float, runner_up: float, minimum: float) -> float:
    contested = (runner_up / top) * min(1.0, top / (2 * minimum))
    thin = max(0.0, 1 - (top - minimum) / minimum)  # 1 at the minimum, 0 at twice the minimum
    return _squash(0.92 - 0.45 * contested - 0.2 * thin)


def other_confidence(topical: float, specific: float, model: CaseTypeModel) -> float:
    # A complaint alone was right a little under 85% of the time on the real tuning split (it is
    # often a specific case the signals missed), so it stays just under the preselection threshold.
    named = 0.17 if topical >= model.minimum_score else 0.0  # its own problem stated
    doubt = min(1.0, specific / model.minimum_score)  # part-way evidence of a specific type
    return _squash(0.78 + named - 0.2 * doubt)


def no_case_confidence(complaint: float, specific: float, model: CaseTypeModel) -> float:
    doubt = min(1.0, complaint / model.complaint_score + specific / model.minimum_score)
    return _squash(0.45 - 0.15 * doubt)
