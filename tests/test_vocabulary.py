"""Common words are permanent in the vocabulary, so checks inside memory zones stop re-creating
them (the speed) and churning spaCy's tables with them (the memory)."""

from __future__ import annotations

from assistant.nlp.vocabulary import common_words


def test_common_words_come_from_textstat():
    words = common_words()
    assert len(words) > 2_000
    assert {"about", "house", "yes"} <= set(words)


def test_common_and_library_words_outlast_a_check(engine):
    vocab = engine.nlp.vocab
    library_word = next(
        token
        for rule in engine.library.rules
        for example in rule.flag_examples
        for token in example.text.split()
        if token.isalpha() and token.lower() not in common_words()
    )
    engine.review(f"Sorry, {library_word} zzunseenwordq is not something we do.")
    for word in ("about", "About", library_word):
        assert word in vocab, word
    # Words met only inside a check's memory zone are gone after it: the zone still bounds memory
    assert "zzunseenwordq" not in vocab
