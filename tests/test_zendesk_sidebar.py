"""The Zendesk sidebar app as shipped in the zip, in Chromium, with a stand-in for Zendesk's ZAF SDK.

The zip is built and unpacked, its assets are served on localhost, and the SDK's address is answered
with a stub client that keeps the comment in memory and records what the app asks of Zendesk. The
service is a small stand-in on the real engine that answers CORS for the sidebar's origin, as
`reply-assistant serve --allow-origin` does. A screenshot goes to docs/screenshots/.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from browser_setup import CHROMIUM, CHROMIUM_FLAGS

from assistant.api.verdict import verdict

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
TOKEN = "sidebar-browser-test-token"
ZAF_SDK = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )

# Only what the app calls: metadata, get/set of the comment, on, invoke.
STUB_SDK = """
window.zaf = { comment: "", handlers: {}, invoked: [], sets: [], settings: window.zafSettings };
window.ZAFClient = { init() {
  const z = window.zaf;
  return {
    metadata: async () => ({ settings: z.settings }),
    get: async (path) => ({ [path]: z.comment }),
    set: async (path, value) => { z.sets.push([path, value]); z.comment = value; return { [path]: value }; },
    on: (name, handler) => {
      (z.handlers[name] = z.handlers[name] || []).push(handler);
      if (name === "app.registered") setTimeout(handler, 0);
    },
    invoke: (...args) => { z.invoked.push(args); },
  };
} };
window.zafType = (text) => { window.zaf.comment = text; window.zaf.handlers["comment.text.changed"].forEach(h => h(text)); };
window.zafSave = () => {
  window.saveOutcome = null;
  Promise.resolve(window.zaf.handlers["ticket.save"][0]()).then(
    (value) => { window.saveOutcome = { sent: value !== false }; },
    (message) => { window.saveOutcome = { sent: false, message: String(message) }; });
};
"""


def load_package() -> Any:
    spec = importlib.util.spec_from_file_location(
        "zendesk_package", ROOT / "zendesk" / "package.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Service(BaseHTTPRequestHandler):
    allowed_origin = ""

    def log_message(self, format: str, *args: object) -> None:
        return

    def cors(self) -> None:
        if self.headers.get("Origin") == self.allowed_origin:
            self.send_header("Access-Control-Allow-Origin", self.allowed_origin)
            self.send_header("Access-Control-Allow-Headers", "Authorization, Content-Type")
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Private-Network", "true")

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.cors()
        self.end_headers()

    def do_POST(self) -> None:
        from assistant.engine import shared_engine

        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            status, result = 401, {"error": "missing or wrong token", "field": "Authorization"}
        else:
            review = shared_engine().review(body["text"])
            status, result = 200, {**review.to_dict(), "verdict": verdict(review.findings)}
        data = json.dumps(result).encode()
        self.send_response(status)
        self.cors()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


def start(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("zendesk-app")
    zip_path = load_package().build(folder / "app.zip")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder / "unpacked")
    handler = functools.partial(Quiet, directory=str(folder / "unpacked"))
    server = start(ThreadingHTTPServer(("127.0.0.1", 0), handler))
    # localhost: a different origin from the service's, as the sidebar's iframe is on Zendesk.
    yield f"http://localhost:{server.server_address[1]}/assets/iframe.html"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def service(app_url) -> Iterator[ThreadingHTTPServer]:
    from assistant.engine import shared_engine

    # The first review after loading takes seconds: longer than a check may wait. It happens here.
    shared_engine().review("Warming up: Zyxwvut, you should have read it.")
    Service.allowed_origin = app_url.split("/assets/")[0]
    server = start(ThreadingHTTPServer(("127.0.0.1", 0), Service))
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def sidebar(app_url, service):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        # Zendesk's ticket sidebar is about this wide.
        context = browser.new_context(viewport={"width": 340, "height": 760})
        settings = {"service_url": f"http://127.0.0.1:{service.server_address[1]}", "token": TOKEN}
        context.add_init_script(f"window.zafSettings = {json.dumps(settings)};")
        context.route(
            ZAF_SDK,
            lambda route: route.fulfill(body=STUB_SDK, content_type="application/javascript"),
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(app_url)
        page.wait_for_function("window.zaf && window.zaf.handlers['ticket.save']")
        yield page
        browser.close()


def panel(page):
    return page.locator("[data-reply-assistant-panel] section.panel")


def findings_shown(page, count: int) -> None:
    page.wait_for_function(
        """n => {
          const root = document.querySelector('[data-reply-assistant-panel]').shadowRoot;
          return root.querySelector('section').dataset.state === 'checked'
              && root.querySelectorAll('ol.findings > li').length === n;
        }""",
        arg=count,
    )


def save(page) -> None:
    page.evaluate("window.zafSave()")


def save_outcome(page) -> dict[str, Any]:
    page.wait_for_function("window.saveOutcome !== null")
    return page.evaluate("window.saveOutcome")


def test_the_sidebar_shows_findings_of_the_rich_text_comment(sidebar):
    sidebar.evaluate(
        "window.zafType('<p>Hi Sam 🙂</p><p>You should have read the email. "
        "We&#39;re sorry for any inconvenience.</p>')"
    )
    findings_shown(sidebar, 2)
    marks = panel(sidebar).locator(".draft mark").all_inner_texts()
    assert marks == ["You should have read", "sorry for any inconvenience"]
    sidebar.screenshot(path=str(SCREENSHOTS / "extension-zendesk-sidebar.png"), full_page=True)
    assert sidebar.evaluate("window.zaf.invoked.some(call => call[0] === 'resize')")


def test_a_replacement_goes_back_through_the_client(sidebar):
    sidebar.evaluate("window.zafType('<p>Thanks. We&#39;re sorry for any inconvenience.</p>')")
    findings_shown(sidebar, 1)
    panel(sidebar).get_by_role("button", name="Replace with “sorry about this”").click()
    findings_shown(sidebar, 0)
    assert sidebar.evaluate("window.zaf.sets") == [
        ["ticket.comment.text", "<p>Thanks. We&#39;re sorry about this.</p>"]
    ]


def test_a_save_with_a_threat_waits_for_the_agent(sidebar):
    sidebar.evaluate("window.zafType('<p>If you do that again we will close your account.</p>')")
    findings_shown(sidebar, 1)
    save(sidebar)
    ask = panel(sidebar).get_by_role("alertdialog", name="Send anyway?")
    ask.get_by_role("button", name="Keep editing").click()
    outcome = save_outcome(sidebar)
    assert outcome["sent"] is False and "threat “we will close your”" in outcome["message"]

    save(sidebar)
    ask.get_by_role("button", name="Send anyway").click()
    assert save_outcome(sidebar) == {"sent": True}


def test_with_the_service_stopped_the_save_goes_through(sidebar, service):
    service.shutdown()
    service.server_close()
    sidebar.evaluate("window.zafType('<p>Do that again and we will close your account.</p>')")
    panel(sidebar).get_by_role("alert").filter(has_text="not reachable").wait_for()
    save(sidebar)
    assert save_outcome(sidebar) == {"sent": True}
    notes = sidebar.evaluate("window.zaf.invoked.filter(call => call[0] === 'notify')")
    assert notes and "sending still works" in notes[-1][1] and notes[-1][2] == "alert"
