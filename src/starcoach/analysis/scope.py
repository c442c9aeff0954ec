"""Level calibration: how much scope a story shows, against the level it should show.

DESIGN §1 ("Seniority"): the same story must show more scope at higher levels. This
module finds the *signals* of scope in an answer — people led, teams involved, leaders
reached, money and users at stake, ambiguity, influence without authority, mentoring and
long-term direction — gives each the level rank it suggests, and combines them into the
level the story reads as.

The rule is small on purpose, so a user can be told why:

* every signal suggests a rank (1 junior … 5 principal). Head counts and team counts are
  ranked against the taxonomy's ``expects`` (``team_size``, ``teams``) per level; money
  and users against fixed orders of magnitude; the qualitative kinds against the level
  whose ``scope`` names them (mentoring, ambiguity → senior; influence without
  authority, long-term direction → staff);
* every signal has a weight: 1 for direct evidence, less for weak or contextual evidence
  (the size of the company, users a bug touched, a roadmap mentioned in passing);
* the *support* for a rank is the sum, over kinds, of the heaviest signal of that kind
  at or above the rank — so one kind repeated never counts twice;
* the story reads as the highest rank whose support reaches :data:`SUPPORT_NEEDED` for
  that rank, and as junior when none does. Mid needs any signal at all; senior and above
  need more than any one kind can give (no weight exceeds 1), so always two kinds.

Speed (well under a millisecond for a 400-word answer): one pass over the words of a
lower-cased copy of the text (same offsets); a number is read together with the words
after it, and each phrase pattern is tried only where one of the words it can start with
occurs, anchored there, instead of scanning the whole text once per pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from starcoach.knowledge.base import load_knowledge
from starcoach.knowledge.models import Level

SIGNAL_KINDS: tuple[str, ...] = (
    "team-size",
    "teams",
    "org-reach",
    "money",
    "users",
    "ambiguity",
    "influence",
    "mentoring",
    "long-term",
)

SUPPORT_NEEDED: dict[int, float] = {2: 0.5, 3: 1.25, 4: 1.5, 5: 1.75}
"""Support each rank needs before the story reads as that level: a little more
corroboration per level up. Chosen on the labelled answers that are not held out (see
``starcoach.evaluation.scope``); moving any one of them by 0.25 changes exact accuracy
there by under 3 points."""

CONTEXT_RANK_DISCOUNT = 1
"""The size of the company ("a 900-engineer company") or of a crowd of people merely
mentioned says where the story happened, not what the speaker led: it is ranked this many
levels lower than people actually led (and weighs half)."""

MONEY_RANKS: tuple[tuple[float, int], ...] = (
    (5_000_000, 5),
    (1_000_000, 4),
    (100_000, 3),
    (10_000, 2),
)
"""Money at stake (per year when the story gives a monthly figure) → rank."""

USER_RANKS: tuple[tuple[float, int], ...] = (
    (10_000_000, 4),
    (100_000, 3),
    (1_000, 2),
)
"""Users or customers at stake → rank; capped at staff because even a junior's bug fix
can touch millions of users, so reach alone never shows principal scope."""

BUSINESS_CUSTOMER_FACTOR = 100
"""A business customer (clinic, restaurant, enterprise account) stands for many users."""

WEIGHTS: dict[str, float] = {
    "led": 1.0,
    "team": 0.75,
    "mentioned": 0.5,
    "context": 0.5,
    "teams": 1.0,
    "teams-context": 0.5,
    "org-reach": 1.0,
    "money": 0.75,
    "users": 0.5,
    "ambiguity": 0.5,
    "influence": 1.0,
    "persuasion": 0.75,
    "made-the-case": 0.5,
    "mentoring": 0.75,
    "long-term": 0.75,
    "roadmap": 0.5,
}
"""How much each sort of evidence counts towards a rank's support, the same at every rank.
Set by judgement, not tuned: moving any one by 0.25 changes exact accuracy on the
training answers by under 4 points."""

SENIOR, STAFF, PRINCIPAL = 3, 4, 5


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string, to keep long vocabularies readable."""
    return tuple(text.split())


