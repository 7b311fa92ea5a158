from __future__ import annotations

from assistant.core.text import prepare_text
from assistant.nlp.match_context import DocContext
from assistant.nlp.pipeline import checker_for


def context_of(nlp, text: str) -> tuple[DocContext, list[str]]:
    doc = nlp.make_doc(prepare_text(text))
    for _name, proc in nlp.pipeline:
        if _name in ("sentencizer", "reply_assistant_lemmatizer"):
            doc = proc(doc)
    return DocContext(doc, checker_for(nlp, "draft").context_words), [t.text for t in doc]


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


def test_an_unclosed_quote_quotes_at_most_to_the_end_of_its_sentence(nlp):
    text = 'You wrote "you should have called. Then you should have read the email.'
    ctx, words = context_of(nlp, text)
    assert ctx.quoted(index_of(words, "you", 0))
    assert not ctx.quoted(index_of(words, "you", 1))


def test_a_closed_quote_may_span_sentences(nlp):
    ctx, words = context_of(nlp, 'You wrote: "It never came. You should have called." Thanks.')
    assert ctx.quoted(index_of(words, "You", 1))
    assert not ctx.quoted(index_of(words, "Thanks"))


def test_one_stray_quote_does_not_hide_the_findings_after_it(engine):
    draft = (
        "Thanks for \"writing in about it. I'm sorry for any inconvenience. "
        "As a one-time courtesy, I've refunded it."
    )
    rules = {finding.rule for finding in engine.review(draft).findings}
    assert {"apology.any-inconvenience", "favour.one-time-exception"} <= rules


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


def test_a_generic_sign_off_is_no_route_forward(nlp):
    refusal = "We can't refund this order."
    for dead_end in (
        "Is there anything else we can help with?",
        "We'll pass your feedback on to the team.",
    ):
        ctx, words = context_of(nlp, f"{refusal} {dead_end}")
        assert not ctx.route_offered(index_of(words, "We"), index_of(words, "refund") + 1), dead_end
    for route in (
        "You can ask for store credit at this link instead.",
        "Please send us your order number and I'll look at an exchange.",
    ):
        ctx, words = context_of(nlp, f"{refusal} {route}")
        assert ctx.route_offered(index_of(words, "We"), index_of(words, "refund") + 1), route


def test_a_route_before_a_stock_phrase_in_the_same_sentence_still_counts(nlp):
    text = "We can't reverse it, but you can raise a dispute in the app and I'll keep an eye on it."
    ctx, words = context_of(nlp, text)
    assert ctx.route_offered(0, index_of(words, "reverse") + 1)
    text = "We can't reverse it, but thanks for your feedback and have a great day."
    ctx, words = context_of(nlp, text)
    assert not ctx.route_offered(0, index_of(words, "reverse") + 1)


def test_a_hedge_counts_only_in_the_clause_of_the_promise(nlp):
    ctx, words = context_of(nlp, "It will arrive tomorrow if the courier keeps to schedule.")
    assert ctx.hedged(index_of(words, "will"), index_of(words, "tomorrow") + 1)
    ctx, words = context_of(nlp, "If all goes well, it will arrive tomorrow.")
    assert ctx.hedged(index_of(words, "will"), index_of(words, "tomorrow") + 1)
    ctx, words = context_of(nlp, "It will arrive tomorrow, and we may send a survey afterwards.")
    assert not ctx.hedged(index_of(words, "will"), index_of(words, "tomorrow") + 1)


def test_a_question_is_judged_by_the_clause(nlp):
    ctx, words = context_of(nlp, "We can't refund it, would store credit help?")
    assert not ctx.question(0)
    assert ctx.question(index_of(words, "would"))
    ctx, words = context_of(nlp, "Could you check, please, whether it was left with a neighbour?")
    assert ctx.question(0)


def test_a_request_for_details_makes_a_cause_in_passing(nlp):
    text = "The courier lost it. Please send us your address and I'll arrange a new one."
    ctx, words = context_of(nlp, text)
    assert ctx.remedied(index_of(words, "courier"))
    ctx, words = context_of(nlp, "The courier lost it. We have nothing further to add.")
    assert not ctx.remedied(index_of(words, "courier"))


def test_the_month_may_is_no_hedge(nlp):
    ctx, words = context_of(nlp, "The part will be with you by 20 May.")
    assert not ctx.hedged(index_of(words, "will"), index_of(words, "you") + 1)
    ctx, words = context_of(nlp, "The part may be with you by 20 June.")
    assert ctx.hedged(index_of(words, "be"), index_of(words, "you") + 1)
