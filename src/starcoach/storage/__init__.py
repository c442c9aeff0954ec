"""Storage: the story bank in SQLite (default, in STARCOACH_HOME) or PostgreSQL (by URL).

SQLAlchemy 2 Core over Alembic-migrated tables (``schema.py``, ``migrations/``). Opening a
store migrates it to the newest schema; every method is one transaction; edits keep the
earlier versions; deletes go to a trash; backups are written atomically. The shells
import this package only inside commands, so SQLAlchemy never slows ``--help``.
"""

from starcoach.storage.backup import read_backup, write_backup
from starcoach.storage.engine import DB_URL_ENV, database_url
from starcoach.storage.store import StoredVectors, StoryStore, StoryVersion, open_store

__all__ = [
    "DB_URL_ENV",
    "StoredVectors",
    "StoryStore",
    "StoryVersion",
    "database_url",
    "open_store",
    "read_backup",
    "write_backup",
]
