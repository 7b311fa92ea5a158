"""Required elements of a reply for its case type: raised when something is missing.

Ownership in a company-fault case, a concrete remedy, a dated next step; and too many apologies.
The elements come from the library (library/required_elements.py); the fault is resolved by the
caller, which knows the case type's settings.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from assistant.core.categories import REQUIRED_RULE_PREFIX
from assistant.core.findings import Finding
from assistant.library.required_elements import APOLOGY_LEMMAS, RequiredElements
from assistant.nlp.token_matcher import TokenMatcher


class RequiredElementCheck:
    """The elements' patterns compiled once per pipeline: only checks with a case type run it."""

    def __init__(self, nlp: Language, required: RequiredElements):
        self.required = required
        self.matcher = TokenMatcher(nlp.vocab.strings)
        for element in required.elements:
            self.matcher.add(element.name, element.patterns)

    def findings(self, doc: Doc, text: str, fault: str) -> list[Finding]:
        present = {key for key, _start, _end in self.matcher(doc)}
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        findings = [
            Finding(
                element.category,
                f"{REQUIRED_RULE_PREFIX}{element.name}",
                element.severity,
                start,
                end,
                text[start:end],
                element.message,
                advice=element.advice,
            )
            for element in self.required.elements
            if fault in element.faults and element.name not in present and text.strip()
        ]
        apologies = [token for token in doc if token.lemma_ in APOLOGY_LEMMAS]
        if len(apologies) > self.required.max_apologies:
            extra = apologies[self.required.max_apologies]
            findings.append(
                Finding(
                    "too_many_apologies",
                    f"{REQUIRED_RULE_PREFIX}max-apologies",
                    "warning",
                    extra.idx,
                    extra.idx + len(extra.text),
                    text[extra.idx : extra.idx + len(extra.text)],
                    f"{len(apologies)} apologies; keep to {self.required.max_apologies}, naming the failure once, and move on to the fix.",
                    advice=("One clear apology that names what went wrong is enough.",),
                )
            )
        return findings
