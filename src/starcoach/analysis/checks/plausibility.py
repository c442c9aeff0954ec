"""Checks on plausibility: numbers that cannot be true in their context.

An interviewer who hears "revenue went up 500 times in a week" stops believing the rest
of the story. Each rule below is small and general, and errs on the side of silence:
strong answers are full of honest numbers ("reduced by 58%", "$1.2M", "a 40-person
startup", "from 45 minutes to 14"), and a false alarm on them would teach users to
ignore the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding
from starcoach.nlp.sentences import has_caseless_lookalikes

# --- numbers -----------------------------------------------------------------------------

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "dozen": 12,
}
_SUFFIXES = {"k": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}

_WORD_NUMBER = "|".join(sorted(_UNITS, key=len, reverse=True))
_BIG = r"hundred|thousand|million|billion|trillion"
NUMBER = (
    r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
    rf"(?:\s*(?:{_BIG})\b|(?:k|m|mm|mn|bn|b)\b)?"
    rf"|\b(?:{_WORD_NUMBER})\b(?:[\s-]+(?:{_WORD_NUMBER}|{_BIG}|dozen)\b)*"
    rf"|\ban?[\s-]+(?:{_BIG}|dozen)\b(?:[\s-]+(?:{_BIG})\b)*"
)
"""A quantity in digits ("9,000", "1.2M", "2.5 million") or words ("three", "a dozen",
"two-million"). Used inside larger patterns as ``(?P<n>...)``."""

_NUMBER_ALONE = re.compile(rf"^(?:{NUMBER})$", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """The value of a quantity matched by :data:`NUMBER`, or None when it is not one."""
    text = text.strip().lower()
    if not _NUMBER_ALONE.match(text):
        return None
    digits = re.match(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", text)
    if digits:
        value = float(digits.group(0).replace(",", ""))
        rest = text[digits.end() :].strip()
        if rest in _SUFFIXES:
            return value * _SUFFIXES[rest]
        return value * _SCALES.get(rest, 1.0)
    total, current = 0.0, 0.0
    for token in re.split(r"[\s-]+", text):
        if token in ("a", "an"):
            current = 1.0
        elif token in _UNITS:
            current += _UNITS[token]
        elif token in ("hundred", "dozen"):
            current = max(current, 1.0) * _SCALES[token]
        else:  # thousand, million, billion, trillion
            total += max(current, 1.0) * _SCALES[token]
            current = 0.0
    return total + current


# --- periods of time ---------------------------------------------------------------------

_PERIOD = re.compile(
    r"\b(?:overnight|(?P<count>a|an|one|single|the|that|this|same|first|next|following|"
    r"couple of|few|\d+|" + _WORD_NUMBER + r")\s+(?:single\s+|whole\s+|full\s+)?"
    r"(?P<unit>hours?|days?|nights?|evenings?|afternoons?|mornings?|weekends?|weeks?|"
    r"months?|quarters?|years?))\b",
    re.IGNORECASE,
)
_UNIT_DAYS = {
    "hour": 1 / 24,
    "day": 1,
    "night": 1,
    "evening": 1,
    "afternoon": 1,
    "morning": 1,
    "weekend": 2,
    "week": 7,
    "month": 30,
    "quarter": 91,
    "year": 365,
}
SHORT_PERIOD_DAYS = 31
"""A month or less: too short for a business to multiply its revenue or users."""


def _period_days(match: re.Match[str]) -> float:
    """The length of a matched period phrase in days ("two weeks" = 14, "overnight" = 1)."""
    if not match.group("unit"):
        return 1.0  # overnight
    unit = match.group("unit").lower().rstrip("s")
    count_text = match.group("count").lower()
    count = parse_number(count_text) if count_text[0].isdigit() or count_text in _UNITS else None
    if count is None:
        count = 3.0 if count_text in ("few", "couple of") else 1.0
    return count * _UNIT_DAYS[unit]


_CLAUSE_BREAK = re.compile(r"[,;:]")
_PERIOD_PREPOSITION = re.compile(
    r"\b(?:in|within|over|during|after|inside|for|of|by|under)\s+$", re.IGNORECASE
)


@dataclass(frozen=True)
class Period:
    """A span of time named in the sentence, which growth figures are judged against."""

    days: float
    phrase: str

    @property
    def short(self) -> bool:
        return self.days <= SHORT_PERIOD_DAYS


def _nearest_period(text: str, position: int) -> Period | None:
    """The period phrase ("in two weeks", "overnight") nearest to ``position``, if any."""
    best: tuple[int, Period] | None = None
    for match in _PERIOD.finditer(text):
        if (match.group("count") or "").lower() in ("a", "an") and not _PERIOD_PREPOSITION.search(
            text[: match.start()]
        ):
            continue  # "15 times a day", "2 million transactions a day" are rates
        distance = min(abs(match.start() - position), abs(match.end() - position))
        between = text[min(match.end(), position) : max(match.start(), position)]
        if _CLAUSE_BREAK.search(between):
            distance += len(text)  # prefer a period in the figure's own clause
        if best is None or distance < best[0]:
            best = (distance, Period(_period_days(match), match.group(0).lower()))
    return None if best is None else best[1]


# --- direction of change -----------------------------------------------------------------

_DIRECTION = re.compile(
    r"\b(?P<down>cut|cuts|cutting|reduc\w*|dropp?\w*|decreas\w*|lower\w*|fell|fall\w*|"
    r"slash\w*|shr[ai]nk\w*|shrunk|trimm?\w*|down|less|fewer|sav(?:e|ed|es|ing)|"
    r"eliminat\w*|declin\w*|shorten\w*|cheaper|smaller|shorter)\b"
    r"|\b(?P<up>increas\w*|grew|grow\w*|rose|rais\w*|ris(?:e|es|ing)|boost\w*|"
    r"improv\w*|jump\w*|climb\w*|multipl\w*|gain\w*|soar\w*|spik\w*|skyrocket\w*|"
    r"more(?!\s+than)|higher|bigger|larger|exceed\w*|expand\w*|lift\w*|"
    r"(?:went|go|goes|gone|going|shot|ramped|moved|ticked|is|was|were|are|been)\s+up|"
    r"(?<!follow\s)(?<!followed\s)(?<!pick\s)(?<!picked\s)(?<!sign\s)(?<!signed\s)"
    r"(?<!set\s)(?<!show\s)(?<!showed\s)(?<!end\s)(?<!ended\s)(?<!came\s)"
    r"up(?=\s+(?:by\b|\d)))\b",
    re.IGNORECASE,
)
_UP_TO = re.compile(r"\bup\s+to\s*$", re.IGNORECASE)


def _direction_before(text: str, position: int, reach: int = 70) -> str | None:
    """'up' or 'down': the nearest word of change before ``position`` in its sentence."""
    start = max(0, position - reach)
    if _UP_TO.search(text, start, position):
        return None  # "up to 50 times a day" is a ceiling, not growth
    # Searched past ``position`` so that look-aheads ("up 50", "more than") see the figure.
    matches = [m for m in _DIRECTION.finditer(text, start) if m.end() <= position]
    if not matches:
        return None
    return "down" if matches[-1].group("down") else "up"


# --- claims ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One implausible figure: why it cannot be true, and where it is in the sentence."""

    reason: str
    start: int
    end: int


