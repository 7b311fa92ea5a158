"""Speed benchmark: review() against two reference passes over the same texts.

    .venv/bin/python benchmarks/speed.py [--repeat 3]

Reports pipeline build time, review() drafts per second with p50/p99 latency, the same for drafts of
30-50 words, the spaCy tokenizer alone (the floor any spaCy design pays), one compiled regex of the
library's phrases (the fastest design that ignores context), scan() on customer messages, and the
wall time of a cold `reply-assistant check` on one short draft, `--help` and a usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPLIES = ROOT / "tests" / "data" / "dev_replies.jsonl"
MESSAGES = ROOT / "tests" / "data" / "dev_messages.jsonl"


def texts_of(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [
        json.loads(line)["text"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def timed(fn: Callable[[str], object], texts: list[str], repeat: int) -> tuple[float, list[float]]:
    """Texts per second in the best of `repeat` passes, and every per-text latency in milliseconds.

    The best pass is the figure least disturbed by other work on a shared machine (as timeit does);
    the latency percentiles keep every pass, slow ones included.
    """
    latencies: list[float] = []
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            t0 = time.perf_counter()
            fn(text)
            latencies.append((time.perf_counter() - t0) * 1000)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best, latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _token_regex(token: dict) -> str:
    """A regex for one spaCy token pattern dict: the words it accepts, or any word."""
    for attr in ("LOWER", "ORTH", "TEXT", "NORM", "LEMMA"):
        if attr in token:
            value = token[attr]
            words = value.get("IN") if isinstance(value, dict) else [value]
            if words:
                return (
                    "(?:"
                    + "|".join(re.escape(str(w)) for w in sorted(words, key=len, reverse=True))
                    + ")"
                )
    return r"\S+"


def _pattern_regex(pattern: str | Iterable[dict]) -> str:
    if isinstance(pattern, str):
        return r"\s+".join(re.escape(word) for word in pattern.split())
    parts = []
    for token in pattern:
        piece = _token_regex(token)
        op = token.get("OP", "")
        if op in ("?", "*"):
            parts.append(f"(?:\\s*{piece})?")
        elif op == "+":
            parts.append(f"(?:\\s*{piece})+")
        elif op.startswith("{"):
            parts.append(f"(?:\\s*{piece})" + op.replace("{,", "{0,"))
        else:
            parts.append(f"\\s*{piece}")
    return "".join(parts)


def library_regex(rules: Iterable) -> re.Pattern[str]:
    alternatives = [_pattern_regex(p) for rule in rules for p in rule.patterns]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")", re.IGNORECASE)


def report(name: str, rate: float, latencies: list[float]) -> str:
    return (
        f"{name:<34} {rate:>9,.0f}/s   p50 {percentile(latencies, 0.5):6.3f} ms   "
        f"p99 {percentile(latencies, 0.99):6.3f} ms"
    )


def cold_cli_seconds(*args: str, runs: int = 3) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant", *args],
            input=b"You should have read our email.",
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="passes over the texts (default 5)")
    args = parser.parse_args()

    import spacy

    from assistant.engine import Engine

    t0 = time.perf_counter()
    engine = Engine.load()  # loads and validates the library, then assembles the pipeline
    build_seconds = time.perf_counter() - t0
    replies = texts_of(REPLIES)
    words = [len(t.split()) for t in replies]
    forty = [t for t, n in zip(replies, words, strict=True) if 30 <= n <= 50]
    t0 = time.perf_counter()
    engine.review(replies[0])
    first_seconds = time.perf_counter() - t0

    print(f"pipeline build (library + spaCy pipeline): {build_seconds * 1000:.0f} ms")
    print(f"first review after the build: {first_seconds * 1000:.0f} ms")
    print(
        f"texts: {len(replies)} replies, mean {statistics.mean(words):.0f} words; {len(forty)} of 30-50 words"
    )
    print()
    rate, lat = timed(engine.review, replies, args.repeat)
    print(report("review() all replies", rate, lat))
    rate40, lat40 = timed(engine.review, forty, args.repeat)
    print(report("review() 30-50 word replies", rate40, lat40))
    tokenizer = spacy.blank("en").tokenizer
    tok_rate, tok_lat = timed(tokenizer, replies, args.repeat)
    print(report("reference: spaCy tokenizer only", tok_rate, tok_lat))
    regex = library_regex(engine.library.rules_for("draft"))
    regex_rate, regex_lat = timed(regex.findall, replies, args.repeat)
    print(report("reference: one compiled regex", regex_rate, regex_lat))
    print(f"review() / tokenizer-only throughput: {rate / tok_rate:.2f}")

    messages = texts_of(MESSAGES)
    if messages:
        scan_rate, scan_lat = timed(engine.scan, messages, args.repeat)
        print(report("scan() customer messages", scan_rate, scan_lat))

    for label, argv in (
        ("check on one draft", ("check", "-")),
        ("--help", ("--help",)),
        ("a usage error", ("check", "--format", "yaml")),
    ):
        cold = cold_cli_seconds(*argv)
        print(f"cold `reply-assistant` {label}: min {min(cold):.2f} s, max {max(cold):.2f} s")


if __name__ == "__main__":
    main()
