"""Practice history: every drill and mock interview, and every answer given in them.

Reached as ``store.practice`` on an open :class:`~starcoach.storage.store.StoryStore`, so
it shares its connection pool, its migrations and its error messages. A session and all
its attempts are saved in one transaction: a crash never leaves half an interview.
History, progress charts and the review schedule read :meth:`PracticeStore.attempts`;
saving a session also reviews the FSRS card of every question answered in it
(:mod:`.review_store`), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select

from starcoach.errors import InputError
from starcoach.storage.records import clean_text, jsonable
from starcoach.storage.schema import attempts as attempts_table
from starcoach.storage.schema import practice_sessions

if TYPE_CHECKING:
    from starcoach.practice.drill import DrillResult, FollowUpAnswer
    from starcoach.practice.mock import MockReport, MockSession
    from starcoach.storage.store import StoryStore

KINDS = ("drill", "mock")


@dataclass(frozen=True)
class AttemptRecord:
    """An answer to save; ``follow_ups`` are saved as attempts pointing at this one."""

    question: str
    answer: str
    created_at: datetime
    question_id: str | None = None
    principles: tuple[str, ...] = ()
    seconds: float | None = None
    score: int | None = None
    critique: Mapping[str, Any] | None = None
    follow_ups: tuple[AttemptRecord, ...] = ()


@dataclass(frozen=True)
class SessionRecord:
    """A drill or mock interview to save, with its answers."""

    kind: str
    started_at: datetime
    attempts: tuple[AttemptRecord, ...]
    ended_at: datetime | None = None
    company: str | None = None
    level: str | None = None
    report: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Attempt:
    """A saved answer, as history and review read it."""

    id: int
    session_id: int
    kind: str
    question: str
    question_id: str | None
    principles: tuple[str, ...]
    answer: str
    seconds: float | None
    score: int | None
    critique: dict[str, Any] | None
    follow_up_of: int | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "session_id": self.session_id,
            "kind": self.kind,
            "question": self.question,
            "question_id": self.question_id,
            "principles": list(self.principles),
            "answer": self.answer,
            "seconds": self.seconds,
            "score": self.score,
            "critique": self.critique,
            "follow_up_of": self.follow_up_of,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class PracticeSession:
    """A saved session, with its attempts when read one by one."""

    id: int
    kind: str
    company: str | None
    level: str | None
    started_at: datetime
    ended_at: datetime | None
    report: dict[str, Any] | None
    attempts: tuple[Attempt, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "company": self.company,
            "level": self.level,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "report": self.report,
            "attempts": [a.to_dict() for a in self.attempts],
        }


class PracticeStore:
    """Practice sessions and attempts in the story database (see ``StoryStore.practice``)."""

    def __init__(self, store: StoryStore) -> None:
        self._store = store

    def save(self, record: SessionRecord) -> int:
        """Save a session and all its attempts in one transaction; returns the session id."""
        if record.kind not in KINDS:
            raise InputError(f"A practice session is a drill or a mock, not {record.kind!r}.")
        _aware(record.started_at)
        with self._store._transaction(write=True) as conn:
            session_id = int(
                conn.execute(
                    insert(practice_sessions).values(
                        kind=record.kind,
                        company=_text(record.company),
                        level=_text(record.level),
                        started_at=record.started_at,
                        ended_at=_aware(record.ended_at),
                        report=jsonable(record.report, "report")
                        if record.report is not None
                        else None,
                    )
                ).inserted_primary_key[0]
            )
            for attempt in record.attempts:
                _insert_attempt(conn, session_id, attempt, None)
            from starcoach.storage.review_store import apply_attempts

            apply_attempts(conn, record.attempts)  # the review cards change with the history
        return session_id

    def save_drill(self, result: DrillResult) -> int:
        """Save a drill: the answer, and each follow-up answer pointing at it."""
        return self.save(drill_record(result))

    def save_mock(self, session: MockSession, report: MockReport) -> int:
        """Save a mock interview: its report, every answer, every follow-up answer."""
        return self.save(mock_record(session, report))

    def attempts(
        self,
        principle: str | None = None,
        since: datetime | None = None,
        *,
        kind: str | None = None,
        follow_ups: bool = True,
        session_id: int | None = None,
    ) -> list[Attempt]:
        """Saved answers, oldest first: all, or those probing ``principle``, since a time.

        The principle filter runs in Python over the JSON list, the same on SQLite and
        PostgreSQL; a user's history is thousands of rows, not millions.
        """
        if kind is not None and kind not in KINDS:
            raise InputError(f"A practice session is a drill or a mock, not {kind!r}.")
        query = (
            select(attempts_table, practice_sessions.c.kind)
            .join(practice_sessions, practice_sessions.c.id == attempts_table.c.session_id)
            .order_by(attempts_table.c.created_at, attempts_table.c.id)
        )
        if since is not None:
            query = query.where(attempts_table.c.created_at >= _aware(since))
        if kind is not None:
            query = query.where(practice_sessions.c.kind == kind)
        if not follow_ups:
            query = query.where(attempts_table.c.follow_up_of.is_(None))
        if session_id is not None:
            query = query.where(attempts_table.c.session_id == session_id)
        with self._store._transaction() as conn:
            rows = conn.execute(query).all()
        found = [_attempt(row) for row in rows]
        if principle is not None:
            found = [a for a in found if principle in a.principles]
        return found

    def sessions(self, kind: str | None = None, limit: int | None = None) -> list[PracticeSession]:
        """Saved sessions, newest first (without their attempts)."""
        if kind is not None and kind not in KINDS:
            raise InputError(f"A practice session is a drill or a mock, not {kind!r}.")
        query = select(practice_sessions).order_by(
            practice_sessions.c.started_at.desc(), practice_sessions.c.id.desc()
        )
        if kind is not None:
            query = query.where(practice_sessions.c.kind == kind)
        if limit is not None:
            query = query.limit(limit)
        with self._store._transaction() as conn:
            rows = conn.execute(query).all()
        return [_session(row) for row in rows]

    def session(self, session_id: int) -> PracticeSession:
        """One session with all its attempts; InputError when there is none."""
        if isinstance(session_id, bool) or not isinstance(session_id, int) or session_id < 1:
            raise InputError(f"A practice session id is a whole number, not {session_id!r}.")
        with self._store._transaction(snapshot=True) as conn:
            row = conn.execute(
                select(practice_sessions).where(practice_sessions.c.id == session_id)
            ).first()
            if row is None:
                raise InputError(f"No practice session with id {session_id}.")
            rows = conn.execute(
                select(attempts_table, practice_sessions.c.kind)
                .join(practice_sessions, practice_sessions.c.id == attempts_table.c.session_id)
                .where(attempts_table.c.session_id == session_id)
                .order_by(attempts_table.c.id)
            ).all()
        found = _session(row)
        return PracticeSession(**{**found.__dict__, "attempts": tuple(_attempt(r) for r in rows)})


def _insert_attempt(
    conn: Connection, session_id: int, attempt: AttemptRecord, parent: int | None
) -> int:
    critique = jsonable(attempt.critique, "critique") if attempt.critique is not None else None
    seconds = attempt.seconds
    if seconds is not None and (isinstance(seconds, bool) or seconds < 0):
        raise InputError(f"An attempt's seconds must be at least 0, not {seconds!r}.")
    attempt_id = int(
        conn.execute(
            insert(attempts_table).values(
                session_id=session_id,
                question=clean_text(attempt.question),
                question_id=_text(attempt.question_id),
                principles=[clean_text(p) for p in attempt.principles],
                answer=clean_text(attempt.answer),
                seconds=None if seconds is None else float(seconds),
                score=None if attempt.score is None else int(attempt.score),
                critique=critique,
                follow_up_of=parent,
                created_at=_aware(attempt.created_at),
            )
        ).inserted_primary_key[0]
    )
    for follow_up in attempt.follow_ups:
        _insert_attempt(conn, session_id, follow_up, attempt_id)
    return attempt_id


def drill_record(result: DrillResult) -> SessionRecord:
    """The rows a drill becomes."""
    principles = tuple(result.question.principles)
    main = AttemptRecord(
        question=result.question.text,
        answer=result.answer,
        created_at=result.answered_at,
        question_id=result.question.id,
        principles=principles,
        seconds=result.seconds,
        score=result.score,
        critique=result.critique,
        follow_ups=tuple(
            _follow_up_record(f, principles, result.answered_at) for f in result.follow_ups
        ),
    )
    report = {
        k: v for k, v in result.to_dict().items() if k not in ("critique", "answer", "follow_ups")
    }
    return SessionRecord(
        kind="drill",
        started_at=result.started_at,
        ended_at=result.ended_at,
        company=result.company,
        level=result.level,
        attempts=(main,),
        report=report,
    )


def mock_record(session: MockSession, report: MockReport) -> SessionRecord:
    """The rows a mock interview becomes; the report is kept whole with the session."""
    rows = []
    for answer in session.answers:
        principles = tuple(answer.item.question.principles)
        rows.append(
            AttemptRecord(
                question=answer.item.question.text,
                answer=answer.answer,
                created_at=answer.answered_at,
                question_id=answer.item.question.id,
                principles=principles,
                seconds=answer.seconds,
                score=answer.score,
                critique=answer.critique,
                follow_ups=tuple(
                    _follow_up_record(f, principles, answer.answered_at) for f in answer.follow_ups
                ),
            )
        )
    started = session.started_at or datetime.now(UTC)
    return SessionRecord(
        kind="mock",
        started_at=started,
        ended_at=session.ended_at,
        company=session.company,
        level=session.level,
        attempts=tuple(rows),
        report=report.to_dict(),
    )


def _follow_up_record(
    item: FollowUpAnswer, principles: tuple[str, ...], fallback: datetime
) -> AttemptRecord:
    return AttemptRecord(
        question=item.followup.text,
        answer=item.answer,
        created_at=item.answered_at or fallback,
        principles=principles,
        seconds=item.seconds,
        score=item.score,
        critique=item.critique,
    )


def _attempt(row: Any) -> Attempt:
    return Attempt(
        id=row.id,
        session_id=row.session_id,
        kind=row.kind,
        question=row.question,
        question_id=row.question_id,
        principles=tuple(row.principles or ()),
        answer=row.answer,
        seconds=row.seconds,
        score=row.score,
        critique=row.critique,
        follow_up_of=row.follow_up_of,
        created_at=row.created_at,
    )


def _session(row: Any) -> PracticeSession:
    return PracticeSession(
        id=row.id,
        kind=row.kind,
        company=row.company,
        level=row.level,
        started_at=row.started_at,
        ended_at=row.ended_at,
        report=row.report,
    )


def _text(value: str | None) -> str | None:
    return None if value is None else clean_text(str(value))


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InputError("Practice times must be timezone-aware datetimes (UTC).")
    return moment


__all__ = [
    "Attempt",
    "AttemptRecord",
    "PracticeSession",
    "PracticeStore",
    "SessionRecord",
    "drill_record",
    "mock_record",
]