@dataclass(frozen=True)
class ScopeSignal:
    """One piece of evidence of scope, with the span of the answer it came from."""

    kind: str
    evidence: str
    start: int
    end: int
    rank: int
    weight: float = 1.0
    note: str = ""
    """What the evidence was read as (e.g. "organisation size, context"), for people."""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
            "rank": self.rank,
            "weight": self.weight,
            "note": self.note,
        }


@dataclass(frozen=True)
class ScopeAssessment:
    """The scope a story shows, and how far it is from a target level."""

    signals: tuple[ScopeSignal, ...]
    shown_level: str
    target_level: str | None
    gap: int
    score: int
    advice: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "signals": [s.to_dict() for s in self.signals],
            "shown_level": self.shown_level,
            "target_level": self.target_level,
            "gap": self.gap,
            "score": self.score,
            "advice": list(self.advice),
        }


# --- numbers -------------------------------------------------------------------------

_SMALL = _words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = _words("twenty thirty forty fifty sixty seventy eighty ninety")
_WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_SMALL)} | {
    w: 20 + 10 * i for i, w in enumerate(_TENS)
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_PLURALS = {"dozens": 24, "hundreds": 200, "thousands": 2_000, "millions": 2_000_000}
_SUFFIXES = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}

_WORD = (
    rf"(?:{'|'.join(sorted(_WORD_VALUES, key=len, reverse=True))}|hundred|thousand|million|"
    r"billion|dozen)\b"
)
NUMBER = re.compile(
    r"(?:\d[\d,]*(?:\.\d+)?(?:(?:k|m|mn|bn)\b|\s+(?:thousand|million|billion)\b)?"
    rf"|(?:dozens|hundreds|thousands|millions)\s+of\b|a\s+(?:dozen|hundred|thousand|million)\b"
    rf"|{_WORD}(?:[\s-]+(?:and\s+)?{_WORD})*)"
)
"""A count as written (lower case): ``8``, ``9,000``, ``1.5 million``, ``300k``, ``five``,
``two hundred thousand``, ``a dozen``, ``dozens of``. Matched only where a word starts."""


def parse_number(text: str) -> float:
    """The value of a :data:`NUMBER` match (0 when it cannot be read)."""
    words = text.lower().replace(",", "").replace("-", " ").split()
    if not words:
        return 0.0
    if words[0] in _PLURALS:
        return float(_PLURALS[words[0]])
    first = re.match(r"(\d+(?:\.\d+)?)([a-z]*)$", words[0].rstrip("."))
    if first:
        value = float(first.group(1)) * _SUFFIXES.get(first.group(2), 1)
        return value * (_SCALES.get(words[1], 1) if len(words) > 1 else 1)
    total, current = 0.0, 0.0
    for word in words:
        if word == "a":
            current = 1
        elif word in _WORD_VALUES:
            current += _WORD_VALUES[word]
        elif word == "dozen":
            current = max(current, 1) * 12
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _SCALES:
            total += max(current, 1) * _SCALES[word]
            current = 0
    return total + current


# --- what may follow a number --------------------------------------------------------

