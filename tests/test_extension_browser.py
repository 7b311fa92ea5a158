"""The browser extension, unpacked into Debian's Chromium, on a local page that mimics a help desk.

A small stand-in for `reply-assistant serve` answers on a free loopback port with the real engine's
results plus a verdict, so these tests do not depend on the service being built. Screenshots of the
panel go to docs/screenshots/extension-*.png.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from browser_setup import CHROMIUM, CHROMIUM_FLAGS

from assistant.api.verdict import verdict

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
SCREENSHOTS = ROOT / "docs" / "screenshots"
TOKEN = "test-token-for-the-extension"
FLAGS = [
    *CHROMIUM_FLAGS,
    f"--disable-extensions-except={EXTENSION}",
    f"--load-extension={EXTENSION}",
]

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

# Mimics Zendesk Agent Workspace's composer: a contenteditable editor and a Submit button whose own
# handler "sends" by appending the text to #sent, so a test sees whether the page really sent.
ZENDESK_LIKE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ticket #4711</title>
<style>body{font:14px system-ui;margin:20px;width:760px}
[contenteditable]{border:1px solid #999;min-height:120px;padding:8px;white-space:pre-wrap}</style></head>
<body>
<h1>Ticket #4711: parcel not here</h1>
<p>Customer: Where is my parcel? It was due on Monday.</p>
<div data-test-id="omni-composer-editor">
  <div data-test-id="omnicomposer-rich-text-ckeditor" class="ck-editor__editable" contenteditable="true"
       role="textbox" aria-label="Public reply"></div>
</div>
<button type="button" data-test-id="submit_button-button">Submit as Open</button>
<ol id="sent"></ol>
<script>
  window.lastInputAt = 0;
  document.addEventListener("input", () => { window.lastInputAt = performance.now(); }, true);
  function send() {
    const li = document.createElement("li");
    li.textContent = document.querySelector("[contenteditable]").innerText;
    document.getElementById("sent").append(li);
  }
  document.querySelector("[data-test-id=submit_button-button]").addEventListener("click", send);
  // The desk's own shortcut sends without the button, so only the extension's key guard can hold it.
  document.querySelector("[contenteditable]").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.ctrlKey) { event.preventDefault(); send(); }
  });
</script>
</body></html>
"""

GENERIC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Home-grown desk</title></head>
<body style="width:760px">
<textarea aria-label="Reply" rows="6" cols="70"></textarea>
<button type="button" id="go">Send reply</button>
<ol id="sent"></ol>
<script>
  document.getElementById("go").addEventListener("click", () => {
    const li = document.createElement("li");
    li.textContent = document.querySelector("textarea").value;
    document.getElementById("sent").append(li);
  });
