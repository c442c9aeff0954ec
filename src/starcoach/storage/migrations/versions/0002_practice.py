"""Practice: drill and mock-interview sessions, and every answer given in them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-27

Written by hand, like 0001, so it keeps creating exactly these tables whatever
``schema.py`` later becomes. ``attempts.follow_up_of`` points at the answer a follow-up
answer followed; deleting a session deletes its attempts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json(*, none_as_null: bool = False) -> sa.types.TypeEngine:
    return sa.JSON(none_as_null=none_as_null).with_variant(
        postgresql.JSONB(none_as_null=none_as_null), "postgresql"
    )


def _timestamp() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "practice_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("company", sa.Text(), nullable=True),
        sa.Column("level", sa.Text(), nullable=True),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("ended_at", _timestamp(), nullable=True),
        sa.Column("report", _json(none_as_null=True), nullable=True),
        sa.CheckConstraint("kind IN ('drill', 'mock')", name="ck_practice_sessions_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_practice_sessions"),
    )
    op.create_index("ix_practice_sessions_started_at", "practice_sessions", ["started_at"])

    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=True),
        sa.Column("principles", _json(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("critique", _json(none_as_null=True), nullable=True),
        sa.Column("follow_up_of", sa.Integer(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["practice_sessions.id"],
            name="fk_attempts_session_id_practice_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_of"],
            ["attempts.id"],
            name="fk_attempts_follow_up_of_attempts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_attempts"),
    )
    op.create_index("ix_attempts_session_id", "attempts", ["session_id"])
    op.create_index("ix_attempts_created_at", "attempts", ["created_at"])
    op.create_index("ix_attempts_follow_up_of", "attempts", ["follow_up_of"])


def downgrade() -> None:
    op.drop_index("ix_attempts_follow_up_of", table_name="attempts")
    op.drop_index("ix_attempts_created_at", table_name="attempts")
    op.drop_index("ix_attempts_session_id", table_name="attempts")
    op.drop_table("attempts")
    op.drop_index("ix_practice_sessions_started_at", table_name="practice_sessions")
    op.drop_table("practice_sessions")
