from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language

from assistant.pipeline import get_nlp


@pytest.fixture(scope="session")
def nlp() -> Language:
    return get_nlp()


@pytest.fixture
def rules_dir(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write a throw-away rule library: {relative path: YAML text} -> its directory."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "rules"
        for name, text in files.items():
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
