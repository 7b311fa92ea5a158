from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from assistant.lexicon import LEXICON_FILE
from assistant.library import DEFAULT_RULES_DIR
from assistant.pipeline import get_nlp


@pytest.fixture(scope="session")
def nlp() -> Language:
    return get_nlp()


@pytest.fixture
def rules_dir(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write a throw-away rule library: {relative path: YAML text} -> its directory.

    The shipped word classes come along unless `files` gives its own words.yml (None leaves it out):
    the context checks cannot run without them.
    """

    def write(files: dict[str, str | None]) -> Path:
        root = tmp_path / "rules"
        files = {LEXICON_FILE: (DEFAULT_RULES_DIR / LEXICON_FILE).read_text("utf-8"), **files}
        for name, text in files.items():
            if text is None:
                continue
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return write


VALID_RULE_FILE = """\
    family: demo
    category: blame_shifting
    rules:
      - id: demo.you-should-have
        severity: warning
        message: "“{match}” blames the customer."
        patterns: ["you should have"]
        examples:
          flag: [{text: "You should have called.", match: "You should have"}]
          pass: ["We should have called."]
"""


@pytest.fixture
def valid_rule_text() -> str:
    return VALID_RULE_FILE
