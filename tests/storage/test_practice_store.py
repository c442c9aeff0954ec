"""Saved practice: drills, mock interviews and their attempts, on SQLite and PostgreSQL.

Lives under tests/storage to run on both backends with the fixtures of its conftest. A
canned critic stands in for the model: storage does not care how a score was made.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text
from storage_helpers import make_story

from starcoach.errors import InputError
from starcoach.practice.drill import Drill
from starcoach.practice.followups import FollowUpEngine
from starcoach.practice.mock import (
    ManualClock,
    MockSession,
    ScriptedAnswer,
    mock_report,
    plan_mock,
    run_scripted,
)
from starcoach.storage import open_store
from starcoach.storage.migrate import HEAD_REVISION
from starcoach.storage.practice_store import AttemptRecord, SessionRecord


class CannedCritique:
    def __init__(self, answer, question):
        self.data = {
            "score": min(100, len(answer)),
            "dimensions": {"structure": 50},
            "words": len(answer.split()),
            "speaking_seconds": 10,
            "sentences": [{"text": answer, "start": 0, "end": len(answer), "section": "action"}],
            "findings": [
                {"code": "no-metrics", "severity": "warning", "message": "m", "evidence": "e"}
            ],
            "principles": [{"id": "ownership", "name": "Ownership", "score": 0.4}],
            "question": question,
            "next_steps": ["Quantify the result."],
        }

    def to_dict(self):
        return self.data


class CannedCritic:
    def __init__(self, kb):
        self.knowledge = kb

    def critique(self, answer, question=None, level=None):
        return CannedCritique(answer, question)

    def critique_many(self, requests):
        return [CannedCritique(r.answer, r.question) for r in requests]


def _drill(kb):
    drill = Drill(kb.question("own-001"), CannedCritic(kb), FollowUpEngine(kb), level="L5")
    drill.answer("I owned the billing export\x00 and fixed it.", seconds=130.5)
    drill.answer_follow_up(0, "It cut tickets from 30 to 2.", 22)
    return drill.finish()


def _mock(kb):
    clock = ManualClock()
    plan = plan_mock(kb, "meta", 45, seed=4)
    session = MockSession(
        plan, CannedCritic(kb), FollowUpEngine(kb), company="meta", minutes=45, clock=clock
    )
    run_scripted(
        session,
        [ScriptedAnswer(f"Answer {i}.", 100, (("Because.", None),)) for i in range(3)],
        clock,
    )
    return session, mock_report(session)


def test_a_drill_is_saved_with_its_follow_ups(store, kb):
    result = _drill(kb)
    session_id = store.practice.save_drill(result)
    saved = store.practice.session(session_id)
    assert saved.kind == "drill" and saved.level == "senior" and saved.company is None
    assert saved.started_at == result.started_at and saved.ended_at == result.ended_at
    assert saved.report["question"]["id"] == "own-001"
    main, *follow_ups = saved.attempts
    assert main.question_id == "own-001" and main.follow_up_of is None
    assert main.answer == "I owned the billing export and fixed it."  # NUL dropped
    assert main.seconds == 130.5 and main.score == result.score
    assert main.critique["findings"] == result.critique["findings"]
    assert main.principles == ("ownership",)
    assert main.created_at.tzinfo is not None
    assert len(follow_ups) == len(result.follow_ups)
    assert all(f.follow_up_of == main.id for f in follow_ups)
    assert follow_ups[0].answer == "It cut tickets from 30 to 2." and follow_ups[0].seconds == 22
    if len(follow_ups) > 1:
        assert follow_ups[1].answer == "" and follow_ups[1].score is None


def test_a_mock_is_saved_with_its_report(store, kb):
    session, report = _mock(kb)
    session_id = store.practice.save_mock(session, report)
    saved = store.practice.session(session_id)
    assert saved.kind == "mock" and saved.company == "meta"
    assert saved.report == report.to_dict()
    mains = [a for a in saved.attempts if a.follow_up_of is None]
    assert [a.answer for a in mains] == ["Answer 0.", "Answer 1.", "Answer 2."]
    assert [a.question_id for a in mains] == [a.item.question.id for a in session.answers]
    assert store.practice.sessions(kind="mock")[0].id == session_id


def test_attempts_query_by_principle_time_and_kind(store, kb):
    drill_id = store.practice.save_drill(_drill(kb))
    session, report = _mock(kb)
    store.practice.save_mock(session, report)
    everything = store.practice.attempts()
    assert [a.created_at for a in everything] == sorted(a.created_at for a in everything)
    ownership = store.practice.attempts(principle="ownership")
    assert ownership and all("ownership" in a.principles for a in ownership)
    assert {a.session_id for a in ownership} >= {drill_id}
    mock_principles = {p for a in session.answers for p in a.item.question.principles}
    some = sorted(mock_principles)[0]
    assert store.practice.attempts(principle=some)
    assert all(a.kind == "drill" for a in store.practice.attempts(kind="drill"))
    mains = store.practice.attempts(follow_ups=False)
    assert mains and all(a.follow_up_of is None for a in mains)
    future = datetime.now(UTC) + timedelta(days=1)
    assert store.practice.attempts(since=future) == []
    assert len(store.practice.attempts(since=datetime(2000, 1, 1, tzinfo=UTC))) == len(everything)
    assert store.practice.attempts(session_id=drill_id)[0].session_id == drill_id
    assert [s.kind for s in store.practice.sessions()] == ["mock", "drill"]
    assert len(store.practice.sessions(limit=1)) == 1


def test_bad_practice_input_is_refused(store):
    now = datetime.now(UTC)
    with pytest.raises(InputError, match="drill or a mock"):
        store.practice.save(SessionRecord("quiz", now, ()))
    with pytest.raises(InputError, match="timezone"):
        store.practice.save(SessionRecord("drill", datetime(2024, 1, 1), ()))
    with pytest.raises(InputError, match="No practice session"):
        store.practice.session(999)
    with pytest.raises(InputError, match="drill or a mock"):
        store.practice.attempts(kind="quiz")
    bad = AttemptRecord("Q?", "A", now, seconds=-1)
    with pytest.raises(InputError, match="seconds"):
        store.practice.save(SessionRecord("drill", now, (bad,)))
    assert store.practice.sessions() == []  # the failed save left nothing behind


def test_upgrade_from_0001_keeps_the_stories(db_url):
    from alembic import command

    from starcoach.storage.engine import make_engine, parse_url
    from starcoach.storage.migrate import alembic_config

    engine = make_engine(parse_url(db_url))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0001")
            assert not inspect(conn).has_table("attempts")
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        story = store.add(make_story())
    with open_store(db_url) as store:
        assert store.get(story.id).title == story.title
        with store._engine.connect() as conn:
            assert inspect(conn).has_table("attempts")
            assert (
                conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == HEAD_REVISION
            )
        with store._engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0001")
            assert not inspect(conn).has_table("practice_sessions")
