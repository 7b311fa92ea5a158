"""Reply Assistant page: check a draft, read the customer's message, compose, curate. UI only.

Everything the page decides comes from assistant/ (the page's own logic is assistant.ui, tested
on plain values); this script lays out widgets, keeps session state and renders results, one
function per tab or section. User text is data, never markup: it reaches Markdown only through
markdown_literal, HTML only through html_literal (assistant/ui/safe_text.py), or st.text/st.code.
"""

from __future__ import annotations

import difflib
import math
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import streamlit as st

from assistant.compose.render import ComposeError
from assistant.core import resources
from assistant.core.categories import SEVERITIES
from assistant.core.findings import Finding
from assistant.core.inputs import SourceError
from assistant.core.problems import LibraryError
from assistant.core.text import InputError
from assistant.curation.curators import (
    CuratorsError,
    TeamSettings,
    team_settings_from_environment,
)
from assistant.curation.false_positives import AlreadyListed, CurationError, sentence_around
from assistant.curation.masking import library_words, mask_personal
from assistant.curation.report_queue import (
    AlreadyPending,
    accept_report,
    dismiss_report,
    file_report,
    queue_path,
    read_queue,
    still_fires,
)
from assistant.curation.rule_draft import RuleDraft
from assistant.curation.rule_editor import (
    RuleEditError,
    RuleProblems,
    file_text_with,
    open_rule,
    save_rule,
    validate_rule,
)
from assistant.curation.save_log import UNKNOWN_AUTHOR, SaveLogError, record_save
from assistant.curation.saves import SaveConflict, SaveError, save, snapshot
from assistant.curation.sign_in_limits import SignInLimiter
from assistant.draft.readability import Targets
from assistant.engine import Engine
from assistant.evaluation.rule_examples import check_rule_examples
from assistant.library.loader import Library, collect, library_signature
from assistant.library.templates import list_case_types, list_variants
from assistant.ui.case_hint import case_hint
from assistant.ui.catalogue import (
    TEMPLATES_PREFIX,
    edit_problems,
    editable_files,
    template_files,
)
from assistant.ui.compose_form import FAULT_CHOICES, ComposeForm, compose_context, currency_choices
from assistant.ui.finding_cards import (
    PAGE_SIZE,
    by_severity,
    card_body,
    card_title,
    findings_summary,
    is_document_level,
    shown,
)
from assistant.ui.highlight import highlight_html
from assistant.ui.page_assets import asset
from assistant.ui.page_state import (
    DRAFT_STORAGE_KEY,
    STORAGE_PREFIX,
    needs_confirmation,
    pushed,
    restorable,
)
from assistant.ui.relocate import relocate
from assistant.ui.rule_counts import add_counts, count_rules, text_digest, texts_from_upload
from assistant.ui.rule_form import FORM_FIELDS, GENERAL, draft_with, form_values, problems_by_field
from assistant.ui.rule_search import rule_categories, rule_families, rule_ids, rule_rows
from assistant.ui.safe_text import markdown_literal
from assistant.ui.suggestions import reportable

# Tests and shared deployments point the page at another library; the bundled one is the default.
RULES_DIR = resources.rules_dir()
TEMPLATES_DIR = resources.templates_dir()
# The editor re-checks this long after the agent stops typing.
DEBOUNCE_MS = 600
# Kept in the browser by the store component; the composed reply and the draft keep themselves.
STORED_NAMES = ("compose_agent_name", "compose_company_name")
# Who accepts or dismisses a report on a page that serves this machine only (no sign-in there).
LOCAL_CURATOR = "this machine"

st.set_page_config(page_title="Reply Assistant", layout="wide")

# The same definitions on every rerun: Streamlit keeps one registration and warns only on change.
EDITOR = st.components.v2.component(
    "reply_assistant_editor",
    html=asset("editor.html"),
    css=asset("editor.css"),
    js=asset("editor.js"),
)
STORE = st.components.v2.component("reply_assistant_store", js=asset("store.js"))


class CheckSettings(NamedTuple):
    """How a text was checked, so a replacement re-checks it the same way."""

    engine: Engine
    case_type: str | None
    fault: str | None


# State is initialised once, at the top, before any widget reads it.
DEFAULTS: dict[str, Any] = {
    "draft": "",
    "message": "",
    "composed": "",
    "composed_from": "",  # the composed reply as composed, to tell the agent's edits from it
    "compose_confirm": False,
    "compose_notes": [],
    "compose_error": "",
    "rule_counts": {},
    "counted_drafts": [],
    "suggested_for": "",
    "preselected_case": None,
    "edit_file": None,
    "edit_loaded": None,  # the file the editor holds, and its text as read
    "edit_loaded_text": "",
    "edit_text": "",
    "edit_digest": "",
    "edit_feedback": None,
    "edit_switch_to": None,
    "compose_agent_name": "",
    "compose_company_name": "",
    "store_ready": False,
    "report_draft": None,  # the finding being reported: {"state_key", "rule"}
    "report_sentence": "",
    "report_note": "",
    "queue_feedback": None,
    "curator": None,  # the signed-in curator's name (team mode)
    "curator_name": "",
    "curator_secret": "",
    "sign_in_feedback": "",
    "rule_loaded": None,  # the RuleDraft the rule editor opened, and its file's digest then
    "rule_digest": "",
    "rule_loaded_values": {},
    "rule_problems": {},
    "rule_feedback": None,
    "rule_switch_to": None,
    "checked_memo": {},
}
for _name in ("draft", "message", "composed"):
    DEFAULTS[f"{_name}_revision"] = 0  # bumped when the page itself changes the text
    DEFAULTS[f"{_name}_sequence"] = 0  # the editor's last send the page took
    DEFAULTS[f"{_name}_undo"] = []
    DEFAULTS[f"{_name}_shown"] = PAGE_SIZE
    DEFAULTS[f"{_name}_feedback"] = []
for key, value in DEFAULTS.items():
    if key not in st.session_state:
        st.session_state[key] = value.copy() if isinstance(value, (dict, list)) else value


