"""An anchored matcher for spaCy token patterns: the same pattern language, indexed by first token.

spaCy's Matcher tries every pattern at every token, about 70 ns per pattern per token: with the
library's ~700 patterns that is ~2 ms per draft, ten times the budget. Almost every pattern starts
with a word or a set of words, so we index patterns by that word and only try the few whose first
word occurs. Patterns are validated by spaCy's own schema and by library/token_patterns.py, which
defines the subset this matcher runs: text attributes (ORTH, TEXT, LOWER, NORM, LEMMA, SHAPE) as a value or
with IN / NOT_IN / REGEX, the IS_* and LIKE_* flags, and the OP quantifiers. One difference from
spaCy's Matcher: whitespace tokens are skipped, so extra spacing between words never hides a phrase.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from spacy import attrs
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.strings import StringStore
from spacy.tokens import Doc

from assistant.library.token_patterns import (
    FLAG_ATTRS,
    TEXT_ATTRS,
    UNBOUNDED,
    PatternError,
    compile_regex,
    op_bounds,
    token_problem,
)
from assistant.nlp.deadline import CLOCK_EVERY, out_of_time

# A test sees the doc's attribute columns and a token index.
Test = Callable[[dict[int, list[int]], Doc, int], bool]


@dataclass(frozen=True)
class _Step:
    test: Test
    low: int
    high: int


@dataclass(frozen=True, eq=False)
class _Compiled:
    key: str
    steps: tuple[_Step, ...]
    # A word set from a later required token that must occur somewhere in the doc: one set test
    # rules out most attempts before any token is compared. The most selective such set is kept.
    trigger: tuple[int, frozenset[int]] | None = None


@dataclass
class _Bucket:
    """Patterns that start with one word, sub-indexed by their second word where it is fixed."""

    any_next: list[_Compiled]
    by_next: dict[tuple[int, int], list[_Compiled]]
    next_columns: set[int]


def _text_test(column: int, value: object, strings: StringStore, name: str) -> Test:
    if isinstance(value, str):
        wanted = strings.add(value)
        return lambda cols, doc, i: cols[column][i] == wanted
    tests: list[Test] = []
    for operator, operand in value.items():
        if operator == "IN":
            members = frozenset(strings.add(str(v)) for v in operand)
            tests.append(lambda cols, doc, i, m=members: cols[column][i] in m)
        elif operator == "NOT_IN":
            members = frozenset(strings.add(str(v)) for v in operand)
            tests.append(lambda cols, doc, i, m=members: cols[column][i] not in m)
        else:  # REGEX: check_pattern admits no other operator
            regex = compile_regex(str(operand))
            tests.append(
                lambda cols, doc, i, r=regex: r.search(strings[cols[column][i]]) is not None
            )
    if len(tests) == 1:
        return tests[0]
    return lambda cols, doc, i: all(test(cols, doc, i) for test in tests)


def _token_test(token: dict, strings: StringStore) -> Test:
    tests: list[Test] = []
    for name, value in token.items():
        if name == "OP":
            continue
        if name in TEXT_ATTRS:
            tests.append(_text_test(TEXT_ATTRS[name], value, strings, name))
        else:
            column, expected = FLAG_ATTRS[name], int(bool(value))
            tests.append(lambda cols, doc, i, c=column, e=expected: cols[c][i] == e)
    if not tests:
        return lambda cols, doc, i: True
    if len(tests) == 1:
        return tests[0]
    return lambda cols, doc, i: all(test(cols, doc, i) for test in tests)


def _negate(test: Test) -> Test:
    return lambda cols, doc, i: not test(cols, doc, i)


def _anchor(token: dict, strings: StringStore) -> tuple[int, frozenset[int]] | None:
    """The (column, word hashes) a match must start with, when the first token is a word test."""
    if token.get("OP") is not None or len(set(token) - {"OP"}) != 1:
        return None
    ((name, value),) = ((k, v) for k, v in token.items() if k != "OP")
    if name not in TEXT_ATTRS:
        return None
    if isinstance(value, str):
        return TEXT_ATTRS[name], frozenset({strings.add(value)})
    if isinstance(value, dict) and set(value) == {"IN"}:
        return TEXT_ATTRS[name], frozenset(strings.add(str(v)) for v in value["IN"])
    return None


def without_leading_optionals(pattern: list[dict], *, tail: bool = False) -> list[list[dict]]:
    """Equivalent patterns that each start with one plain required token, so every one can be
    anchored: `X? Y` is `Y` or `X Y`; `X{0,2} Y` is `Y` or `X X{0,1} Y`; `X+ Y` is `X X* Y`."""
    if not pattern:
        return [pattern]
    first, rest = pattern[0], pattern[1:]
    op = first.get("OP")
    if op is None or op == "!":
        return [pattern]
    low, high, _ = op_bounds(op)
    plain = {k: v for k, v in first.items() if k != "OP"}
    variants: list[list[dict]] = []
    if low == 0 and rest:
        variants.extend(without_leading_optionals(rest, tail=tail))
    elif low == 0 and tail:
        variants.append([])  # the rest of a pattern may be empty; a whole pattern may not
    if high > 1:
        more_high = "" if high >= UNBOUNDED else str(high - 1)
        variants.append([plain, {**plain, "OP": f"{{{max(low - 1, 0)},{more_high}}}"}, *rest])
    else:
        variants.append([plain, *rest])
    return variants


class TokenMatcher:
    """Matches token patterns; returns (key, start, end) with the longest end per pattern and start.

    Patterns are filed under the word their first token requires, and under their second word too
    where that is fixed, because the most common first words ("you", "we", "the") start dozens
    of patterns. A doc only tries the patterns filed under its own words, at those positions.
    """

    def __init__(self, strings: StringStore):
        self.strings = strings
        self._anchored: dict[tuple[int, int], _Bucket] = {}
        self._anchor_words: dict[int, set[int]] = defaultdict(set)
        self._unanchored: list[_Compiled] = []
        self._columns: set[int] = {attrs.ORTH}
        self._trigger_columns: set[int] = set()
        self._common = frozenset(strings.add(word) for word in STOP_WORDS)
        self._triggers: dict[tuple[int, frozenset[int]], tuple[int, frozenset[int]]] = {}
        self._groups: dict[int, tuple[int, list]] = {}
        self._steps: dict[str, _Step] = {}
        self._anchors: dict[str, tuple[int, frozenset[int]] | None] = {}

    def add(self, key: str, patterns: Iterable[Sequence[dict]]) -> None:
        """Raises PatternError for a token outside the language library/token_patterns.py defines."""
        for pattern in patterns:
            for variant in without_leading_optionals([dict(token) for token in pattern]):
                # The second word is made plain too: the bucket of a common first word ("we",
                # "i") is then narrowed by it, instead of trying every pattern that starts there.
                head, rest = variant[:1], variant[1:]
                for tail in without_leading_optionals(rest, tail=True) if rest else [rest]:
                    self._add_one(key, head + tail)

    def _step(self, token: dict) -> _Step:
        """Word classes make the same token test recur across thousands of compiled patterns:
        build each distinct one once."""
        signature = repr(sorted(token.items()))
        step = self._steps.get(signature)
        if step is None:
            # Checked once per distinct token, here where each is first compiled: the library's
            # patterns share most of their tokens, and a check per pattern cost half a second.
            problem = token_problem(token)
            if problem:
                raise PatternError(problem)
            low, high, negated = op_bounds(token.get("OP"))
            test = _token_test(token, self.strings)
            step = self._steps[signature] = _Step(_negate(test) if negated else test, low, high)
            self._columns.update(TEXT_ATTRS[k] for k in token if k in TEXT_ATTRS)
            self._columns.update(FLAG_ATTRS[k] for k in token if k in FLAG_ATTRS)
        return step

    def _anchor_of(self, token: dict) -> tuple[int, frozenset[int]] | None:
        signature = repr(sorted(token.items()))
        if signature not in self._anchors:
            self._anchors[signature] = _anchor(token, self.strings)
        return self._anchors[signature]

    def _add_one(self, key: str, pattern: list[dict]) -> None:
        steps = [self._step(token) for token in pattern]
        required = tuple(
            word_test
            for token, step in zip(pattern[1:], steps[1:], strict=True)
            if step.low >= 1 and token.get("OP") != "!"
            for word_test in [self._anchor_of({k: v for k, v in token.items() if k != "OP"})]
            if word_test is not None
        )
        trigger = (
            min(required, key=lambda word_test: len(word_test[1] & self._common))
            if required
            else None
        )
        if trigger is not None:
            # One shared object per distinct trigger, so a doc tests each trigger once (by id).
            trigger = self._triggers.setdefault(trigger, trigger)
            self._trigger_columns.add(trigger[0])
        compiled = _Compiled(key, tuple(steps), trigger)
        anchor = self._anchor_of(pattern[0]) if pattern else None
        if anchor is None:
            self._unanchored.append(compiled)
            return
        column, words = anchor
        self._anchor_words[column].update(words)
        self._trigger_columns.add(column)
        second = self._anchor_of(pattern[1]) if len(pattern) > 1 else None
        for word in words:
            bucket = self._anchored.setdefault(
                (column, word), _Bucket([], defaultdict(list), set())
            )
            if second is None:
                bucket.any_next.append(compiled)
                continue
            next_column, next_words = second
            bucket.next_columns.add(next_column)
            for next_word in next_words:
                bucket.by_next[(next_column, next_word)].append(compiled)

    def _by_trigger(
        self, candidates: list[_Compiled]
    ) -> list[tuple[tuple[int, frozenset[int]] | None, list[_Compiled]]]:
        """A bucket's patterns grouped by trigger, so a doc rules out a whole group with one test.
        Cached per list; a list only grows while patterns are added, so its length keys the cache."""
        cached = self._groups.get(id(candidates))
        if cached is not None and cached[0] == len(candidates):
            return cached[1]
        groups: dict[int, tuple[tuple[int, frozenset[int]] | None, list[_Compiled]]] = {}
        for compiled in candidates:
            groups.setdefault(id(compiled.trigger), (compiled.trigger, []))[1].append(compiled)
        grouped = list(groups.values())
        self._groups[id(candidates)] = (len(candidates), grouped)
        return grouped

    def __call__(self, doc: Doc) -> list[tuple[str, int, int]]:
        length = len(doc)
        if not length:
            return []
        columns = sorted(self._columns)
        array = doc.to_array([*columns, attrs.IS_SPACE])
        cols = dict(zip(columns, array.T.tolist(), strict=False))
        # Patterns read words, not spacing: a double space or a line break of a hard-wrapped email
        # is a token of its own in spaCy, and would hide "you should have  read". The patterns see
        # the words only; matches are mapped back to the doc's tokens.
        spaces = array[:, -1].tolist()
        words_at: list[int] | None = None
        if any(spaces):
            words_at = [i for i, space in enumerate(spaces) if not space]
            cols = {column: [values[i] for i in words_at] for column, values in cols.items()}
            length = len(words_at)
            if not length:
                return []
        anchored = self._anchored
        # Only word columns are ever tested for presence; flag columns would cost a set each for nothing.
        present = {column: set(cols[column]) for column in self._trigger_columns}
        # (start, patterns) pairs; each list of patterns is one bucket's, grouped by trigger below.
        starts: list[tuple[int, list[_Compiled]]] = []
        if self._unanchored:
            starts.extend((start, self._unanchored) for start in range(length))
        for column, words in self._anchor_words.items():
            values = cols[column]
            if words.isdisjoint(present[column]):
                continue
            for start in [i for i, value in enumerate(values) if value in words]:
                bucket = anchored[(column, values[start])]
                if bucket.any_next:
                    starts.append((start, bucket.any_next))
                if start + 1 < length:
                    for next_column in bucket.next_columns:
                        narrowed = bucket.by_next.get((next_column, cols[next_column][start + 1]))
                        if narrowed:
                            starts.append((start, narrowed))
        matches: list[tuple[str, int, int]] = []
        absent: dict[int, bool] = {}
        for number, (start, candidates) in enumerate(starts):
            if number % CLOCK_EVERY == 0 and out_of_time(doc):
                break
            for trigger, group in self._by_trigger(candidates):
                if trigger is not None:
                    missing = absent.get(id(trigger))
                    if missing is None:
                        missing = absent[id(trigger)] = trigger[1].isdisjoint(present[trigger[0]])
                    if missing:
                        continue
                for compiled in group:
                    end = _match(compiled.steps, 0, start, length, cols, doc)
                    if end > start:
                        matches.append((compiled.key, start, end))
        if words_at is None:
            return matches
        return [(key, words_at[start], words_at[end - 1] + 1) for key, start, end in matches]


def _match(steps: tuple[_Step, ...], k: int, i: int, length: int, cols: dict, doc: Doc) -> int:
    """The end of the longest match of steps[k:] at token i, or -1 (greedy with backtracking)."""
    step = steps[k]
    test = step.test
    count, j, high = 0, i, step.high
    while count < high and j < length and test(cols, doc, j):
        count += 1
        j += 1
    if count < step.low:
        return -1
    last = k + 1 == len(steps)
    if last:
        return i + count
    following = steps[k + 1]
    for taken in range(count, step.low - 1, -1):
        position = i + taken
        # Check the next step here: a failed call costs more than the test it would run first.
        if following.low and (position >= length or not following.test(cols, doc, position)):
            continue
        end = _match(steps, k + 1, position, length, cols, doc)
        if end >= 0:
            return end
    return -1
