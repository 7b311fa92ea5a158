"""Engine: the library and the pipeline built from it, once. The CLI, the page and the API share it.

An engine is immutable: a curator's save makes a new one (`shared_engine` keys its cache on the
library's file signature), so a check never runs against half of an old library and half of a new.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Mapping
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from assistant.compose.render import Composed, render
from assistant.core import resources
from assistant.core.categories import FAULTS, MESSAGE_CATEGORIES
from assistant.core.findings import Finding
from assistant.core.text import InputError, validate_text
from assistant.draft.readability import Targets
from assistant.draft.replacements import Applied, compare, edit
from assistant.draft.required_elements import RequiredElementCheck
from assistant.draft.review import RequiredFor, Review, review
from assistant.library.loader import Library, library_signature, load_library
from assistant.library.templates import case_settings, list_case_types
from assistant.message.scan import ScanResult, scan
from assistant.nlp.pipeline import build_nlp

# Memory zones free the words a check added, but spaCy's hash tables keep the freed slots and now
# and then double in size, so a long run of unique words (names, order numbers) still grows memory
# by about 40 bytes a check. A pipeline this many checks old is worn: a fresh one starts the
# tables empty (the batch command renews in place, the API rebuilds beside the one serving).
RENEW_PIPELINE_AFTER = 200_000


class Engine:
    def __init__(self, library: Library, templates_dir: str | Path | None = None):
        self.library = library
        self.templates_dir = resources.templates_dir(templates_dir)
        self.nlp = build_nlp(library)
        self.targets = Targets.from_settings(library.readability)
        self.checks = 0  # since the pipeline was built

    @property
    def worn(self) -> bool:
        return self.checks >= RENEW_PIPELINE_AFTER

    def renew_pipeline(self) -> None:
        """A fresh pipeline from the same library, the old one freed first so that memory never
        holds two. Only for a caller that checks from one thread (the batch command)."""
        self.__dict__.pop("_required_check", None)
        del self.nlp
        gc.collect()
        self.nlp = build_nlp(self.library)
        self.checks = 0

    @classmethod
    def load(
        cls, rules_dir: str | Path | None = None, templates_dir: str | Path | None = None
    ) -> Engine:
        """Raises LibraryError naming every problem of a broken library."""
        return cls(load_library(rules_dir, templates_dir), templates_dir)

    @property
    def rules_dir(self) -> Path:
        return self.library.rules_dir

    def case_types(self) -> list[str]:
        return list_case_types(self.templates_dir)

    @cached_property
    def _required_check(self) -> RequiredElementCheck:
        # Built on first use: only checks with a case type need it.
        return RequiredElementCheck(self.nlp, self.library.required)

    def review(
        self, text: str, case_type: str | None = None, *, fault: str | None = None
    ) -> Review:
        """Check an agent draft; with a case type, also the elements its reply needs.

        Raises InputError for text that cannot be checked, an unknown case type or fault."""
        text = validate_text(text)
        required = None if case_type is None else self._required_for(case_type, fault)
        # The zone frees the strings this text added to the vocabulary (spaCy 3.8): a long batch
        # of unique tokens would otherwise grow memory without end. Results hold no spaCy objects.
        nlp = self.nlp
        self.checks += 1
        with nlp.memory_zone():
            return review(text, nlp=nlp, targets=self.targets, required=required)

    def _required_for(self, case_type: str, fault: str | None) -> RequiredFor:
        known = self.case_types()
        if case_type not in known:
            raise InputError(f"unknown case type {case_type!r}; known: {', '.join(known)}")
        if not self.library.required.elements:
            raise InputError(
                f"the library in {self.rules_dir} has no required elements "
                "(required_elements.yml): a check with a case type cannot be made"
            )
        if fault is not None and fault not in FAULTS:
            raise InputError(f"unknown fault {fault!r}; known: {', '.join(FAULTS)}")
        settings = case_settings(case_type, self.templates_dir)
        fault = fault or settings.check_fault or settings.default_fault
        return RequiredFor(case_type, fault, self._required_check)

    def scan(self, text: str) -> ScanResult:
        """Read a customer's message. Raises InputError for text that cannot be read."""
        nlp = self.nlp
        self.checks += 1
        with nlp.memory_zone():
            return scan(
                text,
                nlp=nlp,
                case_types=self.library.case_types,
                guidance=self.library.guidance,
            )

    def apply_replacement(
        self,
        text: str,
        finding: Finding,
        replacement: str,
        *,
        case_type: str | None = None,
        fault: str | None = None,
    ) -> Applied:
        """Paste `replacement` over `finding` in `text` and check the result the way `text` was
        checked (a message finding is re-scanned, a draft finding re-reviewed, with the same case
        type), so the page can tell whether the fix removed the finding and brought in no other.

        Raises ValueError for a finding outside the text, InputError as review and scan do."""
        change = edit(text, finding.start, finding.end, replacement)
        if finding.category in MESSAGE_CATEGORIES:
            before, after = self.scan(text).findings, self.scan(change.text).findings
        else:
            before = self.review(text, case_type, fault=fault).findings
            after = self.review(change.text, case_type, fault=fault).findings
        return compare(finding, change, before, after)

    def compose(
        self,
        case_type: str,
        context: Mapping[str, Any],
        *,
        today: dt.date | None = None,
        environment_override: SandboxedEnvironment | None = None,
    ) -> Composed:
        """Render the reply for case_type. Raises ComposeError naming what is wrong."""
        return render(
            case_type,
            context,
            templates_dir=self.templates_dir,
            today=today,
            environment_override=environment_override,
        )


def shared_engine(
    rules_dir: str | Path | None = None, templates_dir: str | Path | None = None
) -> Engine:
    """One engine per saved state of the library, rebuilt only when one of its files changes."""
    rules = resources.rules_dir(rules_dir)
    templates = resources.templates_dir(templates_dir)
    return _engine(str(rules), str(templates), library_signature(rules))


@lru_cache(maxsize=4)
def _engine(rules_dir: str, templates_dir: str, signature: tuple) -> Engine:
    return Engine.load(rules_dir, templates_dir)
