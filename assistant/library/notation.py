"""A phrase notation curators can read, compiled to the token patterns the matcher runs.

    we (are|'re) unable to <refusal_verb> anything [further|more]
    <event> (due to|because of|owing to) <any>+

- a word matches that word in any case, after normalisation ("can't", "cannot" and "cant" all read
  as can + not; textspeak "u" reads as "you": phrase_rules/words.yml `norms`);
- `(a|b c)` one of the alternatives, `[a|b c]` the same but optional;
- `<name>` one word (or phrase) of a word class from words.yml; `<any>` any one word (not punctuation);
  `<gap>` any one token but sentence-final punctuation, so `will <gap>{0,10} <dest>` reaches across
  commas and "and then" within the sentence;
- `~word` any inflection of the word (its lemma: ~send matches sent, sending);
- `!word`, `!<name>` one word that is not that word / not in that class;
- after a one-word item: `?` optional, `+` one to eight, `*` up to eight, `{m,n}` m to n (at most 12):
  an open slot is always bounded, so a pattern cannot wander across a whole paragraph;
- `\\` makes the next character literal: `anything else\\?`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.tokenizer_exceptions import TOKENIZER_EXCEPTIONS
from spacy.symbols import ORTH

from assistant.library.lexicon import Lexicon

OPEN_SLOT_MAX = 8
SENTENCE_ENDS = (".", "!", "?", ";", "…", "...", "!!", "!!!", "??", "?!", "!?")
MAX_REPEAT = 12
MAX_VARIANTS = 256
SPECIAL = set("()[]|<>!~?*+{}\\")
_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d+))?\}")
_NAME = re.compile(r"<([a-z][a-z0-9_]*)>")

TokenDict = dict[str, object]
Variant = tuple[TokenDict, ...]
# Splits a literal word the way the tokenizer does ("can't" -> ["ca", "n't"]), lower case.
Pieces = Callable[[str], list[str]]


_PLAIN_WORD = re.compile(r"^[a-z]+$")
_CLITIC = re.compile(r"^(?:'[a-z]+|n't)$")


@lru_cache(maxsize=1)
def tokenizer():
    """spaCy's English tokenizer on its own, built once, for reading curated words."""
    import spacy

    return spacy.blank("en").tokenizer


@lru_cache(maxsize=8192)
def _pieces(word: str) -> tuple[str, ...]:
    special = TOKENIZER_EXCEPTIONS.get(word)
    if special is not None:
        return tuple(str(piece[ORTH]).lower() for piece in special)
    if _PLAIN_WORD.match(word) or _CLITIC.match(word):
        # A run of letters is one token unless it is a special case above; a clitic written alone
        # ('re, n't) is the token it becomes after its host word.
        return (word,)
    # Anything else (hyphens, digits, dots) is split by the real tokenizer, loaded only if needed.
    return tuple(token.lower_ for token in tokenizer()(word))


def word_pieces(word: str) -> list[str]:
    """The tokens the tokenizer makes of one lower-case word: "can't" gives ["ca", "n't"]."""
    return list(_pieces(word))


class NotationError(ValueError):
    """A pattern that does not parse or cannot compile, with the column where it goes wrong."""

    def __init__(self, message: str, column: int | None = None):
        self.column = column
        super().__init__(f"{message} (column {column + 1})" if column is not None else message)


@dataclass(frozen=True)
class Word:
    text: str
    lemma: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ClassRef:
    name: str
    negated: bool = False


@dataclass(frozen=True)
class AnyWord:
    # <gap>: punctuation inside the sentence (commas, dashes) counts as a token too.
    within_sentence: bool = False


@dataclass(frozen=True)
class Group:
    alternatives: tuple[tuple[Item, ...], ...]
    optional: bool