_PERCENT = re.compile(rf"(?P<n>{NUMBER})\s*(?:%|per\s?cent\b)", re.IGNORECASE)
_MULTIPLE = re.compile(
    rf"(?P<n>{NUMBER})\s*(?:x\b|×|times\b|-?fold\b)|\b(?P<w>ten|hundred|thousand|million)fold\b",
    re.IGNORECASE,
)
_LEVEL_BEFORE = re.compile(
    r"\b(?:to|at|of|from)\s+(?:about\s+|around\s+|roughly\s+|nearly\s+|almost\s+|over\s+)?$",
    re.IGNORECASE,
)
"""A figure after "to" is where a value ended up ("dropped to 150%"), not by how much."""
_OF_AFTER = re.compile(r"^\s+of\b", re.IGNORECASE)
_AFTER_REDUCTION = re.compile(
    r"^\s*(?:less|fewer|lower|cheaper|smaller|shorter|reduction|decrease|drop|cut|decline)\b",
    re.IGNORECASE,
)
_AFTER_GROWTH = re.compile(
    r"^\s*(?:more|higher|bigger|larger|increase|growth|jump|boost|rise|gain|uplift|lift)\b",
    re.IGNORECASE,
)
_PERFORMANCE = re.compile(
    r"\b(?:faster|quicker|speed\w*|latency|throughput|performance|perf|qps|rps|efficien\w*|"
    r"compress\w*|runtime|run time|build time|load time|query|queries|slower|per second|"
    r"load[- ]?test\w*|benchmark\w*|deploys|deployments|releases|frequency|experiments|"
    r"tests|builds|iterations|capacity|coverage)\b",
    re.IGNORECASE,
)
"""Engineering rates (speed, throughput, deploys, experiments) legitimately grow 100×."""
_FREQUENCY_AFTER = re.compile(
    r"^\s*(?:a|per|each|every)\s+(?:day|week|month|year|hour)\b", re.IGNORECASE
)
_BUSINESS_METRIC = re.compile(
    r"\b(?:revenue|profits?|sales|conversions?|satisfaction|productivity|click[- ]?through|"
    r"ctr|earnings|income|margins?|bookings|arr|mrr)\b",
    re.IGNORECASE,
)
_LONG_HORIZON = re.compile(r"\b(?:years|decade)\b", re.IGNORECASE)

