"""The page, driven by widget key with Streamlit's AppTest, against a throw-away copy of the library."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.core.findings import Finding
from assistant.evaluation.rule_examples import check_rule_examples
from assistant.library.loader import load_library
from assistant.nlp.pipeline import build_nlp
from assistant.ui.highlight import highlight_html

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture
def library_copy(tmp_path, monkeypatch):
    rules = tmp_path / "phrase_rules"
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "phrase_rules", rules)
    shutil.copytree(ROOT / "templates", templates)
    monkeypatch.setenv("REPLY_ASSISTANT_RULES_DIR", str(rules))
    monkeypatch.setenv("REPLY_ASSISTANT_TEMPLATES_DIR", str(templates))
    return rules, templates


def started() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    assert not app.exception
    return app


def markdown(app: AppTest) -> str:
    return "\n".join(block.value for block in app.markdown)


def test_highlight_escapes_user_text_and_marks_findings():
    text = "<script>alert(1)</script> you should have read it"
    start = text.index("you")
    finding = Finding(
        "blame_shifting", "blame.x", "warning", start, start + 15, text[start : start + 15], "m"
    )
    rendered = highlight_html(text, [finding])
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered
    assert "<mark" in rendered and ">you should have</mark>" in rendered
    assert 'title="blame_shifting (warning)"' in rendered


def test_check_view_highlights_escapes_and_counts(library_copy):
    app = started()
    app.text_area(key="draft").input(
        "You should have read our email. <script>alert(1)</script>"
    ).run()
    assert not app.exception
    html = markdown(app)
    assert "<mark" in html and "You should have read" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert any(metric.label == "Reading ease" for metric in app.metric)
    assert app.session_state.rule_counts == {"blame.you-should-have": 1}


def test_apply_a_suggestion(library_copy):
    app = started()
    app.text_area(key="draft").input(
        "We're sorry for any inconvenience. Your refund is on its way."
    ).run()
    app.button(key="draft_apply_0_0").click().run()
    assert not app.exception
    draft = app.session_state.draft
    assert "any inconvenience" not in draft
    assert (
        draft.startswith("We're I'm sorry your order arrived late.")
        or "I'm sorry your order arrived late." in draft
    )


def test_scan_view_shows_threats_and_preselects_compose(library_copy):
    app = started()
    app.text_area(key="message").input(
        "Tracking says delivered, nothing on my porch. I will sue you."
    ).run()
    assert not app.exception
    assert any("not received delivered" in block.value for block in app.info)
    assert any("legal threat" in block.value for block in app.warning)
    assert any("human" in block.value for block in app.error)
    assert app.session_state.compose_case_type == "not_received_delivered"
    assert app.session_state.compose_threat is True


def test_an_unsure_suggestion_is_shown_but_not_preselected(library_copy):
    app = started()
    before = app.session_state.compose_case_type
    # Two strong cues of different case types: the confidence stays below the threshold.
    app.text_area(key="message").input(
        "The parcel is a week late and the lamp inside arrived smashed."
    ).run()
    assert not app.exception
    assert any("Not confident enough to set Compose" in block.value for block in app.info)
    assert app.session_state.compose_case_type == before


def test_compose_view_composes_and_checks(library_copy):
    app = started()
    app.selectbox(key="compose_case_type").set_value("defective_or_damaged").run()
    app.text_input(key="compose_agent_name").input("Priya").run()
    app.text_input(key="compose_company_name").input("Acme Home").run()
    app.text_input(key="compose_item").input("lamp").run()
    app.button(key="compose_button").click().run()
    assert not app.exception
    composed = app.session_state.composed
    assert "I've sent a replacement today" in composed and "Priya" in composed
    assert any("No findings" in block.value for block in app.success)


def test_compose_names_a_missing_field(library_copy):
    app = started()
    app.button(key="compose_button").click().run()
    assert any("missing required variable 'agent_name'" in block.value for block in app.error)


def open_for_edit(app: AppTest, name: str) -> AppTest:
    return app.selectbox(key="edit_file").set_value(name).run()


def test_invalid_rule_edit_is_refused_and_kept(library_copy):
    rules, _ = library_copy
    path = rules / "draft" / "favour.yml"
    before = path.read_text(encoding="utf-8")
    app = open_for_edit(started(), "phrase_rules/draft/favour.yml")
    assert app.session_state.edit_text == before
    broken = before.replace('- "lucky for you"', '- [{LOWER: {REGEX: "(?=a)b"}}]', 1)
    app.text_area(key="edit_text").input(broken).run()
    app.button(key="edit_save").click().run()
    assert not app.exception
    assert path.read_text(encoding="utf-8") == before
    assert app.session_state.edit_text == broken
    assert any("lookarounds and backreferences" in block.value for block in app.code)


def test_valid_template_edit_is_saved(library_copy):
    _, templates = library_copy
    path = templates / "other" / "opening.txt"
    app = open_for_edit(started(), "templates/other/opening.txt")
    app.text_area(key="edit_text").input("Thanks for writing to us.\n").run()
    app.button(key="edit_save").click().run()
    assert path.read_text(encoding="utf-8") == "Thanks for writing to us.\n"
    assert any("Saved" in block.value for block in app.success)


def test_report_false_positive_adds_a_pending_pass_example(library_copy):
    rules, _ = library_copy
    path = rules / "draft" / "favour.yml"
    before = path.read_text(encoding="utf-8")
    app = started()
    app.text_area(key="draft").input("Honestly, you're lucky we still had one in the back.").run()
    app.button(key="draft_report_0").click().run()
    assert not app.exception
    after = path.read_text(encoding="utf-8")
    assert after != before
    assert (
        "Honestly, you're lucky we still had one in the back." in after and "pending: true" in after
    )
    library = load_library(rules)
    rule = library.rule("favour.lucky")
    assert "Honestly, you're lucky we still had one in the back." in rule.pending_pass_examples
    assert all(outcome.ok for outcome in check_rule_examples(build_nlp(load_library(rules)), rule))


def test_save_conflict_is_detected_and_nothing_overwritten(library_copy):
    rules, _ = library_copy
    path = rules / "draft" / "favour.yml"
    app = open_for_edit(started(), "phrase_rules/draft/favour.yml")
    mine = app.session_state.edit_text.replace("Just give it.", "Simply give it.")
    app.text_area(key="edit_text").input(mine).run()
    theirs = path.read_text(encoding="utf-8").replace("Just give it.", "Give it without comment.")
    path.write_text(theirs, encoding="utf-8")  # another agent saved first
    app.button(key="edit_save").click().run()
    assert path.read_text(encoding="utf-8") == theirs
    assert app.session_state.edit_text == mine
    assert any("changed by someone else" in block.value for block in app.code)


def test_library_browse_filters_rules(library_copy):
    app = started()
    app.text_input(key="library_search").input("lucky").run()
    assert not app.exception
    frame = app.dataframe[0].value
    assert len(frame) >= 1 and all(
        "lucky" in f"{row.id} {row.message} {row.category}".lower() for row in frame.itertuples()
    )
    app.selectbox(key="examples_rule").set_value("favour.lucky").run()
    app.button(key="examples_run").click().run()
    assert any("0 failed" in block.value for block in app.success)
