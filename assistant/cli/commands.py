"""One function per command. Each imports what it runs when it runs (see cli/main.py)."""

from __future__ import annotations

import argparse
import getpass
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.cli.context_input import parse_setting, read_context
from assistant.cli.output import format_findings, visible
from assistant.cli.page_launch import (
    DEFAULT_PORT,
    LOOPBACK_ADDRESS,
    PageUsageError,
    build_page_launch,
    is_loopback,
)
from assistant.cli.runner import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    Result,
    guarded,
    print_json,
    run_batch,
    run_single,
    usage_error,
)
from assistant.core import resources
from assistant.core.problems import display_path
from assistant.curation.curators import CURATORS_FILE_ENV, CuratorsError, add_curator

if TYPE_CHECKING:
    from assistant.engine import Engine

PAGE_ADDRESS = LOOPBACK_ADDRESS
DEFAULT_PAGE_PORT = DEFAULT_PORT


def _load_engine(args: argparse.Namespace) -> Engine:
    # spaCy is imported here, not at the top: `--help` and usage errors answer at once. The engine
    # is the shared one, so a process that calls main() repeatedly builds it once per library state.
    from assistant.engine import shared_engine

    return shared_engine(args.rules_dir, args.templates_dir)


def renewed_when_worn(engine: Engine) -> None:
    """A batch of millions of lines renews its pipeline now and then (engine.RENEW_PIPELINE_AFTER),
    so its memory stays that of the first lines; the command checks from one thread only."""
    if engine.worn:
        engine.renew_pipeline()


def check(args: argparse.Namespace) -> int:
    engine: Engine | None = None

    def analyse(text: str, case_type: str | None) -> Result:
        assert engine is not None, "run() loads the engine before any input is read"
        renewed_when_worn(engine)
        return engine.review(text, case_type, fault=args.fault)

    def describe(name: str, text: str, result: Result) -> str:
        out = format_findings(name, text, result.findings)
        scores = result.readability  # type: ignore[attr-defined]
        if not text.strip():
            return f"{visible(name)}: the draft is empty; nothing to check"
        return (
            f"{out}\n  readability: reading ease {scores.flesch_reading_ease}, grade {scores.grade}, "
            f"{scores.words} words, {scores.sentences} sentence{'s' if scores.sentences != 1 else ''}"
            + _stopped_note(result)
        )

    def run() -> int:
        # Built once, before any input is read: a broken library fails here, and a batch does not
        # re-stat the library files for every line.
        nonlocal engine
        engine = _load_engine(args)
        return run_batch(args, analyse) if args.jsonl else run_single(args, analyse, describe)

    return guarded(run)


def _stopped_note(result: Result) -> str:
    if not getattr(result, "stopped_early", False):
        return ""
    return (
        "\n  note: the check stopped early (its time budget ran out): later findings may be missing"
    )


def scan(args: argparse.Namespace) -> int:
    engine: Engine | None = None

    def analyse(text: str, _case_type: str | None) -> Result:
        assert engine is not None, "run() loads the engine before any input is read"
        renewed_when_worn(engine)
        return engine.scan(text)

    def describe(name: str, text: str, result: Result) -> str:
        if not text.strip():
            return f"{visible(name)}: the message is empty; nothing to scan"
        found = result  # type: ignore[assignment]
        lines = [format_findings(name, text, found.findings)]
        if found.case.case_type:
            # The evidence is words of the message: shown, never obeyed, like the marked line.
            evidence = ", ".join(f"“{visible(word)}”" for word in found.case.evidence[:5])
            lines.append(
                f"  case type: {found.case.case_type} (confidence {found.case.confidence:.2f}; from {evidence})"
            )
        else:
            lines.append("  case type: none evident")
        if found.route:
            lines.append(f"  route: {found.route}")
        lines.extend(f"  guidance: {line}" for line in found.guidance)
        return "\n".join(lines) + _stopped_note(found)

    def run() -> int:
        nonlocal engine
        engine = _load_engine(args)
        return run_batch(args, analyse) if args.jsonl else run_single(args, analyse, describe)

    return guarded(run)