ENORMOUS_FACTOR = 100
"""Growth by 100× (10,000 %) or more needs a very good story behind it."""
FAST_BUSINESS_FACTOR = 5
"""Revenue, profit, conversion or productivity cannot multiply by 5 within a month."""


def _impossible_reduction(sentence: str) -> Iterator[Claim]:
    """A cut of more than 100 % would go below zero ("cut latency by 150%")."""
    for match in _PERCENT.finditer(sentence):
        value = parse_number(match.group("n"))
        if value is None or value <= 100 or _LEVEL_BEFORE.search(sentence[: match.start()]):
            continue
        after = sentence[match.end() : match.end() + 20]
        if _OF_AFTER.match(after):
            continue  # "down to 120% of budget" is a level, not a cut
        if _AFTER_REDUCTION.match(after) or (
            not _AFTER_GROWTH.match(after) and _direction_before(sentence, match.start()) == "down"
        ):
            yield Claim(
                f"a reduction of {match.group(0).strip()} is impossible: nothing falls by more "
                "than 100 %",
                match.start(),
                match.end(),
            )


def _growth_factor(sentence: str, match: re.Match[str]) -> float | None:
    """The factor of a growth figure ("500 times", "4,000%" = ×41), None if not growth."""
    after = sentence[match.end() : match.end() + 25]
    if _FREQUENCY_AFTER.match(after):
        return None  # "50 times a day" counts events
    if _AFTER_REDUCTION.match(after):
        return None
    if not (_AFTER_GROWTH.match(after) or _direction_before(sentence, match.start()) == "up"):
        return None
    if match.re is _PERCENT:
        if _LEVEL_BEFORE.search(sentence[: match.start()]) or _OF_AFTER.match(after):
            return None
        value = parse_number(match.group("n"))
        return None if value is None else 1 + value / 100
    if match.group("w"):
        return _SCALES.get(match.group("w").lower(), 10.0)
    return parse_number(match.group("n"))


def _nearest_metric(sentence: str, match: re.Match[str]) -> re.Match[str] | None:
    """The business metric the figure measures: the last one named before it, else the
    first one right after it ("revenue went up 40 times", "a 10x jump in revenue")."""
    before = list(_BUSINESS_METRIC.finditer(sentence, max(0, match.start() - 80), match.start()))
    if before:
        return before[-1]
    return _BUSINESS_METRIC.search(sentence, match.end(), match.end() + 30)


def _enormous_growth(sentence: str) -> Iterator[Claim]:
    """Growth by 100× or more, or a business metric multiplied by 5 within a month."""
    figures = [*_PERCENT.finditer(sentence), *_MULTIPLE.finditer(sentence)]
    for match in sorted(figures, key=lambda m: m.start()):
        factor = _growth_factor(sentence, match)
        if factor is None:
            continue
        around = sentence[max(0, match.start() - 80) : match.end() + 30]
        if _PERFORMANCE.search(around):
            continue  # speed-ups of 100× are ordinary engineering
        period = _nearest_period(sentence, match.start())
        short = period is not None and period.short
        figure = match.group(0).strip()
        when = f" ({period.phrase})" if period is not None and short else ""
        if factor >= ENORMOUS_FACTOR and (short or not _LONG_HORIZON.search(sentence)):
            yield Claim(f"growth of {figure}{when} is hard to believe", match.start(), match.end())
        metric = _nearest_metric(sentence, match)
        if factor < ENORMOUS_FACTOR and short and factor >= FAST_BUSINESS_FACTOR and metric:
            yield Claim(
                f"{metric.group(0).lower()} up {figure}{when} is hard to believe: it does not "
                "multiply that fast",
                match.start(),
                match.end(),
            )


