"""The Library tab's per-rule editor: fields from the rule, problems at the field, saves that keep
the file's other text, and the form's text fields read back (assistant/ui/rule_form.py)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from assistant.curation.rule_draft import RuleDraft
from assistant.library.loader import load_library
from assistant.library.rules import FlagExample
from assistant.ui.rule_form import GENERAL, draft_with, form_values, problems_by_field

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
RULE = "favour.lucky"


def test_form_values_round_trip_a_draft():
    draft = RuleDraft(
        rule_id="x.y",
        file=Path("x.yml"),
        message="“{match}” is odd.",
        severity="warning",
        patterns=("you're lucky", ({"LOWER": "lucky"},)),
        replacements=("", {"text": "fortunately", "when": "lucky"}),
        advice=("Just give it.",),
        flag_examples=(FlagExample("You're lucky.", "You're lucky"), FlagExample("Lucky you.")),
        pass_examples=("Good luck with the move.",),
    )
    values = form_values(draft)
    assert values["patterns"] == 'you\'re lucky\n[{"LOWER": "lucky"}]'
    assert values["replacements"].splitlines()[0] == '""'
    assert values["flag_examples"] == "You're lucky. | You're lucky\nLucky you."
    again, problems = draft_with(draft, values)
    assert problems == {}
    assert again == draft


def test_unreadable_lines_are_named_by_field_and_line():
    draft = RuleDraft(rule_id="x.y", file=Path("x.yml"), message="m", severity="warning")
    values = {**form_values(draft), "patterns": "fine phrase\n\n[{broken"}
    _, problems = draft_with(draft, values)
    assert problems == {"patterns": [problems["patterns"][0]]}
    assert problems["patterns"][0].startswith("line 3: not valid JSON")


def test_problems_land_at_their_form_field():
    shown = problems_by_field(
        {
            "patterns[2]": ["unknown word class"],
            "examples.flag[0]": ["should flag, but: no match"],
            "message": ["is empty"],
            "(library)": ["other.yml: broken"],
        }
    )
    assert shown == {
        "patterns": ["item 3: unknown word class"],
        "flag_examples": ["item 1: should flag, but: no match"],
        "message": ["is empty"],
        GENERAL: ["other.yml: broken"],
    }


def opened() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    app.selectbox(key="rule_edit_id").set_value(RULE).run()
    assert not app.exception
    return app


def said(elements) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", element.value) for element in elements]


def test_a_rule_opens_in_its_fields(library_copy):
    rules, _ = library_copy
    rule = load_library(rules).rule(RULE)
    app = opened()
    assert app.text_input(key="rule_f_message").value == rule.message
    assert app.selectbox(key="rule_f_severity").value == rule.severity
    assert any(RULE in block.value for block in app.code)  # the YAML view beside the form


def test_a_broken_field_is_refused_with_the_problem_at_that_field(library_copy):
    rules, _ = library_copy
    path = rules / "draft" / "favour.yml"
    before = path.read_text(encoding="utf-8")
    app = opened()
    app.text_area(key="rule_f_patterns").input(
        'you\'re lucky\n[{"LOWER": {"REGEX": "(?=a)b"}}]'
    ).run()
    app.button(key="rule_save").click().run()
    assert not app.exception
    assert path.read_text(encoding="utf-8") == before
    assert any("item 2" in line for line in said(app.error))
    assert app.text_area(key="rule_f_patterns").value.startswith("you're lucky")  # kept


def test_a_valid_edit_is_saved_and_the_rest_of_the_file_kept(library_copy):
    rules, _ = library_copy
    path = rules / "draft" / "favour.yml"
    before = path.read_text(encoding="utf-8")
    app = opened()
    old_message = app.text_input(key="rule_f_message").value
    new_message = old_message.replace("favour", "favour, not a fix")
    assert new_message != old_message
    app.text_input(key="rule_f_message").input(new_message).run()
    app.button(key="rule_save").click().run()
    assert not app.exception
    assert any(f"Saved {RULE}" in line for line in said(app.success))
    after = path.read_text(encoding="utf-8")
    assert load_library(rules).rule(RULE).message == new_message
    # Only the message line changed.
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert len(changed) == 1 and "not a fix" in changed[0]


def test_switching_rules_with_unsaved_changes_asks_first(library_copy):
    app = opened()
    app.text_input(key="rule_f_message").input("Edited.").run()
    other = next(o for o in app.selectbox(key="rule_edit_id").options if o != RULE)
    app.selectbox(key="rule_edit_id").set_value(other).run()
    assert app.session_state.rule_loaded.rule_id == RULE
    assert app.text_input(key="rule_f_message").value == "Edited."
    assert any("unsaved changes" in line for line in said(app.warning))