_PEOPLE = (
    r"(?:engineers|developers|devs|people|persons|employees|staff|analysts|(?:data )?scientists|"
    r"designers|researchers|direct reports|reports|teammates|colleagues|members|contractors|"
    r"volunteers|interns|graduates|new hires|hires|managers|sres|testers|champions|"
    r"participants|mentees|agents|specialists|architects|product managers|pms)"
)
_PEOPLE_ADJECTIVES = (
    r"other|more|new|senior|junior|backend|frontend|mobile|ml|data|platform|product|software|"
    r"part-time|full-time|volunteer|of the|of our|of my"
)
_TEAM_UNITS = (
    r"teams|squads|(?:engineering|product|platform|service|business) groups|organi[sz]ations|"
    r"orgs|departments|divisions|business units|brands|product areas|(?:tech |team |engineering )?leads"
)
_ORG_UNITS = ("organi", "orgs", "departments", "divisions", "business units")
_USER_UNITS = (
    r"users|customers|subscribers|players|viewers|listeners|learners|readers|students|patients|"
    r"visitors|riders|drivers|members|accounts|sellers|buyers|shoppers|households|"
    r"clinics|hospitals|restaurants|stores|schools|businesses|merchants|partners|tenants|employers"
)
_BUSINESS = frozenset(
    _words(
        "clinics hospitals restaurants stores schools businesses merchants partners tenants "
        "employers business enterprise b2b corporate"
    )
)
"""Customers that are organisations, each standing for many users."""
AFTER_NUMBER = re.compile(
    r"(?:(?P<person>[- ]person|-(?:people|member|engineer|strong))\s+"
    r"(?:(?:[a-z-]+\s+){0,2}?(?P<team>team|squad|group|crew|department|unit|task force)\b|[a-z-]+)"
    rf"|\s+(?:(?:{_PEOPLE_ADJECTIVES})\s+)?(?P<people>{_PEOPLE})\b"
    rf"|\s+(?:(?!teams\b)[\w-]+\s+){{0,2}}?(?P<teams>{_TEAM_UNITS})\b"
    rf"|\s+(?:[\w-]+\s+){{0,3}}?(?P<users>{_USER_UNITS})\b"
    r"|\s+(?P<currency>dollars|euros|pounds|usd|eur|gbp)\b"
    r"|\s+(?:a year |per year |a month |per month )?(?:in|of) (?:annual |yearly |monthly )?"
    r"(?P<revenue>revenue|savings|sales|losses|spend|costs?|cloud costs|fees|bookings)\b)"
)
"""What a number counts, read from the words right after it."""
TEAM_OF_BEFORE = re.compile(
    r"(?:team|group|squad|crew|cohort|task force) of (?:(?:about|around|roughly|some|nearly|"
    r"over|more than|almost|like|a|an) )?$"
)
LED_AFTER = re.compile(r"\s*(?:\w+\s+){0,2}(?:report(?:ing|ed)? to me|under me|in my charge)")
MONTHLY_AFTER = re.compile(r"\s*(?:(?:a|per|/|each|every)\s*month|monthly)")
CURRENCY = re.compile(
    r"[$€£]\s?(?P<n>\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|mn|bn)\b|\s+(?:thousand|million|billion)\b)?)"
)
AFFECTED_NEAR = re.compile(r"affected|impacted|\bhit\b|complain|reported|\blost\b")

_LEAD_WORDS = frozenset(
    _words(
        "led lead leading manage managed managing coordinate coordinated coordinating mentored "
        "mentoring coached coaching hired hiring grew built ran running directed directing "
        "supervised supervising oversaw overseeing recruited organised organized rallied "
        "onboarded trained sponsored"
    )
)
_HEDGE_WORDS = frozenset(
    _words(
        "about around roughly over some nearly almost approximately like ~ just under close to "
        "more than"
    )
)
_COMPANY_WORDS = frozenset(
    _words(
        "company company's startup start-up firm organisation organization org studio business "
        "agency retailer bank employer operator publisher marketplace app site platform provider "
        "lender insurer utility saas network enterprise"
    )
)
_ORG_LINK_WORDS = frozenset(_words("with had has have employing employs like of"))
_CONTEXT_PAIRS = frozenset({("there", "were"), ("we", "had"), ("one", "of"), ("it", "had")})
_TEAMS_CONTEXT_WORDS = frozenset(_words("with had has in among"))


def _words_before(low: str, start: int, span: int = 80) -> list[str]:
    """The words just before ``start``, punctuation split off, hedges dropped at the end."""
    words = low[max(0, start - span) : start].replace(",", " , ").replace("(", " ( ").split()
    if start - span > 0 and words:
        words = words[1:]  # the first word may be cut
    while words and words[-1] in _HEDGE_WORDS:
        words.pop()
    return words


def _is_led(words: list[str]) -> bool:
    return any(w in _LEAD_WORDS for w in words[-5:])


