"""Reported false positives wait in a queue; only a curator's accept touches the rule file."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BUNDLED_RULES_DIR

from assistant.curation.false_positives import (
    AlreadyListed,
    CurationError,
    add_pending_pass_example,
)
from assistant.curation.report_queue import (
    QUEUE_FILE,
    AlreadyPending,
    ReportError,
    ReportNotFound,
    accept_report,
    dismiss_report,
    file_report,
    pending_reports,
    queue_path,
    read_queue,
    still_fires,
)
from assistant.curation.saves import SaveRefused
from assistant.engine import Engine
from assistant.library.loader import library_signature, load_library, rule_files

APOLOGY = "apology.any-inconvenience"
BLAME = "blame.you-should-have"
# Our own sentences, masked as the page would hand them over.
SORRY = "So sorry for any inconvenience, [name], I will look into it."
CHART = "You should have checked the size chart before ordering, Mrs [name]."


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of the bundled library to report against."""
    return Path(shutil.copytree(BUNDLED_RULES_DIR, tmp_path / "phrase_rules"))


def rule_text(library: Path, rule_id: str) -> str:
    return next(
        path.read_text("utf-8")
        for path in rule_files(library)
        if f"id: {rule_id}" in path.read_text("utf-8")
    )


def file_sorry(library: Path, **extra: str | None) -> object:
    return file_report(library, APOLOGY, SORRY, reporter=extra.pop("reporter", "Agent 7"), **extra)


def test_the_sentences_used_here_do_fire(engine: Engine) -> None:
    assert still_fires(engine, APOLOGY, SORRY)
    assert still_fires(engine, BLAME, CHART)
    assert not still_fires(engine, APOLOGY, CHART)


def test_a_report_waits_in_the_queue_and_leaves_the_rules_alone(library: Path) -> None:
    before = {path: path.read_bytes() for path in rule_files(library)}
    signature = library_signature(library)
    moment = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)
    report = file_report(
        library,
        APOLOGY,
        f"  {SORRY}\n",
        reporter="Agent 7",
        note="they asked for a call",
        now=moment,
    )
    assert (report.rule_id, report.sentence, report.reporter) == (APOLOGY, SORRY, "Agent 7")
    assert (report.filed_at, report.note) == ("2026-03-04T09:30:00+00:00", "they asked for a call")
    assert pending_reports(library) == [report]
    assert queue_path(library) == library / QUEUE_FILE
    # Neither a rule file nor a change that rebuilds the engine.
    assert {path: path.read_bytes() for path in rule_files(library)} == before
    assert library_signature(library) == signature
    assert queue_path(library) not in rule_files(library)
    assert len(load_library(library).rules) == len(load_library(BUNDLED_RULES_DIR).rules)


def test_reporter_is_optional(library: Path) -> None:
    report = file_report(library, BLAME, CHART, reporter=None)
    assert report.reporter is None and report.note is None
    assert pending_reports(library)[0].reporter is None


@pytest.mark.parametrize(
    ("rule_id", "sentence", "refusal"),
    [
        (APOLOGY, "", "empty"),
        (APOLOGY, " \n\t ", "empty"),
        ("apology.no-such-rule", SORRY, "'apology.no-such-rule'"),
        (APOLOGY, "sorry for any inconvenience " * 40, "at most 1,000"),
    ],
)
def test_bad_reports_are_refused_in_words(
    library: Path, rule_id: str, sentence: str, refusal: str
) -> None:
    with pytest.raises(ReportError, match=refusal):
        file_report(library, rule_id, sentence, reporter="Agent 7")
    assert pending_reports(library) == []


def test_a_thousand_characters_may_be_reported(library: Path) -> None:
    sentence = ("x" * 963 + " " + SORRY)[:1000]
    assert len(sentence) == 1000
    assert file_report(library, APOLOGY, sentence, reporter=None).sentence == sentence


