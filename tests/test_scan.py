from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import run_cli

import assistant
from assistant.core.categories import MESSAGE_CATEGORIES
from assistant.library.loader import collect, load_library

SCAN_KEYS = {
    "id",
    "labels",
    "case_type",
    "findings",
    "guidance",
    "case_type_confidence",
    "case_type_evidence",
    "route",
}


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("Refund me or I post a worse review.", ["review_extortion", "review_threat"]),
        ("I'll change my rating once this is fixed.", ["review_extortion"]),
        ("I'll dispute the charge with my bank.", ["chargeback_threat"]),
        ("You'll be hearing from my attorney.", ["legal_threat"]),
        ("I'll make sure everyone on Facebook knows.", ["social_media_threat"]),
        ("I'm going to report you to the BBB.", ["other_threat"]),
        # hard negatives: past actions, reported speech, questions, churn, praise
        ("I filed a chargeback last week.", []),
        ("I posted on Twitter and they paid.", []),
        ("My friend said she'd sue you.", []),
        ("How do I file a complaint?", []),
        ("I'll never order again.", []),
        ("I'll switch banks.", []),
        ("I'll definitely leave a 5-star review, you were great!", []),
    ],
)
def test_threat_labels(engine, text, labels):
    assert engine.scan(text).labels == labels


def test_legal_threat_routes_to_a_human_with_guidance(engine):
    result = engine.scan("Fix this by Friday or my solicitor will be in touch.")
    assert result.labels == ["legal_threat"]
    assert result.route == "human"
    assert any("Answer as if the threat were not there" in line for line in result.guidance)
    assert any("human" in line for line in result.guidance)


def test_no_threat_means_no_guidance(engine):
    result = engine.scan("Thanks so much, the parcel arrived today!")
    assert result.labels == [] and result.guidance == () and result.route is None


def test_case_type_with_confidence_and_evidence(engine):
    result = engine.scan("Tracking says delivered but there is nothing on my doorstep.")
    assert result.case_type == "not_received_delivered"
    assert 0 < result.case.confidence <= 1
    assert any("delivered" in word.lower() for word in result.case.evidence)
    assert engine.scan("Happy new year to the whole team!").case_type is None


def test_threat_words_do_not_decide_the_case_type(engine):
    result = engine.scan(
        "The lamp arrived smashed. Replace it or I'll dispute the charge with my bank."
    )
    assert result.labels == ["chargeback_threat"]
    assert result.case_type == "defective_or_damaged"


def test_every_case_type_has_signals_and_examples(engine):
    library, problems = collect()
    assert problems == []
    case_types = set(engine.case_types())
    assert set(library.case_types.examples) == case_types
    assert {signal.case_type for signal in library.case_types.signals} == case_types


def test_shipped_message_rules_cover_every_threat_category():
    library, _ = collect()
    assert {rule.category for rule in library.rules_for("message")} == set(MESSAGE_CATEGORIES)


def test_case_type_file_errors_are_named(rules_dir, valid_rule_text):
    root = rules_dir(
        {
            "a.yml": valid_rule_text,
            "case_types.yml": """\
            minimum_score: 2
            case_types:
              wrong_adress:
                signals: [{weight: 2, patterns: ["address"]}]
                examples: ["x"]
              other:
                signals: [{weight: -1, patterns: ["x"]}, {weight: 1, patterns: [[{LOWER: {IN: 5}}]]}]
        """,
        }
    )
    _, problems = collect(root)
    text = "\n".join(str(p) for p in problems)
    assert "case_types.yml:wrong_adress: case_types: unknown case type" in text
    assert "case_types.yml:other: signals[0].weight: must be a positive number" in text
    assert "case_types.yml:other: signals[1].patterns[0]: invalid token pattern" in text
    assert "case_types.yml:other: examples: needs at least one example" in text


def test_scan_jsonl_schema_and_broken_lines():
    lines = [
        json.dumps(
            {
                "id": "C1",
                "text": "Marked delivered, nothing here. Refund me or I dispute it with PayPal.",
            }
        ),
        "not json",
        json.dumps({"id": "C2", "text": "Thanks, all good!"}),
    ]
    run = run_cli("scan", "--jsonl", stdin="\n".join(lines).encode())
    assert run.returncode == 2
    objs = [json.loads(line) for line in run.stdout.splitlines()]
    assert [o.get("id") for o in objs] == ["C1", None, "C2"]
    assert objs[1]["line"] == 2 and "error" in objs[1]
    first = objs[0]
    assert set(first) == SCAN_KEYS
    assert first["labels"] == ["chargeback_threat"]
    assert first["case_type"] == "not_received_delivered"
    text = json.loads(lines[0])["text"]
    for finding in first["findings"]:
        assert text[finding["start"] : finding["end"]] == finding["text"]
        assert finding["category"] in MESSAGE_CATEGORIES
    assert first["guidance"]
    assert objs[2]["labels"] == [] and objs[2]["case_type"] is None


