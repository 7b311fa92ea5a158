from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest
from cli_runner import run_cli

from assistant.compose.environment import template_problems
from assistant.compose.render import ComposeError, render
from assistant.library.settings import OPTIONAL_CONTEXT_KEYS
from assistant.library.templates import (
    case_settings,
    list_case_types,
    list_variants,
    sample_context,
)

TODAY = dt.date(2026, 11, 26)
CASES = list_case_types()
DATE = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} "
    r"(January|February|March|April|May|June|July|August|September|October|November|December)\b"
)


def test_case_types_come_from_the_template_folders(engine):
    assert engine.case_types() == CASES
    assert sorted(engine.library.case_types.case_types) == CASES  # each has its scan signals
    for case_type in CASES:
        assert (Path("templates") / case_type / "sample.yml").exists()


@pytest.mark.parametrize("case_type", CASES)
def test_renders_with_its_sample(case_type):
    composed = render(case_type, sample_context(case_type), today=TODAY)
    assert composed.text.startswith(("Hi ", "Hello", "Dear"))
    assert "{{" not in composed.text and "{%" not in composed.text
    assert composed.unknown_keys == ()


@pytest.mark.parametrize("case_type", CASES)
def test_renders_without_each_optional_field(case_type):
    sample = sample_context(case_type)
    for key in [k for k in sample if k in OPTIONAL_CONTEXT_KEYS]:
        context = {k: v for k, v in sample.items() if k != key}
        text = render(case_type, context, today=TODAY).text
        assert "None" not in text, (case_type, key)
    minimal = render(case_type, {"company_name": "Acme", "agent_name": "Jo"}, today=TODAY).text
    assert minimal.startswith("Hello,")


@pytest.mark.parametrize("missing", ["company_name", "agent_name"])
def test_missing_required_variable_is_named(missing):
    context = {"company_name": "Acme", "agent_name": "Jo"}
    del context[missing]
    with pytest.raises(ComposeError, match=f"missing required variable '{missing}'"):
        render("damaged" if False else "defective_or_damaged", context, today=TODAY)


def _policy_contexts(case_type: str):
    base = {
        "company_name": "Acme Home",
        "agent_name": "Priya",
        "customer_name": "Sam",
        "order_number": "A-1",
        "item": "lamp",
        "amount": 40,
        "currency": "GBP",
    }
    deadlines = [
        None,
        (TODAY + dt.timedelta(days=5)).isoformat(),
        (TODAY + dt.timedelta(days=40)).isoformat(),
    ]
    for fault, high_value, order_value, deadline, repeat, prior, variant in itertools.product(
        ("company", "customer", "carrier", "unknown"),
        (False, True),
        (None, 20, 120, 400),
        deadlines,
        (False, True),
        (False, True),
        list_variants(case_type),
    ):
        yield {
            **base,
            "fault": fault,
            "high_value_customer": high_value,
            "order_value": order_value,
            "deadline": deadline,
            "repeat_contact": repeat,
            "prior_claims": prior,
            "variant": variant,
        }


@pytest.mark.parametrize("case_type", CASES)
def test_every_policy_combination_passes_its_own_check(engine, case_type):
    texts = {
        render(case_type, context, today=TODAY).text for context in _policy_contexts(case_type)
    }
    assert len(texts) > 1  # the policy inputs do change the reply
    for text in texts:
        problems = [
            f for f in engine.review(text, case_type).findings if f.severity in ("warning", "error")
        ]
        assert not problems, f"{text}\n{[(f.rule, f.text) for f in problems]}"
    # and against the fault it was written for, which is stricter where a company fault needs ownership
    for context in _policy_contexts(case_type):
        if context["variant"] != "default" or context["repeat_contact"]:
            continue
        text = render(case_type, context, today=TODAY).text
        problems = [
            f
            for f in engine.review(text, case_type, fault=context["fault"]).findings
            if f.severity != "suggestion"
        ]
        assert not problems, f"{context}\n{text}\n{[(f.rule, f.text) for f in problems]}"


