"""Every rule's own examples, one test per rule, named by rule id."""

from __future__ import annotations

import pytest

from assistant.evaluation.rule_examples import (
    check_case_type_examples,
    check_rule_examples,
    uncovered_patterns,
)
from assistant.library.loader import load_library

LIBRARY = load_library()
RULES = LIBRARY.rules


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_examples(nlp, rule):
    failures = [str(outcome) for outcome in check_rule_examples(nlp, rule) if not outcome.ok]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("rule", RULES, ids=[f"{rule.id}:patterns" for rule in RULES])
def test_every_pattern_is_exercised_by_a_flag_example(nlp, rule):
    # An untested pattern is either dead or catches wording nobody has looked at.
    assert [str(p) for p in uncovered_patterns(nlp, [rule])] == []


@pytest.mark.parametrize(
    "case_type", sorted(LIBRARY.case_types.examples), ids=lambda c: f"case_type.{c}"
)
def test_case_type_examples(engine, case_type):
    only = type(LIBRARY.case_types)(examples={case_type: LIBRARY.case_types.examples[case_type]})
    failures = [
        str(outcome) for outcome in check_case_type_examples(engine, only) if not outcome.ok
    ]
    assert not failures, "\n".join(failures)


def test_no_case_examples(engine):
    only = type(LIBRARY.case_types)(no_case_examples=LIBRARY.case_types.no_case_examples)
    outcomes = check_case_type_examples(engine, only)
    assert outcomes, "case_types.yml lists no praise or chit-chat examples"
    failures = [str(outcome) for outcome in outcomes if not outcome.ok]
    assert not failures, "\n".join(failures)
