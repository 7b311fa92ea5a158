"""How every command runs: one text or a JSONL batch, exit codes, and errors as one clear line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from assistant.core import resources
from assistant.core.categories import SEVERITIES, severity_rank
from assistant.core.findings import Finding
from assistant.core.inputs import BatchError, SourceError, decode, read_batch, read_bytes
from assistant.core.problems import LibraryError
from assistant.core.text import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
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


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def usage_error(message: str) -> int:
    print(f"reply-assistant: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_batch(args: argparse.Namespace, analyse: Analyse) -> int:
    data, name = read_bytes(args.file)
    failed_lines = 0
    any_fails = False
    for item in read_batch(data, name):
        if isinstance(item, BatchError):
            failed_lines += 1
            print_json(item.to_dict())
            continue
        case_type = args.case_type if getattr(args, "case_type", None) else item.case_type
        try:
            result = analyse(item.text, case_type)
        except InputError as exc:
            failed_lines += 1
            print_json(BatchError(item.line, item.id, str(exc)).to_dict())
            continue
        any_fails = any_fails or fails(result.findings, args.fail_on)
        print_json(result.to_dict(item.id))
        sys.stdout.flush()
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
    text = decode(data, name)
    result = analyse(text, getattr(args, "case_type", None))
    if args.format == "json":
        print_json(result.to_dict(None if name == "<stdin>" else name))
    else:
        print(describe(name, text, result))
    return EXIT_FINDINGS if fails(result.findings, args.fail_on) else EXIT_OK


def guarded(run: Callable[[], int]) -> int:
    """Every failure a user can cause becomes one clear line and exit 2, never a traceback."""
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