def _is_org_context(words: list[str]) -> bool:
    """A company's head count: "a retailer with about 900 engineers", "we had 25 devs"."""
    while words and words[-1] in {",", "("}:
        words = words[:-1]
    if not words:
        return False
    if words[-1] in _COMPANY_WORDS or tuple(words[-2:]) in _CONTEXT_PAIRS:
        return True
    return words[-1] in _ORG_LINK_WORDS and any(w in _COMPANY_WORDS for w in words[-9:-1])


def _is_teams_context(words: list[str]) -> bool:
    """Teams named as the size of the place: "one of twelve teams", "150 engineers in 18"."""
    return bool(words) and (
        words[-1] in _TEAMS_CONTEXT_WORDS or tuple(words[-2:]) in _CONTEXT_PAIRS
    )


# --- phrases -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    kind: str
    rank: int
    weight_key: str
    note: str
    starts: tuple[str, ...]
    """Every word a match can begin with: the pattern is only tried where one occurs."""
    pattern: re.Pattern[str]
    """Matched at the start of one of those words."""
    not_after: frozenset[str] = frozenset()
    """A match right after one of these words is someone else's (``my mentor``)."""


_CUSTOMERS = frozenset({"customer's", "client's", "customer’s", "client’s"})
"""A customer's director or CTO is not the speaker's reach."""


