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

from bisect import bisect_left
from dataclasses import dataclass

from spacy.attrs import IS_SPACE, ORTH, SENT_START, SPACY
from spacy.tokens import Doc, Token

from assistant.library.lexicon import Lexicon

NEGATION_WINDOW = 5
# The checks look through a match's sentence. A run-on "sentence" of thousands of tokens (a pasted
# log, an attack) would make that quadratic, so past this length a match sees only the tokens
# within CONTEXT_WINDOW of it; no real sentence comes near (readability flags 35 words).
LONG_SENTENCE_TOKENS = 150
CONTEXT_WINDOW = 75
CLAUSE_BREAKS = frozenset({",", ";", ":", "—", "–", "-", "(", ")"})


@dataclass(frozen=True)
class ContextWords:
    """The word classes the checks read (phrase_rules/words.yml), as sets built once per pipeline."""

    negations: frozenset[str]
    conditionals: frozenset[str]
    condition_words: frozenset[str]
    reporting_verbs: frozenset[str]
    reporters: frozenset[str]
    not_reporters: frozenset[str]
    report_links: frozenset[str]
    remedy_verbs: frozenset[str]
    route_turns: frozenset[str]
    route_words: frozenset[str]
    route_openers: tuple[tuple[str, ...], ...]
    concessives: frozenset[str]
    next_sentence_offers: frozenset[str]
    hedges: frozenset[str]
    # Sentences that look like offers but lead nowhere ("anything else we can help with?").
    non_routes: tuple[tuple[str, ...], ...]
    # Asking the customer for what the agent needs to help ("please DM us the order number").
    help_requests: tuple[tuple[str, ...], ...]
    question_openers: frozenset[str]
    clause_joiners: frozenset[str]

    @property
    def negation_stops(self) -> frozenset[str]:
        """Where a negation's reach ends: a new clause or a condition ("…not refund you unless…")."""
        stops = self.__dict__.get("_negation_stops")
        if stops is None:
            stops = self.clause_joiners | self.conditionals | {"until"}
            object.__setattr__(self, "_negation_stops", stops)
        return stops

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> ContextWords:
        def words(name: str) -> frozenset[str]:
            return frozenset(lexicon.norm(w) or w for w in lexicon.words(name))

        def phrases(name: str) -> tuple[tuple[str, ...], ...]:
            return tuple(
                tuple(lexicon.norm(w) or w for w in phrase) for phrase in lexicon.phrases(name)
            )

        return cls(
            negations=words("negator"),
            conditionals=words("conditional"),
            condition_words=words("condition_word"),
            reporting_verbs=words("reporting_verb"),
            reporters=words("reporter"),
            not_reporters=words("non_reporter"),
            report_links=words("report_link"),
            remedy_verbs=words("remedy_verb"),
            route_turns=words("route_turn"),
            route_words=words("route_word"),
            route_openers=phrases("route_opener"),
            concessives=words("concessive"),
            next_sentence_offers=words("next_sentence_offer"),
            hedges=words("hedge"),
            non_routes=phrases("non_route"),
            help_requests=phrases("help_request"),
            question_openers=words("question_opener"),
            clause_joiners=words("clause_joiner"),
        )


# The agent speaking as themselves: "we said", "I mentioned" report our own words, which still count.
SELF_REPORTERS = frozenset({"i", "we"})
FIRST_PERSON = frozenset({"i", "we"})
QUOTE_CHARS = frozenset({'"', "'", "«", "»", "„", "“", "”", "‘", "’", "`"})