def test_scan_text_output_and_fail_on():
    run = run_cli(
        "scan", "--fail-on", "warning", stdin=b"I will sue you if my sofa is not here by Friday."
    )
    out = run.stdout
    assert run.returncode == 1
    assert "legal_threat" in out and "route: human" in out and "guidance:" in out


@pytest.mark.parametrize(
    "text",
    [
        "Hello",
        "Hi there, good morning!",
        "Thanks a million, the replacement came today and it's perfect.",
        "Great app, my whole family uses it.",
        "I will sue you.",
        "I'm going to post this on Twitter so everyone knows.",
    ],
    ids=["greeting", "hello there", "thanks", "praise", "bare legal threat", "bare social threat"],
)
def test_no_case_without_a_complaint(engine, nlp, text):
    result = engine.scan(text)
    assert result.case_type is None, result.case
    assert result.case.evidence == ()
    assert not nlp.get_pipe("case_type_signals").model.preselects(result.case)


@pytest.mark.parametrize(
    "text",
    [
        "My pet insurer denied the claim for the surgery, they say it was pre-existing.",
        "Since the last update the banking app won't let me log in.",
        "The driver was rude and unprofessional the whole way, terrible service.",
    ],
    ids=["insurance claim denial", "app bug", "rude staff"],
)
def test_a_complaint_without_a_template_of_its_own_is_other(engine, text):
    result = engine.scan(text)
    assert result.case_type == "other"
    assert result.case.evidence


@pytest.mark.parametrize(
    ("text", "case_type"),
    [
        ("My card was charged twice for the same hotel night.", "billing_or_chargeback"),
        (
            "The tracking has not moved in nine days and the order still hasn't arrived.",
            "lost_or_delayed",
        ),
        ("I ordered a large and you sent me a small instead.", "wrong_item_or_short"),
        ("How do I cancel my membership before it renews?", "subscription_or_cancellation"),
    ],
)
def test_a_specific_type_needs_its_own_evidence(engine, text, case_type):
    result = engine.scan(text)
    assert result.case_type == case_type
    assert result.case.evidence
    # The evidence shown to the agent is never function words alone ("as", "but", "we had").
    from assistant.library.case_types import FUNCTION_WORDS

    for shown in result.case.evidence:
        assert any(word not in FUNCTION_WORDS for word in shown.lower().split()), shown


def test_a_weak_cue_alone_is_no_specific_type(engine):
    # "refund" is weak billing evidence: with nothing else it is a complaint, not a billing case.
    result = engine.scan("Useless service, I just want a refund.")
    assert result.case_type == "other"


def test_no_classifier_and_no_training_file():
    library = load_library()
    assert not hasattr(library.case_types, "training")
    package = Path(assistant.__file__).parent
    assert not list(package.rglob("case_model.py"))


CASE_FILE = """\
minimum_score: 3
complaint_score: 1
preselect_confidence: {threshold}
{extra}case_types:
  other:
    signals: [{{weight: 3, patterns: ["{pattern}"]}}]
    examples: ["x"]
"""


@pytest.mark.parametrize(
    ("threshold", "valid"),
    [("0.8", True), ("1", True), ("0", False), ("1.5", False), ("high", False)],
)
def test_preselect_threshold_is_validated_and_exposed(rules_dir, valid_rule_text, threshold, valid):
    text = CASE_FILE.format(threshold=threshold, extra="", pattern="locked out")
    library, problems = collect(rules_dir({"a.yml": valid_rule_text, "case_types.yml": text}))
    found = [str(p) for p in problems if "preselect_confidence" in str(p)]
    if valid:
        assert found == [] and library.case_types.preselect_confidence == float(threshold)
    else:
        assert found and "at most 1" in found[0]


def test_unknown_keys_and_function_word_signals_are_named(rules_dir, valid_rule_text):
    text = CASE_FILE.format(
        threshold="0.8", extra="model: {training: [x.jsonl]}\n", pattern="but we had"
    )
    _, problems = collect(rules_dir({"a.yml": valid_rule_text, "case_types.yml": text}))
    shown = "\n".join(str(p) for p in problems)
    assert "case_types.yml:(file): model: unknown key" in shown
    assert "other: signals[0].patterns[0]: 'but we had' can match function words only" in shown


def test_confidence_decides_preselection(engine, nlp):
    model = nlp.get_pipe("case_type_signals").model
    sure = engine.scan("Tracking says delivered but there is nothing on my doorstep.").case
    assert model.preselects(sure) and sure.confidence >= model.preselect_confidence
    # Two strong cues of different case types: a suggestion, not a preselection.
    torn = engine.scan("The parcel is a week late and the lamp inside arrived smashed.").case
    assert torn.case_type is not None and not model.preselects(torn)
