"""Word classes and normalisations shared by every rule (phrase_rules/words.yml).

    norms:                       # how a token reads before matching: textspeak and clitics
      u: you
      "n't": not
    classes:
      modal:
        note: why the class exists
        words: [can, could, will, would]
      refusal_verb:
        match: lemma             # entries are base forms; any inflection matches
        words: [refund, offer]
      third_party:
        words: [courier, "royal mail", <carrier>]   # multi-word entries and other classes

Rules name a class as `<modal>` in the phrase notation (phrase_notation.py); the context checks read
their word lists from classes here too, so a curator changes a word in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.core.problems import Problem, shorten
from assistant.library.yaml_lines import line_of

LEXICON_FILE = "words.yml"
LEXICON_KEYS = frozenset({"norms", "classes"})
CLASS_KEYS = frozenset({"note", "match", "words"})
MATCH_MODES = ("norm", "lemma")
CLASS_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CLASS_REFERENCE = re.compile(r"^<([a-z][a-z0-9_]*)>$")
# Names the notation itself defines; a class of the same name would be unreachable.
BUILT_IN_CLASSES = frozenset({"any", "gap"})


@dataclass(frozen=True)
class WordClass:
    name: str
    match: str
    # Each entry is one word or a phrase of several words, as written (notation literals).
    entries: tuple[str, ...]
    line: int = 0

    @property
    def single_words(self) -> frozenset[str]:
        return frozenset(entry for entry in self.entries if " " not in entry)

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(entry.split()) for entry in self.entries)


@dataclass(frozen=True)
class Lexicon:
    classes: Mapping[str, WordClass] = field(default_factory=dict)
    norms: Mapping[str, str] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.classes

    def words(self, name: str) -> frozenset[str]:
        """The single-word entries of a class, lower case: what the context checks compare tokens with."""
        return self.classes[name].single_words

    def phrases(self, name: str) -> tuple[tuple[str, ...], ...]:
        return self.classes[name].phrases

    def norm(self, lower: str) -> str | None:
        return self.norms.get(lower)


def _text(value: object) -> str | None:
    # YAML reads `24` or `2` as numbers; in a word list they can only mean the word.
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return " ".join(value.lower().split())
    return None


def parse_lexicon(
    data: Mapping[str, Any], path: str, problems: list[Problem], required: Iterable[str] = ()
) -> Lexicon:
    """Validate words.yml; references between classes are expanded, cycles and unknown names refused."""
    if not data:
        missing = sorted(required)
        if missing:
            problems.append(
                Problem(path, "(file)", "classes", f"missing: the checks need {', '.join(missing)}")
            )
        return Lexicon()
    line = line_of(data)
    for key in sorted(set(data) - LEXICON_KEYS, key=str):
        problems.append(
            Problem(path, "(file)", str(key), "unknown key; allowed: classes, norms", line)
        )
    norms = _parse_norms(data.get("norms", {}), path, problems, line)
    raw = data.get("classes", {})
    if not isinstance(raw, dict):
        problems.append(
            Problem(path, "(file)", "classes", "must be a mapping of class names", line)
        )
        raw = {}
    declared: dict[str, tuple[str, list[str], int]] = {}
    for name, spec in raw.items():
        spec_line = line_of(spec, line)
        shown = str(name)
        if not isinstance(name, str) or not CLASS_NAME.match(name) or name in BUILT_IN_CLASSES:
            problems.append(
                Problem(
                    path,
                    shown,
                    "(class)",
                    "a class name is lower-case letters, digits and _, and not 'any' or 'gap'",
                    spec_line,
                )
            )
            continue
        parsed = _parse_class(spec, path, name, spec_line, problems)
        if parsed is not None:
            declared[name] = (*parsed, spec_line)
    classes: dict[str, WordClass] = {}
    for name in declared:
        entries = _expand(name, declared, path, problems, ())
        if entries is not None:
            match, _, spec_line = declared[name]
            classes[name] = WordClass(name, match, tuple(dict.fromkeys(entries)), spec_line)
    for name in sorted(set(required) - set(declared)):
        problems.append(
            Problem(path, name, "(class)", "missing: a context check reads this class", line)
        )
    return Lexicon(classes, norms)


def _parse_norms(value: object, path: str, problems: list[Problem], line: int) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(Problem(path, "(file)", "norms", "must map a word to how it reads", line))
        return {}
    norms: dict[str, str] = {}
    for word, reading in value.items():
        word_text, reading_text = _text(word), _text(reading)
        if word_text is None or reading_text is None or " " in word_text or " " in reading_text:
            problems.append(
                Problem(
                    path,
                    "(file)",
                    f"norms.{word}",
                    "each norm maps one word to one word (a clitic such as n't is one word)",
                    line_of(value, line),
                )
            )
            continue
        norms[word_text] = reading_text
    return norms


def _parse_class(
    spec: object, path: str, name: str, line: int, problems: list[Problem]
) -> tuple[str, list[str]] | None:
    if not isinstance(spec, dict):
        problems.append(Problem(path, name, "(class)", "must be a mapping with words", line))
        return None
    for key in sorted(set(spec) - CLASS_KEYS, key=str):
        problems.append(
            Problem(path, name, str(key), "unknown key; allowed: match, note, words", line)
        )
    match = spec.get("match", "norm")
    if match not in MATCH_MODES:
        problems.append(
            Problem(path, name, "match", f"must be one of {', '.join(MATCH_MODES)}", line)
        )
        return None
    words = spec.get("words")
    if not isinstance(words, list) or not words:
        problems.append(Problem(path, name, "words", "must be a non-empty list", line))
        return None
    entries: list[str] = []
    for position, word in enumerate(words):
        text = _text(word)
        if text is None:
            problems.append(
                Problem(path, name, f"words[{position}]", "must be a word or a phrase", line)
            )
            continue
        if match == "lemma" and " " in text and not CLASS_REFERENCE.match(text):
            problems.append(
                Problem(
                    path,
                    name,
                    f"words[{position}]",
                    f"{shorten(text)}: a lemma class holds single base forms, not phrases",
                    line,
                )
            )
            continue
        entries.append(text)
    return match, entries


def _expand(
    name: str,
    declared: Mapping[str, tuple[str, list[str], int]],
    path: str,
    problems: list[Problem],
    seen: tuple[str, ...],
) -> list[str] | None:
    match, entries, line = declared[name]
    expanded: list[str] = []
    for entry in entries:
        reference = CLASS_REFERENCE.match(entry)
        if reference is None:
            expanded.append(entry)
            continue
        other = reference.group(1)
        if other in (*seen, name):
            problems.append(
                Problem(path, name, "words", f"<{other}> refers back to itself (a cycle)", line)
            )
            return None
        if other not in declared:
            problems.append(Problem(path, name, "words", f"unknown class <{other}>", line))
            return None
        if declared[other][0] != match:
            problems.append(
                Problem(
                    path,
                    name,
                    "words",
                    f"<{other}> matches by {declared[other][0]}, this class by {match}",
                    line,
                )
            )
            return None
        inner = _expand(other, declared, path, problems, (*seen, name))
        if inner is None:
            return None
        expanded.extend(inner)
    return expanded
