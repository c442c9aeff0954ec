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
