"""The review schedule's cards in the story database (``review_cards``).

Reached as ``store.reviews``. Cards are written by :func:`apply_attempts` inside the
transaction that saves a practice session, so a drill or a mock answer and the card of
its question change together or not at all; the scheduling maths is in
:mod:`starcoach.practice.review`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from starcoach.errors import InputError
from starcoach.practice.review import ReviewCard, question_key, review
from starcoach.storage.records import clean_text
from starcoach.storage.schema import review_cards

if TYPE_CHECKING:
    from starcoach.storage.practice_store import AttemptRecord
    from starcoach.storage.store import StoryStore


class ReviewStore:
    """Read the review cards; they are written when practice is saved."""

    def __init__(self, store: StoryStore) -> None:
        self._store = store

    def cards(self, principle: str | None = None) -> list[ReviewCard]:
        """Every card (or one principle's), soonest due first."""
        query = select(review_cards).order_by(review_cards.c.due, review_cards.c.id)
        if principle is not None:
            query = query.where(review_cards.c.principle == principle)
        with self._store._transaction() as conn:
            rows = conn.execute(query).all()
        return [card_from_row(row) for row in rows]

    def due(self, cutoff: datetime) -> list[ReviewCard]:
        """Cards due at or before ``cutoff``, soonest first."""
        if cutoff.tzinfo is None:
            raise InputError("Review times must be timezone-aware (UTC).")
        query = (
            select(review_cards)
            .where(review_cards.c.due <= cutoff)
            .order_by(review_cards.c.due, review_cards.c.id)
        )
        with self._store._transaction() as conn:
            rows = conn.execute(query).all()
        return [card_from_row(row) for row in rows]

    def card(self, question_id: str | None, question: str = "") -> ReviewCard | None:
        """The card of one question, or None when it was never answered."""
        key = question_key(question_id, question)
        with self._store._transaction() as conn:
            row = conn.execute(
                select(review_cards).where(review_cards.c.question_key == key)
            ).first()
        return None if row is None else card_from_row(row)


def apply_attempts(conn: Connection, attempts: Iterable[AttemptRecord]) -> None:
    """Review the card of every scored main answer (in the caller's transaction).

    Follow-ups are skipped: they are not bank questions. An answer whose question has no
    principle cannot be scheduled by principle and is skipped too.
    """
    for attempt in sorted(attempts, key=lambda a: a.created_at):
        if attempt.score is None or not attempt.principles:
            continue
        key = question_key(attempt.question_id, attempt.question)
        row = conn.execute(
            select(review_cards).where(review_cards.c.question_key == key).with_for_update()
        ).first()
        current = None if row is None else card_from_row(row)
        updated = review(
            current,
            question_id=attempt.question_id,
            question=clean_text(attempt.question),
            principle=clean_text(attempt.principles[0]),
            score=max(0, min(100, int(attempt.score))),
            when=attempt.created_at,
        )
        values = card_columns(updated)
        if row is None:
            conn.execute(insert(review_cards).values(**values))
        else:
            conn.execute(update(review_cards).where(review_cards.c.id == row.id).values(**values))


def card_columns(card: ReviewCard) -> dict[str, Any]:
    return {
        "question_key": card.question_key,
        "question_id": card.question_id,
        "question": card.question,
        "principle": card.principle,
        "card": dict(card.card),
        "due": card.due,
        "last_score": card.last_score,
        "reviews": card.reviews,
        "created_at": card.created_at,
        "updated_at": card.updated_at,
    }


def card_from_row(row: Any) -> ReviewCard:
    return ReviewCard(
        question_key=row.question_key,
        question_id=row.question_id,
        question=row.question,
        principle=row.principle,
        card=dict(row.card),
        due=row.due,
        last_score=row.last_score,
        reviews=row.reviews,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


__all__ = ["ReviewStore", "apply_attempts", "card_columns", "card_from_row"]
