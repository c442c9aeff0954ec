"""Checks on ownership: whose work the story describes, and whom it blames."""

from __future__ import annotations

import re

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding

WE_WORDS = re.compile(r"\b(?:we|our|us|ourselves)\b", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(?:i|my|me|myself|i'm|i've|i'd)\b", re.IGNORECASE)
_BLAME = re.compile(
    r"\b(?:(?:their|his|her|management's|the other team's) fault"
    r"|not my fault|(?:they|he|she) (?:never|refused to|failed to|dropped the ball|messed (?:it )?up|screwed up|didn't bother|couldn't be bothered)"
    r"|incompetent|lazy|useless|clueless|blame[sd]? (?:them|him|her|the)"
    r"|because (?:of )?(?:they|he|she|the other team) (?:didn't|did not|wouldn't|would not))",
    re.IGNORECASE,
)
MIN_WE = 3


@check("we-heavy", severity="warning", dimension="ownership", summary="'We' hides what you did.")
def we_heavy(context: AnswerContext) -> list[Finding]:
    """In the action part (or the whole answer when no action is found), "we" outnumbers
    "I" and appears at least three times: the interviewer cannot tell your contribution."""
    sentences = context.section("action") or list(context.sentences)
    text = " ".join(s.text for s in sentences)
    we, i = len(WE_WORDS.findall(text)), len(FIRST_PERSON.findall(text))
    if we < MIN_WE or we <= i:
        return []
    example = next((s.text for s in sentences if WE_WORDS.search(s.text)), "")
    return [
        finding(
            "we-heavy",
            "Say 'I' for what you did yourself; keep 'we' for what the team did, and say which part was yours.",
            f"'we' {we}× vs 'I' {i}× in the actions, e.g. “{example}”",
        )
    ]


@check("blame", severity="warning", dimension="ownership", summary="Blames other people.")
def blame(context: AnswerContext) -> list[Finding]:
    """A sentence puts the fault on others ("it was their fault", "they refused to…",
    "incompetent"). Interviewers hear it as low ownership, even when it is true."""
    findings = []
    for sentence in context.sentences:
        match = _BLAME.search(sentence.text)
        if match:
            findings.append(
                finding(
                    "blame",
                    "Describe what others did neutrally and focus on what you did about it.",
                    sentence.text,
                )
            )
    return findings[:2]
