"""The command line of docs/contract.md: check, scan, compose, rules, eval, page, curators. Exit codes are part of it.

Each command imports what it runs (the engine, the library loader, eval) inside its function:
those pull in spaCy, which takes about a second to load, and `--help`, `--version` and usage
errors must answer at once. No import here is local for any other reason.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from assistant import __version__
from assistant.cli import commands
from assistant.cli.runner import EXIT_INTERRUPTED, FAIL_ON_CHOICES, guarded
from assistant.core.categories import FAULTS, PHRASE_CATEGORIES
from assistant.evaluation.records import SPLITS


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
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = subcommands.add_parser("check", help="tone check of an agent draft")
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
    check.set_defaults(handler=commands.check)

    scan = subcommands.add_parser("scan", help="threats and case type in a customer's message")
    _add_analysis_options(scan)
    scan.set_defaults(handler=commands.scan)

    compose = subcommands.add_parser(
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
    compose.set_defaults(handler=commands.compose)

    rules = subcommands.add_parser("rules", help="list, validate or test the phrase-rule library")
    rules.add_argument("action", choices=("list", "validate", "test"))
    rules.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format of 'list'"
    )
    rules.add_argument(
        "-v", "--verbose", action="store_true", help="'test': show passing examples too"
    )
    rules.set_defaults(handler=commands.rules)

    evaluate = subcommands.add_parser(
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
    evaluate.set_defaults(handler=commands.evaluate)

    page = subcommands.add_parser(
        "page",
        help="start the page on this machine (the bundled page, with --rules-dir and --templates-dir)",
        description="Serve the page on http://127.0.0.1 (this machine only). With --team, serve "
        "colleagues too: checking and composing stay open, library edits need a curator's sign-in.",
    )
    page.add_argument(
        "--port", type=int, default=commands.DEFAULT_PAGE_PORT, help="default: %(default)s"
    )
    page.add_argument(
        "--host",
        default=None,
        metavar="H",
        help="address to listen on (default: 127.0.0.1; with --team 0.0.0.0, every interface); "
        "an address other machines can reach needs --team",
    )
    page.add_argument(
        "--team",
        action="store_true",
        help="team server: reachable from other machines, library edits only after sign-in",
    )
    page.add_argument(
        "--curators",
        default=None,
        metavar="FILE",
        help="with --team: the curators file (default: $REPLY_ASSISTANT_CURATORS); or set "
        "REPLY_ASSISTANT_CURATOR_TOKEN for one shared token",
    )
    page.set_defaults(handler=commands.page)

    serve = subcommands.add_parser(
        "serve",
        help="the HTTP JSON API for help-desk apps, on this machine (docs/api.md)",
        description="Serve /v1/check, /v1/scan, /v1/compose, /v1/library and /v1/health on "
        "http://127.0.0.1:8765. Every route but /v1/health needs 'Authorization: Bearer TOKEN'; "
        "the token is made on first start (owner-only file) unless REPLY_ASSISTANT_TOKEN is set.",
    )
    serve.add_argument("--host", default="127.0.0.1", metavar="H", help="default: %(default)s")
    serve.add_argument("--port", type=int, default=8765, metavar="P", help="default: %(default)s")
    serve.add_argument(
        "--block-on",
        choices=FAIL_ON_CHOICES,
        default="error",
        help="verdict 'block' when a finding reaches this severity (default: error)",
    )
    serve.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a help desk's origin browsers may call from (repeatable): https://acme.zendesk.com, "
        "https://*.zendesk.com, chrome-extension://ID; also $REPLY_ASSISTANT_ALLOWED_ORIGINS. "
        "Default: none",
    )
    serve.add_argument(
        "--token-file",
        default=None,
        metavar="FILE",
        help="the bearer token's file (default: $XDG_CONFIG_HOME/reply-assistant/token)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes, each with its own engine (about 300 MB each); default: %(default)s",
    )
    serve.add_argument(
        "--reload-interval",
        type=float,
        default=0.5,
        metavar="SECONDS",
        help="how often to look for saved library files (default: %(default)s)",
    )
    serve.add_argument(
        "--access-log",
        action="store_true",
        help="log one line per request (method, path, status; never a body)",
    )
    serve.set_defaults(handler=commands.serve)

    curators = subcommands.add_parser(
        "curators", help="manage the curators who may edit the library on a team page"
    )
    curator_actions = curators.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = curator_actions.add_parser(
        "add",
        help="add a curator, or replace a curator's password (asked twice, not echoed)",
    )
    add.add_argument("name", metavar="NAME", help="the name the curator signs in with")
    add.add_argument(
        "--file",
        default=None,
        metavar="FILE",
        help="curators file, created owner-only (mode 0600) (default: $REPLY_ASSISTANT_CURATORS)",
    )
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input, for scripts",
    )
    add.set_defaults(handler=commands.curators)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Every command answers through the same guard (the commands guard their own work too):
    # a user's mistake is exit 2, a bug of the tool exit 70, an interrupt 130, never a traceback.
    try:
        return guarded(lambda: args.handler(args))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
