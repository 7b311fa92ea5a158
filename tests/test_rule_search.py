"""The Library tab's search: ids, messages, phrases and example texts, each result saying where."""

from __future__ import annotations

import pytest
from conftest import BUNDLED_RULES_DIR

from assistant.library.loader import load_library
from assistant.library.rules import Rule, parse_rule_text
from assistant.ui.rule_search import (
    SEARCHED_FIELDS,
    found_in,
    match_reasons,
    matches,
    pattern_text,
    rule_matches,
    rule_rows,
)

RULE_FILE = """\
family: demo
category: blame_shifting
rules:
  - id: demo.hindsight
    severity: warning
    message: "“{match}” tells them what they should have done."
    patterns: ["you ought to have", [{LOWER: too}, {LOWER: {IN: [late, slow]}, OP: "?"}, {LOWER: {NOT_IN: [sunday]}}]]
    exceptions: ["we ought to have"]
    examples:
      flag: [{text: "You ought to have measured the sofa.", match: "You ought to have"}]
      pass:
        - "The courier ought to have knocked."
        - {text: "Measured twice, the sofa still jammed.", pending: true}
  - id: demo.stalling
    severity: suggestion
    message: "“{match}” stalls the customer."
    patterns: ["bear with us"]
    examples:
      flag: [{text: "Please bear with us while the warehouse counts.", match: "bear with us"}]
      pass: ["Thanks for bearing with the new form."]
"""


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    parsed, problems = parse_rule_text(RULE_FILE, "demo.yml")
    assert problems == []
    return parsed


def listed(rules: list[Rule], search: str) -> dict[str, tuple[str, ...]]:
    return {rule.id: reasons for rule, reasons in rule_matches(rules, search)}


def test_each_place_a_search_looks_is_named(rules: list[Rule]) -> None:
    assert listed(rules, "demo.stall") == {"demo.stalling": ("id",)}
    assert listed(rules, "STALLS THE") == {"demo.stalling": ("message",)}
    assert listed(rules, "blame_shift") == {
        "demo.hindsight": ("category",),
        "demo.stalling": ("category",),
    }
    assert listed(rules, "ought to have") == {
        "demo.hindsight": ("phrase", "flag example", "pass example")
    }
    assert listed(rules, "warehouse") == {"demo.stalling": ("flag example",)}
    assert listed(rules, "new form") == {"demo.stalling": ("pass example",)}


def test_a_pending_pass_example_is_searched_too(rules: list[Rule]) -> None:
    assert listed(rules, "jammed") == {"demo.hindsight": ("pass example",)}


def test_token_patterns_are_searched_by_their_words_only(rules: list[Rule]) -> None:
    assert listed(rules, "slow") == {"demo.hindsight": ("phrase",)}
    # A word the token must not be, and the repeat operator, are not words the rule looks for.
    assert listed(rules, "sunday") == {}
    assert listed(rules, "?") == {}
    assert pattern_text(rules[0].patterns[1]) == "too late|slow"


def test_exceptions_are_not_searched(rules: list[Rule]) -> None:
    assert listed(rules, "we ought") == {}


def test_a_search_may_run_from_id_into_message(rules: list[Rule]) -> None:
    assert listed(rules, "stalling “{match}”") == {"demo.stalling": ("id, message and category",)}


def test_no_search_lists_every_rule_without_reasons(rules: list[Rule]) -> None:
    assert listed(rules, "") == {"demo.hindsight": (), "demo.stalling": ()}
    assert all(matches(rule, "") for rule in rules)
    assert match_reasons(rules[0], "") == ()


def test_filters_still_apply_before_the_search(rules: list[Rule]) -> None:
    assert [r.id for r, _ in rule_matches(rules, "the", (), ["other"])] == []
    assert [r.id for r, _ in rule_matches(rules, "the", ["blame_shifting"])] == [
        "demo.hindsight",
        "demo.stalling",
    ]


def test_rows_keep_their_columns_and_may_say_why(rules: list[Rule]) -> None:
    plain_row = rule_rows(rules, "warehouse")[0]
    assert "found in" not in plain_row
    assert plain_row["id"] == "demo.stalling" and plain_row["file"] == "demo.yml"
    with_reasons = rule_rows(rules, "ought to have", reasons=True)
    assert [row["found in"] for row in with_reasons] == ["phrase, flag example, pass example"]
    assert {k: v for k, v in with_reasons[0].items() if k != "found in"} == rule_rows(
        rules, "ought to have"
    )[0]


def test_found_in_reads_as_a_phrase() -> None:
    assert found_in(("phrase", "flag example")) == "found in phrase, flag example"
    assert found_in(()) == ""


def test_bundled_rules_are_found_by_words_only_their_examples_have() -> None:
    rules = load_library(BUNDLED_RULES_DIR).rules
    checked = 0
    for rule in rules:
        elsewhere = " ".join(
            [rule.id, rule.message, rule.category, *(pattern_text(p) for p in rule.patterns)]
        ).lower()
        words = [w for e in rule.flag_examples for w in e.text.lower().split() if len(w) > 5]
        word = next((w for w in words if w not in elsewhere), None)
        if word is None:
            continue
        checked += 1
        reasons = dict((r.id, why) for r, why in rule_matches(rules, word))[rule.id]
        assert "flag example" in reasons and "phrase" not in reasons
        assert set(reasons) <= set(SEARCHED_FIELDS)
    assert checked > len(rules) // 2