@st.cache_resource(show_spinner="Loading the phrase rules…")
def engine_for(rules_dir: str, templates_dir: str, signature: tuple) -> Engine:
    """One engine per saved state of the library: a curator's save builds a new one."""
    return Engine.load(rules_dir, templates_dir)


@st.cache_resource(show_spinner=False)
def library_state(rules_dir: str, templates_dir: str, signature: tuple):
    """The library and its problems, read again only when one of its files is saved."""
    return collect(Path(rules_dir), templates_dir=templates_dir)


def memoised(kind: str, engine: Engine, text: str, *args: Any) -> Any:
    """engine.review/scan of `text`, kept for this session's last few texts: clicking "show more"
    or a tab must not check a 100,000-character draft again (about 4 s)."""
    memo: dict = st.session_state.checked_memo
    marker = (kind, id(engine), text_digest(text), args)
    if marker not in memo:
        if kind == "scan":
            memo[marker] = engine.scan(text)
        else:
            case_type, fault = args
            memo[marker] = engine.review(text, case_type, fault=fault)
        for old in list(memo)[:-6]:
            del memo[old]
    return memo[marker]


# The editors: a textarea that sends its text a moment after typing stops (assistant/data/page).


def text_editor(
    state_key: str, label: str, placeholder: str, height: int, storage_key: str | None
) -> None:
    """The editor for st.session_state[state_key]; its findings sit in the `<state_key>_results`
    container, which the editor dims while the text differs from the one they were made for."""
    EDITOR(
        key=f"{state_key}_editor",
        data={
            "text": st.session_state[state_key],
            "revision": st.session_state[f"{state_key}_revision"],
            "label": label,
            "placeholder": placeholder,
            "height": height,
            "storage_key": storage_key,
            "stale_selector": f".st-key-{state_key}_results",
            "debounce_ms": DEBOUNCE_MS,
        },
        on_text_change=partial(take_editor_text, state_key),
        height="content",
    )


def take_editor_text(state_key: str) -> None:
    """Copy the editor's latest send into the page's state (also called before acting on the
    text, so a button pressed just after typing acts on what the agent sees)."""
    component = st.session_state.get(f"{state_key}_editor") or {}
    sent = component.get("text") if hasattr(component, "get") else None
    if not isinstance(sent, dict) or not isinstance(sent.get("value"), str):
        return
    sequence = sent.get("sequence")
    if sequence != st.session_state[f"{state_key}_sequence"]:
        st.session_state[f"{state_key}_sequence"] = sequence
        st.session_state[state_key] = sent["value"]


def set_text(state_key: str, text: str) -> None:
    """The page changes the text itself: the editor takes it over at the next render."""
    st.session_state[state_key] = text
    st.session_state[f"{state_key}_revision"] += 1


# Shared by the tabs: findings, highlighting, readability, and the callbacks of their buttons.


def show_feedback(state_key: str) -> None:
    """What the last action on this text did (a replacement, an undo, a report), then forget it."""
    for kind, line in st.session_state[f"{state_key}_feedback"]:
        {"success": st.success, "info": st.info, "warning": st.warning}.get(kind, st.error)(line)
    st.session_state[f"{state_key}_feedback"] = []
    if st.session_state[f"{state_key}_undo"]:
        st.button(
            "Undo the last change", key=f"{state_key}_undo_button", on_click=undo, args=(state_key,)
        )


def show_findings_list(
    text: str, findings, state_key: str, allow_actions: bool, check: CheckSettings
) -> None:
    if not findings:
        st.success("No findings: this reads well.")
        return
    ordered = by_severity(findings)
    visible, hidden = shown(ordered, st.session_state[f"{state_key}_shown"])
    st.caption(findings_summary(ordered))
    for number, finding in enumerate(visible):
        finding_card(text, finding, number, state_key, allow_actions, check)
    if hidden:
        st.button(
            f"Show {min(PAGE_SIZE, hidden)} more ({hidden} not shown)",
            key=f"{state_key}_more",
            on_click=show_more,
            args=(state_key,),
        )


def finding_card(
    text: str,
    finding: Finding,
    number: int,
    state_key: str,
    allow_actions: bool,
    check: CheckSettings,
) -> None:
    """One compact card: severity, category and rule; the words and the reason; advice as text;
    a button per replacement (never for a check of the whole reply) and a report button."""
    # The key's ending selects the card's border colour (assistant/data/page/page.css).
    severity_key = f"{state_key}_card_{number}_severity-{finding.severity}"
    with st.container(border=True, key=severity_key):
        st.markdown(f"{card_title(finding)}  \n{card_body(finding)}")
        if finding.advice:
            st.caption("Advice: " + " · ".join(markdown_literal(line) for line in finding.advice))
        if not allow_actions:
            return
        replaceable = () if is_document_level(finding) else finding.replacements
        if not replaceable and not reportable(finding):
            return
        with st.container(horizontal=True, gap="small"):
            for index, replacement in enumerate(replaceable):
                label = f"Use “{replacement}”" if replacement else "Delete these words"
                st.button(
                    markdown_literal(label),
                    key=f"{state_key}_apply_{number}_{index}",
                    on_click=use_replacement,
                    args=(state_key, finding, replacement, check),
                )
            if reportable(finding):
                st.button(
                    "Report false positive",
                    key=f"{state_key}_report_{number}",
                    on_click=report_false_positive,
                    args=(
                        state_key,
                        finding.rule,
                        sentence_around(text, finding.start, finding.end),
                    ),
                )


def show_more(state_key: str) -> None:
    st.session_state[f"{state_key}_shown"] += PAGE_SIZE


def say(state_key: str, kind: str, line: str) -> None:
    st.session_state[f"{state_key}_feedback"].append((kind, line))


