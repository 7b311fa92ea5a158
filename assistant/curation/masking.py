"""Mask personal data in a reported sentence before it is shared with the curators.

A reported false positive ends up in a rule file that every curator reads, so the customer's name,
their order number or address must not travel with it. The rest of the sentence stays word for word:
the curator needs the phrase the rule fired on, and `rules test` must still see the rule fire.

The pipeline has no named-entity recogniser (nlp/pipeline.py builds a blank English pipeline: no
trained model can be downloaded at run time), so names are found by their cues: a greeting or a
sign-off ("Hi Sam,", "Thanks, Priya"), a title ("Mrs Okafor"), an introduction ("my name is",
"I've asked Dev to"). Everything else is found by its shape: e-mail and web addresses, phone
numbers, amounts, dates, order and account numbers, street lines and postcodes.

What it misses: a name with no cue ("Jo said it was fine"), a lower-case or all-capitals name ("hi
sam", "HI SAM"), a name that is also a month or a weekday ("Hi June"), after a weak cue a name
that the library spells as a word ("I asked Will"), a town named without a street line or
postcode, and, by design, a one- to three-digit number with no cue ("seat 14"): short counts carry
the rule's meaning ("within 14 days", "1-star review") and identify no one.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import NamedTuple

from assistant.core.placeholders import PLACEHOLDERS
from assistant.library.loader import Library


class Masked(NamedTuple):
    start: int
    end: int
    kind: str

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.kind]


# Capitalised words that follow a greeting or a cue without being anyone's name.
_NOT_NAME_WORDS = """
    i i'm i'll i've i'd we you they he she it the a an and or but so if for of to in on at as by
    with from all everyone everybody there team folks guys customer customers sir madam again
    both friend friends mate yes no not please sorry thanks thank regards wishes best kind
    warm many sincerely yours love hope hello hi hey dear good morning afternoon evening
    welcome this that these those here how what when where why who which just very really
    our your my his her their its me us them am is are was were be been being do does did
    mr mrs ms miss mx dr prof support service services care help desk
    monday tuesday wednesday thursday friday saturday sunday today tomorrow tonight yesterday
    january february march april may june july august september october november december
    christmas easter cheers
    however also again otherwise meanwhile instead look listen well okay ok right sure yes
    apologies firstly secondly finally basically actually anyway now then unfortunately sadly
    luckily honestly obviously clearly note ps fyi update oh ah great perfect lovely brilliant
    fine understood noted absolutely certainly definitely course indeed plus besides still yet
    though although because since after before once until unless while whilst hopefully
    ideally personally frankly regardless currently apparently recently usually normally
    generally typically thankfully fortunately alternatively additionally similarly likewise
    consequently accordingly naturally understandably ultimately essentially initially
    originally previously eventually presumably surely seriously literally especially
    particularly importantly interestingly admittedly regrettably technically officially
    realistically gladly happily kindly simply lastly thirdly furthermore moreover therefore
    thus hence sometimes often later earlier first second third next last overall
    nevertheless nonetheless anyhow sadly
