"""Load and validate the phrase-rule library: the only reader of phrase_rules/.

A rule file holds one family:

    family: blame
    category: blame_shifting
    ignore_when: [negated, quoted, question, conditional]   # optional file default
    rules:
      - id: blame.you-should-have
        severity: warning
        message: "“{match}” puts the fault on the customer."
        suggestions: ["Here's how we'll fix it: …"]
        patterns: ["you should have", [{LOWER: you}, {LEMMA: fail}]]
        exceptions: ["we should have"]
        examples:
          flag: [{text: "You should have checked.", match: "You should have"}]
          pass: ["We should have told you."]

Every problem found is reported, not just the first, as `path:rule-id: field: problem (line N)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.matcher import Matcher
from spacy.vocab import Vocab

from .categories import DRAFT_CATEGORIES, PHRASE_CATEGORIES, SEVERITIES
from .destinations import DESTINATIONS_FILE, DestinationMap, parse_destinations
from .lexicon import LEXICON_FILE, Lexicon, parse_lexicon
from .phrase_notation import NotationError, compile_pattern, tokenizer
from .problems import LibraryError, Problem
from .regex_safety import regex_problem
from .token_matcher import check_pattern
from .yaml_lines import line_of, load_yaml, yaml_error_line, yaml_error_text

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES_DIR = PACKAGE_ROOT / "phrase_rules"

# Settings files that live beside the rule families but are not rule files.
SETTINGS_FILES = frozenset(
    {
        "readability.yml",
        "case_types.yml",
        "guidance.yml",
        "required_elements.yml",
        LEXICON_FILE,
        DESTINATIONS_FILE,
    }
)
# Word classes the context checks read (context.py); a library without them cannot be checked.
CONTEXT_CLASSES = (
    "negator",
    "conditional",
    "condition_word",
    "reporting_verb",
    "reporter",
    "non_reporter",
    "report_link",
    "remedy_verb",
    "route_turn",
    "route_word",
    "route_opener",
    "concessive",
    "next_sentence_offer",
    "hedge",
    "non_route",
    "help_request",
    "question_opener",
    "clause_joiner",
)

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
        "suggestions",
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

# A phrase in the notation (phrase_notation.py) is a string; a token pattern is a list of spaCy
# Matcher token dicts, for what the notation cannot say.
TokenPattern = tuple[dict[str, Any], ...]
Pattern = str | TokenPattern


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
    suggestions: tuple[str, ...]
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

    @property
    def kind(self) -> str:
        return "draft" if self.category in DRAFT_CATEGORIES else "message"

    def render_message(self, match_text: str) -> str:
        return self.message.replace("{match}", match_text)


@dataclass(frozen=True)
class Library:
    rules: tuple[Rule, ...]
    rules_dir: Path
    lexicon: Lexicon = field(default_factory=Lexicon)
    destinations: DestinationMap = field(default_factory=DestinationMap)
    readability: dict[str, Any] = field(default_factory=dict)
    case_types: Any = None  # case_types.CaseTypeModel
    guidance: Any = None  # guidance.Guidance
    required: Any = None  # required_elements.RequiredElements

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    @property
    def _by_id(self) -> dict[str, Rule]:
        by_id = self.__dict__.get("_by_id_cache")
        if by_id is None:
            by_id = {rule.id: rule for rule in self.rules}
            object.__setattr__(self, "_by_id_cache", by_id)
        return by_id

    def rules_for(self, kind: str) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.kind == kind)


def rule_files(rules_dir: Path) -> list[Path]:
    """Every rule-family file under rules_dir, in a stable order."""
    return sorted(
        path
        for path in rules_dir.rglob("*.yml")
        if not (path.parent == rules_dir and path.name in SETTINGS_FILES)
    )


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=1)
def _pattern_vocab() -> Vocab:
    return Vocab()


def _token_pattern_problem(pattern: list) -> str | None:
    """spaCy's own schema validation, plus our backtracking check on every REGEX value."""
    if not pattern:
        return "a token pattern needs at least one token"
    matcher = Matcher(_pattern_vocab(), validate=True)
    try:
        matcher.add("validate", [pattern])
    except Exception as exc:  # spaCy raises MatchPatternError, ValueError or KeyError here
        detail = " ".join(str(exc).split())
        detail = re.sub(
            r"^Invalid token patterns for matcher rule 'validate'\s*(Pattern 0:)?\s*", "", detail
        )
        return f"invalid token pattern: {detail}"
    unsupported = check_pattern(pattern)
    if unsupported:
        return f"invalid token pattern: {unsupported}"
    for word in _single_token_values(pattern) if _STRICT.get() else ():
        pieces = _tokens_of(word)
        if len(pieces) > 1 and not _is_attached_token(word):
            # A token pattern compares one token at a time, so this value can never match.
            return (
                f"{word!r} is split by the tokenizer into {' + '.join(repr(p) for p in pieces)}: "
                "no single token can equal it; match the pieces as separate tokens, or use a phrase"
            )
    for regex in _regex_values(pattern):
        problem = regex_problem(regex)
        if problem:
            return f"REGEX {regex!r}: {problem}"
    return None


