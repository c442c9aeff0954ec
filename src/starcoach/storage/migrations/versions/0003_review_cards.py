"""Review schedule: one FSRS card per practised question.

Revision ID: 0003
Revises: 0002
Create Date: 2026-06-03

Written by hand, like 0001 and 0002, so it keeps creating exactly this table whatever
``schema.py`` later becomes. ``question_key`` is the bank id of the question (or a hash
of its text when it has none): one card per question, updated by every answer to it.
``card`` is the FSRS card as ``fsrs.Card.to_dict()`` writes it; ``due`` repeats its due
time as a column so "what is due now" is an indexed query.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
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
        "review_cards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("question_key", sa.String(length=80), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("principle", sa.String(length=64), nullable=False),
        sa.Column("card", _json(), nullable=False),
        sa.Column("due", _timestamp(), nullable=False),
        sa.Column("last_score", sa.Integer(), nullable=True),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_cards"),
        sa.UniqueConstraint("question_key", name="uq_review_cards_question_key"),
    )
    op.create_index("ix_review_cards_due", "review_cards", ["due"])
    op.create_index("ix_review_cards_principle", "review_cards", ["principle"])


def downgrade() -> None:
    op.drop_index("ix_review_cards_principle", table_name="review_cards")
    op.drop_index("ix_review_cards_due", table_name="review_cards")
    op.drop_table("review_cards")