PHRASES: tuple[_Phrase, ...] = (
    _Phrase(
        "teams",
        PRINCIPAL,
        "teams",
        "reach across the organisation",
        _words(
            "company org organisation organization engineering department across every each all"
        ),
        re.compile(
            r"(?:company|org|organi[sz]ation|engineering|department)-wide\b|"
            r"across (?:the |our )?(?:whole )?(?:company|org|organi[sz]ation|engineering org)\b|"
            r"(?:every|each) (?:product |engineering )?team\b|"
            r"all (?:of )?(?:the |our )?(?:product |engineering )?teams\b"
        ),
    ),
    _Phrase(
        "teams",
        STAFF,
        "teams",
        "reach across several teams",
        _words("several multiple many numerous"),
        re.compile(r"(?:several|multiple|many|numerous) (?:\w+ )?teams\b"),
    ),
    _Phrase(
        "teams",
        SENIOR,
        "teams",
        "work across teams",
        _words("cross across other partner sister neighbouring neighboring adjacent"),
        re.compile(
            r"cross-(?:team|functional)\b|across (?:the |our |both )?teams\b|"
            r"(?:other|partner|sister|neighbouring|neighboring|adjacent) teams\b"
        ),
    ),
    _Phrase(
        "org-reach",
        PRINCIPAL,
        "org-reach",
        "executives reached",
        _words(
            "ceo ceos cto ctos cfo coo cio ciso cpo cmo chief c executive exec executives "
            "senior company whole entire"
        ),
        re.compile(
            r"(?:ceo|cto|cfo|coo|cio|ciso|cpo|cmo)s?\b|chief [a-z]+ officer|c-suite|"
            r"executive team|exec team|executives|senior leadership|company-level|"
            r"(?:whole|entire) (?:company|organi[sz]ation|engineering org)"
        ),
        _CUSTOMERS,
    ),
    _Phrase(
        "org-reach",
        STAFF,
        "org-reach",
        "senior leaders reached",
        _words(
            "vp vps svp svps vice directors head heads director engineering product department "
            "division business brand leadership the our company all board"
        ),
        re.compile(
            r"s?vps?\b|vice presidents?|directors\b|head of engineering|director of engineering|"
            r"engineering director|(?:engineering|product|department|division|business|brand) heads|"
            r"heads of \w+|leadership team|(?:the|our|engineering|company|product) leadership|"
            r"all-hands|the board\b(?! report| meeting)"
        ),
        _CUSTOMERS,
    ),
    _Phrase(
        "org-reach",
        SENIOR,
        "org-reach",
        "leaders reached",
        _words("director head"),
        re.compile(r"director\b|head of (?:[a-z]+ ){0,2}?[a-z]+\b"),
        _CUSTOMERS,
    ),
    _Phrase(
        "ambiguity",
        SENIOR,
        "ambiguity",
        "ambiguous problem",
        _words(
            "ambiguous ambiguity unclear undefined ill no nobody without from greenfield open "
            "conflicting"
        ),
        re.compile(
            r"(?:ambigu(?:ous|ity)|unclear|undefined|ill-defined|"
            r"no clear (?:\w+ ){0,2}?(?:requirements|owner|spec|specification|plan|direction|"
            r"answer|scope)|"
            r"no (?:spec|specification|requirements|playbook|precedent|owner|one owned|one knew|"
            r"one understood)|"
            r"nobody (?:\w+ )?(?:knew|owned|understood|could (?:tell|explain))|"
            r"no one (?:\w+ )?(?:knew|owned|understood)|nobody had asked|"
            r"without (?:a |any )?(?:spec|specification|requirements|clear)|from scratch|"
            r"greenfield|open questions?|conflicting (?:requirements|priorities|goals))\b"
        ),
    ),
    _Phrase(
        "influence",
        STAFF,
        "influence",
        "influence without authority",
        _words("without had with have no did didn none neither not nobody outside rather"),
        re.compile(
            r"(?:without (?:any |formal |direct )?authority|"
            r"(?:had|with|have) no (?:formal |direct |line )?authority|"
            r"no (?:teams|one|engineers|people) reporting to me|"
            r"(?:had|have|with) no (?:direct )?reports|"
            r"(?:did(?: not|n't)|(?:none|neither|not one) of (?:them|whom|these|those)(?: \w+)?|"
            r"nobody|no one) report(?:ed)? to me|outside my (?:reporting )?(?:line|chain|authority)|"
            r"without (?:forcing|mandating|a mandate)|rather than a mandate)\b"
        ),
    ),
    _Phrase(
        "influence",
        SENIOR,
        "persuasion",
        "persuasion",
        _words(
            "convince convinced convinces convincing persuade persuaded persuading won win buy "
            "bought brought got get getting aligned alignment influence influenced influencing "
            "negotiate negotiated negotiating compromise rallied champion championed champions "
            "lobbied"
        ),
        re.compile(
            r"(?:convinc(?:e|ed|es|ing)|persuad(?:e|ed|ing)|won over|win over|buy-in|bought in|"
            r"brought (?:\w+ ){1,4}on board|(?:got|get|getting) (?:\w+ ){1,3}on board|"
            r"aligned (?:the|all|both|every|each|them|everyone|\w+ leads?)|alignment|"
            r"influenc(?:e|ed|ing)|negotiat(?:e|ed|ing)|compromise|rallied|champion(?:ed|s)?|"
            r"lobbied)\b"
        ),
        frozenset({"was", "were", "am", "i'm", "be", "been"}),
    ),
    _Phrase(
        "influence",
        SENIOR,
        "made-the-case",
        "made a case",
        _words(
            "proposed proposal proposing presented presenting wrote write writing made make making"
        ),
        re.compile(
            r"(?:propos(?:ed|al|ing)|present(?:ed|ing) (?:it|this|the|my|our|a|an|them)\b|"
            r"(?:wrote|write|writing|made|make|making) (?:a |the |my |our )?(?:[\w-]+ ){0,2}?"
            r"(?:case|memo|recommendation|design doc(?:ument)?)\b)"
        ),
    ),
    _Phrase(
        "mentoring",
        SENIOR,
        "mentoring",
        "developing others",
        _words(
            "mentor mentored mentoring mentors coached coaching onboarded sponsored sponsoring buddy"
        ),
        re.compile(r"(?:mentor(?:ed|ing|s)?|coach(?:ed|ing)|onboarded|sponsor(?:ed|ing)|buddy)\b"),
        frozenset({"my", "his", "her", "their", "our"}),
    ),
    _Phrase(
        "long-term",
        STAFF,
        "long-term",
        "long-term direction",
        _words(
            "multi two three four five 2 3 4 5 long technical technology platform product "
            "company data engineering ml strategy strategic vision over"
        ),
        re.compile(
            r"(?:multi-(?:year|quarter)|(?:two|three|four|five|2|3|4|5)[- ]year "
            r"(?:plan|roadmap|strategy|vision|path|programme|program|horizon|bet)|long[- ]term|"
            r"(?:technical |technology |platform |product |company |data |engineering |ml )?"
            r"strateg(?:y|ic)|vision|over the next (?:two|three|four|five|few|2|3|4|5) years)\b"
        ),
    ),
    _Phrase(
        "long-term",
        SENIOR,
        "roadmap",
        "roadmap",
        _words("roadmap roadmaps"),
        re.compile(r"roadmaps?\b"),
    ),
)
"""Every signal found by its wording alone. A kind with several ranks lists the highest
first; within a kind a span counts once."""


