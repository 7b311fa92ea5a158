"""The phrase notation and the word classes it names: parsing, compiling, validation, matching."""

from __future__ import annotations

import pytest

from assistant.core.problems import Problem
from assistant.library.lexicon import Lexicon, WordClass, parse_lexicon
from assistant.library.loader import collect, load_library
from assistant.library.notation import NotationError, compile_pattern, word_pieces
from assistant.nlp.pipeline import build_nlp, checker_for, run

LEXICON = Lexicon(
    classes={
        "refusal_verb": WordClass("refusal_verb", "lemma", ("refund", "offer")),
        "third_party": WordClass("third_party", "norm", ("courier", "royal mail")),
        "modal": WordClass("modal", "norm", ("can", "could", "will")),
    },
    norms={"n't": "not", "ca": "can", "wo": "will", "'re": "are", "u": "you"},
)


def compiled(text: str) -> list[list[dict]]:
    return compile_pattern(text, LEXICON)


def test_literal_words_compile_to_readings_so_contractions_match_alike():
    assert compiled("we can't help") == [
        [{"NORM": "we"}, {"NORM": "can"}, {"NORM": "not"}, {"NORM": "help"}]
    ]
    assert compiled("we cannot help") == compiled("we can't help")
    assert compiled("won't") == [[{"NORM": "will"}, {"NORM": "not"}]]


def test_single_word_alternatives_merge_into_one_token_test():
    assert compiled("(we|i) (are|'re) sorry") == [
        [{"NORM": {"IN": ["i", "we"]}}, {"NORM": "are"}, {"NORM": "sorry"}]
    ]


def test_optional_group_and_phrase_alternatives_expand():
    assert compiled("sorry [for|about] it") == [
        [{"NORM": "sorry"}, {"NORM": {"IN": ["about", "for"]}, "OP": "?"}, {"NORM": "it"}]
    ]
    variants = compiled("(due to|because of) the weather")
    assert [[t["NORM"] for t in v] for v in variants] == [
        ["due", "to", "the", "weather"],
        ["because", "of", "the", "weather"],
    ]
    with_and_without = compiled("we [really do] care")
    assert [[t["NORM"] for t in v] for v in with_and_without] == [
        ["we", "really", "do", "care"],
        ["we", "care"],
    ]


def test_classes_lemmas_negation_and_bounded_slots():
    variants = compiled("<third_party> lost it")
    assert variants[0][0] == {"NORM": {"IN": ["courier"]}}
    assert [t["NORM"] for t in variants[1]] == ["royal", "mail", "lost", "it"]
    assert compiled("<refusal_verb>") == [[{"LEMMA": {"IN": ["offer", "refund"]}}]]
    assert compiled("~send it") == [[{"LEMMA": "send"}, {"NORM": "it"}]]
    assert compiled("!we lost") == [[{"NORM": {"NOT_IN": ["we"]}}, {"NORM": "lost"}]]
    assert compiled("due to <any>+")[0][-1] == {"IS_PUNCT": False, "IS_SPACE": False, "OP": "{1,8}"}
    assert compiled("<modal>{1,2} go")[0][0]["OP"] == "{1,2}"
    assert compiled("anything else\\?") == [[{"NORM": "anything"}, {"NORM": "else"}, {"NORM": "?"}]]


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("we (can|could", "never closed"),
        ("we can)", "unmatched"),
        ("<nope> here", "unknown word class <nope>"),
        ("(due to)+ rain", "a repeat"),
        ("[maybe]", "can match nothing"),
        ("<any>{0,40}", "1 <= n <= 12"),
        ("we () care", "empty alternative"),
        ("!<any>", "can never match"),
        ("~<modal>", "~ goes before a word"),
        ("end\\", "escapes nothing"),
    ],
)
def test_bad_patterns_say_what_and_where(pattern: str, problem: str):
    with pytest.raises(NotationError) as raised:
        compiled(pattern)
    assert problem in str(raised.value)


def test_expansion_is_capped():
    pattern = " ".join(["(a b|c d)"] * 9)  # 2**9 = 512 variants
    with pytest.raises(NotationError, match="more than 256"):
        compiled(pattern)


def test_word_pieces_follow_the_tokenizer():
    assert word_pieces("can't") == ["ca", "n't"]
    assert word_pieces("you're") == ["you", "'re"]
    assert word_pieces("'re") == ["'re"]
    assert word_pieces("one-time") == ["one", "-", "time"]
    assert word_pieces("refund") == ["refund"]


def test_lexicon_validation_names_file_class_and_problem():
    problems: list[Problem] = []
    lexicon = parse_lexicon(
        {
            "norms": {"u": "you", "two words": "x"},
            "classes": {
                "good": {"words": ["a", "<other>"]},
                "other": {"words": ["b c"]},
                "loop": {"words": ["<loop>"]},
                "lemmas": {"match": "lemma", "words": ["send it"]},
                "Bad-Name": {"words": ["x"]},
                "typo": {"wrds": ["x"]},
            },
        },
        "words.yml",
        problems,
        required=("negator",),
    )
    text = "\n".join(str(p) for p in problems)
    assert lexicon.classes["good"].entries == ("a", "b c")
    assert "words.yml:(file): norms.two words:" in text
    assert "words.yml:loop: words: <loop> refers back to itself" in text
    assert "words.yml:lemmas: words[0]: 'send it': a lemma class holds single base forms" in text
    assert "words.yml:Bad-Name: (class):" in text
    assert "words.yml:typo: wrds: unknown key" in text
    assert "words.yml:negator: (class): missing: a context check reads this class" in text


def test_library_without_word_classes_says_so(rules_dir, valid_rule_text):
    root = rules_dir({"words.yml": None, "draft/demo.yml": valid_rule_text})
    _, problems = collect(root)
    assert any("words.yml" in str(p) and "missing" in str(p) for p in problems)


def test_rule_pattern_naming_an_unknown_class_is_refused(rules_dir, valid_rule_text):
    text = valid_rule_text.replace('patterns: ["you should have"]', 'patterns: ["<nosuch> have"]')
    _, problems = collect(rules_dir({"draft/demo.yml": text}))
    assert len(problems) == 1
    assert "demo.you-should-have: patterns[0]: '<nosuch> have': unknown word class <nosuch>" in str(
        problems[0]
    )


def test_notation_rule_matches_inflections_contractions_and_textspeak(rules_dir):
    rule = """\
        family: demo
        category: stonewalling
        ignore_when: []
        rules:
          - id: demo.refusal
            severity: warning
            message: "“{match}” refuses."
            patterns: ["(we|i) <refusal_modal> [<adverb>] not [<adverb>] <refusal_verb>"]
            examples:
              flag: [{text: "We can't refund it.", match: "We can't refund"}]
              pass: ["We can refund it."]
    """
    root = rules_dir({"draft/demo.yml": rule})
    nlp = build_nlp(load_library(root))
    checker = checker_for(nlp, "draft")

    def found(text: str) -> list[str]:
        doc = run(nlp, text, "draft")  # kept alive: spans die with their doc
        return [span.text for span in doc.spans[checker.span_key]]

    assert found("We cannot currently offer that.") == ["We cannot currently offer"]
    assert found("I wouldn't refund it.") == ["I wouldn't refund"]
    assert found("we cant refund") == ["we cant refund"]
    assert found("We'll not be refunding.") == []  # "be" is not a refusal verb: no match
    assert found("We are not refunding it.") == ["We are not refunding"]  # lemma: any inflection
    assert found("We can refund it.") == []
