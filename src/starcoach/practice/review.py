"""The review schedule: spaced repetition over questions, weakest principles first.

Every answered question has one FSRS card (the maintained ``fsrs`` library does the
scheduling maths). A critique score becomes an FSRS rating through
:data:`SCORE_RATINGS`; the card then says when the question is due again. A review
session (:func:`plan_review`) takes the cards due by the end of the day, the questions of
the weakest principles first (weakness from the attempt history), then fresh questions
for principles never practised.

Pure logic: no database, no terminal. The store keeps the cards (``review_cards``);
:func:`todays_review` turns them and the attempt history into the :class:`ReviewPlan` that
both shells show (``starcoach review`` and the web app's review page), and each shell
runs the drills it lists.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean
from typing import TYPE_CHECKING, Any, Protocol

from starcoach.errors import InputError

if TYPE_CHECKING:
    from fsrs import Card, Rating, Scheduler

    from starcoach.knowledge.base import KnowledgeBase

SCORE_RATINGS: tuple[tuple[int, str], ...] = (
    (50, "Again"),
    (70, "Hard"),
    (85, "Good"),
    (101, "Easy"),
)
"""Critique score → FSRS rating: the first row whose bound the score is *below* wins.

====================  ======  =========================================================
score                 rating  why
====================  ======  =========================================================
0–49                  Again   the answer failed (missing parts, off-topic, no result):
                              practise it again tomorrow