def compose(args: argparse.Namespace) -> int:
    def run() -> int:
        from assistant.compose.render import ComposeError

        context = read_context(args.context)
        context.update(parse_setting(item) for item in args.set)
        engine = _load_engine(args)
        try:
            composed = engine.compose(args.case_type, context)
        except ComposeError as exc:
            return usage_error(str(exc))
        for key in composed.unknown_keys:
            print(
                f"reply-assistant: warning: unknown context key '{key}' (a typo?)", file=sys.stderr
            )
        checked = engine.review(composed.text, args.case_type, fault=composed.context["fault"])
        if args.format == "json":
            print_json(
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

    return guarded(run)


def rules(args: argparse.Namespace) -> int:
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

    return guarded(run)


def _list_rules(rules: Sequence[Any], output_format: str) -> int:
    if output_format == "json":
        for rule in rules:
            print_json(
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


def evaluate(args: argparse.Namespace) -> int:
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
            print_json(reports[0] if len(reports) == 1 else reports)
        return EXIT_OK

    return guarded(run)


def page(args: argparse.Namespace) -> int:
    """Runs the page shipped inside the package with Streamlit: on this machine only, or with
    --team for colleagues, with sign-in before library edits. Nothing is sent outside the machine
    (see cli/page_launch.py)."""
    try:
        launch = build_page_launch(
            port=args.port,
            host=args.host,
            team=args.team,
            curators_file=args.curators,
            rules_dir=args.rules_dir,
            templates_dir=args.templates_dir,
        )
    except (PageUsageError, resources.ResourceError) as exc:
        return usage_error(str(exc))
    if args.team:
        print(
            f"reply-assistant: team page at {launch.url}: checking and composing are open to "
            "anyone who reaches it; library edits need a curator's sign-in.",
            file=sys.stderr,
            flush=True,
        )
    if os.name == "posix":
        # Become Streamlit: signals (Ctrl+C, a service manager's stop) reach it directly, and
        # stopping this process stops the page.
        os.execve(sys.executable, launch.command, launch.env)
    try:
        return subprocess.call(launch.command, env=launch.env)
    except KeyboardInterrupt:
        return EXIT_OK


def curators(args: argparse.Namespace) -> int:
    """`curators add NAME`: the curator's password, hashed, into the curators file (mode 0600)."""
    file = args.file or os.environ.get(CURATORS_FILE_ENV)
    if not file:
        return usage_error(f"curators add: give --file FILE or set {CURATORS_FILE_ENV}")
    try:
        secret = _read_password(args.password_stdin)
        replaced = add_curator(Path(file), args.name, secret)
    except (CuratorsError, PasswordInputError) as exc:
        return usage_error(f"curators add: {exc}")
    shown = display_path(Path(file))
    if replaced:
        print(f"replaced the password of curator {args.name} in {shown}")
    else:
        print(f"added curator {args.name} to {shown}")
    return EXIT_OK


class PasswordInputError(ValueError):
    """No password could be read (no terminal, mistyped confirmation, empty input)."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line, as `printf '%s\n' "$PASSWORD" |` gives it; the line break is not part of it.
        secret = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        if not secret:
            raise PasswordInputError("standard input held no password")
        return secret
    if not sys.stdin.isatty():
        # getpass would read a pipe with the password echoed: refuse, and say how to pipe one.
        raise PasswordInputError(
            "no terminal to ask for the password: pipe it with --password-stdin"
        )
    secret = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != secret:
        raise PasswordInputError("the two passwords differ; nothing was written")
    return secret


def serve(args: argparse.Namespace) -> int:
    """The HTTP JSON API of docs/api.md on this machine, behind the per-install bearer token."""
    # FastAPI, uvicorn and spaCy load here, not at the top: `--help` answers at once.
    from assistant.api.origins import OriginError, allowed_origins
    from assistant.api.server import announce, run
    from assistant.api.settings import ApiSettings
    from assistant.api.token import TokenError

    if not 0 < args.port < 65536:
        return usage_error(f"serve --port {args.port}: a port is a number from 1 to 65535")
    if args.workers < 1:
        return usage_error(f"serve --workers {args.workers}: at least 1")
    settings = ApiSettings(
        host=args.host,
        port=args.port,
        rules_dir=args.rules_dir,
        templates_dir=args.templates_dir,
        block_on=args.block_on,
        allow_origins=tuple(args.allow_origin),
        token_file=args.token_file,
        reload_interval=args.reload_interval,
        workers=args.workers,
        access_log=args.access_log,
    )
    try:
        allowed_origins(settings.allow_origins)
        announce(settings)
    except (OriginError, TokenError) as exc:
        return usage_error(f"serve: {exc}")
    if not is_loopback(args.host):
        print(
            f"reply-assistant: warning: --host {args.host} serves other machines over plain "
            "HTTP; the token and every text cross the network unencrypted",
            file=sys.stderr,
        )

    def start() -> int:
        if settings.workers > 1:
            # Each worker builds its own engine; a broken library must fail here, once, by name.
            from assistant.library.loader import load_library

            load_library(settings.rules_dir, settings.templates_dir)
        run(settings)
        return EXIT_OK

    return guarded(start)