</script>
</body></html>
"""

PAGES = {"/ticket": ZENDESK_LIKE, "/generic": GENERIC}
# A draft holding this makes the stand-in service answer only after the extension stopped waiting.
SLOW_MARKER = "(slow)"


# How long the extension waits for an answer (SEND_CHECK_TIMEOUT_MS in extension/lib/reply-logic.js).
SEND_CHECK_TIMEOUT_MS = 2_000


class FakeService(BaseHTTPRequestHandler):
    """`POST /v1/check` and `GET /v1/health` as the contract shapes them, on the real engine."""

    def log_message(self, format: str, *args: object) -> None:
        return

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/v1/health":
            self.reply(200, {"status": "ok"})
        else:
            self.reply(404, {"error": "no such route", "field": None})

    def do_POST(self) -> None:
        from assistant.engine import shared_engine

        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self.reply(401, {"error": "missing or wrong token", "field": "Authorization"})
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)  # type: ignore[attr-defined]
        if SLOW_MARKER in body["text"]:
            time.sleep(4)
        review = shared_engine().review(body["text"])
        result = {**review.to_dict(), "verdict": verdict(review.findings)}
        self.reply(200, result)


class PageServer(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        page = PAGES.get(self.path)
        data = (page or "not found").encode()
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(data)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # The extension hangs up on a slow answer by design; the stand-in's broken pipe is expected.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = QuietServer(("127.0.0.1", 0), handler)
    server.requests = []  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def service() -> Iterator[ThreadingHTTPServer]:
    from assistant.engine import shared_engine

    # The first review after loading takes seconds: longer than a check may wait. It happens here.
    shared_engine().review("Warming up: Zyxwvut, you should have read it.")
    server = serve(FakeService)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def pages() -> Iterator[str]:
    server = serve(PageServer)
    # localhost, not 127.0.0.1: the page's origin must differ from the service's, as a help desk's does.
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with playwright_api.sync_playwright() as instance:
        yield instance


def launch(playwright: Any, profile: Path, service_url: str) -> Any:
    """Chromium with the unpacked extension, set up through its own options page."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=FLAGS,
        viewport={"width": 1180, "height": 760},
    )
    context.set_default_timeout(15_000)
    worker = (
        context.service_workers[0]
        if context.service_workers
        else context.wait_for_event("serviceworker")
    )
    extension_id = worker.url.split("/")[2]
    options = context.new_page()
    options.goto(f"chrome-extension://{extension_id}/options.html")
    options.get_by_label("Service address").fill(service_url)
    options.get_by_label("Token").fill(TOKEN)
    options.get_by_label("Other help-desk sites").fill("http://localhost/*")
    options.get_by_role("button", name="Save").click()
    options.get_by_role("status").filter(has_text="Saved.").wait_for()
    options.close()
    return context


@pytest.fixture(scope="module")
def browser(tmp_path_factory, playwright, service, pages):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = launch(
        playwright,
        tmp_path_factory.mktemp("chromium-profile"),
        f"http://127.0.0.1:{service.server_address[1]}",
    )
    yield context
    context.close()


def open_ticket(browser, pages: str, path: str = "/ticket"):
    page = browser.new_page()
    page.goto(pages + path)
    page.locator("[data-reply-assistant-panel]").wait_for(state="attached")
    return page


def panel(page):
    return page.locator("[data-reply-assistant-panel] section.panel")


def type_draft(page, text: str, box: str = "[contenteditable]") -> None:
    editor = page.locator(box)
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    editor.press_sequentially(text, delay=2)


def wait_for_findings(page, count: int) -> None:
    page.wait_for_function(
        """n => {
          const root = document.querySelector('[data-reply-assistant-panel]').shadowRoot;
          return root.querySelector('section').dataset.state === 'checked'
              && root.querySelectorAll('ol.findings > li').length === n;
        }""",
        arg=count,
    )


def test_options_page_refuses_an_address_that_is_not_a_url(browser):
    worker = browser.service_workers[0]
    page = browser.new_page()
    page.goto(worker.url.replace("background.js", "options.html"))
    page.get_by_label("Service address").fill("127.0.0.1 port 8765")
    page.get_by_role("button", name="Save").click()
    status = page.get_by_role("status")
    status.filter(has_text="service address").wait_for()
    assert "is not a URL" in status.inner_text()
    page.close()


def test_typing_a_draft_shows_findings_marked_in_the_panel(browser, pages):
    page = open_ticket(browser, pages)
    # The emoji is two UTF-16 units but one Python code point: the mark must still fit the words.
    type_draft(page, "Hi Sam 🙂 you should have read our email. We're sorry for any inconvenience.")
    wait_for_findings(page, 2)
    marks = panel(page).locator(".draft mark")
    assert marks.all_inner_texts() == ["you should have read", "sorry for any inconvenience"]
    assert marks.first.get_attribute("title") == "blame_shifting (warning)"
    assert "2 findings (2 warnings)" in panel(page).get_by_role("status").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "extension-findings.png"))
    page.close()


