"""How every command runs: one text or a JSONL batch, exit codes, and errors as one clear line."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from assistant.cli.output import visible
from assistant.core import resources
from assistant.core.categories import SEVERITIES, severity_rank
from assistant.core.findings import Finding
from assistant.core.inputs import (
    BatchError,
    BatchItem,
    SourceError,
    decode,
    lines_of,
    open_binary,
    read_batch,
    read_bytes,
    shown_name,
    summary_of,
)
from assistant.core.problems import LibraryError
from assistant.core.text import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# sysexits.h EX_SOFTWARE: a bug in the tool, never to be mistaken for findings (1) or bad input (2).
EXIT_SOFTWARE = 70
# 128 + SIGINT, as shells report a command stopped by Ctrl+C.
EXIT_INTERRUPTED = 130
FAIL_ON_CHOICES = (*SEVERITIES, "never")


class Result(Protocol):
    findings: tuple[Finding, ...]

    def to_dict(self, record_id: Any = None) -> dict[str, Any]: ...


Analyse = Callable[[str, "str | None"], Result]


def fails(findings: Sequence[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = severity_rank(fail_on)
    return any(severity_rank(f.severity) >= threshold for f in findings)


def json_line(obj: object) -> str:
    """`obj` as one line of strict JSON (no NaN or Infinity) that encodes as UTF-8, or ValueError
    (UnicodeEncodeError for a lone surrogate) before anything is written."""
    line = json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n"
    line.encode("utf-8")
    return line


def print_json(obj: object) -> None:
    sys.stdout.write(json_line(obj))


def usage_error(message: str) -> int:
    print(f"reply-assistant: {message}", file=sys.stderr)
    return EXIT_USAGE


def _error_line(error: BatchError) -> str:
    try:
        return json_line(error.to_dict())
    except ValueError:
        # Only a message quoting the line could fail here; its escaped form still says what.
        readable = error.error.encode("utf-8", "backslashreplace").decode("utf-8")
        return json_line(BatchError(error.line, None, readable).to_dict())


def _answer(
    item: BatchItem | BatchError, args: argparse.Namespace, analyse: Analyse
) -> tuple[str, Result | None]:
    """The output line for one batch line, and its result when it has one. Whatever goes wrong
    with this line, it becomes this line's error object: the rest of the batch still runs."""
    if isinstance(item, BatchError):
        return _error_line(item), None
    case_type = args.case_type if getattr(args, "case_type", None) else item.case_type
    try:
        result = analyse(item.text, case_type)
        return json_line(result.to_dict(item.id)), result
    except InputError as exc:
        error = str(exc)
    except Exception as exc:  # a bug met on one line must not cost the other lines
        error = f"internal error on this line: {summary_of(exc)}"
    return _error_line(BatchError(item.line, item.id, error)), None


def run_batch(args: argparse.Namespace, analyse: Analyse) -> int:
    """Each line answered and flushed as soon as it is read: a caller feeding one record at a
    time gets each answer at once, and neither the input nor the output is held in memory."""
    failed_lines = 0
    any_fails = False
    with open_binary(args.file) as (stream, name):
        for item in read_batch(lines_of(stream, name), name):
            line, result = _answer(item, args, analyse)
            sys.stdout.write(line)
            sys.stdout.flush()
            if result is None:
                failed_lines += 1
            else:
                any_fails = any_fails or fails(result.findings, args.fail_on)
    if failed_lines:
        print(
            f"reply-assistant: {failed_lines} line(s) of {name} could not be processed",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_FINDINGS if any_fails else EXIT_OK


def run_single(
    args: argparse.Namespace, analyse: Analyse, describe: Callable[[str, str, Result], str]
) -> int:
    data, name = read_bytes(args.file)
    # Strict UTF-8 (decode) refuses encoded surrogates, so the text never holds a lone one; a file
    # name may (bytes that are not UTF-8), and is written in its escaped form.
    text = decode(data, name)
    result = analyse(text, getattr(args, "case_type", None))
    shown = shown_name(name)
    if args.format == "json":
        print_json(result.to_dict(None if name == "<stdin>" else shown))
    else:
        print(describe(shown, text, result))
    return EXIT_FINDINGS if fails(result.findings, args.fail_on) else EXIT_OK


def _crash_report(exc: Exception) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return visible(f"reply-assistant: internal error: {summary_of(exc)}{where}")


def guarded(run: Callable[[], int]) -> int:
    """Every failure a user can cause becomes one clear line and exit 2, never a traceback; a bug
    in the tool becomes one line naming it and exit 70 (EXIT_SOFTWARE), never 1."""
    try:
        return run()
    except LibraryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return usage_error(
            f"the rule library has {len(exc.problems)} problem(s); see 'reply-assistant rules validate'"
        )
    except (SourceError, InputError, resources.ResourceError) as exc:
        return usage_error(str(exc))
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the last guard: one line naming the bug, and its own exit code
        print(_crash_report(exc), file=sys.stderr)
        return EXIT_SOFTWARE
