"""Checks on whether the text is an answer at all."""

from __future__ import annotations

import re

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding
from starcoach.nlp.vocabulary import known_word_share

MIN_WORDS = 20
"""Fewer words than this cannot hold a situation, an action and a result."""
MIN_KNOWN_WORD_SHARE = 0.75
NO_EXAMPLE = re.compile(
    r"\b(?:i don'?t (?:really )?(?:have|know|remember)|no example|can'?t think of|"
    r"nothing comes to mind|never (?:really )?had)\b",
    re.IGNORECASE,
)
NO_EXAMPLE_MAX_WORDS = 60


@check(
    "not-an-answer", severity="error", dimension="relevance", summary="Not an answer to a question."
)
def not_an_answer(context: AnswerContext) -> list[Finding]:
    """The text is empty, a few words, mostly not English words (gibberish), or a short
    "I don't have an example". Such input scores near zero instead of getting praise."""
    advice = "Answer with one real story: the situation, what you did, and how it ended."
    if context.word_count < MIN_WORDS:
        return [finding("not-an-answer", advice, f"only {context.word_count} words")]
    share = known_word_share(context.text)
    if share < MIN_KNOWN_WORD_SHARE:
        return [
            finding("not-an-answer", advice, f"only {share:.0%} of the words are English words")
        ]
    match = NO_EXAMPLE.search(context.text)
    if match and context.word_count <= NO_EXAMPLE_MAX_WORDS:
        return [
            finding(
                "not-an-answer",
                "If no example comes to mind, ask for a moment, or pick a nearby story and say how it fits.",
                f"“{match.group(0)}” in a {context.word_count}-word reply",
            )
        ]
    return []
