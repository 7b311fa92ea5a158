"""Team mode on the page: checking and composing stay open, every library edit needs a curator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.curation.report_queue import file_report, read_queue
from assistant.curation.save_log import read_save_log

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TOKEN = "team-token-for-the-page-tests"
FILE = "templates/other/opening.txt"


@pytest.fixture
def team(library_copy, monkeypatch):
    monkeypatch.setenv("REPLY_ASSISTANT_TEAM", "1")
    monkeypatch.setenv("REPLY_ASSISTANT_CURATOR_TOKEN", TOKEN)
    return library_copy


def started() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception
    return app


def said(elements) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", element.value) for element in elements]


def keys(app: AppTest) -> set[str]:
    return {b.key for b in app.button if b.key}


def sign_in(app: AppTest, name: str, secret: str) -> AppTest:
    app.text_input(key="curator_name").input(name)
    app.text_input(key="curator_secret").input(secret)
    next(b for b in app.button if b.label == "Sign in").click().run()
    assert not app.exception
    return app


def test_checking_is_open_and_editing_needs_a_curator(team):
    _, templates = team
    app = started()
    app.session_state["draft"] = "You should have read our email."
    app.run()
    assert any("blame" in block.value for block in app.markdown)
    app.selectbox(key="edit_file").set_value(FILE).run()
    assert "edit_save" not in keys(app)
    assert any("Sign in as a curator" in line for line in said(app.caption))
    sign_in(app, "priya", "not the token")
    assert app.session_state.curator is None
    assert any("do not match" in line for line in said(app.error))
    assert app.session_state.curator_secret == ""  # never kept
    sign_in(app, "priya", TOKEN)
    assert app.session_state.curator == "priya"
    app.text_area(key="edit_text").input("Thanks for writing to us.\n").run()
    app.button(key="edit_save").click().run()
    assert (templates / "other" / "opening.txt").read_text(encoding="utf-8") == (
        "Thanks for writing to us.\n"
    )
    entries = read_save_log(templates)
    assert [(e.who, e.path) for e in entries] == [("priya", "other/opening.txt")]


def test_a_save_after_sign_out_is_refused(team):
    _, templates = team
    before = (templates / "other" / "opening.txt").read_text(encoding="utf-8")
    app = sign_in(started(), "ravi", TOKEN)
    app.selectbox(key="edit_file").set_value(FILE).run()
    app.text_area(key="edit_text").input("Changed.\n").run()
    # The session loses its curator between drawing the Save button and pressing it.
    app.session_state.curator = None
    app.button(key="edit_save").click().run()
    assert (templates / "other" / "opening.txt").read_text(encoding="utf-8") == before
    assert any("Sign in as a curator" in line for line in said(app.caption))


def test_queue_and_rule_editor_need_a_curator(team):
    rules, _ = team
    file_report(rules, "favour.lucky", "Honestly, you're lucky we had one.", reporter="sam")
    app = started()
    assert any("lucky we had one" in block.value for block in app.text)
    assert not [k for k in keys(app) if k.startswith(("queue_accept_", "queue_dismiss_"))]
    app.selectbox(key="rule_edit_id").set_value("favour.lucky").run()
    assert "rule_save" not in keys(app)
    assert app.text_input(key="rule_f_message").disabled
    sign_in(app, "priya", TOKEN)
    assert [k for k in keys(app) if k.startswith("queue_dismiss_")]
    assert "rule_save" in keys(app)
    next(b for b in app.button if (b.key or "").startswith("queue_dismiss_")).click().run()
    assert read_queue(rules).reports == ()
    assert [(e.who, e.action) for e in read_save_log(rules)] == [("priya", "dismiss report")]


def test_broken_team_settings_refuse_every_edit(library_copy, monkeypatch):
    monkeypatch.setenv("REPLY_ASSISTANT_TEAM", "1")
    monkeypatch.delenv("REPLY_ASSISTANT_CURATOR_TOKEN", raising=False)
    app = started()
    assert any("misconfigured" in line for line in said(app.error))
    app.selectbox(key="edit_file").set_value(FILE).run()
    assert "edit_save" not in keys(app)


def test_this_machine_only_needs_no_sign_in(library_copy, monkeypatch):
    monkeypatch.delenv("REPLY_ASSISTANT_TEAM", raising=False)
    app = started()
    assert not any(b.label == "Sign in" for b in app.button)
    app.selectbox(key="edit_file").set_value(FILE).run()
    assert "edit_save" in keys(app)


def test_repeated_wrong_sign_ins_wait_even_for_the_right_token(team):
    from assistant.curation.sign_in_limits import FAILURES_BEFORE_WAIT

    app = started()
    app.selectbox(key="edit_file").set_value(FILE).run()
    for _ in range(FAILURES_BEFORE_WAIT):
        sign_in(app, "mallory", "not-the-token")
        assert any("do not match" in line for line in said(app.error))
    sign_in(app, "mallory", TOKEN)
    assert any("too many failed sign-ins" in line for line in said(app.error))
    assert "edit_save" not in keys(app)
    # Another name is not held by mallory's failures
    sign_in(app, "priya", TOKEN)
    assert "edit_save" in keys(app)