def use_replacement(
    state_key: str, shown_finding: Finding, replacement: str, check: CheckSettings
) -> None:
    """Paste a replacement over the finding as it stands in the text the agent sees now: check
    that text again, find the finding there (same rule, same words, nearest place), paste, and say
    whether the finding went and whether the new wording brought another in."""
    take_editor_text(state_key)
    engine = check.engine
    current = st.session_state[state_key]
    try:
        findings = memoised("review", engine, current, check.case_type, check.fault).findings
        finding = relocate(findings, shown_finding.rule, shown_finding.text, shown_finding.start)
        if finding is None:
            say(
                state_key,
                "warning",
                f"“{markdown_literal(shown_finding.text)}” is no longer flagged in the text: "
                "nothing was changed.",
            )
            return
        applied = engine.apply_replacement(
            current, finding, replacement, case_type=check.case_type, fault=check.fault
        )
    except (InputError, ValueError) as exc:
        say(state_key, "error", f"Could not apply the replacement: {markdown_literal(str(exc))}")
        return
    st.session_state[f"{state_key}_undo"] = pushed(st.session_state[f"{state_key}_undo"], current)
    set_text(state_key, applied.text)
    if not applied.removed:
        say(
            state_key,
            "warning",
            f"Replaced, but {markdown_literal(finding.rule)} still fires there.",
        )
    if applied.introduced:
        names = ", ".join(markdown_literal(f"{f.rule} (“{f.text}”)") for f in applied.introduced)
        say(state_key, "warning", f"Replaced, but the new wording brings in: {names}.")
    if applied.clean:
        say(
            state_key,
            "success",
            f"Replaced: {markdown_literal(finding.rule)} no longer fires there.",
        )


def undo(state_key: str) -> None:
    stack = st.session_state[f"{state_key}_undo"]
    if stack:
        set_text(state_key, stack[-1])
        st.session_state[f"{state_key}_undo"] = stack[:-1]
        say(state_key, "info", "Undone: the text is back as it was before the last change.")


def count_session(text: str, findings) -> None:
    marker = text_digest(text)
    if marker in st.session_state.counted_drafts:
        return
    st.session_state.counted_drafts.append(marker)
    st.session_state.rule_counts = add_counts(st.session_state.rule_counts, findings)


def show_highlighted(test_id: str, text: str, findings) -> None:
    """The text with its findings marked; highlight_html makes the user's text inert first.
    Without findings the editor above already shows the text as it is."""
    if not findings:
        return
    st.markdown(
        f'<div data-testid="{test_id}" style="line-height:1.8;padding:.5rem 0;'
        f'max-height:24rem;overflow:auto">{highlight_html(text, findings)}</div>',
        unsafe_allow_html=True,
    )


def readability_figures(scores, targets: Targets) -> None:
    cols = st.columns(4)
    cols[0].metric(
        "Reading ease",
        scores.flesch_reading_ease,
        help=f"Target: {targets.min_reading_ease:g} or more",
    )
    cols[1].metric("Grade", scores.grade, help=f"Target: {targets.max_grade:g} or below")
    cols[2].metric("Words", scores.words)
    cols[3].metric(
        "Sentences", scores.sentences, help=f"At most {targets.max_sentence_words} words each"
    )
    st.caption(
        f"Targets: reading ease ≥ {targets.min_reading_ease:g}, grade ≤ {targets.max_grade:g}, "
        f"sentences ≤ {targets.max_sentence_words} words."
    )


# Check a reply: the customer's message beside the draft.


def check_tab(engine: Engine | None, library: Library) -> None:
    # The customer's message sits beside the draft: read what they wrote, then check the answer.
    message_side, draft_side = st.columns(2, gap="large")
    with message_side:
        message_column(engine, library)
    with draft_side:
        draft_column(engine)


def message_column(engine: Engine | None, library: Library) -> None:
    text_editor(
        "message",
        "Customer's message",
        "Paste the customer's message to spot threats…",
        180,
        storage_key=None,  # the customer's words are not kept, even in the browser
    )
    message = st.session_state.message
    if engine is None or not message.strip():
        return
    try:
        scanned = memoised("scan", engine, message)
    except InputError as exc:
        st.error(markdown_literal(str(exc)))
        return
    with st.container(key="message_results"):
        show_highlighted("highlighted-message", message, scanned.findings)
        if scanned.stopped_early:
            st.warning("The message is long: the scan stopped early, so it may miss threats.")
        case = scanned.case
        # Compose is preselected only when the suggestion is confident enough to be right at
        # least 85% of the time (case_types.yml preselect_confidence, checked with eval).
        preselect = library.case_types.preselects(case)
        st.info(case_hint(case, library.case_types.preselect_confidence, preselect))
        for finding in scanned.findings:
            st.warning(
                f"**{markdown_literal(finding.category.replace('_', ' '))}**: "
                f"{markdown_literal(finding.message)}"
            )
        if scanned.route:
            st.error(f"Route this case to a {markdown_literal(scanned.route)} before replying.")
        for line in scanned.guidance:
            st.caption(markdown_literal(line))
    follow_message(message, case.case_type if preselect else None, bool(scanned.findings))


def follow_message(message: str, case_type: str | None, threat: bool) -> None:
    """Set Compose from a new message once, so the agent's own choice is not overridden on rerun;
    a preselection the agent left alone goes when the next message is not confident."""
    state = st.session_state
    marker = text_digest(message)
    if state.suggested_for == marker:
        return
    state.suggested_for = marker
    if case_type:
        state.compose_case_type = case_type
    elif state.preselected_case and state.get("compose_case_type") == state.preselected_case:
        state.compose_case_type = None
    state.preselected_case = case_type
    state.compose_threat = threat


def draft_column(engine: Engine | None) -> None:
    text_editor(
        "draft",
        "Your draft reply",
        "Paste or type the reply you are about to send…",
        220,
        storage_key=DRAFT_STORAGE_KEY,
    )
    show_feedback("draft")
    report_panel("draft", engine)
    draft = st.session_state.draft
    if engine is None or not draft.strip():
        return
    try:
        result = memoised("review", engine, draft, None, None)
    except InputError as exc:
        st.error(markdown_literal(str(exc)))
        return
    count_session(draft, result.findings)
    with st.container(key="draft_results"):
        if result.stopped_early:
            st.warning("The draft is long: the check stopped early, so it may miss findings.")
        show_highlighted("highlighted-draft", draft, result.findings)
        readability_figures(result.readability, engine.targets)
        show_findings_list(draft, result.findings, "draft", True, CheckSettings(engine, None, None))