_FROM_TO = re.compile(
    rf"\bfrom\s+(?:about\s+|around\s+|roughly\s+|just\s+|only\s+)?[$€£]?(?P<a>{NUMBER})"
    r"(?P<unit_a>\s+[a-z]+)?\s+(?:\w+\s+){0,2}?to\s+(?:about\s+|around\s+|over\s+|nearly\s+|"
    rf"almost\s+|more than\s+)?[$€£]?(?P<b>{NUMBER})(?P<unit_b>\s+[a-z]+)?",
    re.IGNORECASE,
)
_MEASURE_UNIT = re.compile(
    r"^\s*(?:ms|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|"
    r"months?|years?|nanoseconds?|microseconds?|[kmgt]?b|bytes|[kmgt]ilobytes|megabytes|"
    r"gigabytes|terabytes|percent|per\s?cent|%)\b",
    re.IGNORECASE,
)
FROM_TO_FACTOR = 100
MIN_BASELINE = 10
"""Growth from a handful ("from 3 beta users") says little; a real baseline must exist."""


def _sudden_growth_from_baseline(sentence: str) -> Iterator[Claim]:
    """ "From 2,000 users to 40 million in one week": ×100 or more within a month."""
    for match in _FROM_TO.finditer(sentence):
        if any(
            unit and _MEASURE_UNIT.match(unit)
            for unit in (match.group("unit_a"), match.group("unit_b"))
        ):
            continue  # durations and sizes shrink and grow by large factors legitimately
        if "%" in sentence[match.end("a") : match.end("a") + 2]:
            continue
        if _PERFORMANCE.search(sentence[max(0, match.start() - 60) : match.end() + 30]):
            continue
        start, end = parse_number(match.group("a")), parse_number(match.group("b"))
        if start is None or end is None or start < MIN_BASELINE:
            continue
        period = _nearest_period(sentence, match.end())
        if end / start >= FROM_TO_FACTOR and period is not None and period.short:
            yield Claim(
                f"growth of ×{end / start:,.0f} ({period.phrase}) is hard to believe",
                match.start(),
                match.end(),
            )


_SHARE_NOUNS = (
    r"customers|users|clients|employees|staff|people|engineers|developers|members|"
    r"team|company|accounts|respondents|visitors|students|patients|stores|shops|merchants|"
    r"partners|tickets|bugs|incidents|tests|services|teams|the market|market"
)
_SHARE_OF = re.compile(
    rf"(?P<n>{NUMBER})\s*(?:%|per\s?cent\b)\s+of\s+(?:the\s+|our\s+|all\s+|their\s+|its\s+|"
    rf"my\s+|his\s+|her\s+|all\s+(?:the\s+|our\s+)?)?(?:{_SHARE_NOUNS})\b",
    re.IGNORECASE,
)
_RATIO_METRIC = (
    r"accuracy|precision|recall|uptime|availability|(?:test |code )?coverage|market share|"
    r"success rate|pass rate|completion rate|open rate|click-through rate|attendance|"
    r"adoption rate|satisfaction(?: rate| score)?|csat|share of \w+"
)
_RATIO_AFTER = re.compile(
    rf"(?P<n>{NUMBER})\s*(?:%|per\s?cent\b)\s+(?:{_RATIO_METRIC})\b", re.IGNORECASE
)
_RATIO_BEFORE = re.compile(
    rf"\b(?:{_RATIO_METRIC})\s+(?:\w+\s+){{0,3}}?(?:of|at|to|was|is|hit|reached|reaching)\s+"
    rf"(?:about\s+|around\s+|nearly\s+|over\s+)?(?P<n>{NUMBER})\s*(?:%|per\s?cent\b)",
    re.IGNORECASE,
)
_NOT_A_SHARE = re.compile(
    r"\b(?:target|quota|goal|plan|budget|forecast|baseline|capacity|usual|normal|typical|"
    r"expected|previous|last year|prior|original|old)\b",
    re.IGNORECASE,
)


def _share_above_whole(sentence: str) -> Iterator[Claim]:
    """A share of a whole above 100 % ("120% of our customers", "accuracy of 140%")."""
    for pattern in (_SHARE_OF, _RATIO_AFTER, _RATIO_BEFORE):
        for match in pattern.finditer(sentence):
            value = parse_number(match.group("n"))
            if value is None or value <= 100:
                continue
            tail = " ".join(sentence[match.end() :].split()[:3])  # "…'s capacity", "we expected"
            if _NOT_A_SHARE.search(match.group(0)) or _NOT_A_SHARE.search(tail):
                continue  # "150% of target", "120% of last year's customers"
            if pattern is _SHARE_OF and _direction_before(sentence, match.start(), reach=25):
                continue  # "grew to 140% of the users we had" compares, it is not a share
            yield Claim(
                f"“{match.group(0).strip()}” is more than the whole", match.start(), match.end()
            )


