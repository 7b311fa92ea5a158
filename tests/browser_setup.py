"""The Chromium every browser test drives, and the flags this machine needs for it.

Browsers cannot be downloaded at test time, so the tests use Debian's. Without the background-
networking flags Chromium tries Google's hosts at start, which this machine's closed network refuses.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
