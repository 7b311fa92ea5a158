"""spaCy component that marks every case-type signal in a message as a span (label = case type)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from assistant.core.categories import CASE_SPAN_KEY
from assistant.library.case_types import SIGNAL_SEPARATOR, CaseTypeModel
from assistant.nlp.token_matcher import TokenMatcher

CASE_SIGNALS_FACTORY = "reply_assistant_case_types"


class CaseTypeSignals:
    """Empty until `add_rules()` gives it the library's case-type model, as spaCy's rulers are
    until `add_patterns()`."""

    def __init__(self, nlp: Language):
        self.strings = nlp.vocab.strings
        self.model = CaseTypeModel()
        self.matcher = TokenMatcher(self.strings)

    def add_rules(self, model: CaseTypeModel) -> None:
        self.model = model
        for signal in model.signals:
            self.matcher.add(signal.key, signal.patterns)

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[CASE_SPAN_KEY] = [
            Span(doc, start, end, label=key.split(SIGNAL_SEPARATOR)[0], span_id=key)
            for key, start, end in self.matcher(doc)
        ]
        return doc


@Language.factory(CASE_SIGNALS_FACTORY, assigns=["doc.spans"])
def make_case_type_signals(nlp: Language, name: str) -> CaseTypeSignals:
    return CaseTypeSignals(nlp)
