"""Where a threat goes decides what kind of threat it is (phrase_rules/destinations.yml).

    chargeback_threat: dest_chargeback     # category: the word class naming its destinations
    legal_threat: dest_legal

A rule with `by_destination: true` matches the frame of a threat (a prospective or conditional
marker, any verb, a destination); the destinations named inside the match then decide its category,
one finding per category, so "my bank and then the ombudsman" is a chargeback and a regulator threat,
and no rule order can make a regulator read as a chargeback.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.core.categories import MESSAGE_CATEGORIES
from assistant.core.problems import Problem, shorten
from assistant.library.lexicon import Lexicon
from assistant.library.notation import word_pieces
from assistant.library.yaml_lines import line_of

DESTINATIONS_FILE = "destinations.yml"


@dataclass(frozen=True)
class DestinationMap:
    # First word's reading -> (the whole phrase's readings, category), longest phrases first.
    by_first_word: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]] = field(
        default_factory=dict
    )

    def __bool__(self) -> bool:
        return bool(self.by_first_word)

    def find(self, norms: Sequence[str], start: int, end: int) -> list[tuple[str, int, int]]:
        """(category, first token, end token) of every destination inside norms[start:end]."""
        found: list[tuple[str, int, int]] = []
        i = start
        while i < end:
            for phrase, category in self.by_first_word.get(norms[i], ()):
                if i + len(phrase) <= end and tuple(norms[i : i + len(phrase)]) == phrase:
                    found.append((category, i, i + len(phrase)))
                    i += len(phrase) - 1
                    break
            i += 1
        return found


def parse_destinations(
    data: Mapping[str, Any], path: str, problems: list[Problem], lexicon: Lexicon
) -> DestinationMap:
    if not data:
        return DestinationMap()
    line = line_of(data)
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    owner: dict[tuple[str, ...], str] = {}
    for category, class_name in data.items():
        if category not in MESSAGE_CATEGORIES:
            problems.append(
                Problem(
                    path,
                    str(category),
                    "(category)",
                    f"unknown threat category; known: {', '.join(MESSAGE_CATEGORIES)}",
                    line,
                )
            )
            continue
        if not isinstance(class_name, str) or class_name not in lexicon:
            problems.append(
                Problem(
                    path, category, "(class)", f"{shorten(class_name)} is not a word class", line
                )
            )
            continue
        for entry in lexicon.classes[class_name].entries:
            norms = tuple(
                lexicon.norm(piece) or piece
                for word in entry.split()
                for piece in word_pieces(word)
            )
            earlier = owner.get(norms)
            if earlier is not None and earlier != category:
                problems.append(
                    Problem(
                        path,
                        category,
                        "(class)",
                        f"{shorten(entry)} is also a destination of {earlier}: one place, one category",
                        line,
                    )
                )
                continue
            owner[norms] = category
            phrases[norms[0]].append((norms, category))
    return DestinationMap(
        {
            first: tuple(sorted(set(entries), key=lambda item: -len(item[0])))
            for first, entries in phrases.items()
        }
    )