def test_the_options_page_tests_the_connection(browser, service):
    worker = browser.service_workers[0]
    page = browser.new_page()
    page.goto(worker.url.replace("background.js", "options.html"))
    page.get_by_role("button", name="Test the connection").click()
    status = page.get_by_role("status")
    status.filter(has_text="answers at").wait_for()
    assert f"127.0.0.1:{service.server_address[1]}" in status.inner_text()
    page.close()


def test_draft_text_stays_text_in_the_panel(browser, pages):
    page = open_ticket(browser, pages)
    type_draft(page, '<b id="probe">bold</b> <img src=x id="probe-img"> You should have read it.')
    wait_for_findings(page, 1)
    root = page.locator("[data-reply-assistant-panel] .draft")
    assert root.locator("b, img, #probe, #probe-img").count() == 0
    assert '<b id="probe">bold</b>' in root.inner_text()
    page.close()


def test_a_replacement_is_written_into_the_reply_box(browser, pages):
    page = open_ticket(browser, pages)
    type_draft(page, "Thanks for waiting. We're sorry for any inconvenience.")
    wait_for_findings(page, 1)
    panel(page).get_by_role("button", name="Replace with “sorry about this”").click()
    wait_for_findings(page, 0)
    assert (
        page.locator("[contenteditable]").inner_text()
        == "Thanks for waiting. We're sorry about this."
    )
    page.close()


def test_findings_appear_after_the_pause_and_the_delay_is_reported(browser, pages, service):
    page = open_ticket(browser, pages)
    drafts = [
        "You should have checked the address first.",
        "That is not something we offer, sorry.",
        "We apologise for any inconvenience caused.",
        "You should have read the terms on the page.",
        "We're sorry for any inconvenience this caused.",
    ]
    delays = []
    for draft in drafts:
        type_draft(page, draft)
        delays.append(
            page.evaluate(
                """() => new Promise(resolve => {
                  const root = document.querySelector('[data-reply-assistant-panel]').shadowRoot;
                  const tick = () => {
                    const section = root.querySelector('section');
                    const draft = root.querySelector('.draft').textContent;
                    const typed = document.querySelector('[contenteditable]').innerText;
                    if (section.dataset.state === 'checked' && draft === typed) {
                      resolve(performance.now() - window.lastInputAt);
                    } else { requestAnimationFrame(tick); }
                  };
                  tick();
                })"""
            )
        )
    # The 300 ms target is a figure to report (printed, and in the README), not a timed test: a
    # busy CI machine must not fail it. What must hold is the behaviour: findings arrive before the
    # extension's own patience runs out and it would call the service slow.
    print(
        f"pause to findings, ms: {[round(d) for d in delays]}, median {statistics.median(delays):.0f}"
    )
    assert max(delays) < SEND_CHECK_TIMEOUT_MS, delays
    page.close()


def test_send_with_a_threat_asks_first(browser, pages):
    page = open_ticket(browser, pages)
    draft = "If you do that again we will close your account."
    type_draft(page, draft)
    wait_for_findings(page, 1)
    send = page.get_by_role("button", name="Submit as Open")
    send.click()
    ask = panel(page).get_by_role("alertdialog", name="Send anyway?")
    ask.wait_for()
    assert "threat “we will close your”" in ask.inner_text()
    assert page.locator("#sent li").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "extension-send-anyway.png"))

    ask.get_by_role("button", name="Keep editing").click()
    assert page.locator("#sent li").count() == 0

    send.click()
    send.click()  # a second click while the question is open must not send twice
    ask.get_by_role("button", name="Send anyway").click()
    page.locator("#sent li").wait_for()
    page.wait_for_timeout(300)
    assert page.locator("#sent li").all_inner_texts() == [draft]
    page.close()