# Compose: the form, the button, and the composed reply checked like a draft.


def compose_tab(engine: Engine | None) -> None:
    case_types = list_case_types(TEMPLATES_DIR)
    if st.session_state.get("compose_case_type") not in case_types:
        st.session_state.compose_case_type = None
    left, right = st.columns(2)
    with left:
        order_fields(case_types)
    with right:
        circumstance_fields(case_types)
    st.button(
        "Compose reply",
        key="compose_button",
        on_click=compose_reply,
        args=(engine, False),
        type="primary",
    )
    if st.session_state.compose_confirm:
        st.warning("You have edited the composed reply. Composing again replaces your edits.")
        with st.container(horizontal=True):
            st.button(
                "Replace my edits",
                key="compose_replace",
                on_click=compose_reply,
                args=(engine, True),
            )
            st.button("Keep my edits", key="compose_keep", on_click=keep_edits)
    if st.session_state.compose_error:
        st.error(markdown_literal(st.session_state.compose_error))
    text_editor(
        "composed",
        "Composed reply (edit freely)",
        "Compose a reply, or write one here…",
        320,
        storage_key=f"{STORAGE_PREFIX}composed",
    )
    show_feedback("composed")
    report_panel("composed", engine)
    for note in st.session_state.compose_notes:
        st.warning(markdown_literal(note))
    composed_check(engine)


def order_fields(case_types: list[str]) -> None:
    st.selectbox(
        "Case type",
        case_types,
        key="compose_case_type",
        index=None,
        placeholder="Choose a case type…",
        format_func=lambda c: c.replace("_", " "),
    )
    st.text_input("Customer first name", key="compose_customer_name")
    st.text_input("Order number", key="compose_order_number")
    st.text_input("Item", key="compose_item")
    st.number_input(
        "Amount (refund or charge)", key="compose_amount", value=None, min_value=0.0, step=1.0
    )
    st.selectbox("Currency", currency_choices(), key="compose_currency")
    st.number_input("Order value", key="compose_order_value", value=None, min_value=0.0, step=1.0)
    st.text_input("Your name", key="compose_agent_name")
    st.text_input("Company name", key="compose_company_name")


def circumstance_fields(case_types: list[str]) -> None:
    st.selectbox("Who caused it", FAULT_CHOICES, key="compose_fault")
    st.checkbox("High lifetime-value customer", key="compose_high_value")
    st.checkbox("Has written about this before", key="compose_repeat")
    st.checkbox("Earlier claims of the same kind", key="compose_prior_claims")
    st.checkbox("A threat was detected (routing only)", key="compose_threat")
    st.date_input("Needed for (event date)", key="compose_deadline", value=None)
    st.date_input("Next update to the customer", key="compose_next_update", value=None)
    case_type = st.session_state.compose_case_type
    variants = list_variants(case_type, TEMPLATES_DIR) if case_type else ["default"]
    st.selectbox("Wording variant", variants, key="compose_variant")


def keep_edits() -> None:
    st.session_state.compose_confirm = False


def compose_reply(engine: Engine | None, replace_edits: bool) -> None:
    state = st.session_state
    take_editor_text("composed")
    state.compose_confirm = False
    if engine is None:
        state.compose_error = "The library has problems: fix them in the Library tab first."
        return
    form = ComposeForm.from_state(state)
    if not form.case_type:
        state.compose_error = "Choose a case type first."
        return
    if not replace_edits and needs_confirmation(state.composed, state.composed_from):
        state.compose_confirm = True  # the agent's edits are not replaced without asking
        return
    try:
        composed = engine.compose(form.case_type, compose_context(form))
    except ComposeError as exc:
        state.compose_error = str(exc)
        return
    state.compose_error = ""
    state.composed_undo = pushed(state.composed_undo, state.composed) if state.composed else []
    set_text("composed", composed.text)
    state.composed_from = composed.text
    state.compose_notes = list(composed.notes)
    state.compose_checked_fault = composed.context["fault"]


def composed_check(engine: Engine | None) -> None:
    composed_text = st.session_state.composed
    case_type = st.session_state.compose_case_type
    if engine is None or not composed_text.strip():
        return
    fault = st.session_state.get("compose_checked_fault")
    try:
        checked = memoised("review", engine, composed_text, case_type, fault)
    except InputError as exc:
        st.error(markdown_literal(str(exc)))
        return
    with st.container(key="composed_results"):
        show_highlighted("highlighted-composed", composed_text, checked.findings)
        show_findings_list(
            composed_text,
            [f for f in checked.findings if f.severity != "suggestion"],
            "composed",
            True,
            CheckSettings(engine, case_type, fault),
        )


# The per-rule editor: a rule's fields with their problems beside them, and the file it writes.

RULE_FIELD_LABELS = {
    "message": "Message ({match} is the matched words)",
    "severity": "Severity",
    "patterns": "Patterns (one a line; a token pattern as JSON)",
    "exceptions": "Exceptions (one a line)",
    "replacements": 'Replacements (pasted over the match; "" deletes it)',
    "advice": "Advice (shown, never pasted)",
    "flag_examples": "Flag examples (text | matched words)",
    "pass_examples": "Pass examples (one a line)",
}


