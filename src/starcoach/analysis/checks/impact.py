"""Checks on impact: is the outcome measured, and is the story a real past event?"""

from __future__ import annotations

import re

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding

NUMBER = re.compile(
    r"\d|%|\bpercent\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
    r"millions?|billions?|dozens?|half|double[sd]?|twice|triple[sd]?|tenfold|quadrupled)\b",
    re.IGNORECASE,
)
HYPOTHETICAL = re.compile(
    r"\b(?:i would|i'd|i will|i'll|i might|i could|i should|would have|we would|we'd|"
    r"what i would do|if i were|in that case i)\b",
    re.IGNORECASE,
)
MIN_HYPOTHETICAL_SENTENCES = 2
MAX_HYPOTHETICAL_SHARE = 0.3


@check("no-metrics", severity="warning", dimension="impact", summary="The result has no numbers.")
def no_metrics(context: AnswerContext) -> list[Finding]:
    """The result (or, when no sentence reads as a result, the whole answer) holds no
    number, percentage, amount of money, time or scale."""
    result = context.section("result") + context.section("reflection")
    scope = result or list(context.sentences)
    if not scope or any(NUMBER.search(s.text) for s in scope):
        return []
    evidence = f"“{result[0].text}”" if result else "no number anywhere in the answer"
    return [
        finding(
            "no-metrics",
            "Quantify the result: how much faster, cheaper or bigger, for how many users, by when.",
            evidence,
        )
    ]


@check(
    "hypothetical",
    severity="error",
    dimension="ownership",
    summary="Says what you would do, not what you did.",
)
def hypothetical(context: AnswerContext) -> list[Finding]:
    """At least two sentences, and over 30 % of the story, are in the conditional ("I would…",
    "I'll…"): a behavioral answer must be one real past event."""
    story = [s for s in context.sentences if s.section != "other"]
    conditional = [s for s in story if HYPOTHETICAL.search(s.text)]
    if len(conditional) < MIN_HYPOTHETICAL_SENTENCES or len(
        conditional
    ) <= MAX_HYPOTHETICAL_SHARE * len(story):
        return []
    return [
        finding(
            "hypothetical",
            "Tell one specific time it happened, in the past tense: what you did, not what you would do.",
            f"{len(conditional)} of {len(story)} sentences are conditional, e.g. “{conditional[0].text}”",
        )
    ]


VAGUE = re.compile(
    r"\b(?:various|stuff|things|something|some (?:issues|problems|changes|work)|a lot of|lots of|"
    r"a bunch of|worked (?:really )?hard|did my best|made (?:it|things) better|"
    r"improved (?:things|it|stuff)|helped out|etc|and so on|whatever|somehow|in some way|"
    r"in general|generally)\b",
    re.IGNORECASE,
)
MIN_VAGUE_PHRASES = 2
VAGUE_PER_100_WORDS = 2.0
NUMBERS_PER_100_WORDS = 1.5


@check("vague", severity="warning", dimension="impact", summary="Claims without specifics.")
def vague(context: AnswerContext) -> list[Finding]:
    """Stock phrases that stand in for specifics ("various things", "worked hard", "made it
    better") at two or more per 100 words, with hardly any numbers (under 1.5 per 100
    words): the story claims without showing."""
    phrases = VAGUE.findall(context.text)
    words = max(1, context.word_count)
    numbers = len(NUMBER.findall(context.text))
    if (
        len(phrases) < MIN_VAGUE_PHRASES
        or 100 * len(phrases) / words < VAGUE_PER_100_WORDS
        or 100 * numbers / words >= NUMBERS_PER_100_WORDS
    ):
        return []
    examples = ", ".join(f"“{p.lower()}”" for p in dict.fromkeys(phrases))
    return [
        finding(
            "vague",
            "Replace general words with the specific system, decision, person and number.",
            f"{len(phrases)} stock phrases and {numbers} numbers in {words} words: {examples}",
        )
    ]
