"""build_nlp(library): the one place the spaCy pipeline is assembled.

blank English + sentencizer + a lookup lemmatizer + one checker per kind of text (agent drafts,
customer messages) + the case-type signals. No trained pipeline: none can be downloaded at run
time. Each component is created empty and given its part of the library with `add_rules()`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import spacy
from spacy.lang.en.tokenizer_exceptions import TOKENIZER_EXCEPTIONS
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from assistant.core.placeholders import PLACEHOLDERS
from assistant.core.text import prepare_text
from assistant.library.loader import Library
from assistant.nlp.case_signals import CASE_SIGNALS_FACTORY
from assistant.nlp.checker import CHECKER_FACTORY, PhraseChecker
from assistant.nlp.deadline import start_clock
from assistant.nlp.lemmatizer import LEMMATIZER
from assistant.nlp.vocabulary import warm_vocabulary

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


def build_nlp(library: Library) -> Language:
    """A fresh pipeline whose components hold the library's rules, given to each explicitly."""
    nlp = spacy.blank("en")
    infixes = [*nlp.Defaults.infixes, *GLUED_PUNCTUATION]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.url_match = _url_match_except_glued_sentences(nlp.tokenizer.url_match)
    _add_shouted_contractions(nlp)
    for placeholder in PLACEHOLDERS.values():
        nlp.tokenizer.add_special_case(placeholder, [{ORTH: placeholder}])
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(LEMMATIZER).add_rules(library.lexicon)
    for kind, name in CHECKER_BY_KIND.items():
        nlp.add_pipe(CHECKER_FACTORY, name=name, config={"kind": kind}).add_rules(library)
    nlp.add_pipe(CASE_SIGNALS_FACTORY, name=CASE_TYPES_PIPE).add_rules(library.case_types)
    warm_vocabulary(nlp, library)
    return nlp


# spaCy splits prefixes and suffixes off a whitespace-free chunk one at a time, searching the rest of
# the chunk each time: quadratic in the chunk's length (16,000 "!" took 25 s). No word or link of a
# reply is this long, so such a chunk is tokenized in short pieces; the pieces' text is the chunk's,
# so every offset stays exact. The one space after the chunk goes with its last piece, as spaCy
# would attach it to the last token.
LONGEST_CHUNK = 64
OVERLONG_CHUNK = re.compile(rf"\S{{{LONGEST_CHUNK + 1},}} ?")
PIECE_CHARS = 32


def _piece(nlp: Language, piece: str) -> Doc:
    """A piece of an overlong chunk. Without a letter or digit it holds no word a rule could
    read, so it stays one token: 100,000 "!" are 3,125 tokens to check, not 100,000."""
    if any(char.isalnum() for char in piece):
        return nlp.make_doc(piece)
    body = piece.rstrip(" ")
    return Doc(nlp.vocab, words=[body], spaces=[len(body) < len(piece)])


def make_doc(nlp: Language, text: str) -> Doc:
    """nlp.make_doc in time linear in the text, whatever runs of punctuation it holds."""
    if OVERLONG_CHUNK.search(text) is None:
        return nlp.make_doc(text)
    docs: list[Doc] = []
    position = 0
    for chunk in OVERLONG_CHUNK.finditer(text):
        if chunk.start() > position:
            docs.append(nlp.make_doc(text[position : chunk.start()]))
        body_end = chunk.end() - chunk.group().endswith(" ")
        starts = range(chunk.start(), body_end, PIECE_CHARS)
        # The space after the chunk rides on its last piece, never a piece of its own.
        docs.extend(
            _piece(
                nlp,
                text[
                    start : chunk.end() if start + PIECE_CHARS >= body_end else start + PIECE_CHARS
                ],
            )
            for start in starts
        )
        position = chunk.end()
    if position < len(text):
        docs.append(nlp.make_doc(text[position:]))
    return Doc.from_docs(docs, ensure_whitespace=False)


def checker_for(nlp: Language, kind: str) -> PhraseChecker:
    return nlp.get_pipe(CHECKER_BY_KIND[kind])


def run(nlp: Language, text: str, kind: str) -> Doc:
    """Tokenize and check `text` as one kind, skipping the other kind's checker.

    Calls the components directly: Language.__call__ adds error-handler and argument plumbing that
    costs more than the sentencizer, and none of it applies to a pipeline that is never trained.
    """
    skip = {name for k, names in PIPES_BY_KIND.items() if k != kind for name in names}
    doc = make_doc(nlp, prepare_text(text))
    start_clock(doc)
    for name, component in nlp.pipeline:
        if name not in skip:
            doc = component(doc)
    return doc