def rule_editor_section(library: Library) -> None:
    st.subheader("Edit a rule")
    st.selectbox(
        "Rule",
        rule_ids(library.rules),
        key="rule_edit_id",
        index=None,
        on_change=choose_rule,
        placeholder="Choose a rule…",
    )
    state = st.session_state
    if state.rule_switch_to:
        st.warning(
            f"{markdown_literal(state.rule_loaded.rule_id)} has unsaved changes: save them, or "
            f"discard them to open {markdown_literal(state.rule_switch_to)}."
        )
        with st.container(horizontal=True):
            st.button("Discard my changes", key="rule_discard", on_click=discard_rule_edit)
            st.button("Keep editing", key="rule_stay", on_click=stay_on_rule)
    draft = state.rule_loaded
    if draft is None:
        return
    refused = edit_refusal()
    problems = problems_by_field(state.rule_problems)
    form_side, yaml_side = st.columns(2, gap="large")
    with form_side:
        for field, label in RULE_FIELD_LABELS.items():
            if field == "severity":
                st.selectbox(label, SEVERITIES, key=f"rule_f_{field}", disabled=bool(refused))
            elif field == "message":
                st.text_input(label, key=f"rule_f_{field}", disabled=bool(refused))
            else:
                st.text_area(label, key=f"rule_f_{field}", height=110, disabled=bool(refused))
            for line in problems.get(field, []):
                st.error(markdown_literal(line))
        for line in problems.get(GENERAL, []):
            st.error(markdown_literal(line))
        if refused:
            st.caption(markdown_literal(refused))
        else:
            with st.container(horizontal=True):
                st.button("Check the rule", key="rule_validate", on_click=validate_rule_edit)
                st.button("Save the rule", key="rule_save", on_click=save_rule_edit, type="primary")
        feedback = state.rule_feedback
        if feedback:
            {"success": st.success, "warning": st.warning}.get(feedback[0], st.error)(
                markdown_literal(feedback[1])
            )
            if feedback[0] == "conflict":
                st.button("Reload theirs", key="rule_reload", on_click=reload_rule)
    with yaml_side:
        st.caption(f"{markdown_literal(draft.file.name)} as it would be saved:")
        edited, _ = form_draft()
        try:
            st.code(file_text_with(draft.file.read_text(encoding="utf-8"), edited), language="yaml")
        except (RuleEditError, OSError) as exc:
            st.code(str(exc), language=None)


def form_draft() -> tuple[RuleDraft, dict[str, list[str]]]:
    state = st.session_state
    values = {field: state.get(f"rule_f_{field}", "") or "" for field in FORM_FIELDS}
    return draft_with(state.rule_loaded, values)


def open_rule_edit(rule_id: str) -> None:
    state = st.session_state
    try:
        draft, taken = open_rule(RULES_DIR, rule_id)
    except (CurationError, OSError) as exc:
        state.rule_feedback = ("error", str(exc))
        return
    state.rule_loaded = draft
    state.rule_digest = taken.digest
    state.rule_loaded_values = form_values(draft)
    for field, value in state.rule_loaded_values.items():
        state[f"rule_f_{field}"] = value
    state.rule_problems = {}
    state.rule_feedback = None
    state.rule_switch_to = None
    state.rule_edit_id = rule_id


def rule_dirty() -> bool:
    state = st.session_state
    if state.rule_loaded is None:
        return False
    return any(
        state.get(f"rule_f_{field}") != value for field, value in state.rule_loaded_values.items()
    )


def choose_rule() -> None:
    state = st.session_state
    choice = state.rule_edit_id
    if choice is None:
        return
    if rule_dirty() and choice != state.rule_loaded.rule_id:
        state.rule_switch_to = choice
        state.rule_edit_id = state.rule_loaded.rule_id  # the selector stays on the open rule
        return
    open_rule_edit(choice)


def discard_rule_edit() -> None:
    if st.session_state.rule_switch_to:
        open_rule_edit(st.session_state.rule_switch_to)


def stay_on_rule() -> None:
    st.session_state.rule_switch_to = None


def reload_rule() -> None:
    open_rule_edit(st.session_state.rule_loaded.rule_id)
    st.session_state.rule_feedback = ("success", "Reloaded the saved rule.")


def validate_rule_edit() -> None:
    state = st.session_state
    draft, unreadable = form_draft()
    state.rule_problems = unreadable or validate_rule(RULES_DIR, draft, check_rule_examples)
    state.rule_feedback = None if state.rule_problems else ("success", "Valid: ready to save.")


def save_rule_edit() -> None:
    state = st.session_state
    refused = edit_refusal()  # checked again: the button may be older than a sign-out
    if refused:
        state.rule_feedback = ("error", refused)
        return
    draft, unreadable = form_draft()
    if unreadable:
        state.rule_problems = unreadable
        state.rule_feedback = ("error", "Not saved: some lines cannot be read.")
        return
    try:
        saved = save_rule(RULES_DIR, draft, state.rule_digest, check_rule_examples)
    except RuleProblems as exc:
        state.rule_problems = dict(exc.problems)
        state.rule_feedback = ("error", "Not saved: the rule has problems (shown at each field).")
        return
    except SaveConflict as exc:
        state.rule_feedback = ("conflict", f"{exc} Your edit stays in the form.")
        return
    except (CurationError, SaveError, OSError) as exc:
        state.rule_feedback = ("error", f"Not saved: {exc}")
        return
    state.rule_digest = saved.digest
    state.rule_loaded = draft
    state.rule_loaded_values = form_values(draft)
    state.rule_problems = {}
    try:
        log_save(RULES_DIR, draft.file, "save rule")
    except SaveLogError as exc:
        state.rule_feedback = ("warning", f"Saved {draft.rule_id}, but the save log failed: {exc}")
        return
    state.rule_feedback = ("success", f"Saved {draft.rule_id}.")


# Reported false positives: the agent confirms a masked sentence; curators accept or dismiss it.


def report_false_positive(state_key: str, rule_id: str, sentence: str) -> None:
    """Open the confirmation panel with the sentence masked; nothing is filed yet."""
    library, _ = library_state(str(RULES_DIR), str(TEMPLATES_DIR), library_signature(RULES_DIR))
    state = st.session_state
    state.report_draft = {"state_key": state_key, "rule": rule_id}
    # Words the rules spell are kept: masking them would hide what the rule fired on.
    state.report_sentence = mask_personal(sentence, keep=library_words(library))
    state.report_note = ""


