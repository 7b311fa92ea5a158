"""The page in a real browser: Streamlit served on localhost, driven by Playwright in Debian's Chromium.

Screenshots of each view are saved to tests/artifacts/ (README's pictures come from this test).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

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
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        process.terminate()
        pytest.fail("streamlit did not start within 90 s")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def page(server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=FLAGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1280, "height": 1100})
        page = context.new_page()
        page.goto(server, wait_until="domcontentloaded")
        page.get_by_label("Your draft reply").wait_for(timeout=90_000)
        yield page
        browser.close()


def type_into(page, label: str, text: str) -> None:
    box = page.get_by_label(label)
    box.fill(text)
    box.press("Control+Enter")  # Streamlit commits a text area on Ctrl+Enter (or blur)


def test_draft_is_highlighted_in_a_real_browser(page):
    type_into(
        page, "Your draft reply", "Thanks for writing. You should have read our email. <b>bold?</b>"
    )
    mark = page.locator('[data-testid="highlighted-draft"] mark', has_text="You should have read")
    mark.wait_for(timeout=60_000)
    assert mark.get_attribute("title") == "blame_shifting (warning)"
    # user text is escaped: the <b> shows as text, not as markup
    assert page.locator('[data-testid="highlighted-draft"] b').count() == 0
    assert "<b>bold?</b>" in page.locator('[data-testid="highlighted-draft"]').inner_text()
    page.screenshot(path=str(ARTIFACTS / "check.png"), full_page=True)


def test_other_views_render(page):
    type_into(
        page,
        "Customer's message",
        "Tracking says delivered but nothing is on my porch. I will sue you.",
    )
    page.get_by_text("Route this case to a human before replying.").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "message.png"), full_page=True)

    page.get_by_role("tab", name="Compose").click()
    type_into(page, "Your name", "Priya")
    type_into(page, "Company name", "Acme Home")
    page.get_by_role("button", name="Compose reply").click()
    page.get_by_text("I've opened a trace with the courier").first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "compose.png"), full_page=True)

    page.get_by_role("tab", name="Library").click()
    page.get_by_text("Which rules fire most").wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "library.png"), full_page=True)
