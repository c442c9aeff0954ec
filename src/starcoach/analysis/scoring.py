"""Honest scores: 0–100 per dimension and overall, from what is in the text.

Every dimension starts from positive evidence found in the answer (the STAR parts that
are there, "I" in the actions, numbers in the result, a lesson, the fit with the
question, a speakable length) and loses points for the findings that weigh on it. Nothing
is praised that the text does not show, and some findings cap the total: a non-answer
cannot score above 10, an off-topic one above 30. Nothing depends on the order in which
the facts are told, so a story told result-first scores like the same story in order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from starcoach.analysis.checks import REGISTRY
from starcoach.analysis.checks.delivery import FILLER, HEDGE
from starcoach.analysis.checks.impact import NUMBER
from starcoach.analysis.checks.ownership import FIRST_PERSON, WE_WORDS
from starcoach.analysis.context import WORD, AnswerContext
from starcoach.analysis.findings import Finding
from starcoach.analysis.star import LabelledSentence

DIMENSION_WEIGHTS: dict[str, float] = {
    "structure": 0.25,
    "ownership": 0.15,
    "impact": 0.20,
    "reflection": 0.10,
    "relevance": 0.15,
    "delivery": 0.10,
    "scope": 0.10,
}
"""Weights of the overall score; relevance needs a question and scope a level."""

SECTION_POINTS = {"situation": 20, "task": 15, "action": 35, "result": 30}
"""What each STAR part contributes to the structure score when present."""

PENALTIES: dict[str, int] = {
    "thin-action": 15,
    "long-setup": 15,
    "hypothetical": 40,
    "blame": 20,
    "vague": 25,
    "implausible-claim": 35,
    "filler-words": 15,
    "hedging": 10,
    "principle-mismatch": 30,
}
"""Points a finding takes off its own dimension (per finding; blame can repeat)."""

CAPS: dict[str, int] = {
    "not-an-answer": 10,
    "off-topic": 30,
    "missing-action": 45,
    "hypothetical": 45,
    "too-short": 60,
}
"""The highest overall score an answer with this finding can get."""

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
MAX_FIXES = 3


@dataclass(frozen=True)
class Score:
    total: int
    dimensions: dict[str, int]
    fixes: tuple[str, ...]
    """The top things to fix, most important first (at most three)."""
    strengths: tuple[str, ...]
    """What the answer does well, each backed by the text."""
    caps: tuple[str, ...]
    """Finding codes that capped the total."""


def _clamp(value: float) -> int:
    return round(max(0.0, min(100.0, value)))


def _count(findings: Sequence[Finding], code: str) -> int:
    return sum(f.code == code for f in findings)


def _penalty(findings: Sequence[Finding], dimension: str) -> int:
    return sum(
        PENALTIES.get(f.code, 0)
        for f in findings
        if f.code in REGISTRY and REGISTRY[f.code].dimension == dimension
    )


def _first_person_share(context: AnswerContext) -> tuple[float, int]:
    """The share of 'I' among I/we words in the actions, and how many 'I' there are."""
    sentences = context.section("action") or list(context.sentences)
    text = " ".join(s.text for s in sentences)
    i, we = len(FIRST_PERSON.findall(text)), len(WE_WORDS.findall(text))
    if i + we == 0:
        # Bullet lists of verbs ("Rewrote the importer") are the speaker's own actions.
        return (0.75 if sentences else 0.0), 0
    return i / (i + we), i


def structure_score(context: AnswerContext, findings: Sequence[Finding]) -> int:
    present = sum(points for name, points in SECTION_POINTS.items() if context.section(name))
    return _clamp(present - _penalty(findings, "structure"))


def ownership_score(context: AnswerContext, findings: Sequence[Finding]) -> int:
    if not context.sentences:
        return 0
    share, _ = _first_person_share(context)
    return _clamp(40 + 60 * share - _penalty(findings, "ownership"))


def _numbers(sentences: Sequence[LabelledSentence]) -> int:
    return sum(len(NUMBER.findall(s.text)) for s in sentences)


def impact_score(context: AnswerContext, findings: Sequence[Finding]) -> int:
    outcome = context.section("result") + context.section("reflection")
    if outcome:
        numbers = _numbers(outcome)
        base = 40 + 30 * min(1, numbers) + 30 * min(1, max(0, numbers - 1))
    else:
        base = 30 if _numbers(context.sentences) else 10
    return _clamp(base - _penalty(findings, "impact"))


def reflection_score(context: AnswerContext, findings: Sequence[Finding]) -> int:
    words = sum(len(WORD.findall(s.text)) for s in context.section("reflection"))
    return 0 if words == 0 else (100 if words >= 12 else 60)


def relevance_score(context: AnswerContext, findings: Sequence[Finding]) -> int | None:
    if context.fit is None or context.fit.relevance is None:
        return None
    share = max(0.0, min(1.0, (context.fit.relevance - 0.03) / 0.42))
    return _clamp(100 * math.sqrt(share) - _penalty(findings, "relevance"))


def delivery_score(context: AnswerContext, findings: Sequence[Finding]) -> int:
    limits, words = context.thresholds, context.word_count
    ideal_low = 2 * limits.words_per_minute
    ideal_high = 3 * limits.words_per_minute
    if words < limits.min_words:
        length = 70 * words / limits.min_words
    elif words < ideal_low:
        length = 70 + 30 * (words - limits.min_words) / max(1, ideal_low - limits.min_words)
    elif words <= ideal_high:
        length = 100
    elif words <= limits.max_words:
        length = 100 - 15 * (words - ideal_high) / max(1, limits.max_words - ideal_high)
    else:
        length = max(20, 85 - (words - limits.max_words) / 10)
    return _clamp(length - _penalty(findings, "delivery"))


def score_answer(
    context: AnswerContext, findings: Sequence[Finding], scope_score: int | None = None
) -> Score:
    """Score an answer from its context and the findings the checks returned."""
    dimensions: dict[str, int] = {
        "structure": structure_score(context, findings),
        "ownership": ownership_score(context, findings),
        "impact": impact_score(context, findings),
        "reflection": reflection_score(context, findings),
        "delivery": delivery_score(context, findings),
    }
    relevance = relevance_score(context, findings)
    if relevance is not None:
        dimensions["relevance"] = relevance
    if scope_score is not None:
        dimensions["scope"] = _clamp(scope_score)
    weight = sum(DIMENSION_WEIGHTS[name] for name in dimensions)
    total = sum(DIMENSION_WEIGHTS[name] * value for name, value in dimensions.items()) / weight
    codes = {f.code for f in findings}
    caps = tuple(code for code in CAPS if code in codes)
    for code in caps:
        total = min(total, CAPS[code])
    ordered = {name: dimensions[name] for name in DIMENSION_WEIGHTS if name in dimensions}
    return Score(
        total=_clamp(total),
        dimensions=ordered,
        fixes=top_fixes(findings, ordered),
        strengths=() if caps and caps[0] in ("not-an-answer", "off-topic") else strengths(context),
        caps=caps,
    )


def top_fixes(findings: Sequence[Finding], dimensions: dict[str, int]) -> tuple[str, ...]:
    """The most important findings first: by severity, then caps, then points lost."""

    def importance(f: Finding) -> tuple[int, int, float]:
        dimension = REGISTRY[f.code].dimension if f.code in REGISTRY else ""
        lost = DIMENSION_WEIGHTS.get(dimension, 0) * (100 - dimensions.get(dimension, 100))
        return SEVERITY_ORDER.get(f.severity, 3), CAPS.get(f.code, 101), -lost

    fixes: list[str] = []
    seen: set[str] = set()
    for f in sorted(findings, key=importance):
        if f.code not in seen:
            seen.add(f.code)
            fixes.append(f.message)
        if len(fixes) == MAX_FIXES:
            break
    return tuple(fixes)


def strengths(context: AnswerContext) -> tuple[str, ...]:
    """What the answer does well, each with the words from the text that show it."""
    found: list[str] = []
    parts = [name for name in ("situation", "task", "action", "result") if context.section(name)]
    if len(parts) == 4:
        found.append("All four STAR parts are there: situation, task, action and result.")
    share, first_person = _first_person_share(context)
    if share >= 0.7 and first_person >= 3:
        found.append(f"Your own part is clear: 'I' {first_person}× in the actions.")
    measured = next(
        (s for s in context.section("result") if NUMBER.search(s.text)),
        None,
    )
    if measured is not None:
        found.append(f"The result is measured: “{measured.text.strip()}”")
    lesson = context.section("reflection")
    if lesson:
        found.append(f"It ends with a lesson: “{lesson[0].text.strip()}”")
    limits = context.thresholds
    if limits.min_words <= context.word_count <= limits.max_words and not (
        FILLER.search(context.text) or len(HEDGE.findall(context.text)) >= 3
    ):
        minutes = context.word_count / limits.words_per_minute
        found.append(f"It fits the time: {context.word_count} words, about {minutes:.1f} minutes.")
    return tuple(found)
