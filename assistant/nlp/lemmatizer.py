"""The lemmatizer component: token readings (NORM) from the library's norms, then lemmas."""

from __future__ import annotations

import numpy
from spacy.attrs import LEMMA, LOWER, NORM
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.tokens import Doc

from assistant.library.lexicon import Lexicon

LEMMATIZER = "reply_assistant_lemmatizer"
# Where the lookup table reads a word as another one: "putting" is a form of "put" here, not golf's "putt".
LEMMA_OVERRIDES = {"putting": "put"}
# Readings kept between docs; a batch of unique tokens cannot grow the cache past this.
MAX_CACHED_WORDS = 50_000


class NormLookupLemmatizer:
    """Token readings (NORM) from the library's `norms`, then lemmas looked up by that reading.

    NORM is the lower-case form unless words.yml says otherwise ("u" reads "you", "n't" reads
    "not"); patterns compiled from the phrase notation compare NORM, so both sides read alike and
    no character offset changes. spaCy's own lookup mode looks up the text as written, so a
    sentence-initial "Emails" would keep its inflection; the reading is lower case.
    """

    def __init__(self, nlp: Language):
        self.table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        self.strings = nlp.vocab.strings
        self.norms: dict[str, str] = {}
        self._by_lower: dict[int, tuple[str, str]] = {}

    def add_rules(self, lexicon: Lexicon) -> None:
        self.norms.update(lexicon.norms)
        self._by_lower.clear()  # readings cached before these norms are stale

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        cache = self._by_lower
        add = self.strings.add
        rows = []
        for lower in doc.to_array(LOWER).tolist():
            reading = cache.get(lower)
            if reading is None:
                if len(cache) >= MAX_CACHED_WORDS:
                    cache.clear()  # a batch of unique words must not grow it without end
                norm = self.norms.get(self.strings[lower], self.strings[lower])
                reading = cache[lower] = (
                    norm,
                    LEMMA_OVERRIDES.get(norm) or self.table.get(norm, norm),
                )
            # The cache keeps the strings, not their hashes: inside a memory zone (Engine checks
            # run in one) a string added for this text is gone when the zone ends, and adding it
            # again is what makes a hash valid for the next text.
            rows.append((add(reading[0]), add(reading[1])))
        # Whole-array write: setting token attributes one by one costs more than the lookups.
        doc.from_array([NORM, LEMMA], numpy.array(rows, dtype="uint64").reshape(-1, 2))
        return doc


@Language.factory(LEMMATIZER, assigns=["token.norm", "token.lemma"])
def make_lemmatizer(nlp: Language, name: str) -> NormLookupLemmatizer:
    return NormLookupLemmatizer(nlp)