# Checks that only help curators (a token value the tokenizer always splits can never match, but
# breaks nothing) run in `rules validate` and on the page's edits, not on every start: building a
# tokenizer for them costs a fifth of a cold `check`.
_STRICT: ContextVar[bool] = ContextVar("strict_library_checks", default=False)


@lru_cache(maxsize=4096)
def _tokens_of(word: str) -> tuple[str, ...]:
    return tuple(token.text for token in tokenizer()(word))


def _is_attached_token(word: str) -> bool:
    """Clitics such as 're or n't only exist attached to a word: "I" + "'m" gives the token "'m"."""
    return any(word in _tokens_of(host + word) for host in ("I", "do", "it", "we", "you"))


def _single_token_values(pattern: list) -> Iterable[str]:
    for token in pattern:
        if not isinstance(token, dict):
            continue
        for attr in ("LOWER", "ORTH", "TEXT"):
            value = token.get(attr)
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict):
                for key in ("IN", "NOT_IN"):
                    yield from (v for v in value.get(key, []) if isinstance(v, str))


def _regex_values(value: object) -> Iterable[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "REGEX" and isinstance(inner, str):
                yield inner
            else:
                yield from _regex_values(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _regex_values(inner)


STRING_ATTRS = frozenset({"ORTH", "TEXT", "LOWER", "NORM", "LEMMA", "SHAPE", "PREFIX", "SUFFIX"})


def _as_text(value: object) -> object:
    # YAML reads `24` in [in, 24, hours] as a number; in a text attribute it can only mean the word "24".
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    return value


def _normalise_token_pattern(pattern: list) -> list:
    return [
        {key: (_as_text(value) if key in STRING_ATTRS else value) for key, value in token.items()}
        if isinstance(token, dict)
        else token
        for token in pattern
    ]


def _freeze_pattern(pattern: str | list) -> Pattern:
    if isinstance(pattern, str):
        return " ".join(pattern.split())
    return tuple(dict(token) for token in pattern)


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
        return f"unknown category {value!r}; known: {', '.join(PHRASE_CATEGORIES)}"

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
                f"unknown context {unknown[0]!r}; known: {', '.join(CONTEXTS)}",
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
                f"must be one of {', '.join(SEVERITIES)}, got {severity!r}",
                line,
            )
        message = data.get("message")
        if not isinstance(message, str) or not message.strip():
            self.problem(rule_id, "message", "missing or empty", line)
        suggestions = data.get("suggestions", [])
        if not isinstance(suggestions, list) or not all(
            isinstance(s, str) and s.strip() for s in suggestions
        ):
            self.problem(rule_id, "suggestions", "must be a list of non-empty strings", line)
            suggestions = []
        patterns, compiled_patterns = self._patterns(
            data.get("patterns"), rule_id, "patterns", line, required=True
        )
        exceptions, compiled_exceptions = self._patterns(
            data.get("exceptions", []), rule_id, "exceptions", line, required=False
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
            suggestions=tuple(s.strip() for s in suggestions),
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

    def _patterns(
        self, value: object, rule_id: str, field_name: str, line: int, required: bool
    ) -> tuple[tuple[Pattern, ...], tuple[tuple[TokenPattern, ...], ...]]:
        if not isinstance(value, list) or (required and not value):
            need = "a non-empty list" if required else "a list"
            self.problem(rule_id, field_name, f"must be {need} of phrases or token patterns", line)
            return (), ()
        frozen: list[Pattern] = []
        compiled: list[tuple[TokenPattern, ...]] = []
        for position, pattern in enumerate(value):
            where = f"{field_name}[{position}]"
            if isinstance(pattern, str):
                if not pattern.strip():
                    self.problem(rule_id, where, "empty phrase", line)
                    continue
                try:
                    variants = compile_pattern(pattern, self.lexicon)
                except NotationError as exc:
                    self.problem(rule_id, where, f"{pattern!r}: {exc}", line)
                    continue
                frozen.append(_freeze_pattern(pattern))
                compiled.append(tuple(tuple(token for token in v) for v in variants))
                continue
            if isinstance(pattern, list):
                pattern = _normalise_token_pattern(pattern)
                problem = _token_pattern_problem(pattern)
                if problem:
                    self.problem(
                        rule_id, where, problem, line_of(pattern[0] if pattern else None, line)
                    )
                    continue
            else:
                self.problem(
                    rule_id,
                    where,
                    "must be a phrase (string) or a token pattern (list of token dicts)",
                    line,
                )
                continue
            token_pattern = _freeze_pattern(pattern)
            frozen.append(token_pattern)
            compiled.append((token_pattern,))  # type: ignore[arg-type]
        return tuple(frozen), tuple(compiled)

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
                        f"{match!r} does not occur in the example text",
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


def parse_patterns(
    value: object,
    path: str,
    owner: str,
    field_name: str,
    line: int,
    problems: list[Problem],
    lexicon: Lexicon,
) -> tuple[TokenPattern, ...]:
    """Validate phrases and token patterns from any curated file (rules, case types): token patterns."""
    parser = _FileParser(path, lexicon)
    _, compiled = parser._patterns(value, owner, field_name, line, required=True)
    problems.extend(parser.problems)
    return tuple(variant for variants in compiled for variant in variants)


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


def _read_text(
    path: Path, shown: str, overrides: Mapping[Path, str] | None = None
) -> tuple[str | None, Problem | None]:
    if overrides and path.resolve() in overrides:
        return overrides[path.resolve()], None
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:
        return None, Problem(shown, "(file)", "encoding", f"not valid UTF-8 at byte {exc.start}")
    except OSError as exc:
        return None, Problem(shown, "(file)", "(file)", f"cannot read: {exc.strerror}")


def _settings(
    rules_dir: Path, name: str, problems: list[Problem], overrides: Mapping[Path, str] | None = None
) -> dict[str, Any]:
    path = rules_dir / name
    if not path.exists():
        return {}
    shown = display_path(path)
    text, problem = _read_text(path, shown, overrides)
    if problem:
        problems.append(problem)
        return {}
    try:
        data = load_yaml(text or "")
    except yaml.YAMLError as exc:
        problems.append(
            Problem(shown, "(file)", "yaml", yaml_error_text(exc), yaml_error_line(exc))
        )
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(shown, "(file)", "(file)", "must be a mapping"))
        return {}
    return data


def collect(
    rules_dir: Path | None = None, overrides: Mapping[Path, str] | None = None, strict: bool = False
) -> tuple[Library, list[Problem]]:
    token = _STRICT.set(strict)
    try:
        return _collect(rules_dir, overrides)
    finally:
        _STRICT.reset(token)


def _collect(
    rules_dir: Path | None = None, overrides: Mapping[Path, str] | None = None
) -> tuple[Library, list[Problem]]:
    """Load everything that loads, and list every problem; never raises for bad content.

    `overrides` maps resolved file paths to unsaved text (a curator's edit), so an edit is
    validated against the whole library before it is written.
    """
    rules_dir = Path(rules_dir or DEFAULT_RULES_DIR)
    overrides = {Path(path).resolve(): text for path, text in (overrides or {}).items()}
    problems: list[Problem] = []
    if not rules_dir.is_dir():
        problems.append(
            Problem(display_path(rules_dir), "(library)", "rules-dir", "not a directory")
        )
        return Library((), rules_dir), problems
    lexicon = parse_lexicon(
        _settings(rules_dir, LEXICON_FILE, problems, overrides),
        display_path(rules_dir / LEXICON_FILE),
        problems,
        required=CONTEXT_CLASSES,
    )
    rules: list[Rule] = []
    first_seen: dict[str, Rule] = {}
    for path in rule_files(rules_dir):
        shown = display_path(path)
        text, problem = _read_text(path, shown, overrides)
        if problem:
            problems.append(problem)
            continue
        file_rules, file_problems = parse_rule_text(text or "", shown, lexicon)
        problems.extend(file_problems)
        for rule in file_rules:
            earlier = first_seen.get(rule.id)
            if earlier is not None:
                problems.append(
                    Problem(
                        shown,
                        rule.id,
                        "id",
                        f"duplicate id, first defined in {earlier.path} (line {earlier.line})",
                        rule.line,
                    )
                )
                continue
            first_seen[rule.id] = rule
            rules.append(rule)
    if not rules and not problems:
        problems.append(
            Problem(display_path(rules_dir), "(library)", "rules", "no rule files found")
        )
    from .case_types import parse_case_types
    from .guidance import parse_guidance
    from .required_elements import parse_required_elements

    destinations = parse_destinations(
        _settings(rules_dir, DESTINATIONS_FILE, problems, overrides),
        display_path(rules_dir / DESTINATIONS_FILE),
        problems,
        lexicon,
    )
    for rule in rules:
        if rule.by_destination and not destinations:
            problems.append(
                Problem(
                    rule.path,
                    rule.id,
                    "by_destination",
                    f"needs {DESTINATIONS_FILE} beside the rule files (category by destination)",
                    rule.line,
                )
            )
    library = Library(
        tuple(rules),
        rules_dir,
        lexicon=lexicon,
        destinations=destinations,
        readability=_settings(rules_dir, "readability.yml", problems, overrides),
        case_types=parse_case_types(
            _settings(rules_dir, "case_types.yml", problems, overrides),
            display_path(rules_dir / "case_types.yml"),
            problems,
            lexicon,
        ),
        guidance=parse_guidance(
            _settings(rules_dir, "guidance.yml", problems, overrides),
            display_path(rules_dir / "guidance.yml"),
            problems,
        ),
        required=parse_required_elements(
            _settings(rules_dir, "required_elements.yml", problems, overrides),
            display_path(rules_dir / "required_elements.yml"),
            problems,
            lexicon,
        ),
    )
    return library, problems


def load_library(rules_dir: Path | None = None) -> Library:
    """The library, or LibraryError naming every problem: a broken library is never half-used."""
    library, problems = collect(rules_dir)
    if problems:
        raise LibraryError(problems)
    return library
