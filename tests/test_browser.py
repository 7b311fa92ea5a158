"""The page in a real browser: Streamlit served on localhost, driven by Playwright in Debian's Chromium.

Every request the page makes is routed through the test and must go to this machine. Screenshots of
each view are saved to docs/screenshots/ (the README's pictures come from this test).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from browser_setup import CHROMIUM, CHROMIUM_FLAGS
from page_fixtures import PROBE_FAMILY

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Typed into the message and the draft: none of it may become a link, emphasis or an element.
PROBES = (
    '[Twitter](https://evil.example/login) *tilted* <b id="probe-tag">bold?</b> '
    "<img id=probe-img src=x> https://evil.example/bare"
)

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("page")
    shutil.copytree(ROOT / "phrase_rules", work / "phrase_rules")
    shutil.copytree(ROOT / "templates", work / "templates")
    (work / "phrase_rules" / "draft" / "probe.yml").write_text(PROBE_FAMILY, encoding="utf-8")
    port = free_port()
    env = {
        **os.environ,
        "REPLY_ASSISTANT_RULES_DIR": str(work / "phrase_rules"),
        "REPLY_ASSISTANT_TEMPLATES_DIR": str(work / "templates"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        process.terminate()
        pytest.fail("streamlit did not start within 60 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def hosts() -> set[str]:
    """Every host the page asked for during the module's session."""
    return set()


@pytest.fixture(scope="module")
def page(server, hosts):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1280, "height": 1100})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)

        def route(route, request) -> None:
            host = urllib.parse.urlsplit(request.url).hostname or ""
            if request.url.startswith(("data:", "blob:")):
                route.continue_()
                return
            hosts.add(host)
            # Anything else is refused, so a leak fails the test instead of reaching the network.
            route.continue_() if host in LOCAL_HOSTS else route.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(server, wait_until="domcontentloaded")
        editor(page, "Your draft reply").wait_for(timeout=60_000)
        yield page
        browser.close()


def editor(page, label: str):
    return page.get_by_role("textbox", name=label, exact=True)


def type_into(page, label: str, text: str) -> None:
    """Type as an agent does and stop: the editor re-checks a moment later, with no Ctrl+Enter."""
    box = editor(page, label)
    box.fill("")
    box.press_sequentially(text[:12], delay=5)
    box.evaluate(
        "(el, rest) => { el.value += rest; el.dispatchEvent(new Event('input')); }", text[12:]
    )


def assert_no_markup(page, test_id: str) -> None:
    block = page.locator(f'[data-testid="{test_id}"]')
    block.wait_for()
    assert page.locator('a[href*="evil.example"]').count() == 0
    assert page.locator("#probe-tag, #probe-img").count() == 0
    assert block.locator("em, b, img, a").count() == 0
    assert "*tilted*" in block.inner_text() and '<b id="probe-tag">' in block.inner_text()


def test_draft_rechecks_after_typing_and_shows_probes_as_text(page):
    type_into(
        page, "Your draft reply", f"Thanks for writing. You should have read our email. {PROBES}"
    )
    mark = page.locator('[data-testid="highlighted-draft"] mark', has_text="You should have read")
    mark.wait_for(timeout=60_000)
    assert mark.get_attribute("title") == "blame_shifting (warning)"
    assert_no_markup(page, "highlighted-draft")
    page.screenshot(path=str(SCREENSHOTS / "check.png"), full_page=True)


def test_findings_are_marked_stale_while_the_text_changes(page):
    box = editor(page, "Your draft reply")
    box.press("End")
    box.press_sequentially(" More", delay=5)
    status = page.get_by_role("status").filter(has_text="out of date").first
    status.wait_for()
    assert page.locator(".st-key-draft_results[data-stale='true']").count() == 1
    page.get_by_role("status").filter(has_text="Checked").first.wait_for(timeout=30_000)
    assert page.locator(".st-key-draft_results[data-stale='true']").count() == 0


def test_apply_a_replacement_and_undo_it(page):
    original = "Well, that is the way the cookie crumbles. Your refund is on its way."
    type_into(page, "Your draft reply", original)
    button = page.get_by_role("button", name="Use “here is what I can do”")
    button.wait_for(timeout=60_000)
    button.click()
    box = editor(page, "Your draft reply")
    page.wait_for_function(
        "el => el.value.startsWith('Well, here is what I can do.')", arg=box.element_handle()
    )
    page.get_by_text("no longer fires there").wait_for()
    page.get_by_role("button", name="Undo the last change").click()
    page.wait_for_function(
        "([el, text]) => el.value === text", arg=[box.element_handle(), original]
    )


