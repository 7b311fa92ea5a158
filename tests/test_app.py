from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from assistant.findings import Finding
from assistant.highlight import highlight_html

APP = str(Path(__file__).resolve().parent.parent / "app.py")


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


def test_page_checks_a_pasted_draft():
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    app.text_area(key="draft").input("You should have read our email. <script>x</script>").run()
    assert not app.exception
    html = " ".join(block.value for block in app.markdown)
    assert "<mark" in html and "You should have read" in html
    assert "&lt;script&gt;" in html
    assert any("blame shifting" in block.value for block in app.markdown)


def test_page_scans_a_customer_message():
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.text_area(key="message").input("Marked delivered, nothing here. I'll sue you.").run()
    assert not app.exception
    assert any("not received delivered" in block.value for block in app.info)
    assert any("legal threat" in block.value for block in app.warning)
    assert any("human" in block.value for block in app.error)
