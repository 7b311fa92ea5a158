"""The page's own helpers on plain values: card order and paging, restored fields, undo, relocation."""

from __future__ import annotations

from pathlib import Path

from assistant.core.findings import Finding
from assistant.core.text import MAX_TEXT_CHARS
from assistant.library.case_types import CaseSuggestion
from assistant.ui.case_hint import case_hint
from assistant.ui.finding_cards import (
    PAGE_SIZE,
    by_severity,
    card_body,
    card_title,
    findings_summary,
    is_document_level,
    shown,
)
from assistant.ui.page_assets import PAGE_ASSETS, asset
from assistant.ui.page_state import needs_confirmation, pushed, restorable
from assistant.ui.relocate import relocate

ROOT = Path(__file__).resolve().parent.parent


def finding(
    rule: str, severity: str, start: int, text: str = "words", message: str = "m"
) -> Finding:
    return Finding("blame_shifting", rule, severity, start, start + len(text), text, message)


def test_cards_come_most_severe_first_then_in_reading_order():
    findings = [
        finding("a", "suggestion", 0),
        finding("b", "warning", 30),
        finding("c", "error", 50),
        finding("d", "warning", 10),
    ]
    assert [f.rule for f in by_severity(findings)] == ["c", "d", "b", "a"]


def test_paging_shows_a_page_at_least_and_counts_the_rest():
    findings = [finding(str(n), "warning", n) for n in range(PAGE_SIZE * 2 + 7)]
    visible, hidden = shown(findings, 0)
    assert len(visible) == PAGE_SIZE and hidden == PAGE_SIZE + 7
    visible, hidden = shown(findings, PAGE_SIZE * 3)
    assert len(visible) == len(findings) and hidden == 0


def test_summary_counts_severities_in_words():
    findings = [finding("a", "error", 0), finding("b", "warning", 5), finding("c", "warning", 9)]
    assert findings_summary(findings) == "3 findings (1 error, 2 warnings), most severe first."
    assert findings_summary(findings[:1]) == "1 finding (1 error), most severe first."


def test_card_text_is_inert_and_quotes_the_words_once():
    quoted = finding("r.x", "error", 0, "*you*", "“*you*” blames.")
    assert card_body(quoted) == "“\\*you\\*” blames\\."
    unquoted = finding("r.x", "warning", 0, "[a](b)", "Blames.")
    assert card_body(unquoted).startswith("**“\\[a\\]\\(b\\)”** ")
    assert card_title(quoted).startswith(":red[**Error**]")


def test_document_level_findings_are_the_whole_reply_checks():
    assert is_document_level(finding("required.next_step", "warning", 0))
    assert is_document_level(finding("readability.grade", "suggestion", 0))
    assert not is_document_level(finding("blame.x", "warning", 0))


def test_restored_fields_fill_only_empty_known_text_fields():
    saved = {
        "composed": "Hi Sam",
        "compose_agent_name": "Priya",
        "compose_company_name": "Acme",
        "draft": "not a stored field here",
        "evil": "x",
    }
    current = {"composed": "", "compose_agent_name": "Ravi", "compose_company_name": ""}
    assert restorable(saved, current) == {"composed": "Hi Sam", "compose_company_name": "Acme"}


def test_restored_fields_refuse_what_is_not_text_or_too_long():
    assert restorable(["composed"], {}) == {}
    assert restorable({"composed": 3, "compose_agent_name": None}, {}) == {}
    assert restorable({"composed": "x" * (MAX_TEXT_CHARS + 1)}, {}) == {}


def test_undo_stack_keeps_the_latest_entries():
    stack: list[str] = []
    for n in range(5):
        stack = pushed(stack, str(n), depth=3)
    assert stack == ["2", "3", "4"]


def test_composing_again_asks_only_over_the_agents_edits():
    assert not needs_confirmation("", "")
    assert not needs_confirmation("Hi Sam", "Hi Sam")
    assert needs_confirmation("Hi Sam, edited", "Hi Sam")
    assert needs_confirmation("Restored after a reload", "")


def test_relocate_finds_the_same_words_nearest_the_old_place():
    findings = [
        finding("blame.x", "warning", 5, "you should have"),
        finding("blame.x", "warning", 80, "you should have"),
        finding("other", "warning", 40, "you should have"),
    ]
    assert relocate(findings, "blame.x", "you should have", 70).start == 80
    assert relocate(findings, "blame.x", "you should have", 20).start == 5
    assert relocate(findings, "blame.x", "you ought to", 5) is None
    assert relocate(findings, "missing", "you should have", 5) is None


def test_case_hint_says_why_compose_follows_or_not():
    sure = CaseSuggestion("lost_or_delayed", 0.91, ("parcel is *late*",), {})
    assert "Compose is set to it" in case_hint(sure, 0.85, True)
    assert "0.91 reaches the preselection threshold 0.85" in case_hint(sure, 0.85, True)
    assert "parcel is \\*late\\*" in case_hint(sure, 0.85, True)
    unsure = CaseSuggestion("lost_or_delayed", 0.6, ("late",), {})
    assert "Not confident enough" in case_hint(unsure, 0.85, False)
    assert "No case evident" in case_hint(CaseSuggestion(None, 0.4, (), {}), 0.85, False)


def test_the_page_assets_ship_with_the_package():
    # (tomllib is 3.11+; the package supports 3.10, so the section is read as text.)
    package_data = (
        (ROOT / "pyproject.toml")
        .read_text(encoding="utf-8")
        .split("[tool.setuptools.package-data]", 1)[1]
    )
    for path in (ROOT / "assistant" / "data" / PAGE_ASSETS).iterdir():
        assert f'"data/{PAGE_ASSETS}/*{path.suffix}"' in package_data, path.name
    assert "export default function" in asset("editor.js")
    assert "export default function" in asset("store.js")
    assert 'class="ra-text"' in asset("editor.html")