def test_reload_keeps_the_draft(page):
    text = "Hello Sam, your parcel left us today. You should have read our email."
    type_into(page, "Your draft reply", text)
    page.locator(
        '[data-testid="highlighted-draft"] mark', has_text="You should have read"
    ).wait_for()
    page.reload(wait_until="domcontentloaded")
    box = editor(page, "Your draft reply")
    box.wait_for(timeout=60_000)
    page.wait_for_function("([el, text]) => el.value === text", arg=[box.element_handle(), text])
    # The page has it too (the editor sent it back): its findings are shown again.
    page.locator(
        '[data-testid="highlighted-draft"] mark', has_text="You should have read"
    ).wait_for()


def test_message_probes_render_as_text(page):
    type_into(
        page,
        "Customer's message",
        f"Tracking says delivered but nothing is on my porch. {PROBES} I will sue you.",
    )
    page.get_by_text("Route this case to a human before replying.").wait_for(timeout=60_000)
    assert_no_markup(page, "highlighted-message")
    page.screenshot(path=str(SCREENSHOTS / "message.png"), full_page=True)


def test_report_a_false_positive_masked(page):
    page.get_by_role("tab", name="Check a reply").click()
    type_into(page, "Your draft reply", "Hi Dana, honestly, you're lucky we still had one.")
    page.locator('[data-testid="highlighted-draft"] mark', has_text="lucky").wait_for()
    page.get_by_role("button", name="Report false positive").first.click()
    sentence = page.get_by_label("Sentence to report")
    sentence.wait_for()
    assert "Dana" not in sentence.input_value() and "you're lucky" in sentence.input_value()
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    page.get_by_role("button", name="File the report").click()
    page.get_by_text("a curator will look at it in the Library tab").wait_for()


def test_other_views_render(page):
    page.get_by_role("tab", name="Compose").click()
    for label, value in (("Your name", "Priya"), ("Company name", "Acme Home")):
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Enter")
    page.get_by_role("button", name="Compose reply").click()
    composed = editor(page, "Composed reply (edit freely)")
    page.wait_for_function(
        'el => el.value.includes("I\'ve opened a trace with the courier")',
        arg=composed.element_handle(),
    )
    page.get_by_text("No findings: this reads well.").wait_for()
    tall_screenshot(page, "compose.png")

    page.get_by_role("tab", name="Library").click()
    page.get_by_text("Which rules fire most").wait_for(timeout=60_000)
    page.get_by_role("button", name="Accept as a pass example").wait_for()  # the queued report
    tall_screenshot(page, "library.png")

    rule = page.get_by_role("combobox", name="Rule", exact=True)
    rule.click()
    rule.fill("favour.lucky")
    rule.press("Enter")
    page.get_by_role("button", name="Save the rule").wait_for()
    page.get_by_role("heading", name="Edit a rule").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "rule_editor.png"))


def tall_screenshot(page, name: str, height: int = 2400) -> None:
    """Streamlit scrolls inside its own container, so a full-page shot is one viewport: grow it."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / name))
    page.set_viewport_size(size)


def test_copy_puts_the_composed_reply_on_the_clipboard(page):
    page.get_by_role("tab", name="Compose").click()
    box = editor(page, "Composed reply (edit freely)")
    composed = box.input_value()
    assert "Priya" in composed
    box.locator("xpath=..").get_by_role("button", name="Copy text").click()
    page.get_by_role("status").filter(has_text="Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == composed


def test_reload_keeps_the_composed_reply_and_the_agents_names(page):
    page.get_by_role("tab", name="Compose").click()
    composed = editor(page, "Composed reply (edit freely)").input_value()
    page.reload(wait_until="domcontentloaded")
    page.get_by_role("tab", name="Compose").click()
    box = editor(page, "Composed reply (edit freely)")
    box.wait_for(timeout=60_000)
    page.wait_for_function(
        "([el, text]) => el.value === text", arg=[box.element_handle(), composed]
    )
    for label, value in (("Your name", "Priya"), ("Company name", "Acme Home")):
        field = page.get_by_label(label, exact=True)
        page.wait_for_function("([el, v]) => el.value === v", arg=[field.element_handle(), value])


def test_no_request_left_the_machine(page, hosts):
    assert hosts, "the route saw the page's requests"
    assert hosts <= LOCAL_HOSTS, f"requests to {sorted(hosts - LOCAL_HOSTS)}"
