"""Instructions per check, counted by valgrind's callgrind: the same figure whatever else the
machine is doing, so a change can be judged on a busy machine where timings are noise.

    .venv/bin/python benchmarks/instructions.py [--texts 150]

Loads the engine uninstrumented, warms it on 30 drafts, then counts the instructions of `review()`
over the development replies (and `scan()` over the development messages) and prints the count
per text. Needs valgrind (Debian: apt-get install valgrind).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "review": ROOT / "tests" / "data" / "dev_replies.jsonl",
    "scan": ROOT / "tests" / "data" / "dev_messages.jsonl",
}
WARM_UP = 30


def _measured(kind: str, count: int) -> None:
    """Runs inside valgrind: everything before the switch is not counted."""
    from assistant.engine import Engine

    engine = Engine.load()
    check = engine.review if kind == "review" else engine.scan
    with SETS[kind].open(encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in lines][: WARM_UP + count]
    for text in texts[:WARM_UP]:
        check(text)
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
    for text in texts[WARM_UP:]:
        check(text)


def count(kind: str, texts: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        run = subprocess.run(
            [
                "valgrind", "--tool=callgrind", "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable, __file__, "--inside", kind, "--texts", str(texts),
            ],
            capture_output=True, text=True, cwd=ROOT, check=True,
        )  # fmt: skip
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no count:\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=150, help="texts counted per kind")
    parser.add_argument("--inside", choices=sorted(SETS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        _measured(args.inside, args.texts)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    for kind in SETS:
        total = count(kind, args.texts)
        print(
            f"{kind}(): {total / args.texts / 1e6:.2f} M instructions per text ({args.texts} texts)"
        )


if __name__ == "__main__":
    main()