def report_panel(state_key: str, engine: Engine | None) -> None:
    draft = st.session_state.report_draft
    if not draft or draft["state_key"] != state_key:
        return
    with st.container(border=True, key=f"{state_key}_report_panel"):
        st.markdown(f"**Report a false positive of {markdown_literal(draft['rule'])}**")
        st.caption(
            "Personal details are masked ([name], [number] …). Trim the sentence to the words "
            "that matter: it goes to the curators' queue, and a curator decides."
        )
        st.text_area("Sentence to report", key="report_sentence", height=90)
        st.text_input("Note for the curator (optional)", key="report_note")
        with st.container(horizontal=True):
            st.button(
                "File the report",
                key="report_file",
                on_click=file_false_positive,
                args=(state_key, engine),
                type="primary",
            )
            st.button("Cancel", key="report_cancel", on_click=close_report)


def close_report() -> None:
    st.session_state.report_draft = None


def file_false_positive(state_key: str, engine: Engine | None) -> None:
    state = st.session_state
    rule_id = state.report_draft["rule"]
    sentence = state.report_sentence
    try:
        if engine is not None and not still_fires(engine, rule_id, sentence):
            say(
                state_key,
                "warning",
                f"{markdown_literal(rule_id)} does not fire on the sentence as trimmed: keep "
                "the words it fired on, so the curator sees what to fix.",
            )
            return
        report = file_report(
            RULES_DIR,
            rule_id,
            sentence,
            reporter=state.curator or state.compose_agent_name or None,
            note=state.report_note or None,
        )
    except (AlreadyPending, AlreadyListed) as exc:
        say(state_key, "info", markdown_literal(str(exc)))
    except (CurationError, SaveError, OSError, InputError) as exc:
        say(state_key, "error", f"Could not file the report: {markdown_literal(str(exc))}")
        return
    else:
        say(
            state_key,
            "success",
            f"Reported {markdown_literal(rule_id)} as a false positive (report "
            f"{markdown_literal(report.id)}); a curator will look at it in the Library tab.",
        )
    close_report()


def reports_section() -> None:
    st.subheader("Reported false positives")
    queue = read_queue(RULES_DIR)
    for problem in queue.skipped:
        st.code(str(problem), language=None)
    if not queue.reports:
        st.caption("No reports are waiting.")
        return
    refused = edit_refusal()
    if refused:
        st.caption(markdown_literal(refused))
    for report in queue.reports:
        with st.container(border=True, key=f"queue_{report.id}"):
            by = f" by {markdown_literal(report.reporter)}" if report.reporter else ""
            st.markdown(
                f"**{markdown_literal(report.rule_id)}** · filed "
                f"{markdown_literal(report.filed_at)}{by}"
            )
            st.text(report.sentence)
            if report.note:
                st.caption(f"Note: {markdown_literal(report.note)}")
            if refused:
                continue
            with st.container(horizontal=True):
                st.button(
                    "Accept as a pass example",
                    key=f"queue_accept_{report.id}",
                    on_click=decide_report,
                    args=(report.id, True),
                )
                st.button(
                    "Dismiss",
                    key=f"queue_dismiss_{report.id}",
                    on_click=decide_report,
                    args=(report.id, False),
                )
    feedback = st.session_state.queue_feedback
    if feedback:
        {"success": st.success}.get(feedback[0], st.error)(feedback[1])
        st.session_state.queue_feedback = None


def decide_report(report_id: str, accept: bool) -> None:
    state = st.session_state
    if edit_refusal():  # checked again: the buttons may be older than a sign-out
        state.queue_feedback = ("error", markdown_literal(edit_refusal()))
        return
    curator = state.curator or LOCAL_CURATOR
    try:
        if accept:
            path = accept_report(RULES_DIR, report_id, curator=curator)
            log_save(RULES_DIR, path, "accept report")
            said = f"Accepted: added to {markdown_literal(path.name)} as a pending pass example."
        else:
            dismiss_report(RULES_DIR, report_id, curator=curator)
            log_save(RULES_DIR, queue_path(RULES_DIR), "dismiss report")
            said = "Dismissed: the rule is unchanged."
    except (CurationError, SaveError, SaveLogError, OSError) as exc:
        state.queue_feedback = ("error", markdown_literal(str(exc)))
        return
    state.queue_feedback = ("success", said)


# Team mode: on a team server every library edit needs a signed-in curator.


def team_settings() -> tuple[TeamSettings | None, str | None]:
    """The team settings (None on this machine only) and, when they are broken, why."""
    try:
        return team_settings_from_environment(), None
    except CuratorsError as exc:
        return None, str(exc)


def edit_refusal() -> str | None:
    """Why library edits are refused now; None when they are allowed."""
    settings, broken = team_settings()
    if broken:
        return f"Library edits are refused: team mode is misconfigured ({broken})."
    if settings is not None and not st.session_state.curator:
        return "Sign in as a curator (Library tab, top) to edit the library."
    return None


def save_log_options(root: Path) -> dict[str, Any]:
    """save()'s who= and log_root= on a team server (its saves are logged); none otherwise."""
    settings, _ = team_settings()
    if settings is None:
        return {}
    return {"who": st.session_state.curator, "log_root": root}


def log_save(root: Path, path: Path, action: str) -> None:
    """Record a library change made without save() (accepting, dismissing) on a team server."""
    options = save_log_options(root)
    if options:
        record_save(root, options["who"] or UNKNOWN_AUTHOR, path, action)


def curator_section() -> None:
    settings, broken = team_settings()
    if broken:
        st.error(
            markdown_literal(f"Team mode is misconfigured: {broken}. Library edits are refused.")
        )
        return
    if settings is None:
        return
    state = st.session_state
    if state.curator:
        with st.container(horizontal=True):
            st.caption(f"Signed in as curator {markdown_literal(state.curator)}.")
            st.button("Sign out", key="curator_sign_out", on_click=sign_out)
        return
    st.info("Team page: checking and composing are open to all; library edits need a curator.")
    with st.form("curator_form", clear_on_submit=False):
        st.text_input("Curator name", key="curator_name")
        st.text_input("Password or team token", key="curator_secret", type="password")
        st.form_submit_button("Sign in", on_click=sign_in)
    if state.sign_in_feedback:
        st.error(state.sign_in_feedback)
        state.sign_in_feedback = ""


