"""The page, driven by widget key with Streamlit's AppTest, against a throw-away copy of the library."""

from __future__ import annotations

import html
import re
from pathlib import Path

from page_fixtures import PROBE_FAMILY
from streamlit.testing.v1 import AppTest

from assistant.core.findings import Finding
from assistant.evaluation.rule_examples import check_rule_examples
from assistant.library.loader import load_library
from assistant.nlp.pipeline import build_nlp
from assistant.ui.highlight import highlight_html

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def started() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=90)
    app.run()
    assert not app.exception
    return app


def markdown(app: AppTest) -> str:
    return "\n".join(block.value for block in app.markdown)


def plain(markdown_text: str) -> str:
    """Markdown as read: the page escapes every punctuation mark of user and library text."""
    return re.sub(r"\\(.)", r"\1", markdown_text)


def said(elements) -> list[str]:
    return [plain(element.value) for element in elements]


def enter(app: AppTest, key: str, text: str) -> AppTest:
    """What the editor component does in the browser: its text lands in the page's state.

    (AppTest runs no JavaScript; tests/test_browser.py drives the editor itself.)"""
    app.session_state[key] = text
    app.run()
    assert not app.exception
    return app


def with_probe_family(rules: Path) -> None:
    (rules / "draft" / "probe.yml").write_text(PROBE_FAMILY, encoding="utf-8")


def test_highlight_escapes_user_text_and_marks_findings():
    text = "<script>alert(1)</script> you should have read it"
    start = text.index("you")
    finding = Finding(
        "blame_shifting", "blame.x", "warning", start, start + 15, text[start : start + 15], "m"
    )
    rendered = highlight_html(text, [finding])
    assert "<script>" not in rendered
    assert "&#60;script&#62;" in rendered
    assert "<mark" in rendered and ">you should have</mark>" in rendered
    assert html.unescape(rendered.split('title="')[1].split('"')[0]) == "blame_shifting (warning)"


def test_check_view_highlights_escapes_and_counts(library_copy):
    app = enter(started(), "draft", "You should have read our email. <script>alert(1)</script>")
    shown = markdown(app)
    assert "<mark" in shown and "You should have read" in shown
    assert "&#60;script&#62;" in shown and "<script>" not in shown
    assert any(metric.label == "Reading ease" for metric in app.metric)
    assert app.session_state.rule_counts == {"blame.you-should-have": 1}


def test_apply_a_replacement_and_undo_it(library_copy):
    rules, _ = library_copy
    with_probe_family(rules)
    original = "Well, that is the way the cookie crumbles. Your refund is on its way."
    app = enter(started(), "draft", original)
    app.button(key="draft_apply_0_0").click().run()
    assert not app.exception
    assert app.session_state.draft == "Well, here is what I can do. Your refund is on its way."
    assert app.session_state.draft_revision == 1  # the editor takes the new text over
    assert any("no longer fires" in line for line in said(app.success))
    app.button(key="draft_undo_button").click().run()
    assert app.session_state.draft == original
    assert app.session_state.draft_revision == 2


def test_scan_view_shows_threats_and_preselects_compose(library_copy):
    app = enter(
        started(), "message", "Tracking says delivered, nothing on my porch. I will sue you."
    )
    assert any("not received delivered" in line for line in said(app.info))
    assert any("legal threat" in line for line in said(app.warning))
    assert any("human" in line for line in said(app.error))
    assert app.session_state.compose_case_type == "not_received_delivered"
    assert app.session_state.compose_threat is True


def test_an_unsure_suggestion_is_shown_but_not_preselected(library_copy):
    app = started()
    before = app.session_state.compose_case_type
    # Two strong cues of different case types: the confidence stays below the threshold.
    enter(app, "message", "The parcel is a week late and the lamp inside arrived smashed.")
    assert any("Not confident enough to set Compose" in line for line in said(app.info))
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
    assert any("No findings" in line for line in said(app.success))


def test_compose_names_a_missing_field(library_copy):
    app = started()
    app.selectbox(key="compose_case_type").set_value("other").run()
    app.button(key="compose_button").click().run()
    assert any("missing required variable 'agent_name'" in line for line in said(app.error))


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
    assert any("lookarounds and backreferences" in line for line in said(app.code))


def test_valid_template_edit_is_saved(library_copy):
    _, templates = library_copy
    path = templates / "other" / "opening.txt"
    app = open_for_edit(started(), "templates/other/opening.txt")
    app.text_area(key="edit_text").input("Thanks for writing to us.\n").run()
    app.button(key="edit_save").click().run()
    assert path.read_text(encoding="utf-8") == "Thanks for writing to us.\n"
    assert any("Saved" in line for line in said(app.success))


def test_a_reported_false_positive_is_masked_queued_and_accepted(library_copy):
    rules, _ = library_copy
    path = rules / "draft" / "favour.yml"
    before = path.read_text(encoding="utf-8")
    app = enter(started(), "draft", "Hi Dana, honestly, you're lucky we still had one in the back.")
    app.button(key="draft_report_0").click().run()
    assert not app.exception
    # Nothing is filed before the agent confirms; the name is masked in the panel.
    assert not (rules / ".pending_reports.jsonl").exists()
    masked = app.session_state.report_sentence
    assert "Dana" not in masked and "you're lucky" in masked
    app.text_area(key="report_sentence").input("Honestly, you're lucky we still had one.").run()
    app.button(key="report_file").click().run()
    assert any("a curator will look at it" in line for line in said(app.success))
    assert path.read_text(encoding="utf-8") == before  # the queue, not the rule file
    # A second report of the same sentence says it is already waiting.
    app.button(key="draft_report_0").click().run()
    app.text_area(key="report_sentence").input("Honestly, you're lucky we still had one.").run()
    app.button(key="report_file").click().run()
    assert any("already waiting" in line for line in said(app.info))
    # The curator accepts it in the Library tab: it becomes a pending pass example.
    accept = [b for b in app.button if (b.key or "").startswith("queue_accept_")]
    assert len(accept) == 1
    accept[0].click().run()
    assert not app.exception
    rule = load_library(rules).rule("favour.lucky")
    assert "Honestly, you're lucky we still had one." in rule.pending_pass_examples
    assert all(outcome.ok for outcome in check_rule_examples(build_nlp(load_library(rules)), rule))
    assert not [b for b in app.button if (b.key or "").startswith("queue_accept_")]


def test_a_trimmed_report_must_still_fire(library_copy):
    app = enter(started(), "draft", "Honestly, you're lucky we still had one in the back.")
    app.button(key="draft_report_0").click().run()
    app.text_area(key="report_sentence").input("We still had one in the back.").run()
    app.button(key="report_file").click().run()
    assert any("does not fire on the sentence" in line for line in said(app.warning))
    assert app.session_state.report_draft is not None  # the panel stays open to fix it


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
    assert any("changed by someone else" in line for line in said(app.code))


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
    assert any("0 failed" in line for line in said(app.success))
