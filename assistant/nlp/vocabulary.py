"""Common words made permanent in the vocabulary before any check runs.

Checks run in a spaCy memory zone so that a batch of unique words cannot grow memory, but inside a
zone nothing is kept: every word of every draft ("you", "order", "sorry") was looked up afresh and
split off its punctuation again (the tokenizer writes no cache inside a zone), and the transient
entries churn spaCy's hash tables, which keep their deleted slots and double in size now and then.
Words met before the first zone stay: the common English words textstat ships for Dale-Chall
(about 3,000), as written and capitalised, and every word of the library's own examples (the words
of customer service).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from importlib import resources

from spacy.language import Language

from assistant.library.loader import Library

# textstat's own list (used for its Dale-Chall score); absent in some packagings, and then only the
# library's words are kept: a slower check, not a wrong one.
COMMON_WORDS = ("textstat", "resources/en/easy_words.txt")


def common_words() -> list[str]:
    package, name = COMMON_WORDS
    try:
        return resources.files(package).joinpath(name).read_text(encoding="utf-8").split()
    except (ModuleNotFoundError, FileNotFoundError, OSError, UnicodeDecodeError):
        return []


def _forms(words: Iterable[str]) -> Iterator[str]:
    for word in words:
        yield word
        yield word.capitalize()


def _example_texts(library: Library) -> Iterator[str]:
    for rule in library.rules:
        yield from (example.text for example in rule.flag_examples)
        yield from rule.pass_examples


def warm_vocabulary(nlp: Language, library: Library) -> None:
    """Tokenize the common words and the library's examples once, outside any memory zone, so
    their lexemes and tokenizer cache entries are permanent."""
    nlp.make_doc(" ".join(sorted(set(_forms(common_words())))))
    for text in _example_texts(library):
        nlp.make_doc(text)
