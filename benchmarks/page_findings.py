"""Page benchmark: how long the Check tab takes to show a 100,000-character draft with many findings.

    .venv/bin/python benchmarks/page_findings.py [--repeat 3]

Drives app.py with Streamlit's AppTest (no browser) and reports, best of `--repeat`:
the check and first render, a rerun that renders the same findings again (the check is kept for
the session, as when the agent opens "show more" or another tab), and "show more" itself. The page
shows 50 finding cards at a time; rendering every card made this draft take 38 s.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from assistant.core.text import MAX_TEXT_CHARS

ROOT = Path(__file__).resolve().parent.parent
# Sentences written for this benchmark: each trips a phrase rule, so the draft has >1,000 findings.
SENTENCES = (
    "You should have read the email we sent you last week. ",
    "We're sorry for any inconvenience this may have caused. ",
    "Unfortunately there is nothing more we can do about it. ",
    "You're lucky we had one left in the warehouse. ",
)


def long_draft(limit: int = MAX_TEXT_CHARS) -> str:
    text = ""
    while True:
        for sentence in SENTENCES:
            if len(text) + len(sentence) > limit:
                return text
            text += sentence


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def one_pass(draft: str) -> dict[str, float]:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    app.run()
    app.session_state["draft"] = draft
    figures = {"check and first render": timed(app.run)}
    if app.exception:
        raise SystemExit(f"the page failed: {app.exception}")
    figures["render again (check kept)"] = timed(app.run)
    figures["show 50 more"] = timed(app.button(key="draft_more").click().run)
    summary = next(c.value for c in app.caption if "most severe first" in c.value)
    figures["findings"] = int(summary.split()[0])
    figures["cards shown"] = sum(1 for b in app.button if (b.key or "").startswith("draft_report_"))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    draft = long_draft()
    passes = [one_pass(draft) for _ in range(args.repeat)]
    print(f"draft: {len(draft):,} characters; best of {args.repeat} passes")
    for name in passes[0]:
        best = min(p[name] for p in passes)
        print(
            f"  {name}: {best:.0f}"
            if name in ("cards shown", "findings")
            else f"  {name}: {best:.2f} s"
        )


if __name__ == "__main__":
    main()
