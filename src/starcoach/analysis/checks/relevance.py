"""Checks on relevance: does the story answer the question that was asked?

Both checks need the question (``--question``); without it they stay silent. They read
the principle fit of :mod:`starcoach.analysis.relevance`: the cosine between what the
question probes and what the story shows. The thresholds were chosen on the labelled
answers outside the held-out fifth (docs/evaluation.md).
"""

from __future__ import annotations

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding

OFF_TOPIC_RELEVANCE = 0.03
"""Below this, the story shows almost nothing of what the question probes."""
MISMATCH_RELEVANCE = 0.08
"""Below this, the question's main principle is at best a side note of the story."""
MISMATCH_RANK = 3
"""The question's target must be among the story's top principles to count as shown."""


def _names(fit_items: list) -> str:
    return " and ".join(p.name for p in fit_items)


@check(
    "off-topic",
    severity="error",
    dimension="relevance",
    summary="The answer does not address the question.",
)
def off_topic(context: AnswerContext) -> list[Finding]:
    """With a question given, the story's principles and the question's barely overlap
    (relevance under 0.03): the answer talks about something else — a self-introduction,
    opinions, or a story that probes other qualities. Scores are capped at 30."""
    fit = context.fit
    if fit is None or fit.relevance is None or fit.relevance >= OFF_TOPIC_RELEVANCE:
        return []
    return [
        finding(
            "off-topic",
            f"Answer the question asked: pick a story where you showed {_names(fit.targets)}, "
            "and say so in the first two sentences.",
            f"the question probes {_names(fit.targets)}; the answer reads as "
            f"{_names(fit.shown)} (relevance {fit.relevance:.2f})",
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
    and the overlap is low (relevance under 0.08), though not low enough to be off-topic:
    the story is real but shows another quality. Retell it to bring out the target, or
    choose another story."""
    fit = context.fit
    if fit is None or fit.relevance is None:
        return []
    if not OFF_TOPIC_RELEVANCE <= fit.relevance < MISMATCH_RELEVANCE:
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
            f"{_names(fit.shown)} (relevance {fit.relevance:.2f})",
        )
    ]