def test_the_same_sentence_twice_is_already_pending(library: Path) -> None:
    first = file_sorry(library)
    with pytest.raises(AlreadyPending, match=APOLOGY) as refused:
        file_report(library, APOLOGY, SORRY.upper().replace(" ", "   "), reporter="Agent 9")
    assert refused.value.report == first
    assert pending_reports(library) == [first]
    # The same words reported against another rule are another report.
    other = file_report(library, BLAME, SORRY, reporter="Agent 9")
    assert pending_reports(library) == [first, other]


def test_a_sentence_the_rule_already_lists_is_refused(library: Path) -> None:
    listed = load_library(library).rule(APOLOGY).pass_examples[0]
    with pytest.raises(AlreadyListed, match="already a pass example"):
        file_report(library, APOLOGY, listed, reporter="Agent 7")
    add_pending_pass_example(library, APOLOGY, SORRY)
    with pytest.raises(AlreadyListed, match="already pending"):
        file_sorry(library)
    assert pending_reports(library) == []


def test_accepting_adds_a_pending_example_and_empties_the_queue(library: Path) -> None:
    report = file_sorry(library)
    kept = file_report(library, BLAME, CHART, reporter="Agent 2")
    path = accept_report(library, report.id, curator="Curator Kim", today=dt.date(2026, 3, 5))
    assert f"id: {APOLOGY}" in path.read_text("utf-8")
    rule = load_library(library).rule(APOLOGY)
    assert rule.pending_pass_examples[-1] == SORRY
    assert SORRY not in rule.pass_examples
    assert "accepted by Curator Kim on 2026-03-05" in path.read_text("utf-8")
    assert pending_reports(library) == [kept]


def test_dismissing_removes_the_report_only(library: Path) -> None:
    before = rule_text(library, APOLOGY)
    report = file_sorry(library)
    dismiss_report(library, report.id, curator="Curator Kim")
    assert pending_reports(library) == []
    assert rule_text(library, APOLOGY) == before
    with pytest.raises(ReportNotFound, match=report.id):
        dismiss_report(library, report.id, curator="Curator Kim")
    with pytest.raises(ReportNotFound, match=report.id):
        accept_report(library, report.id, curator="Curator Kim")


def test_a_curator_must_give_a_name(library: Path) -> None:
    report = file_sorry(library)
    with pytest.raises(ReportError, match="curator"):
        accept_report(library, report.id, curator="  ")
    with pytest.raises(ReportError, match="curator"):
        dismiss_report(library, report.id, curator="")
    assert pending_reports(library) == [report]


def test_a_report_stays_queued_when_the_rule_file_cannot_be_written(library: Path) -> None:
    report = file_sorry(library)
    path = next(p for p in rule_files(library) if f"id: {APOLOGY}" in p.read_text("utf-8"))
    before = path.read_bytes()
    os.chmod(path, 0o444)
    try:
        with pytest.raises(SaveRefused, match="read-only"):
            accept_report(library, report.id, curator="Curator Kim")
        assert path.read_bytes() == before
        assert pending_reports(library) == [report]
    finally:
        os.chmod(path, 0o644)
    assert accept_report(library, report.id, curator="Curator Kim") == path
    assert pending_reports(library) == []


def test_a_report_whose_rule_was_renamed_stays_queued(library: Path) -> None:
    report = file_sorry(library)
    path = next(p for p in rule_files(library) if f"id: {APOLOGY}" in p.read_text("utf-8"))
    path.write_text(
        path.read_text("utf-8").replace(f"id: {APOLOGY}\n", "id: apology.renamed\n"), "utf-8"
    )
    with pytest.raises(CurationError, match=APOLOGY):
        accept_report(library, report.id, curator="Curator Kim")
    assert pending_reports(library) == [report]
    dismiss_report(library, report.id, curator="Curator Kim")
    assert pending_reports(library) == []