50–69                 Hard    a passable answer with real gaps: a short interval
70–84                 Good    a solid answer: the normal FSRS interval
85–100                Easy    interview-ready: a long interval
====================  ======  =========================================================
"""

RECENT_ATTEMPTS = 5
"""A principle's strength is the mean score of its last five answers: old failures that
were fixed since do not keep it at the top of the queue forever."""
DEFAULT_LIMIT = 5
"""Drills per review session: about 15–20 minutes of practice."""
KEY_LENGTH = 80
"""Length limit of ``review_cards.question_key``."""


# --------------------------------------------------------------------------- ratings


def rating_name(score: int) -> str:
    """The FSRS rating name of a 0–100 critique score (see :data:`SCORE_RATINGS`)."""
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        raise InputError(f"A critique score is a whole number from 0 to 100, not {score!r}.")
    return next(name for bound, name in SCORE_RATINGS if score < bound)


def rating_for(score: int) -> Rating:
    """The :class:`fsrs.Rating` of a critique score."""
    from fsrs import Rating

    return Rating[rating_name(score)]


@functools.cache
def scheduler() -> Scheduler:
    """The FSRS scheduler, set up for interview practice rather than flashcards.

    No (re)learning steps: FSRS's defaults bring a failed card back after 1 and 10
    minutes, which suits a vocabulary card, not a three-minute story; without them a
    failed answer is due the next day. No fuzzing: a small question bank gains nothing
    from random spread, and the plan stays reproducible.
    """
    from fsrs import Scheduler

    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


# --------------------------------------------------------------------------- cards


def question_key(question_id: str | None, question: str) -> str:
    """One card per question: its bank id, or a hash of its text when it has none."""
    if question_id:
        return question_id[:KEY_LENGTH]
    text = " ".join(question.split()).lower()
    if not text:
        raise InputError("A review card needs a question id or the question's text.")
    return "text:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:64]


@dataclass(frozen=True)
class ReviewCard:
    """The schedule of one question: its FSRS card (``fsrs.Card.to_dict()``) and why."""

    question_key: str
    question_id: str | None
    question: str
    principle: str
    card: Mapping[str, Any]
    due: datetime
    last_score: int | None
    reviews: int
    created_at: datetime
    updated_at: datetime

    @property
    def rating(self) -> str | None:
        return None if self.last_score is None else rating_name(self.last_score)

    def days_until_due(self, now: datetime | None = None) -> int:
        """Calendar days (local time) until the card is due, 0 when due today or earlier.

        Counted by date, not by 24-hour periods, so a card due tomorrow morning is "in 1
        day" also when that is less than 24 hours away.
        """
        today = (now or datetime.now(UTC)).astimezone().date()
        return max(0, (self.due.astimezone().date() - today).days)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_key": self.question_key,
            "question_id": self.question_id,
            "question": self.question,
            "principle": self.principle,
            "card": dict(self.card),
            "due": self.due.astimezone(UTC).isoformat(),
            "last_score": self.last_score,
            "last_rating": self.rating,
            "reviews": self.reviews,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "updated_at": self.updated_at.astimezone(UTC).isoformat(),
        }


def review(
    card: ReviewCard | None,
    *,
    question_id: str | None,
    question: str,
    principle: str,
    score: int,
    when: datetime,
) -> ReviewCard:
    """The card after one more answer scored ``score`` at ``when`` (a new card if None)."""
    from fsrs import Card

    if when.tzinfo is None:
        raise InputError("Review times must be timezone-aware (UTC).")
    when = when.astimezone(UTC)
    rating = rating_for(score)
    if card is None:
        fsrs_card = Card(card_id=int(when.timestamp() * 1000), due=when)
        key = question_key(question_id, question)
        created = when
        reviews = 0
    else:
        fsrs_card = _fsrs_card(card.card)
        key = card.question_key
        created = card.created_at
        reviews = card.reviews
        if fsrs_card.last_review is not None and fsrs_card.last_review > when:
            when = fsrs_card.last_review  # an answer saved out of order: no time travel
    updated, _log = scheduler().review_card(fsrs_card, rating, review_datetime=when)
    return ReviewCard(
        question_key=key,
        question_id=question_id or (card.question_id if card else None),
        question=question,
        principle=principle,
        card=updated.to_dict(),
        due=updated.due.astimezone(UTC),
        last_score=score,
        reviews=reviews + 1,
        created_at=created,
        updated_at=when,
    )


def _fsrs_card(data: Mapping[str, Any]) -> Card:
    from fsrs import Card

    try:
        card = Card.from_dict(dict(data))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"A stored review card is damaged ({exc!r}).") from None
    card.due = card.due.astimezone(UTC)
    if card.last_review is not None:
        card.last_review = card.last_review.astimezone(UTC)
    return card


def check_card_data(data: Any) -> dict[str, Any]:
    """A card dict read from a backup, checked by letting FSRS parse it."""
    if not isinstance(data, Mapping):
        raise InputError("the FSRS card must be an object.")
    return _fsrs_card(data).to_dict()  # type: ignore[return-value]


# --------------------------------------------------------------------------- weakness


class ScoredAnswer(Protocol):
    """What the schedule needs of a saved attempt (``practice_store.Attempt`` has it)."""

    @property
    def principles(self) -> tuple[str, ...]: ...
    @property
    def score(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def follow_up_of(self) -> int | None: ...


@dataclass(frozen=True)
class PrincipleStrength:
    """How a principle has gone: the mean of its recent scores (lower is weaker)."""

    principle: str
    answers: int
    recent_mean: float
    last_practised: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "principle": self.principle,
            "answers": self.answers,
            "recent_mean": round(self.recent_mean, 1),
            "last_practised": self.last_practised.astimezone(UTC).isoformat(),
        }


def principle_strengths(
    attempts: Iterable[ScoredAnswer], recent: int = RECENT_ATTEMPTS
) -> dict[str, PrincipleStrength]:
    """Per principle, from the scored main answers (follow-ups are not whole stories)."""
    scores: dict[str, list[tuple[datetime, int]]] = {}
    for attempt in attempts:
        if attempt.follow_up_of is not None or attempt.score is None:
            continue
        for principle in dict.fromkeys(attempt.principles):
            scores.setdefault(principle, []).append((attempt.created_at, int(attempt.score)))
    result: dict[str, PrincipleStrength] = {}
    for principle, found in scores.items():
        found.sort(key=lambda pair: pair[0])
        last = [score for _, score in found[-recent:]]
        result[principle] = PrincipleStrength(principle, len(found), fmean(last), found[-1][0])
    return result


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class ReviewItem:
    """One drill of a review session: a due question, or a new one for a fresh principle."""

    kind: str
    """'due' or 'new'."""
    principle: str
    question_id: str | None
    question: str
    reason: str
    due: datetime | None = None
    last_score: int | None = None
    reviews: int = 0
    principle_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "principle": self.principle,
            "question_id": self.question_id,
            "question": self.question,
            "due": None if self.due is None else self.due.astimezone(UTC).isoformat(),
            "last_score": self.last_score,
            "last_rating": None if self.last_score is None else rating_name(self.last_score),
            "reviews": self.reviews,
            "principle_score": None
            if self.principle_score is None
            else round(self.principle_score, 1),
            "reason": self.reason,
        }


def due_cutoff(day: date | None = None, now: datetime | None = None) -> datetime:
    """The end of ``day`` (today by default) in local time, as UTC: "due today"."""
    now = now or datetime.now(UTC)
    local = now.astimezone()
    day = day or local.date()
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=local.tzinfo)
    return end.astimezone(UTC)


def plan_review(
    knowledge: KnowledgeBase,
    cards: Sequence[ReviewCard],
    strengths: Mapping[str, PrincipleStrength],
    cutoff: datetime,
    limit: int = DEFAULT_LIMIT,
    *,
    include_new: bool = True,
) -> list[ReviewItem]:
    """Today's drills: due cards (weakest principle first), then never-practised principles.

    Among due cards the order is the principle's recent mean score (or, for a principle
    with no scored history, the card's own last score), then the card's last score, then
    how long it has been due. New questions come in the knowledge base's principle order,
    one per principle, chosen with a seed of the day so that ``review --list`` and the
    ``review`` that follows agree.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InputError(f"The review limit must be a whole number of at least 1, not {limit!r}.")

    def weakness(card: ReviewCard) -> tuple[float, float, datetime]:
        strength = strengths.get(card.principle)
        mean = strength.recent_mean if strength else float(card.last_score or 0)
        return (mean, float(card.last_score or 0), card.due)

    due = sorted((c for c in cards if c.due <= cutoff), key=weakness)
    items = [
        ReviewItem(
            kind="due",
            principle=card.principle,
            question_id=card.question_id,
            question=card.question,
            due=card.due,
            last_score=card.last_score,
            reviews=card.reviews,
            principle_score=_mean(strengths, card.principle),
            reason=_due_reason(card, strengths.get(card.principle)),
        )
        for card in due[:limit]
    ]
    if not include_new or len(items) >= limit:
        return items
    practised = set(strengths) | {c.principle for c in cards}
    seed = int(cutoff.strftime("%Y%m%d"))
    from starcoach.practice.drill import pick_question

    for principle in knowledge.principles:
        if len(items) >= limit:
            break
        if principle.id in practised:
            continue
        try:
            question = pick_question(knowledge, principle.id, seed=seed)
        except InputError:
            continue  # a principle without questions in the bank
        items.append(
            ReviewItem(
                kind="new",
                principle=principle.id,
                question_id=question.id,
                question=question.text,
                reason="never practised",
            )
        )
    return items


