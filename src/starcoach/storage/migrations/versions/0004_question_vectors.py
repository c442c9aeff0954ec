"""Stored vectors keep the written-for question's vector too.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Matching compares a new question with the question each story was written for; without
it stored, every command that builds the matching index embedded all those questions
again. ``question`` is one little-endian float32 row as wide as the sentence vectors,
NULL for a story without a question (and for rows saved before this revision, which the
bank fills in the next time it builds the index).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("story_vectors") as batch:
        batch.add_column(sa.Column("question", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("story_vectors") as batch:
        batch.drop_column("question")