def test_a_sentence_listed_meanwhile_counts_as_accepted(library: Path) -> None:
    report = file_sorry(library)
    add_pending_pass_example(library, APOLOGY, SORRY)
    path = accept_report(library, report.id, curator="Curator Kim")
    assert load_library(library).rule(APOLOGY).pending_pass_examples.count(SORRY) == 1
    assert f"id: {APOLOGY}" in path.read_text("utf-8")
    assert pending_reports(library) == []


def write_queue(library: Path, lines: list[str]) -> Path:
    path = queue_path(library)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_unreadable_lines_are_skipped_named_and_kept(
    library: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = file_sorry(library)
    good_line = queue_path(library).read_text("utf-8").strip()
    broken = [
        '{"id": "abc", "rule_id": ',
        '["not", "a", "report"]',
        json.dumps({"id": "def", "rule_id": BLAME, "filed_at": "2026-01-01T00:00:00+00:00"}),
        json.dumps({**json.loads(good_line), "id": "ghi", "note": 5}),
    ]
    path = write_queue(library, [good_line, *broken])
    queue = read_queue(library)
    assert queue.reports == (good,)
    assert [problem.line for problem in queue.skipped] == [2, 3, 4, 5]
    assert all(QUEUE_FILE in problem.path for problem in queue.skipped)
    assert "not JSON" in queue.skipped[0].problem
    assert "'sentence'" in queue.skipped[2].problem
    with caplog.at_level(logging.WARNING):
        assert pending_reports(library) == [good]
    assert sum(QUEUE_FILE in record.getMessage() for record in caplog.records) == 4
    # Writes keep what they cannot read, for a curator to mend by hand.
    later = file_report(library, BLAME, CHART, reporter=None)
    dismiss_report(library, good.id, curator="Curator Kim")
    assert path.read_text("utf-8").splitlines() == [*broken, later.to_json()]


def test_a_queue_that_is_not_utf8_is_listed_not_crashed(library: Path) -> None:
    good = file_sorry(library)
    path = queue_path(library)
    path.write_bytes(path.read_bytes() + b"\xff\xfe broken\n")
    queue = read_queue(library)
    assert queue.reports == (good,)
    assert "UTF-8" in queue.skipped[0].problem and queue.skipped[0].line == 2


def run_together(count: int, work: Callable[[int], object]) -> list[object]:
    """Start `count` calls at the same moment; each result or exception, in order."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def one(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # collected for the assertions
            results[index] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_eight_agents_reporting_at_once_all_land(library: Path) -> None:
    sentences = [
        f"Sorry for any inconvenience with parcel number {n}, we are on it." for n in "ABCDEFGH"
    ]
    results = run_together(
        8, lambda i: file_report(library, APOLOGY, sentences[i], reporter=f"Agent {i}")
    )
    assert not [r for r in results if isinstance(r, Exception)]
    queued = pending_reports(library)
    assert sorted(r.sentence for r in queued) == sorted(sentences)
    assert len({r.id for r in queued}) == 8
    assert read_queue(library).skipped == ()


def test_eight_agents_reporting_the_same_sentence_make_one_report(library: Path) -> None:
    results = run_together(8, lambda i: file_report(library, APOLOGY, SORRY, reporter=f"Agent {i}"))
    assert sum(isinstance(r, AlreadyPending) for r in results) == 7
    assert len(pending_reports(library)) == 1


def test_accepting_while_others_report_loses_nothing(library: Path) -> None:
    accepted = [
        file_report(library, APOLOGY, f"Sorry for any inconvenience, box {n}.", reporter=None)
        for n in "PQR"
    ]
    sentences = [f"You should have read the label on crate {n}." for n in "STUVW"]

    def work(index: int) -> object:
        if index < len(accepted):
            return accept_report(library, accepted[index].id, curator=f"Curator {index}")
        return file_report(library, BLAME, sentences[index - len(accepted)], reporter=None)

    results = run_together(8, work)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r.sentence for r in pending_reports(library)) == sorted(sentences)
    pending = load_library(library).rule(APOLOGY).pending_pass_examples
    assert {r.sentence for r in accepted} <= set(pending)