_TIME_RATE = re.compile(
    rf"(?P<n>{NUMBER})\s+(?P<unit>hours?|days?|weeks?|months?)\s+(?:a|per|each|every)\s+"
    r"(?P<per>day|week|month|year)\b"
    rf"|(?P<n2>{NUMBER})[\s-]+(?P<unit2>hour|day)[\s-]+(?:work\s*)?(?P<per2>day|week)s\b",
    re.IGNORECASE,
)
""""30 hours a day", "eight days a week", "120-hour weeks"."""
_CAPACITY = {
    ("hour", "day"): 24,
    ("hour", "week"): 168,
    ("day", "week"): 7,
    ("day", "month"): 31,
    ("day", "year"): 366,
    ("week", "month"): 5,
    ("week", "year"): 53,
    ("month", "year"): 12,
}
OWN_HOURS_PER_WEEK = 100
"""Over ~100 hours of one's own work a week, week after week, is not credible."""
_AGGREGATE = re.compile(
    r"\b(?:sav\w*|across|combined|total|collectively|aggregate|in all|between us|"
    r"engineer[- ]hours?|person[- ]hours?|man[- ]hours?|compute|cpu|gpu|machines?|servers?|"
    r"instances?|nodes?|builds?|pipelines?|jobs?|teams?|people|engineers|analysts|users|"
    r"customers|agents|staff|employees)\b",
    re.IGNORECASE,
)
_OWN_WORK = re.compile(
    r"\b(?:i|i'd|i've|my)\b.{0,40}\b(?:work\w*|put in|pulled|logged|coded|spent|on call|"
    r"on-call)\b|\bhour (?:work ?)?weeks\b",
    re.IGNORECASE,
)


def _time_that_does_not_exist(sentence: str) -> Iterator[Claim]:
    """More hours than a day has, more days than a week has, or over 100 hours of one's
    own work a week."""
    for match in _TIME_RATE.finditer(sentence):
        value = parse_number(match.group("n") or match.group("n2"))
        unit = (match.group("unit") or match.group("unit2")).lower().rstrip("s")
        per = (match.group("per") or match.group("per2")).lower()
        capacity = _CAPACITY.get((unit, per))
        if value is None or capacity is None:
            continue
        around = sentence[max(0, match.start() - 60) : match.end() + 60]
        if _AGGREGATE.search(around) or _OF_AFTER.match(sentence[match.end() :]):
            continue  # "saved 300 hours a week across support" adds up many people
        if value > capacity:
            yield Claim(
                f"{match.group(0).strip()} is more time than there is",
                match.start(),
                match.end(),
            )
        elif (
            (unit, per) == ("hour", "week")
            and value > OWN_HOURS_PER_WEEK
            and _OWN_WORK.search(sentence)
        ):
            yield Claim(
                f"{match.group(0).strip()} of your own work is not believable",
                match.start(),
                match.end(),
            )


_LINES = re.compile(rf"(?P<n>{NUMBER})[\s-]+(?:lines?|loc)\b(?:\s+of\s+code)?", re.IGNORECASE)
_WROTE = re.compile(
    r"\b(?:wrote|written|write|writing|rewrote|rewritten|rewrite|rewriting|translat\w*|"
    r"port(?:ed|ing)|re-?implement\w*|coded|refactor\w*|built|developed)\b",
    re.IGNORECASE,
)
_AUTOMATED = re.compile(
    r"\b(?:codemods?|scripts?|scripted|tool\w*|automat\w*|generat\w*|ai|llm|copilot|sed|"
    r"regex|find[- ]and[- ]replace|transpil\w*|compiler)\b",
    re.IGNORECASE,
)
LINES_PER_DAY = 10_000
"""Far beyond what one person writes or rewrites by hand in a day."""


def _code_beyond_one_person(sentence: str) -> Iterator[Claim]:
    """Tens of thousands of lines written or rewritten by hand within days."""
    if not _WROTE.search(sentence) or _AUTOMATED.search(sentence):
        return
    for match in _LINES.finditer(sentence):
        lines = parse_number(match.group("n"))
        period = _nearest_period(sentence, match.start())
        if lines is None or period is None or period.days > 7:
            continue
        if lines / max(period.days, 1.0) > LINES_PER_DAY:
            yield Claim(
                f"{lines:,.0f} lines of code written by hand ({period.phrase}) is far beyond "
                "one person",
                match.start(),
                match.end(),
            )


# --- the organisation --------------------------------------------------------------------

