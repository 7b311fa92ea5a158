from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_runner import CliResult, run_cli
from hypothesis import HealthCheck, settings
from spacy.language import Language

from assistant.core.resources import RULES_DIR_NAME, bundled
from assistant.engine import Engine
from assistant.library.destinations import DESTINATIONS_FILE
from assistant.library.lexicon import LEXICON_FILE

# The bundled library, whatever REPLY_ASSISTANT_RULES_DIR says: tests state what they run against.
BUNDLED_RULES_DIR = bundled(RULES_DIR_NAME)

# Property tests are bounded in example count and derandomized, so CI is fast and repeatable;
# HYPOTHESIS_PROFILE=deep runs a longer, random search.
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=2_000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.load(BUNDLED_RULES_DIR, bundled("templates"))


@pytest.fixture(scope="session")
def nlp(engine: Engine) -> Language:
    return engine.nlp


# Library files every rule may rely on: the word classes and the destination map.
SHARED_DATA_FILES = (LEXICON_FILE, DESTINATIONS_FILE)


@pytest.fixture
def rules_dir(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write a throw-away rule library: {relative path: YAML text} -> its directory.

    The shipped word classes and destination map come along unless `files` gives its own (None
    leaves one out): the context checks cannot run without the word classes.
    """

    def write(files: dict[str, str | None]) -> Path:
        root = tmp_path / "rules"
        shipped = {
            name: (BUNDLED_RULES_DIR / name).read_text("utf-8") for name in SHARED_DATA_FILES
        }
        files = {**shipped, **files}
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


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    return run_cli


@pytest.fixture
def library_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A copy of the checkout's library that the page (and the CLI) read through the environment,
    outside team mode unless a test turns it on: a page test may save into it freely."""
    checkout = Path(__file__).resolve().parent.parent
    rules, templates = tmp_path / "phrase_rules", tmp_path / "templates"
    shutil.copytree(checkout / "phrase_rules", rules)
    shutil.copytree(checkout / "templates", templates)
    monkeypatch.setenv("REPLY_ASSISTANT_RULES_DIR", str(rules))
    monkeypatch.setenv("REPLY_ASSISTANT_TEMPLATES_DIR", str(templates))
    monkeypatch.delenv("REPLY_ASSISTANT_TEAM", raising=False)
    monkeypatch.delenv("REPLY_ASSISTANT_CURATORS", raising=False)
    return rules, templates
