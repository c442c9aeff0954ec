"""The tables of the story bank, as SQLAlchemy Core metadata.

The migrations under ``migrations/versions`` create these tables; this module is what the
store queries with and what ``alembic revision --autogenerate`` compares against. Keep the
two in step: a column added here needs a migration.

Why this shape:

* ``stories`` holds the current version of every story, live or in the trash
  (``deleted_at`` set), one text column per STAR+L section so later features can search
  them; lists (principles, tags) and the critique are JSON.
* ``story_versions`` keeps every earlier version as a JSON snapshot, so the history
  survives later schema changes of ``stories`` unchanged.
* ``story_vectors`` keeps the critique sentences' embeddings per model, and the vector of
  the question each story was written for, so matching never re-encodes the whole bank.
* ``practice_sessions`` holds one row per drill or mock interview (the mock's report as
  JSON); ``attempts`` one row per answer given in it, follow-up answers pointing at the
  answer they followed. History, progress charts and the review schedule read these.
* ``review_cards`` holds the spaced-repetition state of every practised question: one
  FSRS card (JSON) per question, keyed by its bank id (or a hash of its text), with its
  due time as an indexed column so "what is due" is one query.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Named constraints, so that later migrations (and SQLite batch mode) can address them."""

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def json_type(*, none_as_null: bool = False) -> TypeEngine[Any]:
    """JSON everywhere, JSONB on PostgreSQL (indexable, compact)."""
    return JSON(none_as_null=none_as_null).with_variant(
        JSONB(none_as_null=none_as_null), "postgresql"
    )


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the backend.

    SQLite has no timezone type and hands back naive values; PostgreSQL hands back the
    session's zone. Both come out as UTC here, and naive values are refused going in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the story database; use UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("question", Text),
    Column("situation", Text, nullable=False, default=""),
    Column("task", Text, nullable=False, default=""),
    Column("action", Text, nullable=False, default=""),
    Column("result", Text, nullable=False, default=""),
    Column("reflection", Text, nullable=False, default=""),
    Column("principles", json_type(), nullable=False),
    Column("suggested_principles", json_type(), nullable=False),
    Column("company", Text),
    Column("role", Text),
    Column("started", Text),
    Column("ended", Text),
    Column("tags", json_type(), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("critique", json_type(none_as_null=True)),
    Column("fingerprint", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("deleted_at", UTCDateTime),
    Index("ix_stories_fingerprint", "fingerprint"),
    Index("ix_stories_deleted_at", "deleted_at"),
)

story_versions = Table(
    "story_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "story_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("version", Integer, nullable=False),
    Column("saved_at", UTCDateTime, nullable=False),
    Column("data", json_type(), nullable=False),
    UniqueConstraint("story_id", "version"),
)

story_vectors = Table(
    "story_vectors",
    metadata,
    Column(
        "story_id",
        Integer,
        ForeignKey("stories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("model_hash", String(128), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("dimensions", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("question", LargeBinary, nullable=True),
    Column("saved_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("story_id", "model_hash"),
    Index("ix_story_vectors_model_hash", "model_hash"),
)

practice_sessions = Table(
    "practice_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("company", Text),
    Column("level", Text),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    Column("report", json_type(none_as_null=True)),
    CheckConstraint("kind IN ('drill', 'mock')", name="kind"),
    Index("ix_practice_sessions_started_at", "started_at"),
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "session_id",
        Integer,
        ForeignKey("practice_sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("question", Text, nullable=False),
    Column("question_id", String(64)),
    Column("principles", json_type(), nullable=False),
    Column("answer", Text, nullable=False),
    Column("seconds", Float),
    Column("score", Integer),
    Column("critique", json_type(none_as_null=True)),
    Column("follow_up_of", Integer, ForeignKey("attempts.id", ondelete="CASCADE")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_attempts_session_id", "session_id"),
    Index("ix_attempts_created_at", "created_at"),
    Index("ix_attempts_follow_up_of", "follow_up_of"),
)

review_cards = Table(
    "review_cards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_key", String(80), nullable=False),
    Column("question_id", String(64)),
    Column("question", Text, nullable=False),
    Column("principle", String(64), nullable=False),
    Column("card", json_type(), nullable=False),
    Column("due", UTCDateTime, nullable=False),
    Column("last_score", Integer),
    Column("reviews", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("question_key"),
    Index("ix_review_cards_due", "due"),
    Index("ix_review_cards_principle", "principle"),
)
