"""Load and validate the whole library: rule files plus the settings files beside them.

`collect()` loads everything that loads and lists every problem; `load_library()` refuses a
library with any problem, so a broken library is never half-used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from assistant.core import resources
from assistant.core.problems import LibraryError, Problem, display_path, shorten
from assistant.library.case_types import CaseTypeModel, parse_case_types
from assistant.library.destinations import DESTINATIONS_FILE, DestinationMap, parse_destinations
from assistant.library.files import read_mapping, read_text
from assistant.library.guidance import Guidance, parse_guidance
from assistant.library.lexicon import LEXICON_FILE, Lexicon, parse_lexicon
from assistant.library.patterns import strict_checks
from assistant.library.required_elements import RequiredElements, parse_required_elements
from assistant.library.rules import Rule, parse_rule_text
from assistant.library.settings import ReadabilitySettings, parse_settings
from assistant.library.templates import list_case_types, template_settings_problems

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
Parsed = TypeVar("Parsed")

# Settings a library may leave out, and what is then missing (the defaults of the others suffice).
OPTIONAL_SETTINGS = {
    "case_types.yml": "scan suggests no case type",
    "guidance.yml": "scan gives no guidance and no routing",
    "required_elements.yml": "a check with a case type cannot look for the elements its reply needs",
}
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


@dataclass(frozen=True)
class Library:
    rules: tuple[Rule, ...]
    rules_dir: Path
    lexicon: Lexicon = field(default_factory=Lexicon)
    destinations: DestinationMap = field(default_factory=DestinationMap)
    readability: ReadabilitySettings = field(default_factory=ReadabilitySettings)
    case_types: CaseTypeModel = field(default_factory=CaseTypeModel)
    guidance: Guidance = field(default_factory=Guidance)
    required: RequiredElements = field(default_factory=RequiredElements)
    # What this library cannot do because a settings file is absent: said, never silently skipped.
    notices: tuple[str, ...] = ()

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


def _settings(
    rules_dir: Path, name: str, problems: list[Problem], overrides: Mapping[Path, str] | None = None
) -> dict[str, Any]:
    return read_mapping(rules_dir / name, problems, overrides, root=rules_dir)


def collect(
    rules_dir: str | Path | None = None,
    overrides: Mapping[Path, str] | None = None,
    strict: bool = False,
    templates_dir: str | Path | None = None,
) -> tuple[Library, list[Problem]]:
    """`templates_dir` is where the case types live (the bundled templates by default): the
    case-type settings are checked against its folders."""
    with strict_checks(strict):
        return _collect(rules_dir, overrides, templates_dir)


def _collect(
    rules_dir: str | Path | None,
    overrides: Mapping[Path, str] | None,
    templates_dir: str | Path | None,
) -> tuple[Library, list[Problem]]:
    """Load everything that loads, and list every problem; never raises for bad content.

    `overrides` maps resolved file paths to unsaved text (a curator's edit), so an edit is
    validated against the whole library before it is written.
    """
    rules_dir = resources.rules_dir(rules_dir)
    overrides = {Path(path).resolve(): text for path, text in (overrides or {}).items()}
    problems: list[Problem] = []
    if not rules_dir.is_dir():
        problems.append(
            Problem(display_path(rules_dir), "(library)", "rules-dir", "not a directory")
        )
        return Library((), rules_dir), problems

    def settings_file(
        name: str, parse: Callable[..., Parsed], empty: Parsed, *args: Any, **kwargs: Any
    ) -> Parsed:
        """One settings file beside the rules, read and parsed behind the last guard."""
        path = rules_dir / name
        return _shielded(
            lambda: parse(
                _settings(rules_dir, name, problems, overrides),
                display_path(path),
                problems,
                *args,
                **kwargs,
            ),
            empty,
            path,
            problems,
        )

    lexicon = settings_file(LEXICON_FILE, parse_lexicon, Lexicon(), required=CONTEXT_CLASSES)
    rules: list[Rule] = []
    first_seen: dict[str, Rule] = {}
    for path in rule_files(rules_dir):
        shown = display_path(path)
        text, problem = read_text(path, shown, overrides, rules_dir)
        if problem:
            problems.append(problem)
            continue
        file_rules, file_problems = _shielded(
            partial(parse_rule_text, text or "", shown, lexicon), ([], []), path, problems
        )
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
    destinations = settings_file(DESTINATIONS_FILE, parse_destinations, DestinationMap(), lexicon)
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
        notices=tuple(
            f"no {name} in {display_path(rules_dir)}: {consequence}"
            for name, consequence in OPTIONAL_SETTINGS.items()
            if not (rules_dir / name).exists()
        ),
        lexicon=lexicon,
        destinations=destinations,
        readability=settings_file(
            "readability.yml", partial(parse_settings, ReadabilitySettings), ReadabilitySettings()
        ),
        case_types=settings_file(
            "case_types.yml",
            parse_case_types,
            CaseTypeModel(),
            lexicon,
            known=list_case_types(templates_dir),
        ),
        guidance=settings_file("guidance.yml", parse_guidance, Guidance()),
        required=settings_file(
            "required_elements.yml", parse_required_elements, RequiredElements(), lexicon
        ),
    )
    problems.extend(
        _shielded(
            lambda: template_settings_problems(templates_dir),
            [],
            resources.templates_dir(templates_dir),
            problems,
        )
    )
    return library, problems


def _shielded(
    parse: Callable[[], Parsed], empty: Parsed, path: Path, problems: list[Problem]
) -> Parsed:
    """Each parser names the shapes it expects; one it did not foresee (a number where a mapping
    belongs, deep inside) is still a problem of that file, never a traceback of the tool."""
    try:
        return parse()
    except Exception as exc:  # the last guard, after every named check
        problems.append(
            Problem(
                display_path(path),
                "(file)",
                "(file)",
                f"a value of an unexpected shape ({type(exc).__name__}: {shorten(str(exc))})",
            )
        )
        return empty


def load_library(
    rules_dir: str | Path | None = None, templates_dir: str | Path | None = None
) -> Library:
    """The library, or LibraryError naming every problem: a broken library is never half-used."""
    library, problems = collect(rules_dir, templates_dir=templates_dir)
    if problems:
        raise LibraryError(problems)
    return library


def library_signature(rules_dir: str | Path | None = None) -> tuple[tuple[str, int, int], ...]:
    """Changes whenever a curator saves a file of the library: the cache key of anything built
    from it, so an edited library is never served stale."""
    root = resources.rules_dir(rules_dir)
    paths = [*rule_files(root), *sorted(root.glob("*.yml"))] if root.is_dir() else []
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