class DocContext:
    """Per-document facts computed once, on the first match that needs them."""

    def __init__(self, doc: Doc, words: ContextWords):
        self.doc = doc
        self.words = words
        self._sentence_bounds: list[tuple[int, int]] | None = None
        self._sentence_of: list[int] | None = None
        self._quoted: list[bool] | None = None
        self._words_cache: tuple[list[str], list[int]] | None = None
        self._column_cache: tuple[list[str], list[str], list[str]] | None = None

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
        start, end = self._sentence_bounds[self._sentence_of[token_index]]
        if end - start > LONG_SENTENCE_TOKENS:
            return max(start, token_index - CONTEXT_WINDOW), min(end, token_index + CONTEXT_WINDOW)
        return start, end

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
        """The agent moves on to help in the same breath: a first-person remedy verb or a request for
        the details they need, in this sentence or the next. ("We have nothing to add" opens like a
        route and is none, so route openers do not count here.)"""
        sent_start, sent_end = self.sentence(start)
        following = self._next_sentence(start)
        end = following[1] if following else sent_end
        doc = self.doc
        if self._contains(sent_start, end, self.words.help_requests):
            return True
        for i in range(sent_start, end):
            if doc[i].norm_ in FIRST_PERSON:
                for j in range(i + 1, min(end, i + 4)):
                    if doc[j].norm_ in self.words.negations:
                        break  # "we cannot refund" refuses; it does not fix
                    if (
                        doc[j].lemma_ in self.words.remedy_verbs
                        or doc[j].norm_ in self.words.remedy_verbs
                    ):
                        return True
        return False

    def route_offered(self, start: int, end: int) -> bool:
        """A refusal that comes with a way forward: a concession ("although … , we can"), an alternative
        later in its sentence, or an offer or commitment in the next two sentences."""
        doc = self.doc
        sent_start, sent_end = self.sentence(max(end - 1, 0))
        if any(doc[i].norm_ in self.words.concessives for i in range(sent_start, start)):
            return True
        generic_from = self._first_phrase_at(end, sent_end, self.words.non_routes)
        for i in range(end, generic_from):
            word = doc[i].norm_
            turn = word in self.words.route_turns or word in (";", ":")
            if turn and self._route_after_turn(i + 1, generic_from):
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

    def _words(self, start: int, end: int) -> tuple[str, ...]:
        return tuple(t.norm_ for t in self.doc[start:end] if not t.is_punct and not t.is_space)

    def _first_phrase_at(self, start: int, end: int, phrases: tuple[tuple[str, ...], ...]) -> int:
        """The token index where the first of the phrases starts in doc[start:end], or end.
        Punctuation between a phrase's words is skipped ("pass it on, please" reads "pass it on")."""
        words, positions = self._word_index()
        first = bisect_left(positions, start)
        last = bisect_left(positions, end)
        for n in range(first, last):
            for phrase in phrases:
                if tuple(words[n : n + len(phrase)]) == phrase and n + len(phrase) <= last:
                    return positions[n]
        return end

    def _word_index(self) -> tuple[list[str], list[int]]:
        """Readings of the words (no punctuation or space) and their token positions, once per doc."""
        if self._words_cache is None:
            keep = [(t.norm_, t.i) for t in self.doc if not t.is_punct and not t.is_space]
            self._words_cache = ([w for w, _ in keep], [i for _, i in keep])
        return self._words_cache

    def _contains(self, start: int, end: int, phrases: tuple[tuple[str, ...], ...]) -> bool:
        return self._first_phrase_at(start, end, phrases) < end

    def _opens_with(self, sentence: tuple[int, int], phrases: tuple[tuple[str, ...], ...]) -> bool:
        words = self._words(*sentence)
        return any(words[: len(phrase)] == phrase for phrase in phrases)

    def _route_after_turn(self, start: int, end: int) -> bool:
        """After "but", "however" or a semicolon: an opener, a request for details, or a route word
        that is not itself negated ("…though, and I can't go higher" is no route)."""
        if self._opens_with((start, end), self.words.route_openers):
            return True
        if self._contains(start, end, self.words.help_requests):
            return True
        words = self._words(start, end)
        return any(
            word in self.words.route_words
            and not (i + 1 < len(words) and words[i + 1] in self.words.negations)
            for i, word in enumerate(words)
        )

    def _offers(self, sentence: tuple[int, int]) -> bool:
        """An offer, a request for details or a commitment by us, before any stock phrase that
        only sounds like one ("Is there anything else we can help with?")."""
        if self._opens_with(sentence, self.words.route_openers):
            return True
        generic_from = self._first_phrase_at(*sentence, self.words.non_routes)
        if self._contains(sentence[0], generic_from, self.words.help_requests):
            return True
        words = self._words(sentence[0], generic_from)
        for i, word in enumerate(words):
            negated = i + 1 < len(words) and words[i + 1] in self.words.negations
            if word in self.words.next_sentence_offers and not negated:
                return True
            # "I'll email you the outcome that day": a commitment by us is a way forward
            # (the verb must come before any stock phrase: "we'll pass on your feedback" is none)
            committed = (
                i
                and words[i - 1] in FIRST_PERSON
                and i + 1 < len(words)
                and words[i + 1] not in self.words.hedges  # "we'll hopefully see you soon"
            )
            if word == "will" and committed and not negated:
                return True
        return False

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """The clause around a match: up to a comma, semicolon, dash or joining word either side."""
        sent_start, sent_end = self.sentence(start)
        doc = self.doc
        left = start
        while left > sent_start and not self._clause_break(doc[left - 1]):
            left -= 1
        right = end
        while right < sent_end and not self._clause_break(doc[right]):
            right += 1
        return left, right

    def _clause_break(self, token: Token) -> bool:
        return token.text in CLAUSE_BREAKS or token.norm_ in self.words.clause_joiners

    def hedged(self, start: int, end: int) -> bool:
        """An honest condition or estimate in the promise's own clause, or an opening condition
        ("If all goes well, …") that governs it. A hedge in another clause hedges something else."""
        left, right = self.clause(start, end)
        doc = self.doc
        if any(
            doc[i].norm_ in self.words.hedges and not self._month(i)
            for i in (*range(left, start), *range(end, right))
        ):
            return True
        sent_start, _ = self.sentence(start)
        return sent_start < left and doc[sent_start].norm_ in self.words.conditionals

    def has_condition(self, start: int) -> bool:
        """The sentence ties something to a demand: if, unless, until, or (else), otherwise, once."""
        sent_start, sent_end = self.sentence(start)
        return any(
            self.doc[i].norm_ in self.words.condition_words for i in range(sent_start, sent_end)
        )

    def _all_being_well(self, i: int) -> bool:
        return (
            i + 2 < len(self.doc)
            and self.doc[i + 1].norm_ == "being"
            and self.doc[i + 2].norm_ == "well"
        )

    def _month(self, i: int) -> bool:
        """ "by 20 May" names a month, not a hedge: a capital "May" inside a sentence."""
        token = self.doc[i]
        return token.text == "May" and not token.is_sent_start

    def negated(self, start: int) -> bool:
        if self.doc[start].text in CLAUSE_BREAKS:
            return False  # "No more delays, promise!": the match opens a clause of its own
        sent_start, _ = self.sentence(start)
        for i in range(start - 1, max(sent_start, start - NEGATION_WINDOW) - 1, -1):
            token = self.doc[i]
            if token.text in CLAUSE_BREAKS or token.norm_ in self.words.negation_stops:
                return False  # "the fee isn't covered and there's nothing more": a new clause
            if token.norm_ in self.words.negations:
                return True
        return False

    def question(self, start: int) -> bool:
        """The match's own clause asks: it ends in "?", or the sentence is a question that opens
        with an auxiliary or wh-word and the match is in its first clause. A statement spliced to a
        question with a comma ("We can't refund it, would store credit help?") still counts."""
        sent_start, sent_end = self.sentence(start)
        doc = self.doc
        last = sent_end - 1
        while last > start and (doc[last].is_space or doc[last].text in QUOTE_CHARS):
            last -= 1
        if "?" not in doc[last].text:
            return False
        _, clause_end = self.clause(start, start + 1)
        if clause_end >= last or "?" in doc[clause_end].text:
            return True
        first_clause_end = self.clause(sent_start, sent_start + 1)[1]
        return start < first_clause_end and doc[sent_start].norm_ in self.words.question_openers

    def conditional(self, start: int) -> bool:
        """True when the match sits inside an if-clause that has not yet closed with a comma."""
        sent_start, _ = self.sentence(start)
        texts, norms, _ = self._columns()
        for i in range(start - 1, sent_start - 1, -1):
            if texts[i] in CLAUSE_BREAKS:
                return False
            if norms[i] in self.words.conditionals or (
                norms[i] == "case" and i > 0 and norms[i - 1] == "in"
            ):
                return True
        return False

    def reported(self, start: int) -> bool:
        """'You mentioned that you should have been told': the agent relays someone else's words."""
        sent_start, _ = self.sentence(start)
        texts, norms, lemmas = self._columns()
        verbs = self.words.reporting_verbs
        for i in range(start - 1, sent_start, -1):
            if texts[i] in {",", ";"}:
                return False
            if norms[i] in verbs or lemmas[i] in verbs:
                reporter = self._reporter_before(i, sent_start)
                if reporter is None or reporter in SELF_REPORTERS:
                    continue
                # "you said …" always reports; "my neighbour asked if …" only with a reporting link
                if reporter in self.words.reporters or (
                    i + 1 < start and norms[i + 1] in self.words.report_links
                ):
                    return True
        return False

    def _columns(self) -> tuple[list[str], list[str], list[str]]:
        """Each token's text, reading and lemma, read once: the backward scans run per match, and
        making a Token object per step cost more than the check itself."""
        if self._column_cache is None:
            self._column_cache = (
                [token.text for token in self.doc],
                [token.norm_ for token in self.doc],
                [token.lemma_ for token in self.doc],
            )
        return self._column_cache

    def _reporter_before(self, verb_index: int, sent_start: int) -> str | None:
        # Allow one adverb or auxiliary between reporter and verb: "you also said", "my neighbour asked".
        for i in range(verb_index - 1, max(sent_start, verb_index - 3) - 1, -1):
            token = self.doc[i]
            if token.norm_ in self.words.reporters or (
                token.is_alpha and token.norm_ not in self.words.not_reporters
            ):
                return token.norm_
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
        opened_at: int | None = None
        for i, (orth, trailing_space, is_space) in enumerate(rows):
            if opened_at is not None and is_space and "\n\n" in strings[orth]:
                self._mark_unclosed(inside, opened_at, i)  # never into the next paragraph
                opened_at = None
            if orth not in quote_ids:
                continue
            glued_left = i > 0 and not rows[i - 1][1]
            if opened_at is not None and glued_left:
                inside[opened_at + 1 : i] = [True] * (i - opened_at - 1)
                opened_at = None
            elif (
                opened_at is None
                and not trailing_space
                and i + 1 < len(rows)
                and (not glued_left or strings[rows[i - 1][0]] in (":", "(", "["))
            ):
                opened_at = i
        if opened_at is not None:
            self._mark_unclosed(inside, opened_at, len(rows))
        return inside

    def _mark_unclosed(self, inside: list[bool], opened_at: int, stop: int) -> None:
        """A quotation mark that is never closed (a stray `"` typed for an apostrophe or left from
        an edit) quotes at most to the end of its sentence: it must not hide every later finding."""
        end = min(stop, self.sentence(opened_at)[1])
        inside[opened_at + 1 : end] = [True] * max(0, end - opened_at - 1)
