"""No markup from users: Markdown and HTML probes typed into every input render as plain text.

The page's Markdown is rendered here with markdown-it (CommonMark, raw HTML on, as Streamlit's
unsafe_allow_html is); GFM's bare-URL links, Streamlit's `:colour[…]` directives and `$maths$` are
not in markdown-it, so the sources are also checked for those spelled out unescaped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from assistant.ui.highlight import highlight_html
from assistant.ui.safe_text import html_literal, markdown_literal

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")

# Each probe, if it were read as markup, would leave a trace the checks below look for.
PROBES = (
    "[Twitter](https://evil.example/login) *tilted* _leaning_ **heavy** `ticked`"
    ' <b id="probe-tag">bold?</b> <img src=x onerror=alert(1)> <script>alert(2)</script>'
    " https://evil.example/bare www.evil.example probe@evil.example :violet[painted] $x^2$"
    " <https://evil.example/angle> ![pic](https://evil.example/p.png)"
)
RENDER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def markup_traces(source: str) -> list[str]:
    """What in `source` would render as a link, emphasis, an element or a directive. The page
    itself never renders links, italics, images, scripts or <b>, so any of those is a probe's."""
    rendered = RENDER.render(source)
    traces = [f"<{tag}>" for tag in re.findall(r"<(a|em|img|script|b)\b", rendered)]
    traces += re.findall(r"<strong>heavy</strong>|<code>ticked</code>", rendered)
    traces += [
        f"unescaped {needle}"
        for needle in ("https://evil", "www.evil", "probe@evil", ":violet[", "$x^2$")
        if needle in source
    ]
    return traces


def test_markdown_literal_disarms_every_probe():
    assert markup_traces(markdown_literal(PROBES)) == []
    assert re.sub(r"\\(.)", r"\1", markdown_literal(PROBES)) == PROBES


def test_markdown_literal_keeps_one_line():
    assert markdown_literal("one\n\n    two\r\rthree") == "one two three"


def test_html_literal_is_text_to_html_and_markdown_alike():
    assert markup_traces(f"<div>{html_literal(PROBES)}</div>") == []
    # A blank line written with CR alone would end the HTML block: none survives.
    assert "\r" not in html_literal("a\r\rb") and html_literal("a\r\rb") == "a<br><br>b"


def test_highlight_html_carries_no_probe_markup():
    assert markup_traces(f"<div>{highlight_html(PROBES, [])}</div>") == []


def page_traces(app: AppTest) -> list[str]:
    """Markup traces in every element the page rendered as Markdown (bodies and labels)."""
    traces = [
        f"{kind}: {trace}"
        for kind in ("markdown", "caption", "info", "warning", "error", "success")
        for element in getattr(app, kind)
        for trace in markup_traces(element.value)
    ]
    return traces + [f"button: {t}" for b in app.button for t in markup_traces(b.label)]


def started() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    app.run()
    assert not app.exception
    return app


def probe_rule(rules: Path) -> None:
    """A curator's rule whose message and advice carry the probes (library text is shown too)."""
    (rules / "draft" / "probe.yml").write_text(
        "family: probe\ncategory: stonewalling\ndescription: A test family.\nrules:\n"
        "  - id: probe.crumbles\n    severity: error\n"
        # A JSON string is a YAML string: the probes' quotes and colons stay text.
        f"    message: {json.dumps('“{match}” ' + PROBES)}\n"
        f"    advice: [{json.dumps(PROBES)}]\n"
        '    patterns: ["the cookie crumbles"]\n'
        "    examples:\n"
        '      flag: [{text: "That is how the cookie crumbles.", match: "the cookie crumbles"}]\n'
        '      pass: [{text: "The cookie jar is empty."}]\n',
        encoding="utf-8",
    )


def test_probes_in_message_and_draft_render_as_text(library_copy):
    rules, _ = library_copy
    probe_rule(rules)
    app = started()
    # Threats whose spans hold markup, so the advice boxes quote it; probes around them.
    app.session_state["message"] = (
        f"Tracking says delivered. I will post a *terrible* review about you. {PROBES} "
        f"I'll post this all over [Twitter](https://evil.example/login) today. {PROBES}"
    )
    app.session_state["draft"] = (
        f"You should have read our email. That is how the cookie crumbles. {PROBES}"
    )
    app.run()
    assert not app.exception
    assert app.warning, "the threat's advice box is shown"
    assert any("blame" in block.value for block in app.markdown), "a finding card is shown"
    assert page_traces(app) == []


def test_probes_in_compose_fields_render_as_text(library_copy):
    app = started()
    app.selectbox(key="compose_case_type").set_value("defective_or_damaged").run()
    for key in ("compose_customer_name", "compose_item", "compose_order_number"):
        app.text_input(key=key).input(PROBES).run()
    app.text_input(key="compose_agent_name").input(PROBES).run()
    app.text_input(key="compose_company_name").input(PROBES).run()
    app.button(key="compose_button").click().run()
    assert not app.exception
    assert "evil.example" in app.session_state.composed
    assert page_traces(app) == []


def test_probes_in_a_library_edit_render_as_text(library_copy):
    _, templates = library_copy
    app = started()
    app.selectbox(key="edit_file").set_value("templates/other/opening.txt").run()
    app.text_area(key="edit_text").input(f"Thanks for writing. {PROBES}\n").run()
    app.button(key="edit_save").click().run()
    assert not app.exception
    assert PROBES in (templates / "other" / "opening.txt").read_text(encoding="utf-8")
    # A broken edit echoes the file's text back in its problems: still text.
    app.selectbox(key="edit_file").set_value("phrase_rules/draft/favour.yml").run()
    app.text_area(key="edit_text").input(f"rules: [{PROBES}").run()
    app.button(key="edit_save").click().run()
    assert not app.exception
    assert page_traces(app) == []
    # The saved template now reaches a composed reply.
    app.selectbox(key="compose_case_type").set_value("other").run()
    app.text_input(key="compose_agent_name").input("Priya").run()
    app.text_input(key="compose_company_name").input("Acme Home").run()
    app.button(key="compose_button").click().run()
    assert "evil.example" in app.session_state.composed
    assert page_traces(app) == []