"""
NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())

_NAME_WORD = r"[A-Z][a-z]*(?:[A-Z][a-z]+)?(?:['’-][A-Z]?[a-z]+)*"
# One to three name words, or an initial before a surname ("J. Smith", "J Smith").
_NAME = rf"(?:[A-Z]\.?\s)?{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_STREET_SUFFIX = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Court|Ct|Place|Pl|Crescent|"
    r"Cres|Terrace|Grove|Gardens|Gdns|Square|Sq|Boulevard|Blvd|Parkway|Pkwy|Row|Hill|Mews|Walk|"
    r"Highway|Hwy|Park|Green|Rise|View|Parade|Wharf)"
)
_ID_CUE = (
    r"(?:order|ref|reference|account|acct|case|ticket|invoice|booking|tracking|policy|"
    r"membership|customer|claim|receipt|confirmation|serial|imei|id)"
)
_CURRENCY_WORD = r"(?:gbp|usd|eur|aud|cad|nzd|inr|zar|pounds?|quid|dollars?|euros?|pence|cents?)"


class _Detector(NamedTuple):
    kind: str
    pattern: re.Pattern[str]
    groups: tuple[int, ...] | None = None  # the groups to mask; None masks the whole match
    accept: Callable[[str], bool] | None = None  # a check regular expressions put badly


def _phone_like(candidate: str) -> bool:
    """Seven digits or more, written as a phone number is: an international prefix, a
    bracketed area code, groups, or a leading 0."""
    digits = sum(char.isdigit() for char in candidate)
    if not 7 <= digits <= 15:
        return False
    grouped = any(mark in candidate for mark in " .-()")
    return candidate.startswith(("+", "(", "0")) or grouped


def _code_like(candidate: str) -> bool:
    """A reference code: letters and at least three digits ("AB12345", "ORD-5521"), not a
    word with a digit or two ("covid-19", "b4")."""
    return sum(char.isdigit() for char in candidate) >= 3 and any(c.isalpha() for c in candidate)


# Earlier detectors win where matches overlap: an e-mail address holds a domain, a date looks like
# a phone number. Each pattern starts only where a run of its characters starts (the lookbehinds),
# so a long run of letters or digits is read once, not once from each of its characters.
_DETECTORS: tuple[_Detector, ...] = (
    _Detector("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    _Detector(
        "url",
        re.compile(
            r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"
            r"|(?<![\w.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/[^\s<>\"']*[^\s<>\"'.,;:!?)\]]",
            re.IGNORECASE,
        ),
    ),
    # Numeric dates: 12/05/2025, 2025-05-12, 12.5.25
    _Detector(
        "date",
        re.compile(
            r"(?<![\w/.-])(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})(?![\w/-])"
        ),
    ),
    # A month named keeps its name (rules read "by June" as a date): only the day and year go.
    _Detector(
        "day",
        re.compile(rf"\b(\d{{1,2}}(?:st|nd|rd|th)?)(?:\s+of)?\s+{_MONTH}\b", re.IGNORECASE),
        (1,),
    ),
    _Detector(
        "day", re.compile(rf"\b{_MONTH}\.?\s+(\d{{1,2}}(?:st|nd|rd|th)?)\b", re.IGNORECASE), (1,)
    ),
    _Detector(
        "year",
        re.compile(
            rf"\b{_MONTH}\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+((?:19|20)\d\d)\b", re.IGNORECASE
        ),
        (1,),
    ),
    # Street lines, with the flat or house before them: "Flat 2, 14 Mill Road", "221B Baker St".
    _Detector(
        "address",
        re.compile(
            r"\b(?:(?:Flat|Apartment|Apt|Unit|Suite)\.?\s+\w+,?\s+)?\d{1,5}[A-Za-z]?,?\s+"
            rf"(?:{_NAME_WORD}\s+){{1,3}}{_STREET_SUFFIX}\b\.?"
        ),
    ),
    _Detector(
        "address",
        re.compile(
            r"\b\d{1,5}[a-z]?\s+(?:[a-z]+\s+){1,3}(?:street|road|avenue|lane|drive|crescent|terrace)\b",
            re.IGNORECASE,
        ),
    ),
    _Detector("address", re.compile(r"\b(?:Flat|Apartment|Apt|Unit|Suite)\.?\s+\d+[A-Za-z]?\b")),
    _Detector("address", re.compile(r"\bP\.?\s?O\.?\s+Box\s+\d+\b", re.IGNORECASE)),
    # UK postcodes (upper case only: "b4 2pm" is textspeak) and US ZIP codes after a state.
    _Detector(
        "postcode",
        re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b"),
    ),
    _Detector("postcode", re.compile(r"\b[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b|\b\d{5}-\d{4}\b")),
    _Detector(
        "amount",
        re.compile(
            r"(?:[£$€¥₹]|\b(?:GBP|USD|EUR|AUD|CAD|NZD|INR|ZAR)\s?)\s?\d(?:,?\d)*(?:\.\d+)?"
            r"(?:\s?(?:k|m|bn)\b)?"
            rf"|(?<![\d,.])\d(?:,?\d)*(?:\.\d+)?\s?{_CURRENCY_WORD}\b",
            re.IGNORECASE,
        ),
    ),
    _Detector(
        "phone",
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,6}(?:[\s.-]\d{2,8}){0,4}(?!\w)"
        ),
        accept=_phone_like,
    ),
    # An order, account or reference number after its cue, whatever its length: "order 552".
    _Detector(
        "number",
        re.compile(
            rf"\b{_ID_CUE}\s*(?:number|no\.?|num|#|id)?\s*[:#]?\s*(#?[A-Za-z]*-?\d[\w/-]*)",
            re.IGNORECASE,
        ),
        (1,),
    ),
    _Detector(
        "number",
        re.compile(r"(?<![\w-])[A-Za-z\d]+(?:-[A-Za-z\d]+)*(?![\w-])"),
        accept=_code_like,
    ),
    # Any other number of four digits or more, or one marked with "#".
    _Detector("number", re.compile(r"#\d[\w-]*|(?<![\w.,])\d(?:[,.]?\d){3,}(?![\w%])")),
)

_GREETING = (
    r"(?:hi|hello|hey|hiya|dear|morning|good\s+(?:morning|afternoon|evening)|afternoon|evening"
    r"|greetings|welcome|thanks|thank\s+you|thankyou|many\s+thanks|cheers|ta|regards|best"
    r"|best\s+wishes|kind\s+regards|warm\s+regards|sincerely|yours(?:\s+(?:sincerely|truly))?"
    r"|love|take\s+care|speak\s+soon|bye|congratulations|congrats|sorry)"
)
_INTRODUCTION = (
    r"(?:my\s+name\s+is|name's|name\s+is|i\s+am|i'm|this\s+is|call\s+me|called|named"
    r"|ask\s+for|speak\s+(?:to|with)|spoke\s+(?:to|with)|speaking\s+(?:to|with)|talk\s+to"
    r"|talked\s+to|asked|told|emailed|messaged|rang|phoned|contacted|signed\s+by|passed\s+to"
    r"|(?:my|our|your)\s+(?:colleague|manager|supervisor|engineer|driver|agent|advisor|adviser"
    r"|partner|husband|wife|son|daughter|mum|mom|dad|mother|father|friend|neighbour|neighbor))"
)
# Name cues: the name is group "name"; the cue words themselves are case-blind, the name is not.
# After a greeting or a title a capitalised word is a name even when a rule spells it too ("Hi
# Will,", "Dear Mrs Page"): those cues are strong and ignore `keep`. The weaker cues (an
# introduction, a comma, the start of a line) give way to a rule's word.
_STRONG_CUES = (
    re.compile(rf"(?m:^|[.!?,;:(])[ \t]*(?i:{_GREETING})[ \t]*,?[ \t]+(?P<name>{_NAME})\b"),
    re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+(?P<name>{_NAME})\b"),
)
_WEAK_CUES = (
    re.compile(rf"(?i:\b{_INTRODUCTION})[ \t]+(?P<name>{_NAME})\b"),
    # A name that opens the text or a line to speak to someone, or signs it off: "Sam, ..."
    re.compile(rf"(?m:^)[ \t]*(?P<name>{_NAME})(?=,[ \t]|[ \t]+here\b)"),
    re.compile(rf"(?m:^)[ \t]*[-—–]*[ \t]*(?P<name>{_NAME})[ \t]*[.!]?[ \t]*\Z"),
    re.compile(rf"[-—–,][ \t]*(?P<name>{_NAME})[ \t]*[.!]?[ \t]*\Z"),
    re.compile(rf",[ \t]*(?P<name>{_NAME})(?=[ \t]*[,.!?])"),
    re.compile(rf"\b(?P<name>{_NAME})[ \t]+from[ \t]+(?:the|our)[ \t]+(?i:\w+[ \t]+)?(?i:team)\b"),
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NAME_PIECE = re.compile(r"[A-Z]\.?(?=\s)|[A-Za-z'’.-]+")
# A street line and a postcode with the town between them are one address.
_ADDRESS_GAP = re.compile(r"^,?\s*(?:[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+)*,?\s*){0,3}$")


def masked_spans(text: str, *, keep: Collection[str] = frozenset()) -> list[Masked]:
    """What mask_personal replaces, in order: (start, end, kind). `keep` lists words (lower
    case) not taken for a name unless a greeting or a title comes before them: pass
    library_words(library), so the rule's own words ("Trustpilot", "Royal Mail") survive."""
    kept = {word.lower() for word in keep}
    found = [
        *((rank, span) for rank, span in _pattern_spans(text) if _spelled(text, span) not in kept),
        *_name_spans(text, _STRONG_CUES, NOT_NAMES),
        *_name_spans(text, _WEAK_CUES, NOT_NAMES | kept),
    ]
    return _merge_addresses(text, _resolve(found))


