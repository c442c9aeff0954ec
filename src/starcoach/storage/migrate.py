"""Bring a database to the newest schema, programmatically, on every open.

The migrations ship inside the package (``migrations/``), so an installed starcoach
needs no ``alembic.ini`` on disk. A database already at head costs one small read and
does not even import Alembic (a third of a second a command would otherwise pay); only
a new or older database takes the write lock, and there the revision is checked again
under the lock so two processes never run the same migration twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from starcoach.errors import StorageError
from starcoach.storage.engine import WRITE_OPTION

if TYPE_CHECKING:
    from alembic.config import Config

HEAD_REVISION = "0004"
"""The newest revision in ``migrations/versions``; a test keeps it equal to Alembic's head."""
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = 0x5354_4152_434F_4143 & 0x7FFF_FFFF_FFFF_FFFF  # "STARCOAC"
"""PostgreSQL advisory lock that serialises migrations across processes."""


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def alembic_head() -> str | None:
    """The head revision as Alembic computes it from the shipped scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision, or None for a database starcoach never touched."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revisions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    found = sorted(revisions)
    return found[0] if len(found) == 1 else ",".join(found) or None


def upgrade(engine: Engine, display_url: str) -> None:
    """Migrate the database to head; a no-op read when it is already there."""
    head = HEAD_REVISION
    with engine.connect() as connection, connection.begin():
        current = current_revision(connection)
    if current == head:
        return
    _check_known(current, display_url)
    with (
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
        connection.begin(),
    ):
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        if current_revision(connection) == head:
            return  # another process migrated it while we waited for the lock
        from alembic import command
        from alembic.util.exc import CommandError

        try:
            command.upgrade(alembic_config(connection), "head")
        except CommandError as exc:
            raise StorageError(
                f"Cannot update the database schema of {display_url}: {exc}"
            ) from exc


def _check_known(revision: str | None, display_url: str) -> None:
    if revision is None:
        return
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise StorageError(
            f"The database {display_url} was written by a newer starcoach (schema revision "
            f"{revision}); upgrade starcoach to use it."
        )