@dataclass(frozen=True)
class Item:
    atom: Word | ClassRef | AnyWord | Group
    repeat: tuple[int, int] | None
    column: int


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def parse(self) -> tuple[Item, ...]:
        items = self._sequence(closers="")
        if self.pos < len(self.text):
            raise NotationError(f"unexpected {self.text[self.pos]!r}", self.pos)
        if not items:
            raise NotationError("empty pattern")
        return items

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _sequence(self, closers: str) -> tuple[Item, ...]:
        items: list[Item] = []
        while True:
            self._skip_space()
            if self.pos >= len(self.text) or self.text[self.pos] in closers + "|":
                return tuple(items)
            if self.text[self.pos] in ")]":
                raise NotationError(f"unmatched {self.text[self.pos]!r}", self.pos)
            items.append(self._item())

    def _item(self) -> Item:
        column = self.pos
        atom = self._atom()
        return Item(atom, self._repeat(), column)

    def _atom(self) -> Word | ClassRef | AnyWord | Group:
        char = self.text[self.pos]
        if char in "([":
            return self._group()
        negated = lemma = False
        if char == "!":
            negated, self.pos = True, self.pos + 1
        elif char == "~":
            lemma, self.pos = True, self.pos + 1
        if self.pos < len(self.text) and self.text[self.pos] == "<":
            found = _NAME.match(self.text, self.pos)
            if not found:
                raise NotationError("a class is written <name>, lower case", self.pos)
            self.pos = found.end()
            if lemma:
                raise NotationError("~ goes before a word; a class sets its own matching", self.pos)
            if found.group(1) in ("any", "gap"):
                if negated:
                    raise NotationError(f"!<{found.group(1)}> can never match", self.pos)
                return AnyWord(within_sentence=found.group(1) == "gap")
            return ClassRef(found.group(1), negated)
        word = self._word()
        if not word:
            raise NotationError("expected a word, a group or a <class>", self.pos)
        return Word(word, lemma=lemma, negated=negated)

    def _word(self) -> str:
        chars: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\":
                if self.pos + 1 >= len(self.text):
                    raise NotationError("\\ at the end escapes nothing", self.pos)
                chars.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char.isspace() or char in SPECIAL:
                break
            chars.append(char)
            self.pos += 1
        return "".join(chars)

    def _group(self) -> Group:
        opener = self.text[self.pos]
        closer = ")" if opener == "(" else "]"
        start = self.pos
        self.pos += 1
        alternatives: list[tuple[Item, ...]] = []
        while True:
            sequence = self._sequence(closers=closer)
            if not sequence:
                raise NotationError(f"empty alternative in {opener}…{closer}", self.pos)
            alternatives.append(sequence)
            if self.pos >= len(self.text):
                raise NotationError(f"{opener} is never closed", start)
            if self.text[self.pos] == "|":
                self.pos += 1
                continue
            self.pos += 1  # the closer
            return Group(tuple(alternatives), optional=opener == "[")

    def _repeat(self) -> tuple[int, int] | None:
        if self.pos >= len(self.text):
            return None
        char = self.text[self.pos]
        if char == "?":
            self.pos += 1
            return 0, 1
        if char == "+":
            self.pos += 1
            return 1, OPEN_SLOT_MAX
        if char == "*":
            self.pos += 1
            return 0, OPEN_SLOT_MAX
        if char == "{":
            found = _QUANTIFIER.match(self.text, self.pos)
            if not found:
                raise NotationError("a repeat is written {m,n} with numbers", self.pos)
            low = int(found.group(1))
            high = int(found.group(2)) if found.group(2) is not None else low
            if high < low or high == 0 or high > MAX_REPEAT:
                raise NotationError(f"{{m,n}} needs m <= n and 1 <= n <= {MAX_REPEAT}", self.pos)
            self.pos = found.end()
            return low, high
        return None


def parse(text: str) -> tuple[Item, ...]:
    return _Parser(text).parse()


def class_names(items: tuple[Item, ...]) -> set[str]:
    names: set[str] = set()
    for item in items:
        if isinstance(item.atom, ClassRef):
            names.add(item.atom.name)
        elif isinstance(item.atom, Group):
            for alternative in item.atom.alternatives:
                names |= class_names(alternative)
    return names


