"""A drill: one question, one timed answer, its critique, and one or two follow-ups.

The shells (CLI now, web later) own the clock display and the typing; this module owns
what a drill *is*: which question to ask (:func:`pick_question`), what happens to an
answer (:class:`Drill` critiques it and chooses follow-ups), and the record that is saved
(:class:`DrillResult`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from starcoach.errors import InputError
from starcoach.practice.followup_assessment import assess_follow_up
from starcoach.practice.followups import MAX_FOLLOW_UPS, FollowUp, FollowUpEngine

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.knowledge.models import Question

TARGET_SECONDS = (120, 180)
"""A spoken answer should take two to three minutes (DESIGN §1)."""
FOLLOW_UP_TARGET_SECONDS = 60
"""A follow-up answer is short: about a minute."""


def pick_question(
    knowledge: KnowledgeBase,
    principle: str | None = None,
    company: str | None = None,
    level: str | None = None,
    due: Sequence[str] | None = None,
    seed: int | None = None,
) -> Question:
    """A question from the bank that fits every filter given, chosen at random (``seed``).

    ``principle`` prefers questions whose primary principle it is, then any that probe it.
    ``due`` lists principle ids most-due first (the review schedule supplies it): the
    first due principle with a fitting question wins. Unknown names fail with a hint.
    """
    rng = random.Random(seed)
    candidates = _candidates(knowledge, principle, company, level)
    if due is not None:
        due_ids = [knowledge.principle(p).id for p in due]
        for pid in due_ids:
            pool = [q for q in candidates if q.primary == pid] or [
                q for q in candidates if pid in q.principles
            ]
            if pool:
                return rng.choice(pool)
        if due_ids:
            raise InputError(
                "No question in the bank fits the due principles "
                f"({', '.join(due_ids)}) together with the other filters."
            )
    if not candidates:
        wanted = ", ".join(
            f"{name} {value}"
            for name, value in (("principle", principle), ("company", company), ("level", level))
            if value
        )
        raise InputError(f"No question in the bank fits {wanted}; drop a filter and try again.")
    return rng.choice(candidates)


def _candidates(
    knowledge: KnowledgeBase, principle: str | None, company: str | None, level: str | None
) -> list[Question]:
    questions = knowledge.questions_for(
        principle=principle, company=company, level=level, primary_only=bool(principle)
    )
    if principle and not questions:
        questions = knowledge.questions_for(principle=principle, company=company, level=level)
    return sorted(questions, key=lambda q: q.id)


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FollowUpAnswer:
    """A follow-up that was asked, and what the candidate said (empty when skipped)."""

    followup: FollowUp
    answer: str = ""
    seconds: float | None = None
    critique: dict[str, Any] | None = None
    answered_at: datetime | None = None
    interrupted: bool = False

    @property
    def score(self) -> int | None:
        """The answer's score told with this reply (see :mod:`.followup_assessment`); the
        reply alone is a few sentences and would always read as "too short"."""
        if not self.critique:
            return None
        judged = self.critique.get("follow_up")
        return int(judged["score_after"] if judged else self.critique["score"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.followup.text,
            "reason": self.followup.reason,
            "answer": self.answer,
            "seconds": _round(self.seconds),
            "score": self.score,
            "assessment": self.critique.get("follow_up") if self.critique else None,
            "critique": self.critique,
            "answered_at": _iso(self.answered_at),
            "interrupted": self.interrupted,
        }


@dataclass
class DrillResult:
    """Everything a drill produced; ``to_dict`` is the saved and printed JSON."""

    question: Question
    answer: str
    critique: dict[str, Any]
    seconds: float | None
    started_at: datetime
    answered_at: datetime
    level: str | None = None
    company: str | None = None
    interrupted: bool = False
    follow_ups: list[FollowUpAnswer] = field(default_factory=list)
    follow_up_source: str = "rules"
    follow_up_note: str | None = None
    ended_at: datetime | None = None

    @property
    def score(self) -> int:
        return int(self.critique["score"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "drill",
            "question": {
                "id": self.question.id,
                "text": self.question.text,
                "principles": list(self.question.principles),
            },
            "level": self.level,
            "company": self.company,
            "answer": self.answer,
            "seconds": _round(self.seconds),
            "target_seconds": list(TARGET_SECONDS),
            "score": self.score,
            "critique": self.critique,
            "interrupted": self.interrupted,
            "follow_ups": [f.to_dict() for f in self.follow_ups],
            "follow_up_source": self.follow_up_source,
            "follow_up_note": self.follow_up_note,
            "started_at": _iso(self.started_at),
            "answered_at": _iso(self.answered_at),
            "ended_at": _iso(self.ended_at),
        }


class Drill:
    """One drill, driven by a shell: :meth:`answer`, then :meth:`answer_follow_up` for each.

    The critic and the follow-up engine are passed in so a shell loads the model once.
    """

    def __init__(
        self,
        question: Question,
        critic: Critic,
        engine: FollowUpEngine,
        level: str | None = None,
        company: str | None = None,
        follow_up_limit: int = MAX_FOLLOW_UPS,
    ) -> None:
        self.question = question
        self.critic = critic
        self.engine = engine
        self.level = critic.knowledge.level(level).id if level else None
        self.company = critic.knowledge.company(company).id if company else None
        self.follow_up_limit = follow_up_limit
        self.started_at = now()
        self.result: DrillResult | None = None

    def answer(
        self, text: str, seconds: float | None = None, interrupted: bool = False
    ) -> DrillResult:
        """Critique the main answer and choose its follow-ups (see ``result.follow_ups``)."""
        if self.result is not None:
            raise InputError("This drill has been answered already.")
        critique = self.critic.critique(text, self.question.text, self.level).to_dict()
        choice = self.engine.choose(critique, self.question, self.follow_up_limit)
        self.result = DrillResult(
            question=self.question,
            answer=text,
            critique=critique,
            seconds=_seconds(seconds),
            started_at=self.started_at,
            answered_at=now(),
            level=self.level,
            company=self.company,
            interrupted=interrupted,
            follow_ups=[FollowUpAnswer(f) for f in choice.followups],
            follow_up_source=choice.source,
            follow_up_note=choice.note,
        )
        return self.result

    def answer_follow_up(
        self, index: int, text: str, seconds: float | None = None, interrupted: bool = False
    ) -> FollowUpAnswer:
        """Record (and critique, unless blank) the answer to follow-up ``index``."""
        if self.result is None:
            raise InputError("Answer the question before its follow-ups.")
        if not 0 <= index < len(self.result.follow_ups):
            raise InputError(f"There is no follow-up number {index + 1}.")
        item = self.result.follow_ups[index]
        item.answer = text
        item.seconds = _seconds(seconds)
        item.answered_at = now()
        item.interrupted = interrupted
        item.critique = (
            assess_follow_up(
                self.critic,
                self.question.text,
                self.result.answer,
                self.result.critique,
                item.followup,
                text,
                self.level,
            ).critique
            if text.strip()
            else None
        )
        return item

    def finish(self) -> DrillResult:
        if self.result is None:
            raise InputError("The drill has no answer yet.")
        self.result.ended_at = now()
        return self.result


def _seconds(value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"Seconds must be a number of at least 0, not {value!r}.")
    if value > 24 * 3600:
        raise InputError(f"{value:g} seconds is more than a day; is it in milliseconds?")
    return float(value)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
