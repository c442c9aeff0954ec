"""Checks on relevance: does the story answer the question that was asked?

Both checks need the question (``--question``); without it they stay silent. They read
the relevance of :mod:`starcoach.analysis.relevance`: how far the principles the story
shows overlap with those the question probes, blended with how close the story is to the
question's own wording.

The two checks nest: an answer far enough off to be `off-topic` also fails to show the
target principle, so `principle-mismatch` reports that too. On the labelled answers,
off-topic and mismatched answers fall in the same low band of relevance (a real story
about the wrong thing sits on both sides of any line), so a separate band for each would
only trade one check's recall for the other's.

Thresholds were chosen on the labelled answers outside the held-out fifth, critiqued out
of fold: the highest relevance that keeps false alarms on clean answers within 3% for
`off-topic` (it caps the score at 30, so a false alarm is costly) and within 5% for
`principle-mismatch` (:func:`starcoach.evaluation.critique.choose_relevance_thresholds`,
figures in docs/evaluation.md).
"""

from __future__ import annotations

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding
from starcoach.analysis.relevance import PrincipleFit, PrincipleScore

OFF_TOPIC_RELEVANCE = 0.165
"""Below this, the answer neither shows what the question probes nor talks about it."""
MISMATCH_RELEVANCE = 0.165
"""Below this, the question's main principle is at best a side note of the story."""
MISMATCH_RANK = 3
"""The question's target must be among the story's top principles to count as shown."""


def _names(fit_items: list[PrincipleScore]) -> str:
    return " and ".join(p.name for p in fit_items)


def _figures(fit: PrincipleFit) -> str:
    """The relevance and, when known, its two parts, so the evidence can be checked."""
    figures = f"relevance {fit.relevance or 0.0:.2f}"
    if fit.overlap is not None and fit.similarity is not None:
        figures += f": principle overlap {fit.overlap:.2f}, similarity {fit.similarity:.2f}"
    return figures


@check(
    "off-topic",
    severity="error",
    dimension="relevance",
    summary="The answer does not address the question.",
)
def off_topic(context: AnswerContext) -> list[Finding]:
    """With a question given, the answer is far from it (relevance under 0.165): the
    principles it shows barely overlap the question's and it talks about something else —
    a self-introduction, opinions, or a story about another kind of situation. Scores are
    capped at 30."""
    fit = context.fit
    if fit is None or fit.relevance is None or fit.relevance >= OFF_TOPIC_RELEVANCE:
        return []
    return [
        finding(
            "off-topic",
            f"Answer the question asked: pick a story where you showed {_names(fit.targets)}, "
            "and say so in the first two sentences.",
            f"the question probes {_names(fit.targets)}; the answer reads as "
            f"{_names(fit.shown)} ({_figures(fit)})",
        )
    ]


@check(
    "principle-mismatch",
    severity="warning",
    dimension="relevance",
    summary="The story shows a different principle from the one asked about.",
)
def principle_mismatch(context: AnswerContext) -> list[Finding]:
    """With a question given, the principle it probes is not among the story's top three
    and relevance is low (under 0.165): the story shows another quality. Retell it to bring
    out the target, or choose another story. Off-topic answers get this finding too."""
    fit = context.fit
    if fit is None or fit.relevance is None or fit.relevance >= MISMATCH_RELEVANCE:
        return []
    missing = [p for p in fit.targets if fit.rank_in_story(p.id) >= MISMATCH_RANK]
    if not missing:
        return []
    return [
        finding(
            "principle-mismatch",
            f"Bring out {_names(missing)}: the decisions and actions of yours that show it, "
            "or choose a story that does.",
            f"the question probes {_names(missing)}; the story mostly shows "
            f"{_names(fit.shown)} ({_figures(fit)})",
        )
    ]
