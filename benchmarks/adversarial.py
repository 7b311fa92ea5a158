"""Adversarial benchmark: the time of each hostile text shape, and memory over a long batch.

    .venv/bin/python benchmarks/adversarial.py [--lines 100000]

Shapes, each at the size limit (100,000 characters): runs of `!`, `'`, `(` and emoji; one sentence of
100,000 characters; a draft dense with findings; a quote-heavy message; a pattern with an unbounded
wildcard on a long text. Then `check --jsonl` over N lines with a unique token each (and N/10 lines),
reporting the peak memory of each run and when the first result came out.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

LIMIT = 100_000


def shapes() -> dict[str, str]:
    return {
        "100,000 '!'": "!" * LIMIT,
        "100,000 apostrophes": "'" * LIMIT,
        "100,000 '('": "(" * LIMIT,
        "50,000 emoji (100,000 UTF-16 units)": "😀" * (LIMIT // 2),
        "one sentence of 100,000 characters": ("you should have read it and " * 3_600)[:LIMIT],
        "dense findings": ("You should have read our email. Sorry for any inconvenience. " * 1_700)[
            :LIMIT
        ],
        "quotes and reported speech": ('you said "you should have read it" ' * 3_000)[:LIMIT],
        "one word repeated, no spaces": ("refund" * (LIMIT // 6))[:LIMIT],
    }


def time_shapes() -> None:
    from assistant.engine import Engine

    engine = Engine.load()
    for name, text in shapes().items():
        started = time.perf_counter()
        review = engine.review(text)
        reviewed = time.perf_counter() - started
        started = time.perf_counter()
        engine.scan(text)
        scanned = time.perf_counter() - started
        note = " (stopped early)" if review.stopped_early else ""
        print(f"{name:<40} review {reviewed:6.2f} s{note}   scan {scanned:6.2f} s")
    time_wildcard()


def time_wildcard() -> None:
    """A pattern with one unbounded wildcard (the most validation allows) on a long text."""
    from assistant.engine import Engine

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shipped = Engine.load().rules_dir
        for name in ("words.yml", "destinations.yml"):
            (root / name).write_text((shipped / name).read_text("utf-8"), encoding="utf-8")
        (root / "wild.yml").write_text(
            textwrap.dedent(
                """\
                family: wild
                category: blame_shifting
                rules:
                  - id: wild.star
                    severity: warning
                    message: "m"
                    patterns: [[{LOWER: you}, {OP: "*"}, {LOWER: read}]]
                    examples: {flag: ["you never read"], pass: ["we read"]}
                """
            ),
            encoding="utf-8",
        )
        engine = Engine.load(root)
        for words in (121, 5_000, 15_000):
            text = " ".join(["you"] * words)
            started = time.perf_counter()
            result = engine.review(text)
            note = " (stopped early)" if result.stopped_early else ""
            print(
                f"{f'one-wildcard pattern, {words:,} tokens':<40} review "
                f"{time.perf_counter() - started:6.2f} s{note}"
            )


def batch(lines: int) -> tuple[float, float, int]:
    """(seconds to the first result, total seconds, peak memory in MB) of `check --jsonl`."""
    command = [sys.executable, "-m", "assistant", "check", "--jsonl", "--fail-on", "never"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    first = 0.0
    process.stdin.write(_line(0))
    process.stdin.flush()
    process.stdout.readline()
    first = time.perf_counter() - started
    # Written from a thread: the results stream back meanwhile, and a full output pipe would
    # otherwise stop the writer and the tool in turn.
    feeder = threading.Thread(target=_feed, args=(process.stdin, lines))
    feeder.start()
    for _ in process.stdout:
        pass
    feeder.join()
    process.wait()
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return first, total, peak


def _feed(stdin, lines: int) -> None:
    for number in range(1, lines):
        stdin.write(_line(number))
    stdin.close()


def _line(number: int) -> bytes:
    record = {"id": number, "text": f"Hi zz{number:07d}q, you should have read our email."}
    return (json.dumps(record) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="batch length (default 100,000)")
    args = parser.parse_args()
    time_shapes()
    for lines in (args.lines // 10, args.lines):
        first, total, peak = batch(lines)
        print(
            f"check --jsonl, {lines:,} unique-token lines: first result after {first:.2f} s, "
            f"{total:.0f} s in all, peak memory so far {peak} MB"
        )


if __name__ == "__main__":
    main()
