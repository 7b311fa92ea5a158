"""Context checks that decide whether a phrase match means what the rule thinks it means.

A rule's `ignore_when` lists the contexts in which its matches are dropped:
- negated: "we would never say you should have known"
- quoted: the agent quoting the customer, 'you wrote "you should have called"', or reporting them
- question: "Could you check whether the parcel was left with a neighbour?"
- conditional: a match inside an if-clause, "if you forgot your password, click …"
- remedied: the agent fixes it in the same or next sentence, "the courier lost it, so I've sent a new one"
- route_offered: a refusal followed by a way forward, "we can't refund it here, but you can use this link"
- hedged: a date or outcome with an honest condition, "it will arrive Friday if the courier keeps to schedule"
- unconditional: the sentence sets no condition; for rules that only count a threat tied to a demand
The checks read tokens only (no parser is available offline), so each is a small, tested heuristic.
"""

from __future__ import annotations

from spacy.attrs import IS_SPACE, ORTH, SENT_START, SPACY
from spacy.tokens import Doc

NEGATIONS = frozenset(
    {"not", "n't", "nt", "never", "no", "nobody", "nothing", "neither", "nor", "without", "hardly"}
)
NEGATION_WINDOW = 5
CONDITIONALS = frozenset({"if", "unless", "whether"})
CLAUSE_BREAKS = frozenset({",", ";", ":", "—", "–", "-", "(", ")"})
REPORTERS = frozenset(
    {"you", "he", "she", "they", "customer", "customers", "someone", "people", "i", "we"}
)
REPORTING_VERBS = frozenset(
    {
        "write",
        "wrote",
        "say",
        "said",
        "mention",
        "mentioned",
        "state",
        "stated",
        "claim",
        "claimed",
        "tell",
        "told",
        "ask",
        "asked",
        "feel",
        "felt",
        "think",
        "thought",
        "call",
        "called",
        "describe",
        "described",
        "quote",
        "quoted",
        "complain",
        "complained",
        "suggest",
        "suggested",
        "accuse",
        "accused",
    }
)
# Words that cannot be the one who speaks: "it said", "the app says" still report, but "as said" does not.
REPORT_LINKS = frozenset({"if", "whether", "that", ":", ",", '"', "'"})
NOT_REPORTERS = frozenset(
    {
        "as",
        "was",
        "is",
        "be",
        "been",
        "have",
        "has",
        "had",
        "it",
        "that",
        "this",
        "which",
        "and",
        "or",
    }
)
# The agent speaking as themselves: "we said", "I mentioned" report our own words, which still count.
SELF_REPORTERS = frozenset({"i", "we"})
FIRST_PERSON = frozenset({"i", "we", "i've", "we've"})
REMEDY_VERBS = frozenset(
    {
        "send",
        "sent",
        "ship",
        "refund",
        "issue",
        "arrange",
        "replace",
        "book",
        "credit",
        "reship",
        "dispatch",
        "upgrade",
        "compensate",
        "resend",
        "expedite",
        "cover",
        "pay",
        "rebook",
        "add",
        "waive",
        "swap",
        "apply",
        "fix",
        "chase",
        "open",
        "raise",
        "put",
        "reorder",
        "order",
        "reimburse",
        "offer",
        "move",
        "process",
        "prioritise",
        "prioritize",
        "escalate",
        "contact",
        "file",
        "lodge",
        "extend",
        "reset",
        "restore",
    }
)
ROUTE_TURNS = frozenset({"but", "however", "instead", "alternatively", "though", "so"})
CONCESSIVES = frozenset({"although", "though", "while", "whilst", "whereas"})
ROUTE_WORDS = frozenset(
    {
        "can",
        "could",
        "'ll",
        "will",
        "happy",
        "link",
        "option",
        "options",
        "offer",
        "'ve",
        "have",
        "here",
        "contact",
        "reply",
        "request",
        "appeal",
        "visit",
        "able",
        "glad",
        "ombudsman",
        "suggest",
        "recommend",
    }
)
ROUTE_OPENERS = (
    ("however",),
    ("instead",),
    ("alternatively",),
    ("what", "i", "can"),
    ("what", "we", "can"),
    ("you", "can"),
    ("you", "could"),
    ("i", "can"),
    ("we", "can"),
    ("i", "could"),
    ("we", "could"),
    ("i", "'ve"),
    ("i", "have"),
    ("we", "'ve"),
    ("we", "have"),
    ("here", "'s"),
    ("here", "is"),
    ("please", "use"),
    ("please", "visit"),
    ("please", "contact"),
    ("please", "reply"),
    ("please", "call"),
    ("please", "click"),
    ("if", "you", "'d"),
    ("if", "you", "would"),
    ("i", "'d", "be"),
    ("i", "would", "be"),
    ("i", "'m", "happy"),
    ("happy", "to"),
    ("you", "may"),
    ("you", "might"),
    ("what", "you", "can"),
    ("the", "best", "option"),
    ("one", "option"),
    ("another", "option"),
    ("the", "next", "step"),
    ("i", "'ll"),
    ("we", "'ll"),
)
NEXT_SENTENCE_OFFERS = frozenset(
    {"can", "could", "option", "options", "instead", "alternatively", "link", "offer"}
)
HEDGES = frozenset(
    {
        "if",
        "unless",
        "provided",
        "providing",
        "assuming",
        "barring",
        "hopefully",
        "expected",
        "expect",
        "estimated",
        "estimate",
        "aim",
        "aiming",
        "likely",
        "probably",
        "should",
        "may",
        "might",
        "usually",
        "normally",
        "typically",
        "depending",
        "subject",
        "fingers",
        "hope",
        "hoping",
        "all",
        "ideally",
    }
)
CONDITION_WORDS = frozenset(
    {"if", "unless", "until", "till", "or", "otherwise", "else", "once", "depending"}
)
QUOTE_CHARS = frozenset({'"', "'", "«", "»", "„", "“", "”", "‘", "’", "`"})


