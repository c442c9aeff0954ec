"""Checks on the STAR structure: parts missing, and parts out of proportion."""

from __future__ import annotations

from starcoach.analysis.checks import check, finding
from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import Finding

_MISSING = {
    "situation": "Open with one or two sentences of context: where, when, who, what was at stake.",
    "task": "Say what you were responsible for, and the goal or constraint you had.",
    "action": "Spend about half the answer on what you did yourself, step by step, and why.",
    "result": "End with what happened, measured: a number, a percentage, money or time.",
}


def _missing(context: AnswerContext, section: str, code: str) -> list[Finding]:
    if not context.sentences or context.section(section):
        return []
    return [finding(code, _MISSING[section], f"no sentence reads as {section}")]


@check(
    "missing-situation", severity="warning", dimension="structure", summary="No context is given."
)
def missing_situation(context: AnswerContext) -> list[Finding]:
    """No sentence sets the scene. Without context the interviewer cannot judge scope or stakes."""
    return _missing(context, "situation", "missing-situation")


@check(
    "missing-task",
    severity="info",
    dimension="structure",
    summary="Your own responsibility is not stated.",
)
def missing_task(context: AnswerContext) -> list[Finding]:
    """No sentence states the speaker's own responsibility or goal, so the actions float free."""
    return _missing(context, "task", "missing-task")


@check(
    "missing-action",
    severity="error",
    dimension="structure",
    summary="No actions of yours are described.",
)
def missing_action(context: AnswerContext) -> list[Finding]:
    """No sentence describes what the speaker did. Actions are what interviewers score."""
    return _missing(context, "action", "missing-action")


@check(
    "missing-result", severity="error", dimension="structure", summary="The story has no outcome."
)
def missing_result(context: AnswerContext) -> list[Finding]:
    """No sentence says how it ended. A story without a result leaves the impact to guesswork."""
    return _missing(context, "result", "missing-result")


@check(
    "thin-action",
    severity="warning",
    dimension="structure",
    summary="The action part is too short.",
)
def thin_action(context: AnswerContext) -> list[Finding]:
    """Actions take less than a quarter of the words (threshold ``min_action_share``); they
    should be about half of a STAR answer."""
    if not context.section("action"):
        return []
    share = context.share("action")
    if share >= context.thresholds.min_action_share:
        return []
    return [
        finding(
            "thin-action",
            "Expand what you did: the steps, the decisions, and why you chose them.",
            f"actions are {share:.0%} of the words; aim for about half",
        )
    ]


@check(
    "long-setup", severity="warning", dimension="structure", summary="Too much time on the setup."
)
def long_setup(context: AnswerContext) -> list[Finding]:
    """Situation and task take more than 40 % of the words (``max_setup_share``): the
    listener waits too long for the part that is scored."""
    share = context.share("situation", "task")
    if not context.sentences or share <= context.thresholds.max_setup_share:
        return []
    return [
        finding(
            "long-setup",
            "Cut the background to two or three sentences and get to what you did sooner.",
            f"situation and task are {share:.0%} of the words",
        )
    ]


@check("no-reflection", severity="info", dimension="reflection", summary="No lesson at the end.")
def no_reflection(context: AnswerContext) -> list[Finding]:
    """No sentence says what the speaker learned or would do differently."""
    if not context.sentences or context.section("reflection"):
        return []
    return [
        finding(
            "no-reflection",
            "Close with one sentence on what you learned or would do differently.",
            "no sentence reads as reflection: a lesson or what you would change",
        )
    ]
