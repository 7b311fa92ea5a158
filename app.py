"""Reply Assistant page: paste a draft, see what to change. UI only; the engine is assistant/."""

from __future__ import annotations

import streamlit as st

from assistant.highlight import highlight_html
from assistant.library import LibraryError
from assistant.pipeline import get_nlp
from assistant.review import review
from assistant.scan import scan
from assistant.text import InputError

st.set_page_config(page_title="Reply Assistant", layout="wide")

for key in ("draft", "message"):
    if key not in st.session_state:
        st.session_state[key] = ""


@st.cache_resource(show_spinner="Loading the phrase rules…")
def pipeline():
    return get_nlp()


st.title("Reply Assistant")
st.caption("Checks run on this machine: customer text never leaves it.")

try:
    nlp = pipeline()
except LibraryError as exc:
    st.error(
        "The phrase-rule library has problems:\n\n" + "\n".join(f"- `{p}`" for p in exc.problems)
    )
    st.stop()

st.text_area(
    "Customer's message",
    key="message",
    height=140,
    placeholder="Paste the customer's message to spot threats…",
)
message = st.session_state.message
if message.strip():
    try:
        scanned = scan(message, nlp=nlp)
    except InputError as exc:
        st.error(str(exc))
    else:
        st.markdown(
            f'<div data-testid="highlighted-message" style="line-height:1.7">'
            f"{highlight_html(message, scanned.findings)}</div>",
            unsafe_allow_html=True,
        )
        case = scanned.case
        if case.case_type:
            st.info(
                f"Likely case type: **{case.case_type.replace('_', ' ')}** (confidence {case.confidence:.2f})"
            )
        for finding in scanned.findings:
            st.warning(f"**{finding.category.replace('_', ' ')}**: “{finding.text}”")
        if scanned.route:
            st.error(f"Route this case to a {scanned.route} before replying.")
        for line in scanned.guidance:
            st.caption(line)

st.text_area(
    "Your draft reply",
    key="draft",
    height=220,
    placeholder="Paste or type the reply you are about to send…",
)

draft = st.session_state.draft
if draft.strip():
    try:
        result = review(draft, nlp=nlp)
    except InputError as exc:
        st.error(str(exc))
        st.stop()
    st.markdown(
        f'<div data-testid="highlighted-draft" style="line-height:1.7">{highlight_html(draft, result.findings)}</div>',
        unsafe_allow_html=True,
    )
    scores = result.readability
    cols = st.columns(4)
    cols[0].metric("Reading ease", scores.flesch_reading_ease)
    cols[1].metric("Grade", scores.grade)
    cols[2].metric("Words", scores.words)
    cols[3].metric("Sentences", scores.sentences)
    if not result.findings:
        st.success("No findings: this draft reads well.")
    for finding in result.findings:
        with st.container(border=True):
            st.markdown(
                f"**{finding.severity.title()} · {finding.category.replace('_', ' ')}** · `{finding.rule}`"
            )
            st.text(f"“{finding.text}”")
            st.write(finding.message)
            for suggestion in finding.suggestions:
                st.caption(f"Try: {suggestion}")