@dataclass(frozen=True)
class ReviewPlan:
    """Today's review as both shells show it: the drills, and what is due beyond them."""

    as_of: datetime
    """The cutoff: cards due at or before it count as due (the end of the local day)."""
    limit: int
    items: list[ReviewItem]
    due_count: int
    """Every card due by ``as_of``, also those beyond ``limit``."""
    next_due: ReviewCard | None
    """The card due soonest after ``as_of``, if any."""
    cards: int
    """Questions with a schedule (every question ever answered)."""

    def to_dict(self, knowledge: KnowledgeBase | None = None) -> dict[str, Any]:
        """The JSON of ``starcoach review --list --json`` (names need ``knowledge``)."""

        def item(entry: ReviewItem) -> dict[str, Any]:
            data = entry.to_dict()
            if knowledge is not None:
                data["principle_name"] = knowledge.principle(entry.principle).name
            return data

        return {
            "as_of": self.as_of.isoformat(),
            "limit": self.limit,
            "due_count": self.due_count,
            "items": [item(entry) for entry in self.items],
            "next_due": None if self.next_due is None else self.next_due.due.isoformat(),
            "cards": self.cards,
        }


def todays_review(
    knowledge: KnowledgeBase,
    cards: Sequence[ReviewCard],
    attempts: Iterable[ScoredAnswer],
    cutoff: datetime,
    limit: int = DEFAULT_LIMIT,
    *,
    include_new: bool = True,
) -> ReviewPlan:
    """The review plan of the stored cards and attempts (see :func:`plan_review`).

    Shared by ``starcoach review`` and the web app so that both list the same drills in
    the same order, with the same count of what is due and the next date after it.
    """
    strengths = principle_strengths(attempts)
    items = plan_review(knowledge, cards, strengths, cutoff, limit, include_new=include_new)
    later = [c for c in cards if c.due > cutoff]
    return ReviewPlan(
        as_of=cutoff,
        limit=limit,
        items=items,
        due_count=sum(1 for c in cards if c.due <= cutoff),
        next_due=min(later, key=lambda c: c.due) if later else None,
        cards=len(cards),
    )


def _mean(strengths: Mapping[str, PrincipleStrength], principle: str) -> float | None:
    strength = strengths.get(principle)
    return strength.recent_mean if strength else None


def _due_reason(card: ReviewCard, strength: PrincipleStrength | None) -> str:
    parts = [f"last score {card.last_score} ({card.rating})" if card.last_score is not None else ""]
    if strength is not None:
        parts.append(f"principle averages {strength.recent_mean:.0f} over its last answers")
    return "; ".join(p for p in parts if p) or "due"


__all__ = [
    "DEFAULT_LIMIT",
    "SCORE_RATINGS",
    "PrincipleStrength",
    "ReviewCard",
    "ReviewItem",
    "ReviewPlan",
    "check_card_data",
    "due_cutoff",
    "plan_review",
    "principle_strengths",
    "question_key",
    "rating_for",
    "rating_name",
    "review",
    "scheduler",
    "todays_review",
]
