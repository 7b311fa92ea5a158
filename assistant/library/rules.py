"""Rule files: one family of phrase rules per YAML file, parsed into Rule records.

A rule file holds one family:

    family: blame
    category: blame_shifting
    ignore_when: [negated, quoted, question, conditional]   # optional file default
    rules:
      - id: blame.you-should-have
        severity: warning
        message: "“{match}” puts the fault on the customer."
        replacements: ["we should have"]           # replaces exactly the match; "" deletes it
        advice: ["Here's how we'll fix it: …"]     # shown to the agent, never pasted
        patterns: ["you should have", [{LOWER: you}, {LEMMA: fail}]]
        exceptions: ["we should have"]
        examples:
          flag: [{text: "You should have checked.", match: "You should have"}]
          pass: ["We should have told you."]

`suggestions`, the old name of `advice`, is still read (as advice), so older libraries load.

Every problem is collected, not just the first, as `path:rule-id: field: problem (line N)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from assistant.core.categories import DRAFT_CATEGORIES, PHRASE_CATEGORIES, SEVERITIES
from assistant.core.problems import Problem, shorten
from assistant.library.lexicon import Lexicon
from assistant.library.patterns import Pattern, TokenPattern, parse_pattern_list
from assistant.library.wordings import WORDING_KEYS, Replacement, parse_wordings
from assistant.library.yaml_lines import line_of, load_yaml, yaml_error_line, yaml_error_text

CONTEXTS = (
    "negated",
    "quoted",
    "question",
    "conditional",
    "remedied",
    "route_offered",
    "hedged",
    "unconditional",
)
DEFAULT_CONTEXTS = ("negated", "quoted", "question", "conditional")
FILE_KEYS = frozenset(
    {"family", "category", "description", "ignore_when", "by_destination", "rules"}
)
RULE_KEYS = frozenset(
    {
        "id",
        "category",
        "severity",
        "message",
        *WORDING_KEYS,
        "patterns",
        "exceptions",
        "ignore_when",
        "examples",
        "note",
        "by_destination",
    }
)
FLAG_EXAMPLE_KEYS = frozenset({"text", "match", "note"})
PASS_EXAMPLE_KEYS = frozenset({"text", "note", "pending"})
RULE_ID = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")


@dataclass(frozen=True)
class FlagExample:
    text: str
    match: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    category: str
    severity: str
    message: str
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...]
    ignore_when: frozenset[str]
    # What the matcher runs: for each entry of `patterns` (and `exceptions`), its token patterns.
    compiled_patterns: tuple[tuple[TokenPattern, ...], ...]
    compiled_exceptions: tuple[tuple[TokenPattern, ...], ...]
    flag_examples: tuple[FlagExample, ...]
    pass_examples: tuple[str, ...]
    path: str
    line: int
    # Reported false positives awaiting a fix: listed by `rules test`, expected to fire until fixed.
    pending_pass_examples: tuple[str, ...] = ()
    # The category comes from where the threat goes (destinations.yml); `category` is the fallback
    # when the matched words name no destination.
    by_destination: bool = False
    # Pasted over exactly the matched span ("" deletes it), each for the matches its `when`
    # fits; `rules test` verifies each on the flag examples it fits. Advice is shown, never pasted.
    replacements: tuple[Replacement, ...] = ()
    advice: tuple[str, ...] = ()

    @property
    def suggestions(self) -> tuple[str, ...]:
        """Every better wording the rule knows: replacement texts first, then advice."""
        return tuple(r.text for r in self.replacements) + self.advice

    def replacements_for(self, matched: str, following: str = "") -> tuple[str, ...]:
        """The replacement texts that fit this match of the rule and the text after it."""
        return tuple(r.text for r in self.replacements if r.fits(matched, following))

    @property
    def kind(self) -> str:
        return "draft" if self.category in DRAFT_CATEGORIES else "message"

    def render_message(self, match_text: str) -> str:
        return self.message.replace("{match}", match_text)


class _FileParser:
    """Turns one file's parsed YAML into rules, collecting problems instead of stopping."""

    def __init__(self, path: str, lexicon: Lexicon):
        self.path = path
        self.lexicon = lexicon
        self.problems: list[Problem] = []
        # Reported false positives not yet fixed: (rule id, text). Shown by `rules test`, never failing it.
        self.pending: list[tuple[str, str]] = []

    def problem(self, rule_id: str, field_name: str, text: str, line: int = 0) -> None:
        self.problems.append(Problem(self.path, rule_id, field_name, text, line))

    def parse(self, data: object) -> list[Rule]:
        if not isinstance(data, dict):
            self.problem(
                "(file)", "(file)", "a rule file must be a mapping with family, category and rules"
            )
            return []
        for key in sorted(set(data) - FILE_KEYS, key=str):
            self.problem(
                "(file)",
                str(key),
                f"unknown key; allowed: {', '.join(sorted(FILE_KEYS))}",
                line_of(data),
            )
        family = data.get("family")
        if not isinstance(family, str) or not family.strip():
            self.problem("(file)", "family", "missing or not a string", line_of(data))
            family = "?"
        default_category = data.get("category")
        if default_category is not None and default_category not in PHRASE_CATEGORIES:
            self.problem(
                "(file)", "category", self._unknown_category(default_category), line_of(data)
            )
        default_ignore = self._ignore_when(
            data.get("ignore_when", list(DEFAULT_CONTEXTS)), "(file)", line_of(data)
        )
        rules_data = data.get("rules")
        if not isinstance(rules_data, list) or not rules_data:
            self.problem(
                "(file)", "rules", "missing or empty: list the family's rules", line_of(data)
            )
            return []
        default_by_destination = self._flag(data, "by_destination", "(file)", False)
        rules = []
        for index, rule_data in enumerate(rules_data):
            rule = self._rule(
                rule_data, index, family, default_category, default_ignore, default_by_destination
            )
            if rule is not None:
                rules.append(rule)
        return rules

    def _flag(self, data: dict, key: str, rule_id: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(rule_id, key, "must be true or false", line_of(data))
            return default
        return value

    @staticmethod
    def _unknown_category(value: object) -> str:
        return f"unknown category {shorten(value)}; known: {', '.join(PHRASE_CATEGORIES)}"

    def _ignore_when(self, value: object, rule_id: str, line: int) -> frozenset[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(
                rule_id, "ignore_when", f"must be a list drawn from {', '.join(CONTEXTS)}", line
            )
            return frozenset(DEFAULT_CONTEXTS)
        unknown = [v for v in value if v not in CONTEXTS]
        if unknown:
            self.problem(
                rule_id,
                "ignore_when",
                f"unknown context {shorten(unknown[0])}; known: {', '.join(CONTEXTS)}",
                line,
            )
        return frozenset(v for v in value if v in CONTEXTS)

    def _rule(
        self,
        data: object,
        index: int,
        family: str,
        default_category: str | None,
        default_ignore: frozenset[str],
        default_by_destination: bool = False,
    ) -> Rule | None:
        if not isinstance(data, dict):
            self.problem(f"(rule {index + 1})", "(rule)", "a rule must be a mapping")
            return None
        line = line_of(data)
        rule_id = data.get("id")
        if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
            shown = f"(rule {index + 1})"
            self.problem(shown, "id", "missing, or not lower-case words joined by . - or _", line)
            rule_id = shown
        problems_before = len(self.problems)
        for key in sorted(set(data) - RULE_KEYS, key=str):
            self.problem(
                rule_id, str(key), f"unknown key; allowed: {', '.join(sorted(RULE_KEYS))}", line
            )

        category = data.get("category", default_category)
        if category is None:
            self.problem(rule_id, "category", "missing (set it on the rule or the file)", line)
        elif category not in PHRASE_CATEGORIES:
            self.problem(rule_id, "category", self._unknown_category(category), line)
        severity = data.get("severity")
        if severity not in SEVERITIES:
            self.problem(
                rule_id,
                "severity",
                f"must be one of {', '.join(SEVERITIES)}, got {shorten(severity)}",
                line,
            )
        message = data.get("message")
        if not isinstance(message, str) or not message.strip():
            self.problem(rule_id, "message", "missing or empty", line)
        wordings = parse_wordings(data, rule_id, line, self.problem)
        patterns, compiled_patterns = parse_pattern_list(
            data.get("patterns"), rule_id, "patterns", line, True, self.lexicon, self.problem
        )
        exceptions, compiled_exceptions = parse_pattern_list(
            data.get("exceptions", []),
            rule_id,
            "exceptions",
            line,
            False,
            self.lexicon,
            self.problem,
        )
        ignore_when = (
            self._ignore_when(data["ignore_when"], rule_id, line)
            if "ignore_when" in data
            else default_ignore
        )
        by_destination = self._flag(data, "by_destination", rule_id, default_by_destination)
        pending_before = len(self.pending)
        flag_examples, pass_examples = self._examples(data.get("examples"), rule_id, line)
        pending_examples = tuple(text for _, text in self.pending[pending_before:])
        if len(self.problems) > problems_before:
            return None
        return Rule(
            id=rule_id,
            family=family,
            category=category,
            severity=severity,
            message=message.strip(),
            replacements=wordings.replacements,
            advice=wordings.advice,
            patterns=patterns,
            exceptions=exceptions,
            ignore_when=ignore_when,
            compiled_patterns=compiled_patterns,
            compiled_exceptions=compiled_exceptions,
            flag_examples=flag_examples,
            pass_examples=pass_examples,
            pending_pass_examples=pending_examples,
            by_destination=by_destination,
            path=self.path,
            line=line,
        )

    def _examples(
        self, value: object, rule_id: str, line: int
    ) -> tuple[tuple[FlagExample, ...], tuple[str, ...]]:
        if not isinstance(value, dict):
            self.problem(
                rule_id, "examples", "missing: every rule needs flag and pass examples", line
            )
            return (), ()
        for key in sorted(set(value) - {"flag", "pass"}, key=str):
            self.problem(
                rule_id, f"examples.{key}", "unknown key; allowed: flag, pass", line_of(value, line)
            )
        flags: list[FlagExample] = []
        for position, item in enumerate(self._example_list(value, "flag", rule_id, line)):
            where = f"examples.flag[{position}]"
            if isinstance(item, str):
                flags.append(FlagExample(item))
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                self._unknown_example_keys(item, FLAG_EXAMPLE_KEYS, rule_id, where, line)
                match = item.get("match")
                if match is not None and (not isinstance(match, str) or match not in item["text"]):
                    self.problem(
                        rule_id,
                        f"{where}.match",
                        f"{shorten(match)} does not occur in the example text",
                        line_of(item, line),
                    )
                    continue
                flags.append(FlagExample(item["text"], match))
            else:
                self.problem(
                    rule_id,
                    where,
                    "must be a string or a mapping with text (and match)",
                    line_of(item, line),
                )
        passes: list[str] = []
        for position, item in enumerate(self._example_list(value, "pass", rule_id, line)):
            where = f"examples.pass[{position}]"
            if isinstance(item, str):
                passes.append(item)
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                self._unknown_example_keys(item, PASS_EXAMPLE_KEYS, rule_id, where, line)
                pending = item.get("pending", False)
                if not isinstance(pending, bool):
                    self.problem(
                        rule_id, f"{where}.pending", "must be true or false", line_of(item, line)
                    )
                elif pending:
                    self.pending.append((rule_id, item["text"]))
                else:
                    passes.append(item["text"])
            else:
                self.problem(
                    rule_id, where, "must be a string or a mapping with text", line_of(item, line)
                )
        return tuple(flags), tuple(passes)

    def _example_list(self, examples: dict, key: str, rule_id: str, line: int) -> list:
        items = examples.get(key)
        if not isinstance(items, list) or not items:
            self.problem(
                rule_id, f"examples.{key}", "needs at least one example", line_of(examples, line)
            )
            return []
        return items

    def _unknown_example_keys(
        self, item: dict, allowed: frozenset[str], rule_id: str, where: str, line: int
    ) -> None:
        for key in sorted(set(item) - allowed, key=str):
            self.problem(
                rule_id,
                f"{where}.{key}",
                f"unknown key; allowed: {', '.join(sorted(allowed))}",
                line_of(item, line),
            )


def parse_rule_text(
    text: str, path: str, lexicon: Lexicon | None = None
) -> tuple[list[Rule], list[Problem]]:
    """Parse one rule file's text (from disk or from the page's editor) against the word classes."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        return [], [Problem(path, "(file)", "yaml", yaml_error_text(exc), yaml_error_line(exc))]
    parser = _FileParser(path, lexicon or Lexicon())
    rules = parser.parse(data)
    return rules, parser.problems