def mask_personal(text: str, *, keep: Collection[str] = frozenset()) -> str:
    """`text` with each personal detail replaced by its placeholder ("[name]", "[number]"...)."""
    pieces: list[str] = []
    position = 0
    for span in masked_spans(text, keep=keep):
        pieces += [text[position : span.start], span.placeholder]
        position = span.end
    pieces.append(text[position:])
    return "".join(pieces)


def library_words(library: Library) -> frozenset[str]:
    """Every word the library's rules and word classes spell out, lower case."""
    texts: list[object] = [
        entry for cls in library.lexicon.classes.values() for entry in cls.entries
    ]
    texts += [pattern for rule in library.rules for pattern in (*rule.patterns, *rule.exceptions)]
    # A pattern written as spaCy token dicts rather than notation is read through its repr.
    return frozenset(
        word.lower()
        for text in texts
        for word in _WORD.findall(text if isinstance(text, str) else repr(text))
    )


def _pattern_spans(text: str) -> Iterator[tuple[int, Masked]]:
    for rank, detector in enumerate(_DETECTORS):
        for match in detector.pattern.finditer(text):
            if detector.accept is not None and not detector.accept(match.group()):
                continue
            for group in detector.groups or (0,):
                if match.start(group) != -1:
                    yield rank, Masked(match.start(group), match.end(group), detector.kind)


