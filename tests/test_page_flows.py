"""The page's flows by widget key (AppTest): preselection, compose over edits, replacements on
the current text, paging, and library edits that are never silently lost."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.ui.finding_cards import PAGE_SIZE

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PROBE_FAMILY = """\
family: probe
category: stonewalling
description: A shrug at the customer's problem (a test family).
rules:
  - id: probe.cookie-crumbles
    severity: warning
    message: "“{match}” shrugs the problem off."
    replacements:
      - "here is what I can do"
      - {text: "you should have read the email", when: "that is the way the cookie crumbles"}
    patterns:
      - "that is the way the cookie crumbles"
    examples:
      flag:
        - {text: "Well, that is the way the cookie crumbles.", match: "that is the way the cookie crumbles"}
      pass:
        - {text: "The cookie jar is on its way."}
"""


@pytest.fixture
def library_copy(library_copy):
    rules, _ = library_copy
    (rules / "draft" / "probe.yml").write_text(PROBE_FAMILY, encoding="utf-8")
    return library_copy


def started() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception
    return app


def enter(app: AppTest, key: str, text: str) -> AppTest:
    """What the editor component does in the browser (AppTest runs no JavaScript)."""
    app.session_state[key] = text
    app.run()
    assert not app.exception
    return app


def said(elements) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", element.value) for element in elements]


# Preselection


def test_a_threat_alone_preselects_nothing(library_copy):
    app = enter(started(), "message", "I will sue you and post a one-star review everywhere.")
    assert app.session_state.compose_case_type is None
    assert app.session_state.compose_threat is True
    assert any("No case evident" in line for line in said(app.info))


def test_a_confident_case_is_preselected_with_its_reason_and_an_unsure_one_clears_it(library_copy):
    app = enter(started(), "message", "Tracking says delivered, nothing on my porch.")
    assert app.session_state.compose_case_type == "not_received_delivered"
    assert any("reaches the preselection threshold" in line for line in said(app.info))
    enter(app, "message", "The parcel is a week late and the lamp inside arrived smashed.")
    assert app.session_state.compose_case_type is None
    assert any("Not confident enough" in line for line in said(app.info))


def test_the_agents_own_case_type_is_kept(library_copy):
    app = started()
    app.selectbox(key="compose_case_type").set_value("billing_or_chargeback").run()
    enter(app, "message", "The parcel is a week late and the lamp inside arrived smashed.")
    assert app.session_state.compose_case_type == "billing_or_chargeback"


# Compose over the agent's edits


def composed(app: AppTest) -> AppTest:
    app.selectbox(key="compose_case_type").set_value("defective_or_damaged").run()
    app.text_input(key="compose_agent_name").input("Priya").run()
    app.text_input(key="compose_company_name").input("Acme Home").run()
    app.button(key="compose_button").click().run()
    assert not app.exception
    return app


def test_composing_again_over_edits_asks_first(library_copy):
    app = composed(started())
    first = app.session_state.composed
    assert "Priya" in first
    edited = first.replace("Priya", "Priya (team lead)")
    enter(app, "composed", edited)
    app.text_input(key="compose_item").input("lamp").run()
    app.button(key="compose_button").click().run()
    assert app.session_state.composed == edited
    assert any("Composing again replaces your edits" in line for line in said(app.warning))
    app.button(key="compose_keep").click().run()
    assert app.session_state.composed == edited and not app.session_state.compose_confirm
    app.button(key="compose_button").click().run()
    app.button(key="compose_replace").click().run()
    assert "lamp" in app.session_state.composed and "team lead" not in app.session_state.composed
    # Not edited since: composing again needs no question.
    app.text_input(key="compose_item").input("kettle").run()
    app.button(key="compose_button").click().run()
    assert "kettle" in app.session_state.composed


def test_compose_without_a_case_type_says_so(library_copy):
    app = started()
    app.button(key="compose_button").click().run()
    assert any("Choose a case type first" in line for line in said(app.error))


# Replacements act on the text the agent sees now


def test_a_replacement_finds_its_words_again_after_an_edit_above(library_copy):
    app = enter(started(), "draft", "Well, that is the way the cookie crumbles.")
    # The agent adds a line above before pressing the button shown for the old text.
    app.session_state["draft"] = "Hello Sam,\n\nWell, that is the way the cookie crumbles."
    app.button(key="draft_apply_0_0").click().run()
    assert not app.exception
    assert app.session_state.draft == "Hello Sam,\n\nWell, here is what I can do."


def test_a_replacement_that_brings_in_another_finding_says_so(library_copy):
    app = enter(started(), "draft", "Well, that is the way the cookie crumbles.")
    app.button(key="draft_apply_0_1").click().run()
    assert app.session_state.draft == "Well, you should have read the email."
    warnings = said(app.warning)
    assert any("brings in" in line and "blame." in line for line in warnings), warnings
    assert not any("no longer fires" in line for line in said(app.success))
    app.button(key="draft_undo_button").click().run()
    assert app.session_state.draft == "Well, that is the way the cookie crumbles."


def test_a_replacement_whose_words_are_gone_changes_nothing(library_copy):
    app = enter(started(), "draft", "Well, that is the way the cookie crumbles.")
    app.session_state["draft"] = "Well, I have sent a new one today."
    app.button(key="draft_apply_0_0").click().run()
    assert app.session_state.draft == "Well, I have sent a new one today."
    assert any("no longer flagged" in line for line in said(app.warning))
    assert app.session_state.draft_undo == []


def test_document_level_findings_offer_no_replacing_button(library_copy):
    app = composed(started())
    enter(app, "composed", "Hi. Thanks.")
    buttons = [b.key for b in app.button if b.key and b.key.startswith("composed_apply")]
    assert buttons == []
    assert any("missing" in block.value for block in app.markdown)


# Long drafts: a page of cards at a time


def test_many_findings_are_paged(library_copy):
    sentence = "Well, that is the way the cookie crumbles. "
    app = enter(started(), "draft", sentence * (PAGE_SIZE + 20))
    cards = [b for b in app.button if b.key and b.key.startswith("draft_report_")]
    assert len(cards) == PAGE_SIZE
    app.button(key="draft_more").click().run()
    cards = [b for b in app.button if b.key and b.key.startswith("draft_report_")]
    assert len(cards) == PAGE_SIZE + 20


# Library edits are never silently lost


def test_a_save_conflict_keeps_mine_and_offers_theirs(library_copy):
    rules, _ = library_copy
    path = rules / "draft" / "favour.yml"
    app = started()
    app.selectbox(key="edit_file").set_value("phrase_rules/draft/favour.yml").run()
    mine = app.session_state.edit_text.replace("Just give it.", "Simply give it.")
    app.text_area(key="edit_text").input(mine).run()
    theirs = path.read_text(encoding="utf-8").replace("Just give it.", "Give it without comment.")
    path.write_text(theirs, encoding="utf-8")
    app.button(key="edit_save").click().run()
    assert app.session_state.edit_text == mine
    assert any("+" in block.value and "Simply give it." in block.value for block in app.code)
    app.button(key="edit_reload").click().run()
    assert app.session_state.edit_text == theirs
    assert path.read_text(encoding="utf-8") == theirs


def test_switching_files_with_an_unsaved_edit_asks_first(library_copy):
    app = started()
    app.selectbox(key="edit_file").set_value("phrase_rules/draft/favour.yml").run()
    mine = app.session_state.edit_text + "\n# my note\n"
    app.text_area(key="edit_text").input(mine).run()
    app.selectbox(key="edit_file").set_value("templates/other/opening.txt").run()
    assert app.session_state.edit_text == mine
    assert app.session_state.edit_file == "phrase_rules/draft/favour.yml"
    assert any("unsaved changes" in line for line in said(app.warning))
    app.button(key="edit_stay").click().run()
    assert app.session_state.edit_text == mine
    app.selectbox(key="edit_file").set_value("templates/other/opening.txt").run()
    app.button(key="edit_discard").click().run()
    assert app.session_state.edit_file == "templates/other/opening.txt"
    assert app.session_state.edit_text != mine
