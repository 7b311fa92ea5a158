"""build_nlp(): the one place the spaCy pipeline is assembled.

blank English + sentencizer + a lower-case lookup lemmatizer + one checker per kind of text
(agent drafts, customer messages). No trained pipeline: none can be downloaded at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import LEMMA, LOWER, NORM
from spacy.lang.en.tokenizer_exceptions import TOKENIZER_EXCEPTIONS
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.symbols import ORTH
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from . import case_types as _case_types  # noqa: F401 - registers the case-type factory
from . import checker as _checker
from .library import DEFAULT_RULES_DIR, Library, load_library, rule_files
from .text import prepare_text

LEMMATIZER = "reply_assistant_lemmatizer"
# Where the lookup table reads a word as another one: "putting" is a form of "put" here, not golf's "putt".
LEMMA_OVERRIDES = {"putting": "put"}
# Sentence punctuation typed without the space after it ("late!Sorry", "it.we will"): split it so
# the sentence ends there and the next word is a word of its own. Splitting never moves an offset.
# A full stop is split only before a few words that start sentences, so domain names stay whole.
SENTENCE_STARTERS = r"(?:i|we|you|please|thanks|sorry|our|your|the|it|this)"
GLUED_PUNCTUATION = (
    r"(?<=[A-Za-z])[!?]+(?=[A-Za-z])",
    rf"(?<=[a-z]{{2}})\.(?={SENTENCE_STARTERS}\b)",
)
# spaCy reads "this.we" as a web address before it looks for infixes.
_GLUED_NOT_URL = re.compile(rf"[a-z]+\.{SENTENCE_STARTERS}", re.IGNORECASE)


def _url_match_except_glued_sentences(url_match: Callable[[str], Any] | None):
    def match(text: str) -> Any:
        if url_match is None or _GLUED_NOT_URL.fullmatch(text):
            return None
        return url_match(text)

    return match


CHECKER_BY_KIND = {"draft": "draft_checker", "message": "message_checker"}
CASE_TYPES_PIPE = "case_type_signals"
# Components that read only one kind of text; the rest (sentencizer, lemmatizer) serve both.
PIPES_BY_KIND = {"draft": {"draft_checker"}, "message": {"message_checker", CASE_TYPES_PIPE}}


class NormLookupLemmatizer:
    """Token readings (NORM) from the library's `norms`, then lemmas looked up by that reading.

    NORM is the lower-case form unless words.yml says otherwise ("u" reads "you", "n't" reads
    "not"); patterns compiled from the phrase notation compare NORM, so both sides read alike and
    no character offset changes. spaCy's own lookup mode looks up the text as written, so a
    sentence-initial "Emails" would keep its inflection; the reading is lower case.
    """

    def __init__(self, nlp: Language, norms: dict[str, str]):
        self.table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self.strings = nlp.vocab.strings
        self.norms = norms
        self._by_lower: dict[int, tuple[int, int]] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        cache = self._by_lower
        rows = []
        for lower in doc.to_array(LOWER).tolist():
            row = cache.get(lower)
            if row is None:
                norm = self.norms.get(self.strings[lower], self.strings[lower])
                lemma = LEMMA_OVERRIDES.get(norm) or self.table.get(norm, norm)
                row = cache[lower] = (self.strings.add(norm), self.strings.add(lemma))
            rows.append(row)
        # Whole-array write: setting token attributes one by one costs more than the lookups.
        doc.from_array([NORM, LEMMA], numpy.array(rows, dtype="uint64").reshape(-1, 2))
        return doc


@Language.factory(
    LEMMATIZER, assigns=["token.norm", "token.lemma"], default_config={"rules_dir": None}
)
def make_lemmatizer(nlp: Language, name: str, rules_dir: str | None) -> NormLookupLemmatizer:
    return NormLookupLemmatizer(nlp, dict(cached_library(rules_dir).lexicon.norms))


def _add_shouted_contractions(nlp: Language) -> None:
    """spaCy splits "I'll" and "we're" but not "I'LL" or "WE'RE": an angry message in capitals
    would hide every contraction from the rules. The capitalised forms split the same way."""
    for word, pieces in TOKENIZER_EXCEPTIONS.items():
        shouted = word.upper()
        if "'" not in word or shouted == word or shouted in TOKENIZER_EXCEPTIONS:
            continue
        nlp.tokenizer.add_special_case(
            shouted, [{ORTH: str(piece[ORTH]).upper()} for piece in pieces]
        )


def library_signature(rules_dir: str | Path | None = None) -> tuple[tuple[str, int, int], ...]:
    """Changes whenever a file of the library is saved: a cache key for pipelines built from it."""
    return _signature(resolve_rules_dir(rules_dir))


def _signature(rules_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Changes whenever a curator saves a file, so an edited library is never served stale."""
    paths = [*rule_files(rules_dir), *sorted(rules_dir.glob("*.yml"))] if rules_dir.is_dir() else []
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


@lru_cache(maxsize=8)
def _load(rules_dir: str, signature: tuple) -> Library:
    return load_library(Path(rules_dir))


def resolve_rules_dir(rules_dir: str | Path | None) -> Path:
    return Path(rules_dir).resolve() if rules_dir else DEFAULT_RULES_DIR


def cached_library(rules_dir: str | Path | None = None) -> Library:
    """The validated library for rules_dir; raises LibraryError when it is broken."""
    path = resolve_rules_dir(rules_dir)
    return _load(str(path), _signature(path))


def build_nlp(rules_dir: str | Path | None = None) -> Language:
    """A fresh pipeline over the library in rules_dir. Raises LibraryError for a broken library."""
    path = str(resolve_rules_dir(rules_dir))
    cached_library(path)  # validate first, so a broken library fails before any pipe is built
    nlp = spacy.blank("en")
    infixes = [*nlp.Defaults.infixes, *GLUED_PUNCTUATION]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.url_match = _url_match_except_glued_sentences(nlp.tokenizer.url_match)
    _add_shouted_contractions(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(LEMMATIZER, config={"rules_dir": path})
    for kind, name in CHECKER_BY_KIND.items():
        nlp.add_pipe("reply_assistant_checker", name=name, config={"rules_dir": path, "kind": kind})
    nlp.add_pipe("reply_assistant_case_types", name=CASE_TYPES_PIPE, config={"rules_dir": path})
    return nlp


@lru_cache(maxsize=4)
def _shared_nlp(rules_dir: str, signature: tuple) -> Language:
    return build_nlp(rules_dir)


def get_nlp(rules_dir: str | Path | None = None) -> Language:
    """The shared pipeline for rules_dir, rebuilt only when the library's files change."""
    path = resolve_rules_dir(rules_dir)
    return _shared_nlp(str(path), _signature(path))


def checker_for(nlp: Language, kind: str) -> _checker.PhraseChecker:
    return nlp.get_pipe(CHECKER_BY_KIND[kind])


def run(nlp: Language, text: str, kind: str) -> Doc:
    """Tokenize and check `text` as one kind, skipping the other kind's checker.

    Calls the components directly: Language.__call__ adds error-handler and argument plumbing that
    costs more than the sentencizer, and none of it applies to a pipeline that is never trained.
    """
    skip = {name for k, names in PIPES_BY_KIND.items() if k != kind for name in names}
    doc = nlp.make_doc(prepare_text(text))
    for name, component in nlp.pipeline:
        if name not in skip:
            doc = component(doc)
    return doc
