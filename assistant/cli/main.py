"""The command line of docs/contract.md: check, scan, compose, rules, eval, page. Exit codes are part of it.

Each command imports what it runs (the engine, the library loader, eval) inside its function:
those pull in spaCy, which takes about a second to load, and `--help`, `--version` and usage
errors must answer at once. No import here is local for any other reason.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import yaml

from assistant import __version__
from assistant.cli.output import format_findings
from assistant.core import resources
from assistant.core.categories import FAULTS, PHRASE_CATEGORIES, SEVERITIES, severity_rank
from assistant.core.findings import Finding
from assistant.core.inputs import BatchError, SourceError, decode, read_batch, read_bytes
from assistant.core.problems import LibraryError, display_path
from assistant.core.text import InputError
from assistant.evaluation.records import SPLITS

if TYPE_CHECKING:
    from assistant.engine import Engine

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
PAGE_ADDRESS = "127.0.0.1"
DEFAULT_PAGE_PORT = 8501
FAIL_ON_CHOICES = (*SEVERITIES, "never")


class Result(Protocol):
    findings: tuple[Finding, ...]

    def to_dict(self, record_id: Any = None) -> dict[str, Any]: ...


Analyse = Callable[[str, "str | None"], Result]


def _fails(findings: Sequence[Finding], fail_on: str) -> bool:
    if fail_on == "never":
        return False
    threshold = severity_rank(fail_on)
    return any(severity_rank(f.severity) >= threshold for f in findings)


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _error(message: str) -> int:
    print(f"reply-assistant: {message}", file=sys.stderr)
    return EXIT_USAGE


def _run_batch(args: argparse.Namespace, analyse: Analyse) -> int:
    data, name = read_bytes(args.file)
    failed_lines = 0
    any_fails = False
    for item in read_batch(data, name):
        if isinstance(item, BatchError):
            failed_lines += 1
            _print_json(item.to_dict())
            continue
        case_type = args.case_type if getattr(args, "case_type", None) else item.case_type
        try:
            result = analyse(item.text, case_type)
        except InputError as exc:
            failed_lines += 1
            _print_json(BatchError(item.line, item.id, str(exc)).to_dict())
            continue
        any_fails = any_fails or _fails(result.findings, args.fail_on)
        _print_json(result.to_dict(item.id))
        sys.stdout.flush()
    if failed_lines:
        print(
            f"reply-assistant: {failed_lines} line(s) of {name} could not be processed",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return EXIT_FINDINGS if any_fails else EXIT_OK


def _run_single(
    args: argparse.Namespace, analyse: Analyse, describe: Callable[[str, str, Result], str]
) -> int:
    data, name = read_bytes(args.file)
    text = decode(data, name)
    result = analyse(text, getattr(args, "case_type", None))
    if args.format == "json":
        _print_json(result.to_dict(None if name == "<stdin>" else name))
    else:
        print(describe(name, text, result))
    return EXIT_FINDINGS if _fails(result.findings, args.fail_on) else EXIT_OK


def _guarded(run: Callable[[], int]) -> int:
    """Every failure a user can cause becomes one clear line and exit 2, never a traceback."""
    try:
        return run()
    except LibraryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return _error(
            f"the rule library has {len(exc.problems)} problem(s); see 'reply-assistant rules validate'"
        )
    except (SourceError, InputError, resources.ResourceError) as exc:
        return _error(str(exc))
    except BrokenPipeError:
        return EXIT_OK


def _load_engine(args: argparse.Namespace) -> Engine:
    # spaCy is imported here, not at the top: `--help` and usage errors answer at once. The engine
    # is the shared one, so a process that calls main() repeatedly builds it once per library state.
    from assistant.engine import shared_engine

    return shared_engine(args.rules_dir, args.templates_dir)


def _cmd_check(args: argparse.Namespace) -> int:

    engine: Engine | None = None

    def analyse(text: str, case_type: str | None) -> Result:
        assert engine is not None, "run() loads the engine before any input is read"
        return engine.review(text, case_type, fault=args.fault)

    def describe(name: str, text: str, result: Result) -> str:
        out = format_findings(name, text, result.findings)
        scores = result.readability  # type: ignore[attr-defined]
        if not text.strip():
            return f"{name}: the draft is empty; nothing to check"
        return (
            f"{out}\n  readability: reading ease {scores.flesch_reading_ease}, grade {scores.grade}, "
            f"{scores.words} words, {scores.sentences} sentence{'s' if scores.sentences != 1 else ''}"
        )

    def run() -> int:
        # Built once, before any input is read: a broken library fails here, and a batch does not
        # re-stat the library files for every line.
        nonlocal engine
        engine = _load_engine(args)
        return _run_batch(args, analyse) if args.jsonl else _run_single(args, analyse, describe)

    return _guarded(run)


def _cmd_scan(args: argparse.Namespace) -> int:

    engine: Engine | None = None

    def analyse(text: str, _case_type: str | None) -> Result:
        assert engine is not None, "run() loads the engine before any input is read"
        return engine.scan(text)

    def describe(name: str, text: str, result: Result) -> str:
        if not text.strip():
            return f"{name}: the message is empty; nothing to scan"
        found = result  # type: ignore[assignment]
        lines = [format_findings(name, text, found.findings)]
        if found.case.case_type:
            evidence = ", ".join(f"“{word}”" for word in found.case.evidence[:5])
            lines.append(
                f"  case type: {found.case.case_type} (confidence {found.case.confidence:.2f}; from {evidence})"
            )
        else:
            lines.append("  case type: none evident")
        if found.route:
            lines.append(f"  route: {found.route}")
        lines.extend(f"  guidance: {line}" for line in found.guidance)
        return "\n".join(lines)

    def run() -> int:
        nonlocal engine
        engine = _load_engine(args)
        return _run_batch(args, analyse) if args.jsonl else _run_single(args, analyse, describe)

    return _guarded(run)


TEXT_KEYS = (
    "order_number",
    "customer_name",
    "agent_name",
    "company_name",
    "item",
    "currency",
    "variant",
)


def _parse_setting(item: str) -> tuple[str, object]:
    """`--set key=value`: numbers, true/false and dates typed as in YAML; names and numbers-as-ids kept as text."""
    if "=" not in item:
        raise SourceError(f"--set {item!r}: expected key=value")
    key, raw = (part.strip() for part in item.split("=", 1))
    if key in TEXT_KEYS:
        return key, raw
    try:
        return key, yaml.safe_load(raw) if raw else None
    except yaml.YAMLError:
        return key, raw


def _read_context(path: str | None) -> dict[str, object]:
    if not path:
        return {}
    data, name = read_bytes(path)
    text = decode(data, name)
    try:
        context = json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SourceError(
            f"{name}: not valid {'JSON' if name.endswith('.json') else 'YAML'}: {exc}"
        ) from None
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise SourceError(f"{name}: the context must be a mapping of keys to values")
    return context


def _cmd_compose(args: argparse.Namespace) -> int:

    def run() -> int:
        from assistant.compose.render import ComposeError

        context = _read_context(args.context)
        context.update(_parse_setting(item) for item in args.set)
        engine = _load_engine(args)
        try:
            composed = engine.compose(args.case_type, context)
        except ComposeError as exc:
            return _error(str(exc))
        for key in composed.unknown_keys:
            print(
                f"reply-assistant: warning: unknown context key '{key}' (a typo?)", file=sys.stderr
            )
        checked = engine.review(composed.text, args.case_type, fault=composed.context["fault"])
        if args.format == "json":
            _print_json(
                {
                    "case_type": composed.case_type,
                    "text": composed.text,
                    "findings": [finding.to_dict() for finding in checked.findings],
                    "notes": list(composed.notes),
                }
            )
        else:
            sys.stdout.write(composed.text)
            for note in composed.notes:
                print(f"\n[note for the agent] {note}", file=sys.stderr)
            problems = [f for f in checked.findings if f.severity != "suggestion"]
            if problems:
                print(format_findings("composed reply", composed.text, problems), file=sys.stderr)
        return EXIT_OK

    return _guarded(run)


def _cmd_rules(args: argparse.Namespace) -> int:
    from assistant.library.loader import collect, load_library

    if args.action == "validate":
        library, problems = collect(args.rules_dir, strict=True, templates_dir=args.templates_dir)
        for problem in problems:
            print(problem)
        if problems:
            print(
                f"{len(problems)} problem(s) in {display_path(library.rules_dir)}", file=sys.stderr
            )
            return EXIT_USAGE
        for notice in library.notices:
            print(f"note: {notice}")
        print(f"{len(library.rules)} rules in {display_path(library.rules_dir)}: valid")
        return EXIT_OK

    def run() -> int:
        if args.action == "list":
            return _list_rules(load_library(args.rules_dir, args.templates_dir).rules, args.format)
        from assistant.evaluation.rule_examples import (
            check_all_examples,
            check_case_type_examples,
            uncovered_patterns,
        )

        engine = _load_engine(args)
        rules = engine.library.rules
        outcomes = check_all_examples(engine.nlp, rules) + check_case_type_examples(engine)
        uncovered = uncovered_patterns(engine.nlp, rules)
        for pattern in uncovered:
            print(f"uncovered {pattern}")
        failed = [o for o in outcomes if not o.ok]
        shown = (
            outcomes
            if args.verbose
            else [o for o in outcomes if not o.ok or o.expectation == "pending"]
        )
        for outcome in shown:
            print(outcome)
        if uncovered:
            print(
                f"{len(uncovered)} pattern(s) no flag example exercises: add an example or drop them",
                file=sys.stderr,
            )
        print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
        return EXIT_FINDINGS if failed else EXIT_OK

    return _guarded(run)


def _list_rules(rules: Sequence[Any], output_format: str) -> int:
    if output_format == "json":
        for rule in rules:
            _print_json(
                {
                    "id": rule.id,
                    "family": rule.family,
                    "category": rule.category,
                    "severity": rule.severity,
                    "patterns": len(rule.patterns),
                    "flag_examples": len(rule.flag_examples),
                    "pass_examples": len(rule.pass_examples),
                    "path": rule.path,
                    "line": rule.line,
                }
            )
        return EXIT_OK
    width = max((len(rule.id) for rule in rules), default=10)
    for rule in rules:
        print(
            f"{rule.id:<{width}}  {rule.category:<20} {rule.severity:<10} {rule.path}:{rule.line}"
        )
    print(f"{len(rules)} rules")
    return EXIT_OK


def _cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation.evaluate import evaluate_file

    # --label only narrows the error listing, so asking for it means asking for the listing.
    show_errors = args.show_errors or args.label is not None

    def run() -> int:
        reports = []
        engine = _load_engine(args)
        for number, path in enumerate(args.files):
            report = evaluate_file(path, engine, split=args.split)
            if args.format == "json":
                reports.append(
                    report.to_dict(show_errors, args.label, show_case_errors=args.show_case_errors)
                )
                continue
            # Printed as each file is done: a long set should not hold back the ones before it.
            text = report.format(show_errors, args.label, show_case_errors=args.show_case_errors)
            print(("\n" if number else "") + text, flush=True)
        if args.format == "json":
            _print_json(reports[0] if len(reports) == 1 else reports)
        return EXIT_OK

    return _guarded(run)


def _cmd_page(args: argparse.Namespace) -> int:
    """Runs the page shipped inside the package with Streamlit, bound to this machine only and
    without usage statistics: customer text never leaves it."""
    try:
        script = resources.page_script()
    except resources.ResourceError as exc:
        return _error(str(exc))
    env = dict(os.environ)
    for variable, directory in (
        (resources.RULES_DIR_ENV, args.rules_dir),
        (resources.TEMPLATES_DIR_ENV, args.templates_dir),
    ):
        if directory:
            env[variable] = str(Path(directory).resolve())
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", PAGE_ADDRESS,
        "--server.port", str(args.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    if os.name == "posix":
        # Become Streamlit: signals (Ctrl+C, a service manager's stop) reach it directly, and
        # stopping this process stops the page.
        os.execve(sys.executable, command, env)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return EXIT_OK


def _add_analysis_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", nargs="?", default="-", metavar="FILE|-", help="input file, or - for standard input"
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--jsonl", action="store_true", help="batch mode: one JSON object per input and output line"
    )
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON_CHOICES,
        default="error",
        help="exit 1 when a finding reaches this severity (default: error; never disables)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reply-assistant",
        description="Offline tone check for customer-service replies. Customer text never leaves this machine.",
    )
    parser.add_argument(
        "--rules-dir",
        default=None,
        metavar="DIR",
        help="phrase-rule library (default: the bundled one)",
    )
    parser.add_argument(
        "--templates-dir",
        default=None,
        metavar="DIR",
        help="reply templates (default: the bundled ones)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="tone check of an agent draft")
    _add_analysis_options(check)
    check.add_argument(
        "--case-type",
        default=None,
        metavar="TYPE",
        help="also check the elements this case type needs",
    )
    check.add_argument(
        "--fault",
        choices=FAULTS,
        default=None,
        help="with --case-type: who caused it (default: the case type's usual fault)",
    )
    check.set_defaults(handler=_cmd_check)

    scan = commands.add_parser("scan", help="threats and case type in a customer's message")
    _add_analysis_options(scan)
    scan.set_defaults(handler=_cmd_scan)

    compose = commands.add_parser(
        "compose", help="compose a reply from the templates of a case type"
    )
    compose.add_argument(
        "--case-type", required=True, metavar="TYPE", help="one of the templates/ folders"
    )
    compose.add_argument("--context", metavar="FILE", help="context as JSON (.json) or YAML")
    compose.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="set one context key"
    )
    compose.add_argument("--format", choices=("text", "json"), default="text")
    compose.set_defaults(handler=_cmd_compose)

    rules = commands.add_parser("rules", help="list, validate or test the phrase-rule library")
    rules.add_argument("action", choices=("list", "validate", "test"))
    rules.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format of 'list'"
    )
    rules.add_argument(
        "-v", "--verbose", action="store_true", help="'test': show passing examples too"
    )
    rules.set_defaults(handler=_cmd_rules)

    evaluate = commands.add_parser(
        "eval", help="precision/recall/F1 on a labelled JSONL development set"
    )
    evaluate.add_argument("files", nargs="+", metavar="FILE", help="labelled JSONL set(s)")
    evaluate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text; json: one object per file, a list for several)",
    )
    evaluate.add_argument(
        "--split",
        choices=SPLITS,
        default="all",
        help="score only the tuning split (ids not ending in a multiple of 5) or the check split",
    )
    evaluate.add_argument(
        "--show-errors",
        action="store_true",
        help="list the records the checker got wrong (check-split records only with --split check)",
    )
    evaluate.add_argument(
        "--show-case-errors",
        action="store_true",
        help="list the messages whose case type is wrong (check-split ones only with --split check)",
    )
    evaluate.add_argument(
        "--label",
        choices=PHRASE_CATEGORIES,
        default=None,
        metavar="LABEL",
        help="list only the misses and false alarms of this label (implies --show-errors)",
    )
    evaluate.set_defaults(handler=_cmd_eval)

    page = commands.add_parser(
        "page",
        help="start the page on this machine (the bundled page, with --rules-dir and --templates-dir)",
    )
    page.add_argument("--port", type=int, default=DEFAULT_PAGE_PORT, help="default: %(default)s")
    page.set_defaults(handler=_cmd_page)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)