@pytest.mark.parametrize("case_type", CASES)
def test_a_threat_changes_nothing_in_the_reply(case_type):
    sample = sample_context(case_type)
    calm = render(case_type, {**sample, "threat_present": False}, today=TODAY)
    threatened = render(case_type, {**sample, "threat_present": True}, today=TODAY)
    assert threatened.text == calm.text
    assert threatened.notes and not calm.notes


def test_company_fault_case_has_ownership_remedy_and_a_dated_next_step(engine):
    composed = render("wrong_item_or_short", sample_context("wrong_item_or_short"), today=TODAY)
    assert "that's our mistake" in composed.text
    assert "I've sent the correct" in composed.text
    assert DATE.search(composed.text.split("I'll email you")[1])
    required = [
        f
        for f in engine.review(composed.text, "wrong_item_or_short").findings
        if f.category.startswith("missing")
    ]
    assert required == []


def test_required_elements_are_reported_when_missing(engine):
    result = engine.review("Sorry for the mix-up. Sorry again. So sorry.", "wrong_item_or_short")
    assert {
        "missing_ownership",
        "missing_remedy",
        "missing_next_step",
        "too_many_apologies",
    } <= set(result.labels)
    assert case_settings("wrong_item_or_short").default_fault == "company"
    customer_fault = engine.review("I've redirected the parcel.", "wrong_address")
    assert "missing_ownership" not in customer_fault.labels
    assert "missing_next_step" in customer_fault.labels


def test_unknown_case_type_and_variant_are_named():
    with pytest.raises(ComposeError, match="unknown case type 'damaged'"):
        render("damaged", {"company_name": "A", "agent_name": "B"})
    with pytest.raises(ComposeError, match="unknown variant 'shouty'"):
        render("other", {"company_name": "A", "agent_name": "B", "variant": "shouty"})
    with pytest.raises(ComposeError, match="context key 'deadline'"):
        render("other", {"company_name": "A", "agent_name": "B", "deadline": "next Friday"})
    with pytest.raises(ComposeError, match="context key 'fault'"):
        render("other", {"company_name": "A", "agent_name": "B", "fault": "nobody"})


def test_templates_cannot_reach_python_internals(tmp_path):
    shutil_copy = __import__("shutil").copytree
    root = tmp_path / "templates"
    shutil_copy("templates", root)
    (root / "other" / "opening.txt").write_text("{{ ''.__class__.__mro__ }}\n", encoding="utf-8")
    with pytest.raises(ComposeError, match="template refused"):
        render("other", {"company_name": "A", "agent_name": "B"}, templates_dir=root)
    assert any("__class__" in problem for problem in template_problems(root))
    assert template_problems() == []


def test_compose_cli_json_set_context_and_errors(tmp_path):
    context = tmp_path / "ctx.yaml"
    context.write_text(
        "company_name: Acme Home\nagent_name: Priya\ncustomer_name: Sam\nitem: lamp\n",
        encoding="utf-8",
    )
    run = run_cli(
        "compose",
        "--case-type",
        "defective_or_damaged",
        "--context",
        str(context),
        "--set",
        "order_value=30",
        "--set",
        "colour=red",
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert set(out) >= {"case_type", "text", "findings"}
    assert out["case_type"] == "defective_or_damaged"
    assert "there's no need to return the damaged one" in out["text"]
    assert [f for f in out["findings"] if f["severity"] != "suggestion"] == []
    assert "unknown context key 'colour'" in run.stderr
    missing = run_cli("compose", "--case-type", "other", "--set", "agent_name=Jo")
    assert missing.returncode == 2
    assert "missing required variable 'company_name'" in missing.stderr


def test_check_case_type_cli_flags_missing_elements():
    run = run_cli(
        "check",
        "--case-type",
        "defective_or_damaged",
        "--format",
        "json",
        stdin="Thanks for your email.",
    )
    labels = json.loads(run.stdout)["labels"]
    assert {"missing_ownership", "missing_remedy", "missing_next_step"} <= set(labels)
    bad = run_cli("check", "--case-type", "damaged", stdin="Thanks.")
    assert bad.returncode == 2 and "unknown case type 'damaged'" in bad.stderr