_ORG = (
    r"start-?up|company|firm|business|agency|studio|shop|organi[sz]ation|non-?profit|"
    r"consultancy|lab"
)
_HEADCOUNT = r"people|employees|staff|persons|person|engineers|developers"
_ORG_SIZE = re.compile(
    rf"(?P<n1>{NUMBER})[\s-]+(?:person|people|employee|man|member|strong)[\s-]+"
    rf"(?:[a-z-]+\s+)?(?:{_ORG})\b"
    rf"|\b(?:{_ORG})\s+(?:of|with)\s+(?:about\s+|around\s+|roughly\s+|only\s+|just\s+|under\s+|"
    rf"fewer than\s+|less than\s+|maybe\s+)?(?P<n2>{NUMBER})\s+(?:{_HEADCOUNT})\b"
    rf"|\b(?:{_ORG})\b[^.;]{{0,60}}?\bwe\s+(?:were|had)\s+(?:only\s+|just\s+|about\s+|around\s+|"
    rf"maybe\s+)?(?P<n3>{NUMBER})\s+(?:{_HEADCOUNT})\b"
    rf"|\bwe\s+(?:were|had)\s+(?:only\s+|just\s+|about\s+|around\s+|maybe\s+)?"
    rf"(?P<n4>{NUMBER})\s+(?:{_HEADCOUNT})\b[^.;]{{0,60}}?\b(?:{_ORG})\b",
    re.IGNORECASE,
)
_HEADCOUNT_HINT = re.compile(
    rf"\b(?:we\s+were|grew\s+to|grown\s+to|growing\s+to|scaled\s+to|headcount\s+of)\s+"
    rf"(?:about\s+|around\s+|over\s+|more than\s+|nearly\s+|almost\s+)?(?P<n1>{NUMBER})"
    rf"(?:\s+(?:people|employees|staff|engineers))?\b"
    rf"|(?P<n2>{NUMBER})\s+(?:employees|staff)\b",
    re.IGNORECASE,
)
"""Any other headcount ("by 2022 we were 200 people"): it can only raise the size, so that
a story spanning a company's growth is judged against its largest size."""
_SMALL_ORG = re.compile(
    r"\b(?:early[- ]stage|seed[- ]stage|pre-?seed|tiny\s+(?:start-?up|company))\b", re.IGNORECASE
)
SMALL_ORG_SIZE = 50
"""What "early-stage" or "seed-stage" implies at most."""

_GROUP = (
    r"task[- ]?force|team|working group|committee|squad|war room|tiger team|department|"
    r"division|org"
)
_SOMEONE_ELSES = re.compile(
    r"\b(?:clients?|customers?|partners?|vendors?|prospects?|acquir\w*|parent|their|"
    r"contractors?|outsourc\w*|agency's|suppliers?)\b",
    re.IGNORECASE,
)
"""A group near these words belongs to another organisation ("the client's 300-person
department")."""
_GROUP_SIZE = re.compile(
    rf"(?P<n1>{NUMBER})[\s-]+(?:person|people|member|engineer|strong)[\s-]+"
    rf"(?:[a-z-]+\s+)?(?:{_GROUP})\b"
    rf"|\b(?:{_GROUP})\s+of\s+(?:about\s+|around\s+|over\s+|more than\s+|roughly\s+|nearly\s+|"
    rf"almost\s+)?(?P<n2>{NUMBER})\s+(?:people|engineers|developers|employees|members|staff|"
    r"volunteers|analysts|designers|persons)\b"
    rf"|\b(?:led|managed|coordinated|assembled|mobili[sz]ed|rallied|pulled together|"
    rf"brought together|organi[sz]ed)\s+(?:a\s+group\s+of\s+|a\s+team\s+of\s+)?(?:about\s+|"
    rf"around\s+|over\s+|more than\s+)?(?P<n3>{NUMBER})\s+(?:people|engineers|developers|"
    r"employees|volunteers)\b",
    re.IGNORECASE,
)


def _sizes(pattern: re.Pattern[str], text: str) -> Iterator[tuple[float, re.Match[str]]]:
    """Every head count the pattern finds, with its match (patterns name one group each)."""
    for match in pattern.finditer(text):
        raw = next(g for g in match.groups() if g)
        value = parse_number(raw)
        if value is not None and value >= 1:
            yield value, match


@dataclass(frozen=True)
class Organisation:
    """The speaker's organisation, as far as the answer says."""

    size: float
    stated: bool
    """False when the size is only implied ("an early-stage startup")."""
    finance: bool

    def describe(self) -> str:
        if self.stated:
            return f"an organisation of {self.size:,.0f} people"
        return f"an early-stage company (rarely more than ~{self.size:,.0f} people)"


