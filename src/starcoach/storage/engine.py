"""Which database, how to connect to it, and how its failures read to a user.

SQLite (the default, a file in STARCOACH_HOME) is tuned so that the CLI and a running
web app can both write: WAL lets readers and one writer work at once, a busy timeout
makes a second writer wait instead of failing, and write transactions start with
``BEGIN IMMEDIATE`` so a writer queues for the lock up front rather than failing halfway
through when its read snapshot turns stale. PostgreSQL is reached by URL.

Every driver error leaves this module as a :class:`~starcoach.errors.StorageError`
whose message names the (password-masked) database and says what to do.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, SQLAlchemyError

from starcoach.errors import StorageError
from starcoach.paths import home_dir

DB_URL_ENV = "STARCOACH_DB_URL"
DB_FILE_NAME = "starcoach.db"
BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another process's lock before giving up."""
CONNECT_TIMEOUT_S = 10
"""How long to wait for a PostgreSQL server before calling it unreachable."""
WRITE_OPTION = "starcoach_write"
"""Execution option that marks a connection's transactions as writes (BEGIN IMMEDIATE)."""

_BACKENDS = ("sqlite", "postgresql")


def database_url(url: str | None = None) -> str:
    """The database to use: explicit > ``$STARCOACH_DB_URL`` > a SQLite file in the home.

    A plain path (no ``://``) means a SQLite file, and ``postgres://``/``postgresql://``
    get the psycopg 3 driver that starcoach installs, so users can paste what their
    hosting shows them.
    """
    chosen = (url or "").strip() or os.environ.get(DB_URL_ENV, "").strip()
    if not chosen:
        folder = home_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"Cannot create the data folder {folder}: {exc}") from exc
        return f"sqlite:///{folder / DB_FILE_NAME}"
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser().absolute()}"
    scheme, rest = chosen.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return chosen


def parse_url(url: str) -> URL:
    """Parse and check a URL; only SQLite and PostgreSQL are supported."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StorageError(
            "Cannot read the database URL; expected e.g. sqlite:///path/to/starcoach.db "
            "or postgresql://user@host/dbname."
        ) from exc
    if parsed.get_backend_name() not in _BACKENDS:
        raise StorageError(
            f"Unsupported database {mask_url(parsed)}: starcoach works with SQLite and PostgreSQL."
        )
    return parsed


def mask_url(url: URL | str) -> str:
    """The URL for messages and display, with any password replaced by ``***``."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):
        return "<unreadable database URL>"
    return parsed.render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def make_engine(url: URL, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """An engine with starcoach's connection settings for this backend."""
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_ms)
    connect_args: dict[str, Any] = {"application_name": "starcoach"}
    if "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    if "options" not in url.query:
        # Row and advisory locks wait as long as SQLite's busy timeout, then fail clearly.
        connect_args["options"] = f"-c lock_timeout={int(busy_timeout_ms)}"
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def _sqlite_engine(url: URL, busy_timeout_ms: int) -> Engine:
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, decides when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if sqlite_path(url) is not None:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@contextmanager
def translate_errors(display_url: str, *, connecting: bool = False) -> Iterator[None]:
    """Turn driver errors into StorageErrors that say what happened and what to do."""
    try:
        yield
    except StorageError:
        raise
    except SQLAlchemyError as exc:
        raise storage_error(exc, display_url, connecting=connecting) from exc


def storage_error(
    exc: BaseException, display_url: str, *, connecting: bool = False
) -> StorageError:
    """The user-facing error for a driver failure on the database at ``display_url``."""
    orig = getattr(exc, "orig", None) or exc
    detail = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    lowered = detail.lower()
    sqlstate = getattr(orig, "sqlstate", None)
    if "is locked" in lowered or sqlstate in ("55P03", "40001", "40P01"):
        return StorageError(
            f"The database is busy (locked by another starcoach process?): {display_url}. "
            "Wait for the other command or the web app to finish, then try again."
        )
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return StorageError(
            f"{display_url} is not a starcoach database (the file is not SQLite). "
            "Point --db / STARCOACH_DB_URL at the right file, or move this one away."
        )
    if "unable to open database file" in lowered:
        return StorageError(
            f"Cannot open the database {display_url}: check that its folder exists and "
            "that you may write there."
        )
    if "readonly" in lowered or "read-only" in lowered:
        return StorageError(f"The database {display_url} is read-only; nothing was saved.")
    if "disk is full" in lowered or "disk i/o error" in lowered:
        return StorageError(f"Cannot write the database {display_url}: {detail}")
    backend = display_url.split(":", 1)[0]
    if backend.startswith("postgresql") and (connecting or sqlstate is None):
        if "does not exist" in lowered and "database" in lowered:
            return StorageError(
                f"The database at {display_url} does not exist on that server; create it "
                "first (e.g. `createdb`), then run starcoach again."
            )
        if isinstance(exc, DBAPIError) and not isinstance(exc, IntegrityError):
            return StorageError(
                f"Cannot reach the database at {display_url}: {detail}. Is the server "
                "running, and are the host, port, user and password right?"
            )
    if isinstance(exc, IntegrityError):
        return StorageError(f"The database at {display_url} refused the change: {detail}")
    return StorageError(f"Database error on {display_url}: {detail}")