@st.cache_resource(show_spinner=False)
def sign_in_limiter() -> SignInLimiter:
    # One for the page's process: a fresh browser session must not start a fresh count.
    return SignInLimiter()


def sign_in() -> None:
    state = st.session_state
    settings, _ = team_settings()
    name = state.curator_name.strip()
    secret = state.curator_secret
    state.curator_secret = ""  # never kept in the session
    limiter = sign_in_limiter()
    wait = limiter.wait_before_try(name)
    if wait > 0:
        state.sign_in_feedback = (
            f"Not signed in: too many failed sign-ins. Try again in {math.ceil(wait)} s."
        )
        return
    signed_in = settings is not None and settings.curators.verify(name, secret)
    limiter.record(name, success=signed_in)
    if signed_in:
        state.curator = name
    else:
        state.sign_in_feedback = "Not signed in: that name and password do not match."


def sign_out() -> None:
    st.session_state.curator = None


# Library: browse the rules and templates, run a rule's examples, edit a file, count rules.


def library_tab(engine: Engine | None, library: Library) -> None:
    curator_section()
    reports_section()
    rules_section(library)
    templates_section()
    examples_section(engine, library)
    rule_editor_section(library)
    edit_section()
    rule_counts_section(engine)
    st.caption(f"Severities: {', '.join(SEVERITIES)}.")


def rules_section(library: Library) -> None:
    st.subheader("Rules")
    search = st.text_input(
        "Search rules", key="library_search", placeholder="id, message, phrase or example"
    )
    filters = st.columns(2)
    chosen = filters[0].multiselect(
        "Category", rule_categories(library.rules), key="library_category"
    )
    families = filters[1].multiselect("Family", rule_families(library.rules), key="library_family")
    # The search covers ids, messages, phrases and examples; each row says where it was found.
    rows = rule_rows(library.rules, search, chosen, families, reasons=bool(search))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="library_table")
    st.caption(
        f"{len(rows)} of {len(library.rules)} rules; templates for {len(list_case_types(TEMPLATES_DIR))} case types."
    )


def templates_section() -> None:
    st.subheader("Templates")
    template_case = st.selectbox(
        "Case type",
        list_case_types(TEMPLATES_DIR),
        key="library_case_type",
        format_func=lambda c: c.replace("_", " "),
    )
    if template_case:
        parts = template_files(TEMPLATES_DIR, template_case)
        variants = list_variants(template_case, TEMPLATES_DIR)
        # File names are whatever a curator saved: shown as text like everything else.
        st.caption(
            f"Files: {markdown_literal(', '.join(parts))}. "
            f"Variants: {markdown_literal(', '.join(variants))}."
        )


def examples_section(engine: Engine | None, library: Library) -> None:
    st.selectbox("Run a rule's examples", rule_ids(library.rules), key="examples_rule")
    if st.button("Run examples", key="examples_run") and engine is not None:
        outcomes = check_rule_examples(engine.nlp, library.rule(st.session_state.examples_rule))
        failed = [o for o in outcomes if not o.ok]
        (st.error if failed else st.success)(
            f"{len(outcomes) - len(failed)} passed, {len(failed)} failed"
        )
        for outcome in outcomes:
            st.text(str(outcome))


def edit_section() -> None:
    st.subheader("Edit a file")
    editable = editable_files(RULES_DIR, TEMPLATES_DIR)
    st.selectbox(
        "File",
        list(editable),
        key="edit_file",
        index=None,
        on_change=choose_file,
        args=(editable,),
        placeholder="Choose a file…",
    )
    switch_to = st.session_state.edit_switch_to
    if switch_to:
        st.warning(
            f"{markdown_literal(st.session_state.edit_loaded)} has unsaved changes: save them, "
            f"or discard them to open {markdown_literal(switch_to)}."
        )
        with st.container(horizontal=True):
            st.button(
                "Discard my changes",
                key="edit_discard",
                on_click=discard_and_open,
                args=(editable,),
            )
            st.button("Keep editing", key="edit_stay", on_click=stay_on_file)
    if st.session_state.edit_loaded not in editable:
        return
    refused = edit_refusal()
    if refused:
        st.caption(markdown_literal(refused))
        st.code(st.session_state.edit_text, language=None)
        return
    st.text_area("Contents", key="edit_text", height=420)
    with st.container(horizontal=True):
        st.button("Validate", key="edit_validate", on_click=validate_edit, args=(editable,))
        st.button("Save", key="edit_save", on_click=save_edit, args=(editable,), type="primary")
    edit_feedback(editable)


def edit_feedback(editable: dict[str, Path]) -> None:
    feedback = st.session_state.edit_feedback
    if not feedback:
        return
    kind, lines = feedback
    if kind == "success":
        st.success("\n\n".join(markdown_literal(line) for line in lines))
        return
    st.error("Save conflict" if kind == "conflict" else "Problems")
    for line in lines:
        st.code(line, language=None)
    if kind != "conflict":
        return
    st.caption(
        "Your version stays in the editor. Reload theirs to start again from the saved file "
        "(your edit is lost), or copy what you need from the difference below first."
    )
    st.button("Reload theirs", key="edit_reload", on_click=reload_theirs, args=(editable,))
    path = editable[st.session_state.edit_loaded]
    theirs = snapshot(path).text
    difference = "".join(
        difflib.unified_diff(
            theirs.splitlines(keepends=True),
            st.session_state.edit_text.splitlines(keepends=True),
            "theirs",
            "mine",
        )
    )
    st.code(difference or "(no difference)", language="diff")