def _spelled(text: str, span: Masked) -> str:
    # A code the library spells itself ("EU261") is a rule's word, not a customer's number.
    return text[span.start : span.end].lower()


def _name_spans(
    text: str, cues: Iterable[re.Pattern[str]], not_names: frozenset[str]
) -> Iterator[tuple[int, Masked]]:
    rank = len(_DETECTORS)
    for pattern in cues:
        for match in pattern.finditer(text):
            found = _name_in(match.group("name"), not_names)
            if found is not None:
                start = match.start("name")
                yield rank, Masked(start + found[0], start + found[1], "name")


def _name_in(words: str, not_names: frozenset[str]) -> tuple[int, int] | None:
    """The run of name words from the cue on: it stops at the first word that is no name ("Hi
    Sam Thanks" masks "Sam"); None when the first word is no name ("Hi There"). A possessive
    "'s" stays outside the mask, so "[name]'s order" still reads."""
    taken = []
    for word in _NAME_PIECE.finditer(words):
        initial = len(word.group()) == 2 and word.group().endswith(".")
        bare = re.split(r"['’]", word.group().rstrip(".").lower())[0]
        if bare in not_names and not initial:
            break
        taken.append(word)
    if not taken:
        return None
    end = taken[-1].end()
    if words[:end].endswith(("'s", "’s")):
        end -= 2
    return taken[0].start(), end


def _resolve(found: Iterable[tuple[int, Masked]]) -> list[Masked]:
    """Non-overlapping spans: the earlier detector wins an overlap, then the longer span."""
    chosen: list[Masked] = []  # kept in text order, so an overlap is one of two neighbours
    for _, span in sorted(found, key=lambda item: (item[0], item[1].start - item[1].end)):
        at = bisect.bisect_left(chosen, span)
        if at > 0 and chosen[at - 1].end > span.start:
            continue
        if at < len(chosen) and chosen[at].start < span.end:
            continue
        chosen.insert(at, span)
    return chosen


def _merge_addresses(text: str, spans: list[Masked]) -> list[Masked]:
    """A street line, the town after it and its postcode become one [address]: the town would
    otherwise be left, or taken for a name."""
    merged: list[Masked] = []
    index = 0
    while index < len(spans):
        span = spans[index]
        end = index
        if span.kind == "address":
            for later in range(index + 1, len(spans)):
                if spans[later].kind not in {"postcode", "name"}:
                    break
                if spans[later].kind == "postcode" and _ADDRESS_GAP.match(
                    text[span.end : spans[later].start]
                ):
                    end = later
                    break
        merged.append(Masked(span.start, spans[end].end, span.kind))
        index = end + 1
    return merged
