from __future__ import annotations

from assistant.context import DocContext
from assistant.text import prepare_text


def context_of(nlp, text: str) -> tuple[DocContext, list[str]]:
    doc = nlp.make_doc(prepare_text(text))
    for _name, proc in nlp.pipeline:
        if _name in ("sentencizer", "reply_assistant_lemmatizer"):
            doc = proc(doc)
    return DocContext(doc), [t.text for t in doc]


def index_of(words: list[str], word: str, nth: int = 0) -> int:
    return [i for i, w in enumerate(words) if w == word][nth]


def test_negation_looks_back_within_the_clause(nlp):
    ctx, words = context_of(nlp, "We would never say you should have known.")
    assert ctx.negated(index_of(words, "you"))
    ctx, words = context_of(nlp, "No problem, you should have read it.")
    assert not ctx.negated(index_of(words, "you"))


def test_quotes_single_double_and_typographic(nlp):
    for text in (
        'You wrote "you should have called".',
        "You wrote 'you should have called'.",
        "You wrote “you should have called”.",
    ):
        ctx, words = context_of(nlp, text)
        assert ctx.quoted(index_of(words, "you")), text
    ctx, words = context_of(nlp, "The customers' parcels arrived and you should have one.")
    assert not ctx.quoted(index_of(words, "you"))


def test_reported_speech_counts_as_quotation_but_our_own_words_do_not(nlp):
    ctx, words = context_of(nlp, "You mentioned that you should have been told.")
    assert ctx.reported(index_of(words, "you"))
    ctx, words = context_of(nlp, "As I said before, you should have read it.")
    assert not ctx.reported(index_of(words, "you"))


def test_question_and_conditional(nlp):
    ctx, words = context_of(nlp, "Did you forget the code?")
    assert ctx.question(index_of(words, "you"))
    ctx, words = context_of(nlp, "If you forgot your password, click reset.")
    assert ctx.conditional(index_of(words, "you"))
    ctx, words = context_of(nlp, "If it is late, you forgot to pay.")
    assert not ctx.conditional(index_of(words, "you"))


def test_remedy_route_and_hedge(nlp):
    ctx, words = context_of(nlp, "The courier lost it, so I've sent a new one.")
    assert ctx.remedied(index_of(words, "courier"))
    ctx, words = context_of(nlp, "The courier lost it. We cannot refund it.")
    assert not ctx.remedied(index_of(words, "courier"))
    ctx, words = context_of(nlp, "We can't refund it. However, you can exchange it.")
    assert ctx.route_offered(0, index_of(words, "it") + 1)
    ctx, words = context_of(nlp, "We can't refund it. Thanks for your understanding.")
    assert not ctx.route_offered(0, index_of(words, "it") + 1)
    ctx, words = context_of(nlp, "It will arrive Friday if the van is on time.")
    assert ctx.hedged(index_of(words, "will"), index_of(words, "Friday") + 1)