def organisation_of(text: str) -> Organisation | None:
    """The speaker's organisation, or None when the answer gives no idea of its size.

    The largest size mentioned is taken, so that a story spanning several employers or a
    company's growth is never judged against the smallest."""
    sizes = [value for value, _ in _sizes(_ORG_SIZE, text)]
    finance = bool(_FINANCE_ORG.search(text))
    if sizes:
        hints = [value for value, _ in _sizes(_HEADCOUNT_HINT, text)]
        return Organisation(max(sizes + hints), True, finance)
    if _SMALL_ORG.search(text):
        return Organisation(SMALL_ORG_SIZE, False, finance)
    return None


def organisation_size(text: str) -> float | None:
    """The stated (or implied) size of the speaker's organisation, if any."""
    organisation = organisation_of(text)
    return None if organisation is None else organisation.size


def _group_larger_than_organisation(
    sentence: str, organisation: Organisation | None
) -> Iterator[Claim]:
    """A team or task force with more people than the whole organisation it sits in."""
    if organisation is None:
        return
    for size, match in _sizes(_GROUP_SIZE, sentence):
        if _SOMEONE_ELSES.search(sentence[max(0, match.start() - 40) : match.end() + 40]):
            continue
        if size > organisation.size and (organisation.stated or size >= 2 * organisation.size):
            where = organisation.describe()
            yield Claim(
                f"a group of {size:,.0f} people cannot sit in {where}",
                match.start(),
                match.end(),
            )


_MONEY = re.compile(
    rf"(?:[$€£]|\b(?:usd|eur|gbp)\s?)\s?(?P<n1>{NUMBER})"
    rf"|(?P<n2>{NUMBER})\s+(?:dollars|euros|pounds|usd|eur|gbp)\b",
    re.IGNORECASE,
)
_MONEY_RATE = re.compile(
    r"^\s*(?:(?:a|per|each|every)\s+(?P<per>day|week|month|year)|(?P<ly>daily|weekly|monthly|"
    r"annually|yearly))\b",
    re.IGNORECASE,
)
_PER_YEAR = {"day": 365, "daily": 365, "week": 52, "weekly": 52, "month": 12, "monthly": 12}
_MONEY_OUTCOME = re.compile(
    r"\b(?:sav\w*|revenue|profits?|earn\w*|generat\w*|bill|costs?|spend\w*|spent|sales|"
    r"income|brought in|made)\b",
    re.IGNORECASE,
)
_MONEY_NOT_OURS = re.compile(
    r"\b(?:process\w*|rais\w*|valu\w*|fund\w*|round|assets|aum|transactions?|payments?|"
    r"volume|gmv|market|acqui\w*|contracts?|deals?|invest\w*|loans?|portfolio|managed|"
    r"clients?'?s?|customers?'?s?|partners?'?s?)\b",
    re.IGNORECASE,
)
"""Money that is not the organisation's own: what it handles, raises, or earns for others."""
_FINANCE_ORG = re.compile(
    r"\b(?:hedge|quant\w*|trading|asset management|private equity|venture capital|"
    r"investment (?:bank|firm|fund))\b",
    re.IGNORECASE,
)
"""In finance, money per person has no useful ceiling."""
MAX_SMALL_ORG = 100
"""The money rule only judges small organisations, whose finances are easy to bound."""
MONEY_FLOOR = 50e6
MONEY_PER_PERSON = 5e6
"""A small company cannot save or earn much more than ~$5M a year per person."""


def _money_beyond_organisation(sentence: str, organisation: Organisation | None) -> Iterator[Claim]:
    """Savings or revenue that a company of that size cannot have ("saved $900 million"
    at a 20-person startup)."""
    if organisation is None or organisation.size > MAX_SMALL_ORG or organisation.finance:
        return
    if not _MONEY_OUTCOME.search(sentence) or _MONEY_NOT_OURS.search(sentence):
        return
    limit = max(MONEY_FLOOR, MONEY_PER_PERSON * organisation.size)
    for match in _MONEY.finditer(sentence):
        amount = parse_number(match.group("n1") or match.group("n2"))
        if amount is None:
            continue
        rate = _MONEY_RATE.match(sentence[match.end() : match.end() + 20])
        if rate:
            amount *= _PER_YEAR.get((rate.group("per") or rate.group("ly")).lower(), 1)
        if amount >= limit:
            yield Claim(
                f"{match.group(0).strip()}{' ' + rate.group(0).strip() if rate else ''} is "
                f"hard to believe at {organisation.describe()}",
                match.start(),
                match.end(),
            )


# --- the check ---------------------------------------------------------------------------

