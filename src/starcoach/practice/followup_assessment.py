"""Judging a reply to a follow-up: did it close the gap the follow-up was asked about?

A follow-up reply is a few sentences, not a story: scoring it alone against the 2–3 minute
norm would call every reply "too short, not an answer". What an interviewer notes instead
is whether the reply supplied what the first answer lacked ("how did you measure it?" →
a number) and how the story stands now, told with the reply. So a reply is judged twice,
with one embedding pass:

* **together**: the first answer and the reply, as one answer to the original question —
  its score is the reply's score ("your answer, with this reply, scores 71; it was 58");
* **alone**: the reply against the follow-up question, for gaps a reply can close by
  itself (a number, "I" instead of "we", a lesson, a result).

A gap is *closed* when its finding is gone from either reading (for length and structure
gaps, from the together reading only: a reply alone is always short). A reply too thin to
read (a few words, or not words) closes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starcoach.analysis.findings import FINDING_CODES
from starcoach.nlp.vocabulary import known_word_share
from starcoach.practice.followups import BLOCKING, FollowUp

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic

MIN_REPLY_WORDS = 6
"""Fewer words than this cannot supply a number with its context, a step or a lesson."""
MIN_KNOWN_WORD_SHARE = 0.6
"""Below this share of English words the reply is noise (the not-an-answer check uses
0.75 on whole answers; replies are short, so one name or acronym weighs more)."""
TOGETHER_ONLY = frozenset(
    {
        "too-short",
        "too-long",
        "long-setup",
        "missing-situation",
        "missing-task",
        "principle-mismatch",
        "scope-below-level",
    }
)
"""Gaps about the whole story: only the answer told with the reply can close them."""


@dataclass(frozen=True)
class FollowUpAssessment:
    """What a follow-up reply changed; saved with the reply's critique as ``follow_up``."""

    gap: str | None
    """The finding code the follow-up was asked about; None for the question's own chain
    and principle probes, which dig deeper rather than fill a hole."""
    closed: bool | None
    """Whether the reply closed ``gap`` (None when there was no gap)."""
    score_before: int
    score_after: int
    """The first answer's score, and the score of the answer told with the reply."""
    substantive: bool
    """False when the reply is too short or not words: nothing in it can be judged."""
    note: str
    """One sentence for the candidate: what the reply did, and what to do if it did not."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "gap": self.gap,
            "closed": self.closed,
            "score_before": self.score_before,
            "score_after": self.score_after,
            "substantive": self.substantive,
            "note": self.note,
        }


@dataclass(frozen=True)
class AssessedReply:
    critique: dict[str, Any]
    """The reply alone, critiqued against the follow-up question (offsets fit the reply),
    with the assessment under ``follow_up``."""
    assessment: FollowUpAssessment


def assess_follow_up(
    critic: Critic,
    question: str,
    first_answer: str,
    first_critique: Mapping[str, Any],
    follow_up: FollowUp,
    reply: str,
    level: str | None = None,
) -> AssessedReply:
    """Critique ``reply`` alone and together with ``first_answer``; say what it changed."""
    from starcoach.analysis.critique import CritiqueRequest

    gap = follow_up.reason if follow_up.reason in FINDING_CODES else None
    # A blocking gap asks for a real story: the reply must answer the original question.
    alone_question = question if gap in BLOCKING else follow_up.text
    opening = f"{first_answer.rstrip()}\n\n"
    alone, together = critic.critique_many(
        [
            CritiqueRequest(reply, alone_question, level),
            CritiqueRequest(opening + reply.strip(), question, level, turns=(len(opening),)),
        ]
    )
    if isinstance(alone, Exception):
        raise alone
    if isinstance(together, Exception):
        raise together
    alone_data = alone.to_dict()
    together_data = together.to_dict()
    before = int(first_critique["score"])
    after = int(together_data["score"])
    substantive = _substantive(reply)
    closed: bool | None = None
    if gap is not None:
        closed = substantive and _closes(gap, alone_data, together_data)
    assessment = FollowUpAssessment(
        gap=gap,
        closed=closed,
        score_before=before,
        score_after=after,
        substantive=substantive,
        note=_note(gap, closed, substantive, before, after, alone_data, together_data),
    )
    alone_data["follow_up"] = assessment.to_dict()
    return AssessedReply(alone_data, assessment)


def _substantive(reply: str) -> bool:
    words = reply.split()
    return len(words) >= MIN_REPLY_WORDS and known_word_share(reply) >= MIN_KNOWN_WORD_SHARE


def _codes(critique: Mapping[str, Any]) -> set[str]:
    return {str(f["code"]) for f in critique.get("findings", [])}


def _closes(gap: str, alone: Mapping[str, Any], together: Mapping[str, Any]) -> bool:
    if gap in TOGETHER_ONLY:
        return gap not in _codes(together)
    if gap in BLOCKING:
        return gap not in _codes(alone)
    return gap not in _codes(alone) or gap not in _codes(together)


def _note(
    gap: str | None,
    closed: bool | None,
    substantive: bool,
    before: int,
    after: int,
    alone: Mapping[str, Any],
    together: Mapping[str, Any],
) -> str:
    change = f"told with this reply the answer scores {after} (it was {before})"
    if not substantive:
        return (
            "The reply is too short to judge: answer a follow-up in two or three full "
            "sentences, with a concrete detail."
        )
    if gap is None:
        return f"Answered; {change}."
    if closed:
        return f"That closes the gap ({gap}); {change}."
    message = next(
        (
            str(f["message"])
            for source in (alone, together)
            for f in source.get("findings", [])
            if f["code"] == gap
        ),
        "",
    )
    return f"Still open ({gap}): {message}".rstrip(": ") + f" Now {after} (was {before})."