def _by_start_word() -> dict[str, tuple[_Phrase, ...]]:
    table: dict[str, list[_Phrase]] = {}
    for phrase in PHRASES:
        for word in phrase.starts:
            table.setdefault(word, []).append(phrase)
    return {word: tuple(phrases) for word, phrases in table.items()}


PHRASES_BY_START_WORD = _by_start_word()
WORD_TOKEN = re.compile(r"[a-z]+|\d[\d,.]*")
"""Words and numbers of the lower-cased text: one cheap pass finds where to look."""
_NUMBER_WORDS = frozenset(_WORD_VALUES) | frozenset(_SCALES) | frozenset(_PLURALS) | {"dozen"}
_A_COUNT = ("a dozen", "a hundred", "a thousand", "a million")


# --- levels --------------------------------------------------------------------------


@cache
def _levels() -> tuple[Level, ...]:
    return tuple(sorted(load_knowledge().levels, key=lambda level: level.rank))


def _level_of_rank(rank: int) -> Level:
    levels = _levels()
    return levels[max(0, min(rank, len(levels)) - 1)]


@cache
def _rank_for(value: float, key: str) -> int:
    """The highest rank whose taxonomy ``expects[key]`` the value reaches (at least 1)."""
    rank = 1
    for level in _levels():
        if value >= level.expects.get(key, float("inf")):
            rank = max(rank, level.rank)
    return rank


def _rank_from(value: float, table: tuple[tuple[float, int], ...]) -> int:
    for threshold, rank in table:
        if value >= threshold:
            return rank
    return 1


# --- finding signals -----------------------------------------------------------------


