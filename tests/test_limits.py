"""Bounded time on hostile text: each shape here took seconds to minutes before its fix.

The bounds asserted are generous (the machine running CI may be slow or busy); the adversarial
benchmark (benchmarks/adversarial.py) prints the real times.
"""

from __future__ import annotations

import time

import pytest

from assistant.core.text import InputError
from assistant.nlp.pipeline import make_doc

RUNS = ["!", "'", "(", "😀", "?!", ".."]


@pytest.mark.parametrize("char", RUNS)
def test_a_long_run_of_punctuation_is_tokenized_in_linear_time(engine, char):
    text = "Hi " + char * 8_000 + " you should have read our email."
    started = time.perf_counter()
    doc = make_doc(engine.nlp, text)
    elapsed = time.perf_counter() - started
    assert doc.text == text  # nothing moved: offsets stay exact
    assert elapsed < 1.0  # was 3.5 s for 8,000 "!" (quadratic: 16,000 took 25 s)
    result = engine.review(text)
    assert [f.rule for f in result.findings if f.category == "blame_shifting"]
    for finding in result.findings:
        assert text[finding.start : finding.end] == finding.text


def test_a_chunk_split_for_speed_keeps_the_words_around_it(engine):
    text = "Thanks " + "!" * 70 + "  then you should have called."
    doc = make_doc(engine.nlp, text)
    whole = engine.nlp.make_doc(text)
    words = [(t.text, t.whitespace_) for t in doc if t.text.strip("!")]
    assert words == [(t.text, t.whitespace_) for t in whole if t.text.strip("!")]
    # The run itself, with no word in it, is a few long tokens rather than seventy
    assert [t.text for t in doc if not t.text.strip("!")] == ["!" * 32, "!" * 32, "!" * 6]


def test_one_huge_sentence_is_checked_in_bounded_time(engine):
    text = ("you should have read it and " * 3_600)[:100_000]
    started = time.perf_counter()
    result = engine.review(text)
    assert time.perf_counter() - started < 10.0  # was 70 s: every match scanned the whole sentence
    assert len([f for f in result.findings if f.category == "blame_shifting"]) > 3_000


def test_a_lone_surrogate_is_refused_by_name(engine):
    with pytest.raises(InputError, match=r"lone surrogate \(U\+D83D\) at character 4"):
        engine.review("Hi! \ud83d you should have read it")
    with pytest.raises(InputError, match="lone surrogate"):
        engine.scan("\udc00")


def test_a_check_out_of_time_returns_what_it_found_and_says_so(engine, monkeypatch):
    from assistant.nlp import pipeline

    text = "You should have read our email. " * 2_000
    complete = engine.review(text)
    assert not complete.stopped_early and "stopped_early" not in complete.to_dict()
    # A budget already spent: the matcher stops at its first look at the clock.
    monkeypatch.setattr(pipeline, "start_clock", lambda doc: _spent(doc))
    result = engine.review(text)
    assert result.stopped_early
    assert result.to_dict()["stopped_early"] is True
    assert len(result.findings) < len(complete.findings)
    assert engine.scan(text).to_dict()["stopped_early"] is True


def test_a_check_out_of_time_never_calls_elements_missing(engine, monkeypatch):
    from assistant.nlp import pipeline

    reply = engine.compose(
        "defective_or_damaged", {"agent_name": "Priya", "company_name": "Acme", "item": "lamp"}
    ).text
    assert not engine.review(reply, "defective_or_damaged", fault="company").findings
    monkeypatch.setattr(pipeline, "start_clock", lambda doc: _spent(doc))
    late = engine.review(reply, "defective_or_damaged", fault="company")
    assert late.stopped_early
    assert not [f for f in late.findings if f.category.startswith("missing_")]


def _spent(doc) -> None:
    from assistant.nlp.deadline import start_clock

    start_clock(doc, budget=-1.0)


def test_a_batch_of_unique_words_does_not_grow_the_vocabulary(engine):
    strings = engine.nlp.vocab.strings
    engine.review("warm-up: you should have read our email")
    before = len(strings)
    for number in range(300):
        word = f"zq{number:04d}xv"
        assert engine.review(f"Hi {word}, you should have read our email.").labels == [
            "blame_shifting"
        ]
        assert engine.scan(f"{word}: I will dispute the charge").labels == ["chargeback_threat"]
    assert len(strings) <= before + 5  # was one string or more per unique word, forever


def test_the_terminal_says_when_a_check_stopped_early(monkeypatch):
    from cli_runner import run_cli

    from assistant.nlp import pipeline

    monkeypatch.setattr(pipeline, "start_clock", lambda doc: _spent(doc))
    result = run_cli("check", stdin="You should have read our email. " * 100)
    assert "note: the check stopped early" in result.stdout
    batch = run_cli("scan", "--jsonl", stdin='{"id": 1, "text": "I will sue you."}\n')
    assert '"stopped_early": true' in batch.stdout


def test_a_worn_pipeline_is_renewed_with_the_same_results(monkeypatch):
    from assistant import engine as engine_module
    from assistant.cli.commands import renewed_when_worn
    from assistant.engine import Engine

    engine = Engine.load()
    draft = "Hi zq0001xv, you should have read our email. Sorry for any inconvenience."
    before = engine.review(draft).to_dict()
    monkeypatch.setattr(engine_module, "RENEW_PIPELINE_AFTER", 3)
    first_pipeline = engine.nlp
    engine.review(draft)
    engine.scan(draft)
    assert engine.checks == 3 and engine.worn
    renewed_when_worn(engine)
    assert engine.nlp is not first_pipeline and engine.checks == 0
    assert engine.review(draft).to_dict() == before
    assert engine.review(draft, "defective_or_damaged").to_dict()["findings"]
