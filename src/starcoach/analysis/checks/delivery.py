"""Checks on delivery: length, filler words and hedging."""

from __future__ import annotations

import re

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding

FILLER = re.compile(
    r"\b(?:um+|uh+|erm+|you know|i mean|basically|literally|so yeah)\b|,\s*like,|\blike,? um\b",
    re.IGNORECASE,
)
HEDGE = re.compile(
    r"\b(?:i think|i guess|i suppose|maybe|probably|perhaps|sort of|kind of|somewhat|"
    r"i'm not sure|not really sure|might have|hopefully|i believe|more or less)\b",
    re.IGNORECASE,
)
FILLER_PER_100_WORDS = 2.0
HEDGES_PER_100_WORDS = 1.0
MIN_HEDGES = 3


def _minutes(context: AnswerContext) -> float:
    return context.word_count / context.thresholds.words_per_minute


@check(
    "too-long",
    severity="warning",
    dimension="delivery",
    summary="Longer than three and a half minutes.",
)
def too_long(context: AnswerContext) -> list[Finding]:
    """More words than ``max_words`` (550, about 3.5 minutes at 150 words per minute)."""
    if context.word_count <= context.thresholds.max_words:
        return []
    return [
        finding(
            "too-long",
            "Aim for 300–450 words (2–3 minutes): trim the background and repeated steps.",
            f"{context.word_count} words, about {_minutes(context):.1f} minutes spoken",
        )
    ]


@check("too-short", severity="warning", dimension="delivery", summary="Shorter than a minute.")
def too_short(context: AnswerContext) -> list[Finding]:
    """Fewer words than ``min_words`` (150, about one minute): too little for a full story."""
    if context.word_count >= context.thresholds.min_words:
        return []
    return [
        finding(
            "too-short",
            "Tell the whole story: context, your task, your steps and a measured result (2–3 minutes).",
            f"{context.word_count} words, about {_minutes(context):.1f} minutes spoken",
        )
    ]


def _rate(pattern: re.Pattern[str], context: AnswerContext) -> tuple[list[str], float]:
    hits = pattern.findall(context.text)
    return hits, 100 * len(hits) / max(1, context.word_count)


@check("filler-words", severity="info", dimension="delivery", summary="Many filler words.")
def filler_words(context: AnswerContext) -> list[Finding]:
    """More than two fillers ("um", "uh", "you know", "basically"…) per 100 words."""
    hits, rate = _rate(FILLER, context)
    if rate <= FILLER_PER_100_WORDS:
        return []
    common = sorted({h.strip(", ").lower() for h in hits})[:4]
    return [
        finding(
            "filler-words",
            "Pause instead of filling silence; practise the story aloud until the steps come easily.",
            f"{len(hits)} fillers ({rate:.1f} per 100 words): {', '.join(common)}",
        )
    ]


@check("hedging", severity="info", dimension="delivery", summary="Hedges weaken the claims.")
def hedging(context: AnswerContext) -> list[Finding]:
    """At least three hedges ("I think", "maybe", "sort of"…) and more than one per 100
    words: the story sounds unsure of itself."""
    hits, rate = _rate(HEDGE, context)
    if len(hits) < MIN_HEDGES or rate <= HEDGES_PER_100_WORDS:
        return []
    return [
        finding(
            "hedging",
            "State what happened plainly; keep doubt for things you really did not know.",
            f"{len(hits)} hedges: {', '.join(sorted({h.lower() for h in hits})[:4])}",
        )
    ]
