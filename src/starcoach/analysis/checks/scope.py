"""Checks on scope: does the story show the reach the target level needs (DESIGN §1)?"""

from __future__ import annotations

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding
from starcoach.analysis.scope import ScopeAssessment, ScopeSignal, assess_scope
from starcoach.knowledge.base import load_knowledge

MIN_GAP = 2
"""Levels the story must fall short by before it is flagged. Measured on the labelled
answers (``starcoach.evaluation.scope``): a one-level gap also flags about 40 % of answers
judged against the very level they were written for, because the signals cannot tell
neighbouring levels apart reliably; two levels flags about 10 % of those while still
catching nearly nine in ten stories told two levels too low."""
EVIDENCE_SIGNALS = 3


@check(
    "scope-below-level",
    severity="warning",
    dimension="scope",
    summary="The story shows less scope than the target level needs.",
)
def scope_below_level(context: AnswerContext) -> list[Finding]:
    """Only with a target level (`--level`). The story's scope is read from its signals —
    people led, teams involved, leaders reached, money and users at stake, ambiguity,
    influence without authority, mentoring, long-term direction — each ranked against the
    levels of the taxonomy; the story reads as the highest level its signals back (senior
    and above need signals of at least two different kinds, see
    `starcoach.analysis.scope`). It is flagged when that level is two or more below the
    target: stories one level apart are too close to call from the words alone."""
    if not context.level:
        return []
    assessment = assess_scope(context.text, context.level)
    if assessment.target_level is None or assessment.gap < MIN_GAP:
        return []
    target = load_knowledge().level(assessment.target_level)
    advice = " ".join(assessment.advice) or f"Show the scope of {target.id}: {target.scope}"
    return [
        finding(
            "scope-below-level",
            f"For a {target.id} story, bring out the scope you had. {advice}",
            _evidence(assessment, target.scope),
        )
    ]


def _evidence(assessment: ScopeAssessment, target_scope: str) -> str:
    """What was found, against what the target level's stories show."""
    shown = assessment.shown_level
    expected = target_scope[:1].lower() + target_scope[1:].rstrip(".")
    found = _strongest(assessment.signals)
    if found:
        listed = ", ".join(f"“{s.evidence}” ({s.note})" for s in found)
        return f"story reads as {shown} ({listed}); {assessment.target_level} stories {expected}"
    return (
        f"story reads as {shown} (no team size, teams, leaders, money or users at stake named); "
        f"{assessment.target_level} stories {expected}"
    )


def _strongest(signals: tuple[ScopeSignal, ...]) -> list[ScopeSignal]:
    """The highest-ranked signal of each kind, strongest first."""
    best: dict[str, ScopeSignal] = {}
    for s in sorted(signals, key=lambda s: (-s.rank, -s.weight, s.start)):
        best.setdefault(s.kind, s)
    return list(best.values())[:EVIDENCE_SIGNALS]