MAX_FINDINGS = 2
"""Like `blame`: two examples make the point; the scorer takes points off per finding."""
EVIDENCE_CHARS = 220
_ADVICE = (
    "Check the figure; if it is right, give the baseline and context that make it "
    "believable (from what, to what, over how long, for whom)."
)


def _quote(sentence: str, claim: Claim) -> str:
    """The sentence, or a window of it around the figure when the sentence is long."""
    text = sentence.strip()
    if len(text) <= EVIDENCE_CHARS:
        return f"“{text}”"
    half = (EVIDENCE_CHARS - (claim.end - claim.start)) // 2
    start = max(0, claim.start - half)
    end = min(len(sentence), claim.end + half)
    while start > 0 and not sentence[start - 1].isspace():
        start += 1
    while end < len(sentence) and not sentence[end].isspace():
        end -= 1
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(sentence) else ""
    return f"“{prefix}{sentence[start:end].strip()}{suffix}”"


_SENTENCE_RULES: tuple[tuple[Callable[[str], Iterator[Claim]], tuple[str, ...]], ...] = (
    (_impossible_reduction, ("%", "cent")),
    (_enormous_growth, ("%", "cent", "x", "×", "times", "fold")),
    (_sudden_growth_from_baseline, ("from",)),
    (_share_above_whole, ("%", "cent")),
    (_time_that_does_not_exist, ("day", "week", "month", "year")),
    (_code_beyond_one_person, ("line", "loc")),
)
"""Each rule on one sentence, with words one of which its pattern cannot match without
("%" or "per cent" for a percentage, "from" for "from 2,000 to…"): most sentences hold
none, and a plain substring test is far cheaper than the regex scans it saves."""
_GROUP_RULE_WORDS = (
    "person",
    "people",
    "member",
    "engineer",
    "strong",
    "developer",
    "employee",
    "staff",
    "volunteer",
    "analyst",
    "designer",
)
"""Every branch of the group-size pattern names its people with one of these."""


def _could_hold(lowered: str | None, words: tuple[str, ...]) -> bool:
    """False only when the sentence (lower-cased; None when lower-casing is not safe, see
    :func:`has_caseless_lookalikes`) holds none of ``words``."""
    return lowered is None or any(word in lowered for word in words)


def find_claims(context: AnswerContext) -> list[tuple[str, Claim]]:
    """Every implausible figure in the answer, as (sentence, claim), in answer order."""
    sentences = [s.text for s in context.sentences] or [context.text]
    organisation = organisation_of(context.text)
    claims: list[tuple[str, Claim]] = []
    for sentence in sentences:
        lowered = None if has_caseless_lookalikes(sentence) else sentence.lower()
        for rule, words in _SENTENCE_RULES:
            if _could_hold(lowered, words):
                claims.extend((sentence, claim) for claim in rule(sentence))
        if _could_hold(lowered, _GROUP_RULE_WORDS):
            claims.extend(
                (sentence, claim)
                for claim in _group_larger_than_organisation(sentence, organisation)
            )
        claims.extend(
            (sentence, claim) for claim in _money_beyond_organisation(sentence, organisation)
        )
    return claims


@check(
    "implausible-claim",
    severity="warning",
    dimension="impact",
    summary="A number that cannot be true in its context.",
)
def implausible_claim(context: AnswerContext) -> list[Finding]:
    """A figure that cannot be true where it stands, found by a few narrow rules: a cut of
    more than 100 %; growth by 100× (10,000 %) or more, or revenue, profit, conversion or
    productivity multiplied by 5 within a month, or from a real baseline to 100× it within
    a month (speed-ups are exempt); a share of a whole above 100 % ("120% of our customers",
    "accuracy of 140%", but not "150% of target"); more hours than a day has, more days
    than a week has, or over 100 hours of one's own work a week; over 10,000 lines of code
    a day written by hand; a team larger than the company it sits in; savings or revenue
    beyond what a company of the stated size can have (over $5M a year per person, at
    least $50M). One unbelievable number makes interviewers doubt the whole story."""
    by_sentence: dict[str, list[Claim]] = {}
    for sentence, claim in find_claims(context):
        by_sentence.setdefault(sentence, []).append(claim)
    findings: list[Finding] = []
    for sentence, claims in list(by_sentence.items())[:MAX_FINDINGS]:
        reasons = "; ".join(dict.fromkeys(c.reason for c in claims))
        message = reasons[0].upper() + reasons[1:] + ". " + _ADVICE
        findings.append(finding("implausible-claim", message, _quote(sentence, claims[0])))
    return findings
