from __future__ import annotations

from assistant.library import load_library
from assistant.readability import Targets, measure


def test_textstat_scores_english_offline():
    # Fails loudly if a textstat upgrade starts downloading dictionaries or changes the formula.
    scores = measure("The cat sat on the mat. It was happy.")
    assert scores.words == 9
    assert scores.sentences == 2
    assert 100 < scores.flesch_reading_ease < 125
    assert scores.grade < 2


def test_targets_come_from_the_library_file():
    targets = Targets.from_settings(load_library().readability)
    assert targets.severity == "suggestion"
    assert targets.max_sentence_words > 0
    assert targets.min_reading_ease > 0


def test_dense_text_gets_reading_ease_and_grade_findings(nlp):
    from assistant.review import review

    text = (
        "Notwithstanding the aforementioned circumstances, our organisational infrastructure necessitates "
        "comprehensive verification procedures, consequently delaying reimbursement authorisation considerably. "
        "Administrative complications unfortunately necessitated additional investigation regarding transactional "
        "irregularities identified subsequently. Correspondence regarding compensation eligibility determinations "
        "will be communicated electronically following comprehensive departmental evaluation."
    )
    rules = {f.rule for f in review(text, nlp=nlp).findings}
    assert {"readability.reading-ease", "readability.grade"} <= rules
