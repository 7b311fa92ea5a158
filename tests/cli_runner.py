"""Run the CLI in this process, as tests need it: through main(argv), with its own streams."""

from __future__ import annotations

import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.cli.main import main


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str | bytes = b"", cwd: Path | None = None) -> CliResult:
    """`reply-assistant ARGS` run in this process through main(argv): the same code path as the
    console script without a new interpreter and pipeline per call (tests/test_cli.py keeps real
    subprocess runs for the entry points themselves)."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    out, err = io.BytesIO(), io.BytesIO()
    streams = (sys.stdin, sys.stdout, sys.stderr)
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    before = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: usage errors, --help, --version
            code = exc.code if isinstance(exc.code, int) else 2
        sys.stdout.flush()
        sys.stderr.flush()
        # Read before the wrappers go: closing a wrapper closes the buffer under it.
        written = out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")
    finally:
        os.chdir(before)
        sys.stdin, sys.stdout, sys.stderr = streams
    return CliResult(code, *written)
