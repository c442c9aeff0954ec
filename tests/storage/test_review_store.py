"""Review cards on SQLite and PostgreSQL: written with every saved answer, backed up whole.

A canned critic (from the practice-store tests) stands in for the model.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from storage_helpers import make_story
from test_practice_store import _drill, _mock

from starcoach.errors import InputError
from starcoach.storage import open_store, read_backup, write_backup
from starcoach.storage.backup import FORMAT_VERSION, validate_document
from starcoach.storage.migrate import HEAD_REVISION
from starcoach.storage.practice_store import AttemptRecord, SessionRecord

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


def _answer(score, question_id="dd-001", when=NOW, **changes):
    return AttemptRecord(
        question=changes.pop("question", "Tell me about a deep dive."),
        answer="I dug in.",
        created_at=when,
        question_id=question_id,
        principles=changes.pop("principles", ("dive-deep",)),
        score=score,
        critique={"score": score},
        **changes,
    )


def test_every_saved_answer_reviews_its_questions_card(store, kb):
    result = _drill(kb)
    store.practice.save_drill(result)
    (card,) = store.reviews.cards()
    assert card.question_id == "own-001" and card.principle == "ownership"
    assert card.question == result.question.text
    assert card.last_score == result.score and card.reviews == 1
    assert card.due > card.updated_at == result.answered_at
    assert card.card["due"] == card.due.isoformat()  # the FSRS card and the column agree

    store.practice.save_drill(_drill(kb))  # the same question again: the same card moves on
    (again,) = store.reviews.cards()
    assert again.reviews == 2 and again.created_at == card.created_at
    assert again.updated_at >= card.updated_at

    session, report = _mock(kb)
    store.practice.save_mock(session, report)
    keys = {c.question_key for c in store.reviews.cards()}
    assert keys == {"own-001"} | {a.item.question.id for a in session.answers}
    assert store.reviews.card("own-001").reviews == 2
    assert store.reviews.card("no-such-id") is None
    assert all(c.principle == "ownership" for c in store.reviews.cards("ownership"))


def test_scores_set_the_due_dates_and_due_lists_them(store):
    store.practice.save(
        SessionRecord(
            "mock",
            NOW,
            (
                _answer(20, "dd-001"),
                _answer(95, "dd-002"),
                _answer(None, "dd-003"),  # unscored: no card
                _answer(60, None, question="A question of my own?"),  # no id: keyed by text
                _answer(60, "dd-004", principles=()),  # no principle: cannot be scheduled
            ),
        )
    )
    cards = {c.question_key: c for c in store.reviews.cards()}
    assert set(cards) == {"dd-001", "dd-002", next(k for k in cards if k.startswith("text:"))}
    assert cards["dd-001"].due < cards["dd-002"].due
    assert store.reviews.due(NOW + timedelta(days=2))[0].question_key == "dd-001"
    assert store.reviews.due(NOW) == []
    assert store.reviews.card(None, "a question of my OWN?").last_score == 60
    with pytest.raises(InputError, match="timezone"):
        store.reviews.due(datetime(2026, 1, 1))


def test_a_failed_save_leaves_no_card(store):
    bad = _answer(50, seconds=-1)
    with pytest.raises(InputError, match="seconds"):
        store.practice.save(SessionRecord("drill", NOW, (_answer(40, "dd-009"), bad)))
    assert store.reviews.cards() == []


def test_backup_round_trip_keeps_practice_and_cards(store, kb, tmp_path: Path):
    story = store.add(make_story())
    store.practice.save_drill(_drill(kb))
    session, report = _mock(kb)
    store.practice.save_mock(session, report)
    document = store.export_all()
    assert document["format_version"] == FORMAT_VERSION == 2
    json.dumps(document)
    practice = document["practice"]
    assert len(practice["sessions"]) == 2 and practice["review_cards"]
    before = (
        store.practice.sessions(),
        [store.practice.session(s.id) for s in store.practice.sessions()],
        store.reviews.cards(),
    )

    path = write_backup(store, tmp_path / "b.json.gz")
    with open_store(f"sqlite:///{tmp_path / 'other.db'}") as other:
        other.practice.save(SessionRecord("drill", NOW, (_answer(10, "dd-001"),)))
        other.import_all(read_backup(path))
        after = (
            other.practice.sessions(),
            [other.practice.session(s.id) for s in other.practice.sessions()],
            other.reviews.cards(),
        )
        assert after == before
        assert other.get(story.id).title == story.title

    store.practice.save(SessionRecord("drill", NOW, (_answer(10, "dd-001"),)))
    store.import_all(document)  # back over the original: the later session is gone
    assert store.practice.sessions() == before[0]
    new_id = store.practice.save(SessionRecord("drill", NOW, (_answer(70, "dd-001"),)))
    assert new_id == max(s.id for s in before[0]) + 1  # the id sequences moved on (PostgreSQL)


def test_a_format_1_backup_replaces_stories_and_keeps_practice(store, kb):
    store.add(make_story(1))
    store.practice.save_drill(_drill(kb))
    old = store.export_all()
    old["format_version"] = 1
    del old["practice"]
    old["stories"] = []
    store.import_all(old)
    assert store.list() == []
    assert len(store.practice.sessions()) == 1 and len(store.reviews.cards()) == 1


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.pop("review_cards"), "must be lists"),
        (lambda p: p["sessions"][0].update(kind="quiz"), "kind"),
        (lambda p: p["sessions"][0]["attempts"][0].update(follow_up_of=999), "follow_up_of"),
        (lambda p: p["sessions"][0]["attempts"][0].update(score="high"), "score"),
        (lambda p: p["sessions"][0]["attempts"][0].update(created_at="yesterday"), "created_at"),
        (lambda p: p["review_cards"][0].update(card={"state": 9}), "card"),
        (lambda p: p["review_cards"].append(dict(p["review_cards"][0])), "repeated"),
    ],
)
def test_damaged_practice_sections_are_refused(store, kb, damage, message):
    store.practice.save_drill(_drill(kb))
    document = store.export_all()
    damage(document["practice"])
    with pytest.raises(InputError, match=message):
        validate_document(document)
    with pytest.raises(InputError):
        store.import_all(document)
    assert len(store.practice.sessions()) == 1  # nothing replaced


def test_upgrade_from_0002_keeps_practice_and_downgrade_drops_the_cards(db_url):
    from alembic import command

    from starcoach.storage.engine import make_engine, parse_url
    from starcoach.storage.migrate import alembic_config

    engine = make_engine(parse_url(db_url))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0002")
            conn.execute(
                text(
                    "INSERT INTO practice_sessions (kind, started_at) "
                    "VALUES ('drill', '2026-01-01 10:00:00+00:00')"
                )
            )
            assert not inspect(conn).has_table("review_cards")
    finally:
        engine.dispose()
    with open_store(db_url) as store:
        assert [s.kind for s in store.practice.sessions()] == ["drill"]
        assert store.reviews.cards() == []
        with store._engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                HEAD_REVISION
            )
        with store._engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0002")
            assert not inspect(conn).has_table("review_cards")
            assert inspect(conn).has_table("attempts")
