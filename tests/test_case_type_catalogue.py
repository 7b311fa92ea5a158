"""Case types come from the library, not from code: one template folder plus one settings entry."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from cli_runner import run_cli

from assistant.core.resources import RULES_DIR_NAME, TEMPLATES_DIR_NAME, bundled
from assistant.engine import Engine
from assistant.library.loader import collect

NEW_CASE = "gift_card_problem"
GIFT_CARD_ENTRY = {
    "description": "A gift card or voucher that will not redeem.",
    "signals": [
        {"weight": 3, "patterns": ["(gift card|voucher) <any>{0,4} (invalid|rejected|declined)"]},
        {"weight": 1, "patterns": ["(gift card|voucher)"]},
    ],
    "examples": ["The voucher code keeps coming back invalid at checkout."],
}
PARTS = {
    "reply.txt": '{% extends "_shared/layout.txt" %}\n',
    "opening.txt": "Thanks for letting me know about the code on your gift card.",
    "apology.txt": "I'm sorry: the card should have worked, and that's our mistake.",
    "remedy.txt": "I've issued a new card with the full balance, and it's in your inbox now.",
    "next_step.txt": "I'll email you by {{ next_update_date }} to check the new card worked.",
    "case.yml": "default_fault: company\nnext_update_business_days: 1\n",
    "sample.yml": "company_name: Acme Home\nagent_name: Priya\ncustomer_name: Sam\n",
}


def _library(tmp_path: Path, *, template: bool = True, signals: bool = True) -> tuple[Path, Path]:
    rules = tmp_path / RULES_DIR_NAME
    templates = tmp_path / TEMPLATES_DIR_NAME
    shutil.copytree(bundled(RULES_DIR_NAME), rules)
    shutil.copytree(bundled(TEMPLATES_DIR_NAME), templates)
    if template:
        folder = templates / NEW_CASE
        folder.mkdir()
        for name, text in PARTS.items():
            (folder / name).write_text(text, encoding="utf-8")
    if signals:
        settings_path = rules / "case_types.yml"
        settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
        settings["case_types"][NEW_CASE] = GIFT_CARD_ENTRY
        settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return rules, templates


def test_a_new_case_type_is_one_folder_and_one_settings_entry(tmp_path):
    rules, templates = _library(tmp_path)
    _, problems = collect(rules, strict=True, templates_dir=templates)
    assert problems == []
    engine = Engine.load(rules, templates)
    assert NEW_CASE in engine.case_types()

    found = engine.scan("My voucher was declined twice at the till today.")
    assert found.case_type == NEW_CASE
    assert found.case.evidence

    composed = engine.compose(
        NEW_CASE, {"company_name": "Acme", "agent_name": "Jo"}, today=dt.date(2026, 12, 1)
    )
    assert "new card with the full balance" in composed.text
    assert composed.context["fault"] == "company"  # from the new case.yml

    checked = engine.review(composed.text, NEW_CASE)
    assert [f.rule for f in checked.findings if f.severity != "suggestion"] == []
    bare = engine.review("Thanks for your email.", NEW_CASE)
    assert "missing_ownership" in bare.labels  # a company fault needs ownership

    validated = run_cli(
        "--rules-dir", str(rules), "--templates-dir", str(templates), "rules", "validate"
    )
    assert validated.returncode == 0, validated.stdout


@pytest.mark.parametrize(
    ("template", "signals", "expected"),
    [
        (True, False, f"{NEW_CASE}: case_types: has templates but no signals here"),
        (
            False,
            True,
            f"{NEW_CASE}: case_types: unknown case type (no templates/{NEW_CASE}/ folder)",
        ),
    ],
)
def test_half_a_case_type_is_named(tmp_path, template, signals, expected):
    rules, templates = _library(tmp_path, template=template, signals=signals)
    _, problems = collect(rules, templates_dir=templates)
    assert any(expected in str(problem) for problem in problems), problems


def test_bad_case_settings_are_refused_with_their_line(tmp_path):
    rules, templates = _library(tmp_path)
    (templates / NEW_CASE / "case.yml").write_text(
        "default_fault: company\nnext_update_business_days: soon\ncolour: red\n", encoding="utf-8"
    )
    _, problems = collect(rules, templates_dir=templates)
    text = "\n".join(str(problem) for problem in problems)
    assert (
        f"{NEW_CASE}/case.yml:(file): next_update_business_days: Input should be a valid integer"
        in text
    )
    assert f"{NEW_CASE}/case.yml:(file): colour: unknown key; allowed: check_fault," in text
    assert "(line 1)" in text


def test_a_sample_with_an_unknown_key_is_named(tmp_path):
    rules, templates = _library(tmp_path)
    sample = templates / NEW_CASE / "sample.yml"
    sample.write_text(
        sample.read_text(encoding="utf-8") + "colour: red\namount: lots\n", encoding="utf-8"
    )
    _, problems = collect(rules, templates_dir=templates)
    text = "\n".join(str(problem) for problem in problems)
    assert f"{NEW_CASE}/sample.yml:(file): colour: unknown context key" in text
    assert f"{NEW_CASE}/sample.yml:(file): amount: expected int or float, got 'lots'" in text


def test_a_library_without_optional_settings_says_what_it_cannot_do(rules_dir, valid_rule_text):
    root = rules_dir({"a.yml": valid_rule_text})
    result = run_cli("--rules-dir", str(root), "rules", "validate")
    assert result.returncode == 0
    assert "note: no case_types.yml" in result.stdout and "suggests no case type" in result.stdout
    checked = run_cli("--rules-dir", str(root), "check", "--case-type", "other", stdin="Thanks.")
    assert checked.returncode == 2
    assert "has no required elements" in checked.stderr