def open_file(name: str, editable: dict[str, Path]) -> None:
    loaded = snapshot(editable[name])
    state = st.session_state
    state.edit_loaded = name
    state.edit_loaded_text = loaded.text
    state.edit_text = loaded.text
    state.edit_digest = loaded.digest
    state.edit_feedback = None
    state.edit_switch_to = None


def choose_file(editable: dict[str, Path]) -> None:
    """Open the chosen file, unless that would throw away an unsaved edit of the open one."""
    state = st.session_state
    choice = state.edit_file
    if choice not in editable:
        return
    dirty = state.edit_loaded in editable and state.edit_text != state.edit_loaded_text
    if dirty and choice != state.edit_loaded:
        state.edit_switch_to = choice
        state.edit_file = state.edit_loaded  # the selector stays on the file being edited
        return
    open_file(choice, editable)


def discard_and_open(editable: dict[str, Path]) -> None:
    choice = st.session_state.edit_switch_to
    if choice in editable:
        st.session_state.edit_file = choice
        open_file(choice, editable)


def stay_on_file() -> None:
    st.session_state.edit_switch_to = None


def reload_theirs(editable: dict[str, Path]) -> None:
    open_file(st.session_state.edit_loaded, editable)
    st.session_state.edit_feedback = ("success", ["Reloaded the saved version."])


def validate_edit(editable: dict[str, Path]) -> None:
    problems = edit_problems(
        st.session_state.edit_loaded, st.session_state.edit_text, editable, RULES_DIR, TEMPLATES_DIR
    )
    st.session_state.edit_feedback = (
        ("error", problems) if problems else ("success", ["Valid: ready to save."])
    )


def library_root(name: str) -> Path:
    return TEMPLATES_DIR if name.startswith(TEMPLATES_PREFIX) else RULES_DIR


def save_edit(editable: dict[str, Path]) -> None:
    state = st.session_state
    refused = edit_refusal()  # checked again: the button may be older than a sign-out
    if refused:
        state.edit_feedback = ("error", [refused])
        return
    choice = state.edit_loaded
    text = state.edit_text
    problems = edit_problems(choice, text, editable, RULES_DIR, TEMPLATES_DIR)
    if problems:
        state.edit_feedback = ("error", ["Not saved:", *problems])
        return
    try:
        saved = save(
            editable[choice], text, state.edit_digest, **save_log_options(library_root(choice))
        )
    except SaveConflict as exc:
        state.edit_feedback = ("conflict", [str(exc)])
        return
    except SaveError as exc:  # a read-only file or folder, a full disk: said in words
        state.edit_feedback = ("error", ["Not saved:", str(exc)])
        return
    except SaveLogError as exc:  # written, but not logged: the curator must know both
        state.edit_digest = snapshot(editable[choice]).digest
        state.edit_loaded_text = text
        state.edit_feedback = ("error", [f"Saved {choice}, but the save log failed:", str(exc)])
        return
    state.edit_digest = saved.digest
    state.edit_loaded_text = text
    state.edit_feedback = ("success", [f"Saved {choice}."])


def rule_counts_section(engine: Engine | None) -> None:
    st.subheader("Which rules fire most")
    upload = st.file_uploader(
        "Drafts to analyse (one per line, or JSONL with a text field)", key="drafts_upload"
    )
    counts = dict(st.session_state.rule_counts)
    source = "the drafts checked in this session"
    if upload is not None and engine is not None:
        try:
            texts = texts_from_upload(upload.getvalue(), upload.name)
            counts = dict(count_rules(engine.review(text).findings for text in texts))
            source = f"{len(texts)} drafts in {upload.name}"
        except (SourceError, InputError) as exc:
            st.error(markdown_literal(str(exc)))
    if counts:
        chart = pd.DataFrame({"rule": list(counts), "drafts": list(counts.values())}).sort_values(
            "drafts", ascending=False
        )
        st.bar_chart(chart, x="rule", y="drafts")
        st.caption(f"Counted over {markdown_literal(source)}.")
    else:
        st.caption("No rule has fired yet in this session.")


# The browser's store: the agent's name and company survive a reload (the editors keep their own).


def browser_store() -> None:
    state = st.session_state
    STORE(
        key="browser_store",
        data={
            "prefix": STORAGE_PREFIX,
            "names": list(STORED_NAMES),
            "values": {name: state.get(name) or "" for name in STORED_NAMES},
            "ready": state.store_ready,
        },
        on_restored_change=restore_fields,
        height=0,
    )


def restore_fields() -> None:
    state = st.session_state
    sent = (state.get("browser_store") or {}).get("restored")
    values = sent.get("values") if isinstance(sent, dict) else None
    for name, value in restorable(values, state, STORED_NAMES).items():
        state[name] = value
    state.store_ready = True


# The page: the library is read first, so every tab sees the same one.


def load_engine(library_problems) -> Engine | None:
    """The engine of a library without problems; None (and the problems shown) otherwise."""
    if library_problems:
        st.error("The phrase-rule library has problems; fix them in the Library tab:")
        for problem in library_problems:
            st.code(str(problem), language=None)
        return None
    try:
        return engine_for(str(RULES_DIR), str(TEMPLATES_DIR), library_signature(RULES_DIR))
    except LibraryError as exc:  # the files changed between the two reads
        st.error("; ".join(markdown_literal(str(p)) for p in exc.problems))
        return None


def main() -> None:
    st.markdown(f"<style>{asset('page.css')}</style>", unsafe_allow_html=True)
    st.title("Reply Assistant")
    st.caption("Checks run on this machine: customer text never leaves it.")
    library, library_problems = library_state(
        str(RULES_DIR), str(TEMPLATES_DIR), library_signature(RULES_DIR)
    )
    engine = load_engine(library_problems)
    for notice in library.notices:
        st.caption(f"Note: {markdown_literal(str(notice))}.")
    check, compose, library_view = st.tabs(["Check a reply", "Compose", "Library"])
    with check:
        check_tab(engine, library)
    with compose:
        compose_tab(engine)
    with library_view:
        library_tab(engine, library)
    browser_store()


main()