def _lower_same_length(text: str) -> str:
    """``text.lower()`` with the same offsets (a few characters grow when lower-cased)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _starts_word(low: str, start: int) -> bool:
    return start == 0 or not low[start - 1].isalnum()


def _number_signals(text: str, low: str, number: re.Match[str]) -> Iterator[ScopeSignal]:
    """Head counts, team counts, users or money: what one number counts."""
    start, end = number.span()
    count = parse_number(number.group(0))
    after = AFTER_NUMBER.match(low, end)
    team_of = TEAM_OF_BEFORE.search(low, max(0, start - 30), start)
    if team_of:
        stop = after.end() if after and after.group("people") else end
        led = _is_led(_words_before(low, team_of.start()))
        yield _head_count(text, team_of.start(), stop, count, "led" if led else "team")
        return
    if after is None:
        return
    words = _words_before(low, start)
    if after.group("person"):
        role = "led" if _is_led(words) else "team" if after.group("team") else "context"
        yield _head_count(text, start, after.end(), count, role)
    elif after.group("people"):
        if _is_led(words) or LED_AFTER.match(low, after.end()):
            role = "led"
        else:
            role = "context" if _is_org_context(words) else "mentioned"
        yield _head_count(text, start, after.end(), count, role)
    elif after.group("teams"):
        yield from _team_count(text, start, after.end(), count, after.group("teams"), words)
    elif after.group("users"):
        yield from _users(text, low, start, after.end(), count)
    else:
        yield from _money(text, low, start, after.end(), count)


def _head_count(text: str, start: int, end: int, count: float, role: str) -> ScopeSignal:
    rank = _rank_for(count, "team_size")
    if role in ("context", "mentioned"):
        rank = max(1, rank - CONTEXT_RANK_DISCOUNT)
    note = {
        "led": "people led",
        "team": "team worked in",
        "mentioned": "people involved",
        "context": "organisation size, context",
    }[role]
    return ScopeSignal("team-size", text[start:end], start, end, rank, WEIGHTS[role], note)


def _team_count(
    text: str, start: int, end: int, count: float, unit: str, words: list[str]
) -> Iterator[ScopeSignal]:
    if count < 2:
        return
    if unit.startswith(_ORG_UNITS):
        count *= _levels()[-1].expects.get("teams", 6)  # an organisation is many teams
    rank = _rank_for(count, "teams")
    if _is_teams_context(words):
        rank = max(1, rank - CONTEXT_RANK_DISCOUNT)
        weight, note = WEIGHTS["teams-context"], "teams in the company, context"
    else:
        weight, note = WEIGHTS["teams"], "teams involved"
    yield ScopeSignal("teams", text[start:end], start, end, rank, weight, note)


def _users(text: str, low: str, start: int, end: int, count: float) -> Iterator[ScopeSignal]:
    if any(word in _BUSINESS for word in low[start:end].split()):
        count *= BUSINESS_CUSTOMER_FACTOR
    rank, note = _rank_from(count, USER_RANKS), "users at stake"
    if AFFECTED_NEAR.search(low, max(0, start - 30), min(len(low), end + 30)):
        rank, note = max(1, rank - 1), "users affected by an incident"
    if rank > 1:
        yield ScopeSignal("users", text[start:end], start, end, rank, WEIGHTS["users"], note)


def _money(text: str, low: str, start: int, end: int, value: float) -> Iterator[ScopeSignal]:
    if (
        MONTHLY_AFTER.match(low, end)
        or " a month " in low[start:end]
        or " per month " in low[start:end]
    ):
        value *= 12
    rank = _rank_from(value, MONEY_RANKS)
    if rank > 1:
        yield ScopeSignal(
            "money", text[start:end], start, end, rank, WEIGHTS["money"], "money at stake"
        )


def _currency_signals(text: str, low: str) -> Iterator[ScopeSignal]:
    if not any(symbol in text for symbol in "$€£"):
        return
    for match in CURRENCY.finditer(low):
        yield from _money(text, low, match.start(), match.end(), parse_number(match.group("n")))


def _phrase_signal(
    text: str, low: str, phrase: _Phrase, start: int, taken: list[tuple[int, int]]
) -> ScopeSignal | None:
    match = phrase.pattern.match(low, start)
    if match is None:
        return None
    end = match.end()
    if any(start < b and end > a for a, b in taken):
        return None
    if phrase.not_after and (_words_before(low, start, 20)[-1:] or [""])[0] in phrase.not_after:
        return None
    taken.append((start, end))
    return ScopeSignal(
        phrase.kind,
        text[start:end],
        start,
        end,
        phrase.rank,
        WEIGHTS[phrase.weight_key],
        phrase.note,
    )


def find_signals(text: str) -> tuple[ScopeSignal, ...]:
    """Every scope signal in the text, in order of position.

    One pass over the words: a number is read with what follows it, and a phrase pattern is
    only tried where one of its start words occurs.
    """
    low = _lower_same_length(text)
    signals: list[ScopeSignal] = []
    taken: dict[str, list[tuple[int, int]]] = {kind: [] for kind in SIGNAL_KINDS}
    number_end = -1
    for token in WORD_TOKEN.finditer(low):
        word, start = token.group(), token.start()
        if (
            (
                word[0].isdigit()
                or word in _NUMBER_WORDS
                or (word == "a" and low.startswith(_A_COUNT, start))
            )
            and start >= number_end
            and _starts_word(low, start)
        ):
            number = NUMBER.match(low, start)
            if number:
                number_end = number.end()
                signals.extend(_number_signals(text, low, number))
        for phrase in PHRASES_BY_START_WORD.get(word, ()):
            found = _phrase_signal(text, low, phrase, start, taken[phrase.kind])
            if found:
                signals.append(found)
    signals.extend(_currency_signals(text, low))
    return tuple(sorted(signals, key=lambda s: (s.start, s.end, s.kind)))


# --- combining them ------------------------------------------------------------------


def support(signals: tuple[ScopeSignal, ...], rank: int) -> float:
    """Sum over kinds of the heaviest signal of that kind suggesting at least ``rank``."""
    best: dict[str, float] = {}
    for s in signals:
        if s.rank >= rank:
            best[s.kind] = max(best.get(s.kind, 0.0), s.weight)
    return sum(best.values())


def shown_rank(signals: tuple[ScopeSignal, ...]) -> int:
    """The highest rank with enough support; junior (1) when no rank has it."""
    for rank in range(len(_levels()), 1, -1):
        if support(signals, rank) >= SUPPORT_NEEDED[rank]:
            return rank
    return 1


EXPECTED_KINDS: dict[int, tuple[str, ...]] = {
    1: (),
    2: ("team-size", "ambiguity", "mentoring"),
    3: ("team-size", "teams", "mentoring", "ambiguity", "influence"),
    4: ("teams", "influence", "long-term", "org-reach", "team-size"),
    5: ("org-reach", "teams", "long-term", "money", "influence"),
}
"""Which kinds of evidence a level's stories are expected to show, most important first
(from each level's ``scope`` in the taxonomy); advice names the missing ones."""
MAX_ADVICE = 3


def _advice_for(kind: str, level: Level) -> str:
    name, people, teams = level.id, level.expects.get("team_size"), level.expects.get("teams")
    money = next((threshold for threshold, rank in MONEY_RANKS if rank <= level.rank), None)
    reach = {SENIOR: "a director or the head of a function", STAFF: "directors or a VP"}.get(
        level.rank, "the VP, CTO or executive team"
    )
    texts = {
        "team-size": f"Say how many people you led or coordinated: {name} stories usually "
        f"involve about {people} or more.",
        "teams": f"Name the teams you aligned ({teams} or more at {name} level) and what each "
        "of them had to change.",
        "org-reach": f"Say which leaders you brought the decision to ({reach}) and what you "
        "asked of them.",
        "money": "State the business stake in money: what was saved, earned or at risk"
        + (f" ({name} stories are often worth ${money:,.0f} or more a year)." if money else "."),
        "users": "Say how many users or customers depended on the outcome.",
        "ambiguity": "Show the ambiguity: what was unclear or undefined at the start, and how "
        "you turned it into a plan.",
        "influence": "Show how you influenced people who did not report to you, without "
        "authority: whom you convinced, and with what evidence.",
        "mentoring": "Show whom you mentored or coached, and how they grew.",
        "long-term": "Show the long-term trade-off: the multi-quarter or multi-year direction "
        "you set and what you gave up for it.",
    }
    return texts[kind]


def _advice(signals: tuple[ScopeSignal, ...], target: Level) -> tuple[str, ...]:
    shown = {s.kind for s in signals if s.rank >= target.rank and s.weight >= 0.75}
    missing = [k for k in EXPECTED_KINDS.get(target.rank, ()) if k not in shown]
    return tuple(_advice_for(kind, target) for kind in missing[:MAX_ADVICE])


def assess_scope(text: str, target_level: str | None = None) -> ScopeAssessment:
    """The level the story's scope reads as, and what it lacks for ``target_level``.

    ``target_level`` is a level id or alias (``staff``, ``L6``, ``E5``); an unknown name
    raises :class:`starcoach.errors.InputError`.
    """
    target = _resolve(target_level) if target_level is not None else None
    signals = find_signals(text)
    rank = shown_rank(signals)
    shown = _level_of_rank(rank).id
    if target is None or rank >= target.rank:
        return ScopeAssessment(signals, shown, target.id if target else None, 0, 100, ())
    partial = min(1.0, support(signals, rank + 1) / SUPPORT_NEEDED[rank + 1])
    score = round(100 * (rank - 1 + partial) / (target.rank - 1))
    return ScopeAssessment(
        signals, shown, target.id, target.rank - rank, score, _advice(signals, target)
    )


@cache
def _resolve(name: str) -> Level:
    """A level by id or alias; cached because the lookup scans every alias."""
    return load_knowledge().level(name)
