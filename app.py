"""Reply Assistant page: check a draft, read the customer's message, compose, curate. UI only.

Everything the page decides comes from assistant/ (the page's own logic is assistant.ui, tested
on plain values); this script lays out widgets, keeps session state and renders results, one
function per tab or section. User text is always escaped before it reaches HTML.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from assistant.compose.render import ComposeError
from assistant.core import resources
from assistant.core.categories import SEVERITIES
from assistant.core.inputs import SourceError
from assistant.core.problems import LibraryError
from assistant.core.text import InputError
from assistant.curation.false_positives import (
    AlreadyListed,
    CurationError,
    add_pending_pass_example,
    sentence_around,
)
from assistant.curation.saves import SaveConflict, SaveError, save, snapshot
from assistant.draft.readability import Targets
from assistant.engine import Engine
from assistant.evaluation.rule_examples import check_rule_examples
from assistant.library.loader import Library, collect, library_signature
from assistant.library.templates import list_case_types, list_variants
from assistant.ui.catalogue import edit_problems, editable_files, template_files
from assistant.ui.compose_form import FAULT_CHOICES, ComposeForm, compose_context, currency_choices
from assistant.ui.highlight import highlight_html
from assistant.ui.rule_counts import add_counts, count_rules, text_digest, texts_from_upload
from assistant.ui.rule_search import rule_categories, rule_families, rule_ids, rule_rows
from assistant.ui.suggestions import apply_suggestion, reportable

# Tests and shared deployments point the page at another library; the bundled one is the default.
RULES_DIR = resources.rules_dir()
TEMPLATES_DIR = resources.templates_dir()

st.set_page_config(page_title="Reply Assistant", layout="wide")

# State is initialised once, at the top, before any widget reads it.
DEFAULTS = {
    "draft": "",
    "message": "",
    "composed": "",
    "compose_notes": [],
    "compose_error": "",
    "rule_counts": {},
    "counted_drafts": [],
    "suggested_for": "",
    "edit_file": None,
    "edit_text": "",
    "edit_digest": "",
    "edit_feedback": None,
    "report_feedback": None,
    "compose_agent_name": "",
    "compose_company_name": "",
}
for key, value in DEFAULTS.items():
    if key not in st.session_state:
        st.session_state[key] = value


@st.cache_resource(show_spinner="Loading the phrase rules…")
def engine_for(rules_dir: str, templates_dir: str, signature: tuple) -> Engine:
    """One engine per saved state of the library: a curator's save builds a new one."""
    return Engine.load(rules_dir, templates_dir)


@st.cache_resource(show_spinner=False)
def library_state(rules_dir: str, templates_dir: str, signature: tuple):
    """The library and its problems, read again only when one of its files is saved."""
    return collect(Path(rules_dir), templates_dir=templates_dir)


# Shared by the tabs: findings, highlighting, readability, and the callbacks of their buttons.


def show_findings_list(text: str, findings, key_prefix: str, allow_actions: bool) -> None:
    if not findings:
        st.success("No findings: this reads well.")
        return
    for number, finding in enumerate(findings):
        with st.container(border=True):
            st.markdown(
                f"**{finding.severity.title()} · {finding.category.replace('_', ' ')}** · `{finding.rule}`"
            )
            st.text(f"“{finding.text}”")
            st.write(finding.message)
            if not allow_actions:
                for suggestion in finding.suggestions:
                    st.caption(f"Try: {suggestion}")
                continue
            for index, suggestion in enumerate(finding.suggestions):
                st.button(
                    f"Use: {suggestion}",
                    key=f"{key_prefix}_apply_{number}_{index}",
                    on_click=use_suggestion,
                    args=(key_prefix, finding.start, finding.end, suggestion),
                )
            if reportable(finding):
                st.button(
                    "Report false positive",
                    key=f"{key_prefix}_report_{number}",
                    on_click=report_false_positive,
                    args=(finding.rule, sentence_around(text, finding.start, finding.end)),
                )


def use_suggestion(state_key: str, start: int, end: int, suggestion: str) -> None:
    st.session_state[state_key] = apply_suggestion(
        st.session_state[state_key], start, end, suggestion
    )


def report_false_positive(rule_id: str, sentence: str) -> None:
    try:
        path = add_pending_pass_example(RULES_DIR, rule_id, sentence)
    except AlreadyListed as exc:
        st.session_state.report_feedback = ("info", str(exc))
    except (CurationError, SaveError, OSError) as exc:
        st.session_state.report_feedback = ("error", f"Could not record the report: {exc}")
    else:
        st.session_state.report_feedback = (
            "success",
            f"Added to {path.name} as a pending pass example of {rule_id}; a curator will fix the rule.",
        )