def test_a_service_too_slow_to_answer_does_not_hold_the_send(browser, pages):
    page = open_ticket(browser, pages)
    draft = f"If you do that again we will close your account. {SLOW_MARKER}"
    type_draft(page, draft)
    page.get_by_role("button", name="Submit as Open").click()
    page.locator("#sent li").wait_for(timeout=4_000)
    assert page.locator("#sent li").all_inner_texts() == [draft]
    notice = panel(page).get_by_role("alert")
    assert "did not answer in time" in notice.inner_text()
    assert "sending still works" in notice.inner_text()
    page.close()


def test_the_send_shortcut_is_held_too(browser, pages):
    page = open_ticket(browser, pages)
    draft = "Do that once more and we will close your account."
    type_draft(page, draft)
    wait_for_findings(page, 1)
    page.keyboard.press("Control+Enter")
    ask = panel(page).get_by_role("alertdialog", name="Send anyway?")
    ask.wait_for()
    assert page.locator("#sent li").count() == 0
    ask.get_by_role("button", name="Send anyway").click()
    page.locator("#sent li").wait_for()
    assert page.locator("#sent li").all_inner_texts() == [draft]
    page.close()


def test_send_without_a_blocking_finding_goes_straight_through(browser, pages):
    page = open_ticket(browser, pages)
    draft = "I've sent a new parcel today; the tracking link follows by email."
    type_draft(page, draft)
    page.get_by_role("button", name="Submit as Open").click()  # before the pause: checked at once
    page.locator("#sent li").wait_for()
    assert page.locator("#sent li").all_inner_texts() == [draft]
    assert panel(page).get_by_role("alertdialog").is_hidden()
    page.close()


def test_generic_textarea_is_checked_and_guarded(browser, pages):
    page = open_ticket(browser, pages, "/generic")
    type_draft(page, "Do that again and we will close your account.", box="textarea")
    wait_for_findings(page, 1)
    page.get_by_role("button", name="Send reply").click()
    panel(page).get_by_role("alertdialog").wait_for()
    assert page.locator("#sent li").count() == 0
    page.close()


def test_with_the_service_stopped_the_page_still_sends_and_says_so(browser, pages, service):
    service.shutdown()
    service.server_close()
    page = open_ticket(browser, pages)
    draft = "If you do that again we will close your account."
    type_draft(page, draft)
    notice = panel(page).get_by_role("alert")
    notice.filter(has_text="not reachable").wait_for()
    assert "sending still works" in notice.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "extension-service-down.png"))
    page.get_by_role("button", name="Submit as Open").click()
    page.locator("#sent li").wait_for()
    assert page.locator("#sent li").all_inner_texts() == [draft]
    page.close()


def serve_available() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def real_service(tmp_path) -> Iterator[str]:
    """`reply-assistant serve` itself, on a free loopback port with a token of the test's own."""
    if not serve_available():
        pytest.skip("reply-assistant serve is not in this checkout yet")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environ = {**os.environ, "REPLY_ASSISTANT_TOKEN": TOKEN, "XDG_CONFIG_HOME": str(tmp_path)}
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/v1/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                tail = (tmp_path / "serve.log").read_text()[-2000:]
                raise AssertionError(f"reply-assistant serve did not start: {tail}") from None
            time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


def test_against_reply_assistant_serve(playwright, pages, real_service, tmp_path):
    context = launch(playwright, tmp_path / "profile", real_service)
    try:
        page = open_ticket(context, pages)
        draft = "Hi Sam 🙂 you should have read our email. If you do that again we will close your account."
        type_draft(page, draft)
        page.wait_for_function(
            """() => document.querySelector('[data-reply-assistant-panel]').shadowRoot
                 .querySelector('section').dataset.verdict === 'block'"""
        )
        marks = panel(page).locator(".draft mark").all_inner_texts()
        assert "you should have read" in marks
        page.get_by_role("button", name="Submit as Open").click()
        panel(page).get_by_role("alertdialog", name="Send anyway?").wait_for()
        assert page.locator("#sent li").count() == 0
    finally:
        context.close()