class DocContext:
    """Per-document facts computed once, on the first match that needs them."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self._sentence_bounds: list[tuple[int, int]] | None = None
        self._sentence_of: list[int] | None = None
        self._quoted: list[bool] | None = None

    def sentence(self, token_index: int) -> tuple[int, int]:
        if self._sentence_of is None:
            bounds: list[tuple[int, int]] = []
            sentence_of: list[int] = []
            start = 0
            for i, flag in enumerate(self.doc.to_array(SENT_START).tolist()):
                if flag == 1 and i:
                    bounds.append((start, i))
                    start = i
                sentence_of.append(len(bounds))
            bounds.append((start, len(self.doc)))
            self._sentence_bounds, self._sentence_of = bounds, sentence_of
        assert self._sentence_bounds is not None
        return self._sentence_bounds[self._sentence_of[token_index]]

    def blocks(self, contexts: frozenset[str], start: int, end: int) -> bool:
        return (
            ("negated" in contexts and self.negated(start))
            or ("quoted" in contexts and (self.quoted(start) or self.reported(start)))
            or ("question" in contexts and self.question(start))
            or ("conditional" in contexts and self.conditional(start))
            or ("remedied" in contexts and self.remedied(start))
            or ("route_offered" in contexts and self.route_offered(start, end))
            or ("hedged" in contexts and self.hedged(start, end))
            or ("unconditional" in contexts and not self.has_condition(start))
        )

    def _next_sentence(self, token_index: int) -> tuple[int, int] | None:
        _, sent_end = self.sentence(token_index)
        while sent_end < len(self.doc) and self.doc[sent_end].is_space:
            sent_end += 1
        return self.sentence(sent_end) if sent_end < len(self.doc) else None

    def remedied(self, start: int) -> bool:
        """The agent moves on to a fix: a first-person remedy verb in this sentence or the next."""
        sent_start, sent_end = self.sentence(start)
        following = self._next_sentence(start)
        end = following[1] if following else sent_end
        doc = self.doc
        for i in range(sent_start, end):
            if doc[i].lower_ in FIRST_PERSON:
                for j in range(i + 1, min(end, i + 4)):
                    if doc[j].lower_ in NEGATIONS:
                        break  # "we cannot refund" refuses; it does not fix
                    if doc[j].lemma_ in REMEDY_VERBS or doc[j].lower_ in REMEDY_VERBS:
                        return True
        return False

    def route_offered(self, start: int, end: int) -> bool:
        """A refusal that comes with a way forward: a concession ("although … , we can"), an alternative
        later in its sentence, or an offer or commitment in the next two sentences."""
        doc = self.doc
        sent_start, sent_end = self.sentence(max(end - 1, 0))
        if any(doc[i].lower_ in CONCESSIVES for i in range(sent_start, start)):
            return True
        turned = False
        for i in range(end, sent_end):
            word = doc[i].lower_
            if word in ROUTE_TURNS:
                turned = True
            elif turned and word in ROUTE_WORDS:
                return True
        sentence = (sent_start, sent_end)
        for _ in range(2):
            following = self._next_sentence(sentence[1] - 1)
            if following is None:
                return False
            if self._offers(following):
                return True
            sentence = following
        return False

    def _offers(self, sentence: tuple[int, int]) -> bool:
        doc = self.doc
        words = tuple(
            t.lower_ for t in doc[sentence[0] : sentence[1]] if not t.is_punct and not t.is_space
        )
        if any(words[: len(opener)] == opener for opener in ROUTE_OPENERS):
            return True
        for i, word in enumerate(words):
            negated = i + 1 < len(words) and words[i + 1] in NEGATIONS
            if word in NEXT_SENTENCE_OFFERS and not negated:
                return True
            # "I'll email you the outcome that day": a commitment by us is a way forward
            if word in ("'ll", "will") and i and words[i - 1] in ("i", "we") and not negated:
                return True
        return False

    def hedged(self, start: int, end: int) -> bool:
        sent_start, sent_end = self.sentence(start)
        doc = self.doc
        return any(
            doc[i].lower_ in HEDGES and not (doc[i].lower_ == "all" and not self._all_being_well(i))
            for i in (*range(sent_start, start), *range(end, sent_end))
        )

    def has_condition(self, start: int) -> bool:
        """The sentence ties something to a demand: if, unless, until, or (else), otherwise, once."""
        sent_start, sent_end = self.sentence(start)
        return any(self.doc[i].lower_ in CONDITION_WORDS for i in range(sent_start, sent_end))

    def _all_being_well(self, i: int) -> bool:
        return (
            i + 2 < len(self.doc)
            and self.doc[i + 1].lower_ == "being"
            and self.doc[i + 2].lower_ == "well"
        )

    def negated(self, start: int) -> bool:
        sent_start, _ = self.sentence(start)
        for i in range(start - 1, max(sent_start, start - NEGATION_WINDOW) - 1, -1):
            token = self.doc[i]
            if token.text in CLAUSE_BREAKS:
                return False
            if token.lower_ in NEGATIONS:
                return True
        return False

    def question(self, start: int) -> bool:
        _, sent_end = self.sentence(start)
        for i in range(sent_end - 1, start - 1, -1):
            token = self.doc[i]
            if token.is_space or token.text in QUOTE_CHARS:
                continue
            return "?" in token.text
        return False

    def conditional(self, start: int) -> bool:
        """True when the match sits inside an if-clause that has not yet closed with a comma."""
        sent_start, _ = self.sentence(start)
        for i in range(start - 1, sent_start - 1, -1):
            token = self.doc[i]
            if token.text in CLAUSE_BREAKS:
                return False
            if token.lower_ in CONDITIONALS or (
                token.lower_ == "case" and i > 0 and self.doc[i - 1].lower_ == "in"
            ):
                return True
        return False

    def reported(self, start: int) -> bool:
        """'You mentioned that you should have been told': the agent relays someone else's words."""
        sent_start, _ = self.sentence(start)
        for i in range(start - 1, sent_start, -1):
            token = self.doc[i]
            if token.text in {",", ";"}:
                return False
            if token.lower_ in REPORTING_VERBS or token.lemma_ in REPORTING_VERBS:
                reporter = self._reporter_before(i, sent_start)
                if reporter is None or reporter in SELF_REPORTERS:
                    continue
                # "you said …" always reports; "my neighbour asked if …" only with a reporting link
                if reporter in REPORTERS or (
                    i + 1 < start and self.doc[i + 1].lower_ in REPORT_LINKS
                ):
                    return True
        return False

    def _reporter_before(self, verb_index: int, sent_start: int) -> str | None:
        # Allow one adverb or auxiliary between reporter and verb: "you also said", "my neighbour asked".
        for i in range(verb_index - 1, max(sent_start, verb_index - 3) - 1, -1):
            token = self.doc[i]
            if token.lower_ in REPORTERS or (token.is_alpha and token.lower_ not in NOT_REPORTERS):
                return token.lower_
        return None

    def quoted(self, start: int) -> bool:
        if self._quoted is None:
            self._quoted = self._quoted_tokens()
        return self._quoted[start]

    def _quoted_tokens(self) -> list[bool]:
        doc = self.doc
        inside = [False] * len(doc)
        strings = doc.vocab.strings
        rows = doc.to_array([ORTH, SPACY, IS_SPACE]).tolist()
        quote_ids = {strings[char] for char in QUOTE_CHARS}
        if quote_ids.isdisjoint(row[0] for row in rows):
            return inside
        open_quote = False
        for i, (orth, trailing_space, is_space) in enumerate(rows):
            if is_space and "\n\n" in strings[orth]:
                open_quote = False  # an unbalanced quote must not swallow the next paragraph
            if orth in quote_ids:
                glued_left = i > 0 and not rows[i - 1][1]
                if open_quote and glued_left:
                    open_quote = False
                elif (
                    not open_quote
                    and not trailing_space
                    and i + 1 < len(rows)
                    and (not glued_left or strings[rows[i - 1][0]] in (":", "(", "["))
                ):
                    open_quote = True
                continue
            inside[i] = open_quote
        return inside