def count_session(text: str, findings) -> None:
    marker = text_digest(text)
    if marker in st.session_state.counted_drafts:
        return
    st.session_state.counted_drafts.append(marker)
    st.session_state.rule_counts = add_counts(st.session_state.rule_counts, findings)


def show_highlighted(test_id: str, text: str, findings) -> None:
    """The text with its findings marked; highlight_html escapes the user's text first."""
    st.markdown(
        f'<div data-testid="{test_id}" style="line-height:1.8;padding:.5rem 0">{highlight_html(text, findings)}</div>',
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
    st.text_area(
        "Customer's message",
        key="message",
        height=180,
        placeholder="Paste the customer's message to spot threats…",
    )
    message = st.session_state.message
    if engine is None or not message.strip():
        return
    try:
        scanned = engine.scan(message)
    except InputError as exc:
        st.error(str(exc))
        return
    show_highlighted("highlighted-message", message, scanned.findings)
    case = scanned.case
    # Compose is preselected only when the suggestion is confident enough to be right at
    # least 85% of the time (case_types.yml preselect_confidence, checked with eval).
    preselect = library.case_types.preselects(case)
    if case.case_type:
        evidence = ", ".join(f"“{word}”" for word in case.evidence[:5]) or "no signal"
        action = (
            "Compose is set to it."
            if preselect
            else "Not confident enough to set Compose: choose the case type there."
        )
        st.info(
            f"Likely case type: **{case.case_type.replace('_', ' ')}** "
            f"(confidence {case.confidence:.2f}); from {evidence}. {action}"
        )
    else:
        st.info("No case evident (praise or chit-chat?).")
    for finding in scanned.findings:
        st.warning(f"**{finding.category.replace('_', ' ')}**: {finding.message}")
    if scanned.route:
        st.error(f"Route this case to a {scanned.route} before replying.")
    for line in scanned.guidance:
        st.caption(line)
    # Preselect compose once per message, so an agent's own choice is not overridden on rerun.
    marker = text_digest(message)
    if st.session_state.suggested_for != marker:
        st.session_state.suggested_for = marker
        if preselect:
            st.session_state.compose_case_type = case.case_type
        st.session_state.compose_threat = bool(scanned.findings)


def draft_column(engine: Engine | None) -> None:
    st.text_area(
        "Your draft reply",
        key="draft",
        height=220,
        placeholder="Paste or type the reply you are about to send…",
    )
    feedback = st.session_state.report_feedback
    if feedback:
        show = {"success": st.success, "info": st.info}.get(feedback[0], st.error)
        show(feedback[1])
        st.session_state.report_feedback = None
    draft = st.session_state.draft
    if engine is None or not draft.strip():
        return
    try:
        result = engine.review(draft)
    except InputError as exc:
        st.error(str(exc))
        return
    count_session(draft, result.findings)
    show_highlighted("highlighted-draft", draft, result.findings)
    readability_figures(result.readability, engine.targets)
    show_findings_list(draft, result.findings, "draft", allow_actions=True)


# Compose: the form, the button, and the composed reply checked like a draft.


def compose_tab(engine: Engine | None) -> None:
    case_types = list_case_types(TEMPLATES_DIR)
    if st.session_state.get("compose_case_type") not in case_types:
        st.session_state.compose_case_type = case_types[0] if case_types else None
    left, right = st.columns(2)
    with left:
        order_fields(case_types)
    with right:
        circumstance_fields(case_types)
    st.button(
        "Compose reply",
        key="compose_button",
        on_click=compose_reply,
        args=(engine,),
        type="primary",
    )
    if st.session_state.compose_error:
        st.error(st.session_state.compose_error)
    st.text_area("Composed reply (edit freely)", key="composed", height=320)
    for note in st.session_state.compose_notes:
        st.warning(note)
    composed_check(engine)


def order_fields(case_types: list[str]) -> None:
    st.selectbox(
        "Case type",
        case_types,
        key="compose_case_type",
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
    variants = (
        list_variants(st.session_state.compose_case_type, TEMPLATES_DIR)
        if case_types
        else ["default"]
    )
    st.selectbox("Wording variant", variants, key="compose_variant")


def compose_reply(engine: Engine | None) -> None:
    state = st.session_state
    form = ComposeForm.from_state(state)
    context = compose_context(form)
    if engine is None:
        state.compose_error = "The library has problems: fix them in the Library tab first."
        return
    try:
        composed = engine.compose(form.case_type, context)
    except ComposeError as exc:
        state.compose_error = str(exc)
        return
    state.compose_error = ""
    state.composed = composed.text
    state.compose_notes = list(composed.notes)
    state.compose_checked_fault = composed.context["fault"]


def composed_check(engine: Engine | None) -> None:
    composed_text = st.session_state.composed
    if engine is None or not composed_text.strip():
        return
    try:
        checked = engine.review(
            composed_text,
            st.session_state.compose_case_type,
            fault=st.session_state.get("compose_checked_fault"),
        )
    except InputError as exc:
        st.error(str(exc))
        return
    show_highlighted("highlighted-composed", composed_text, checked.findings)
    show_findings_list(
        composed_text,
        [f for f in checked.findings if f.severity != "suggestion"],
        "composed",
        True,
    )


# Library: browse the rules and templates, run a rule's examples, edit a file, count rules.


def library_tab(engine: Engine | None, library: Library) -> None:
    rules_section(library)
    templates_section()
    examples_section(engine, library)
    edit_section()
    rule_counts_section(engine)
    st.caption(f"Severities: {', '.join(SEVERITIES)}.")


def rules_section(library: Library) -> None:
    st.subheader("Rules")
    search = st.text_input(
        "Search rules", key="library_search", placeholder="id, message or category"
    )
    filters = st.columns(2)
    chosen = filters[0].multiselect(
        "Category", rule_categories(library.rules), key="library_category"
    )
    families = filters[1].multiselect("Family", rule_families(library.rules), key="library_family")
    rows = rule_rows(library.rules, search, chosen, families)
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
        st.caption(
            "Files: "
            + ", ".join(parts)
            + f". Variants: {', '.join(list_variants(template_case, TEMPLATES_DIR))}."
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
        on_change=load_for_edit,
        args=(editable,),
        placeholder="Choose a file…",
    )
    if st.session_state.edit_file not in editable:
        return
    st.text_area("Contents", key="edit_text", height=420)
    buttons = st.columns(2)
    buttons[0].button("Validate", key="edit_validate", on_click=validate_edit, args=(editable,))
    buttons[1].button("Save", key="edit_save", on_click=save_edit, args=(editable,), type="primary")
    feedback = st.session_state.edit_feedback
    if feedback:
        kind, lines = feedback
        if kind == "success":
            st.success("\n\n".join(lines))
        else:
            st.error("Save conflict" if kind == "conflict" else "Problems")
            for line in lines:
                st.code(line, language=None)


def load_for_edit(editable: dict[str, Path]) -> None:
    choice = st.session_state.edit_file
    if choice in editable:
        loaded = snapshot(editable[choice])
        st.session_state.edit_text = loaded.text
        st.session_state.edit_digest = loaded.digest
        st.session_state.edit_feedback = None


def validate_edit(editable: dict[str, Path]) -> None:
    problems = edit_problems(
        st.session_state.edit_file, st.session_state.edit_text, editable, RULES_DIR, TEMPLATES_DIR
    )
    st.session_state.edit_feedback = (
        ("error", problems) if problems else ("success", ["Valid: ready to save."])
    )


def save_edit(editable: dict[str, Path]) -> None:
    choice = st.session_state.edit_file
    text = st.session_state.edit_text
    problems = edit_problems(choice, text, editable, RULES_DIR, TEMPLATES_DIR)
    if problems:
        st.session_state.edit_feedback = ("error", ["Not saved:", *problems])
        return
    try:
        saved = save(editable[choice], text, st.session_state.edit_digest)
    except SaveConflict as exc:
        st.session_state.edit_feedback = ("conflict", [str(exc)])
        return
    except SaveError as exc:  # a read-only file or folder, a full disk: said in words
        st.session_state.edit_feedback = ("error", ["Not saved:", str(exc)])
        return
    st.session_state.edit_digest = saved.digest
    st.session_state.edit_feedback = ("success", [f"Saved {choice}."])


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
            st.error(str(exc))
    if counts:
        chart = pd.DataFrame({"rule": list(counts), "drafts": list(counts.values())}).sort_values(
            "drafts", ascending=False
        )
        st.bar_chart(chart, x="rule", y="drafts")
        st.caption(f"Counted over {source}.")
    else:
        st.caption("No rule has fired yet in this session.")


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
        st.error("; ".join(str(p) for p in exc.problems))
        return None


def main() -> None:
    st.title("Reply Assistant")
    st.caption("Checks run on this machine: customer text never leaves it.")
    library, library_problems = library_state(
        str(RULES_DIR), str(TEMPLATES_DIR), library_signature(RULES_DIR)
    )
    engine = load_engine(library_problems)
    for notice in library.notices:
        st.caption(f"Note: {notice}.")
    check, compose, library_view = st.tabs(["Check a reply", "Compose", "Library"])
    with check:
        check_tab(engine, library)
    with compose:
        compose_tab(engine)
    with library_view:
        library_tab(engine, library)


main()
