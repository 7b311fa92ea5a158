"""Every rule's own examples, one test per rule, named by rule id."""

from __future__ import annotations

import pytest

from assistant.library import load_library
from assistant.rule_tests import check_rule_examples

RULES = load_library().rules


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_rule_examples(nlp, rule):
    failures = [str(outcome) for outcome in check_rule_examples(nlp, rule) if not outcome.ok]
    assert not failures, "\n".join(failures)
