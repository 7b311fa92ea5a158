"""Threat categories decided by destination after matching (destinations.yml)."""

from __future__ import annotations

from assistant.engine import Engine
from assistant.library.loader import collect

FRAME = """\
    family: frame
    category: other_threat
    by_destination: true
    ignore_when: [negated, quoted, question]
    rules:
      - id: threat.frame.demo
        severity: warning
        message: "The customer threatens to take this further (“{match}”)."
        patterns:
          - "(will|going to) <gap>{0,10} (<dest_chargeback>|<dest_legal>|<dest_authority>|<dest_social>)"
        examples:
          flag: [{text: "I will call my bank.", match: "will call my bank"}]
          pass: ["I called my bank last week."]
"""


def categories_of(engine, text: str) -> list[tuple[str, str]]:
    return [(f.category, f.text) for f in engine.scan(text).findings]


def test_the_destination_decides_the_category_one_finding_per_kind(rules_dir):
    engine = Engine.load(rules_dir({"message/frame.yml": FRAME}))
    assert categories_of(engine, "I will call my bank, and then the ombudsman.") == [
        ("chargeback_threat", "will call my bank"),
        ("other_threat", "will call my bank, and then the ombudsman"),
    ]
    # The longest destination wins where two start alike: the attorney general is a regulator.
    assert categories_of(engine, "I am going to write to the attorney general.") == [
        ("other_threat", "going to write to the attorney general")
    ]
    assert categories_of(engine, "I called my bank. It will be fine.") == []


def test_a_destination_with_two_categories_is_refused(rules_dir):
    shipped = (rules_dir({}) / "words.yml").read_text("utf-8")
    words = shipped.replace('ombudsman, "the ombudsman"', 'ombudsman, lawyer, "the ombudsman"')
    _, problems = collect(rules_dir({"words.yml": words}))
    assert any(
        "destinations.yml" in str(p) and "'lawyer' is also a destination of legal_threat" in str(p)
        for p in problems
    )


def test_by_destination_needs_the_map(rules_dir):
    _, problems = collect(rules_dir({"message/frame.yml": FRAME, "destinations.yml": None}))
    assert any(
        "threat.frame.demo: by_destination: needs destinations.yml" in str(p) for p in problems
    )