class _Compiler:
    def __init__(self, lexicon: Lexicon, pieces: Pieces):
        self.lexicon = lexicon
        self.pieces = pieces
        # A class is named by dozens of patterns: compile each (class, negated) once.
        self._classes: dict[tuple[str, bool], list[Variant]] = {}
        self._literals: dict[str, Variant] = {}

    def norm(self, piece: str) -> str:
        return self.lexicon.norm(piece) or piece

    def literal(self, text: str) -> Variant:
        variant = self._literals.get(text)
        if variant is None:
            variant = self._literals[text] = tuple(
                {"NORM": self.norm(piece)} for piece in self.pieces(text.lower())
            )
        return variant

    def sequence(self, items: tuple[Item, ...]) -> list[Variant]:
        variants: list[Variant] = [()]
        for item in items:
            options = self.item(item)
            variants = [left + right for left in variants for right in options]
            if len(variants) > MAX_VARIANTS:
                raise NotationError(
                    f"expands to more than {MAX_VARIANTS} token patterns: use a word class, "
                    "or split the pattern",
                    item.column,
                )
        # Alternatives that normalise alike ("are" and "'re") would otherwise match twice.
        return list({repr(v): v for v in variants}.values())

    def item(self, item: Item) -> list[Variant]:
        options = self.atom(item)
        if item.repeat is None:
            return options
        if len(options) != 1 or len(options[0]) != 1 or "OP" in options[0][0]:
            raise NotationError(
                "a repeat (? + * {m,n}) applies to one word, a <class> of single words "
                "or a group of single words",
                item.column,
            )
        low, high = item.repeat
        op = "?" if (low, high) == (0, 1) else f"{{{low},{high}}}"
        return [({**options[0][0], "OP": op},)]

    def atom(self, item: Item) -> list[Variant]:
        atom = item.atom
        if isinstance(atom, AnyWord):
            if atom.within_sentence:
                return [({"IS_SPACE": False, "NORM": {"NOT_IN": list(SENTENCE_ENDS)}},)]
            return [({"IS_PUNCT": False, "IS_SPACE": False},)]
        if isinstance(atom, Word):
            return [self.word(atom, item.column)]
        if isinstance(atom, ClassRef):
            return self.word_class(atom, item.column)
        options = [v for alternative in atom.alternatives for v in self.sequence(alternative)]
        merged = _merge_single_words(options)
        if atom.optional:
            if merged is not None:
                return [({**merged, "OP": "?"},)]
            return [*options, ()]
        return [(merged,)] if merged is not None else options

    def word(self, word: Word, column: int) -> Variant:
        if word.lemma:
            if len(self.pieces(word.text.lower())) != 1:
                raise NotationError(f"~{word.text}: a lemma is one word", column)
            return ({"LEMMA": word.text.lower()},)
        variant = self.literal(word.text)
        if word.negated:
            if len(variant) != 1:
                raise NotationError(f"!{word.text}: only one word can be negated", column)
            return ({"NORM": {"NOT_IN": [variant[0]["NORM"]]}},)
        return variant

    def word_class(self, ref: ClassRef, column: int) -> list[Variant]:
        key = (ref.name, ref.negated)
        if key not in self._classes:
            self._classes[key] = self._word_class(ref, column)
        return self._classes[key]

    def _word_class(self, ref: ClassRef, column: int) -> list[Variant]:
        word_class = self.lexicon.classes.get(ref.name)
        if word_class is None:
            close = difflib.get_close_matches(ref.name, list(self.lexicon.classes), n=3)
            hint = f"; did you mean {', '.join(f'<{c}>' for c in close)}?" if close else ""
            raise NotationError(f"unknown word class <{ref.name}> (not in words.yml){hint}", column)
        if word_class.match == "lemma":
            lemmas = sorted(word_class.entries)
            return [({"LEMMA": {"NOT_IN" if ref.negated else "IN": lemmas}},)]
        singles: set[str] = set()
        phrases: list[Variant] = []
        for entry in word_class.entries:
            variant = self.literal(entry)
            if len(variant) == 1:
                singles.add(str(variant[0]["NORM"]))
            else:
                phrases.append(variant)
        if ref.negated:
            return [({"NORM": {"NOT_IN": sorted(singles)}},)]
        options: list[Variant] = [({"NORM": {"IN": sorted(singles)}},)] if singles else []
        return options + phrases


def _merge_single_words(options: list[Variant]) -> TokenDict | None:
    """(we|i) is one token test {NORM: {IN: [we, i]}}, not two patterns: fewer patterns, same matches."""
    attr: str | None = None
    words: set[str] = set()
    for option in options:
        if len(option) != 1 or len(option[0]) != 1:
            return None
        ((key, value),) = option[0].items()
        if key not in ("NORM", "LEMMA") or (attr is not None and key != attr):
            return None
        attr = key
        if isinstance(value, str):
            words.add(value)
        elif isinstance(value, dict) and set(value) == {"IN"}:
            words.update(value["IN"])  # type: ignore[arg-type]
        else:
            return None
    if attr is None:
        return None
    return {attr: next(iter(words))} if len(words) == 1 else {attr: {"IN": sorted(words)}}


def _compiler_for(lexicon: Lexicon, pieces: Pieces) -> _Compiler:
    """One compiler per lexicon (and tokenizer), kept on the lexicon, so its caches serve every
    pattern of the library."""
    compilers: dict[int, _Compiler] = lexicon.__dict__.setdefault("_compilers", {})
    compiler = compilers.get(id(pieces))
    if compiler is None:
        compiler = compilers[id(pieces)] = _Compiler(lexicon, pieces)
    return compiler


def compile_pattern(
    text: str, lexicon: Lexicon, pieces: Pieces = word_pieces
) -> list[list[TokenDict]]:
    """Every token pattern the notation stands for. Raises NotationError naming the column."""
    variants = _compiler_for(lexicon, pieces).sequence(parse(text))
    result = [list(v) for v in variants if v]
    if len(result) < len(variants) or all(
        all(token.get("OP") == "?" or str(token.get("OP", "")).startswith("{0,") for token in v)
        for v in result
    ):
        raise NotationError("the pattern can match nothing at all: make at least one word required")
    return result
