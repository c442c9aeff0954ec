"""Connecting: URLs, migrations, concurrent writers, locks, unreachable and damaged databases."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from storage_helpers import free_port, make_story

from starcoach.errors import StorageError
from starcoach.storage import DB_URL_ENV, database_url, open_store
from starcoach.storage.migrate import HEAD_REVISION, alembic_head


def test_storage_error_has_its_own_exit_code() -> None:
    from starcoach.errors import DataFileError, InputError, ModelError, StarcoachError

    assert issubclass(StorageError, StarcoachError)
    codes = [e.exit_code for e in (StarcoachError, InputError, DataFileError, ModelError)]
    assert StorageError.exit_code == 5 and 5 not in codes


def test_database_url_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "new-home"
    monkeypatch.setenv("STARCOACH_HOME", str(home))
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    assert database_url() == f"sqlite:///{home / 'starcoach.db'}"
    assert home.is_dir()  # created for the default database
    monkeypatch.setenv(DB_URL_ENV, "postgresql+psycopg://u@db/x")
    assert database_url() == "postgresql+psycopg://u@db/x"
    assert database_url("sqlite:///elsewhere.db") == "sqlite:///elsewhere.db"
    assert database_url("postgres://u:p@h/d") == "postgresql+psycopg://u:p@h/d"
    assert database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert database_url(str(tmp_path / "plain.db")) == f"sqlite:///{tmp_path / 'plain.db'}"


def test_default_database_lives_in_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARCOACH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(DB_URL_ENV, raising=False)
    with open_store() as store:
        store.add(make_story())
        assert store.url == f"sqlite:///{tmp_path / 'home' / 'starcoach.db'}"
    assert (tmp_path / "home" / "starcoach.db").is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/d", "SQLite and PostgreSQL"),
        ("not a url://x", "Cannot read the database URL"),
    ],
)
def test_unsupported_urls(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        open_store(url)


def test_sqlite_folder_missing(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")


def test_migrations_reach_head_once(db_url: str) -> None:
    assert alembic_head() == HEAD_REVISION  # keep the constant in step with the scripts
    with open_store(db_url) as store:
        store.add(make_story())
    with open_store(db_url) as store:  # already at head: nothing to do, nothing lost
        assert len(store.list()) == 1
        with store._engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all() == [
                (HEAD_REVISION,)
            ]


def test_newer_schema_is_refused(db_url: str) -> None:
    with open_store(db_url) as store, store._engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StorageError, match="newer starcoach"):
        open_store(db_url)


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as store, store._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


WRITER = """
import sys, time
from pathlib import Path
from starcoach.storage import open_store
from starcoach.stories.model import Story

url, tag, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
with open_store(url) as store:
    while not go.exists():
        time.sleep(0.005)
    for i in range(20):
        saved = store.add(Story(title=f"{tag} {i}", sections={"action": f"I did {i}."}))
        store.update(saved.with_changes(notes=f"edited by {tag}"))
        store.list()
"""


def test_two_processes_write_at_once(db_url: str, tmp_path: Path) -> None:
    """Like the CLI and the web app: both open a new database, then both write (WAL +
    busy timeout on SQLite, row locks on PostgreSQL); nothing fails, nothing is lost."""
    go = tmp_path / "go"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, db_url, tag, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for tag in ("cli", "web")
    ]
    time.sleep(0.2)
    go.touch()
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    with open_store(db_url) as store:
        stories = store.list()
        assert len(stories) == 40
        assert {s.version for s in stories} == {2}
        assert len({s.id for s in stories}) == 40


def test_threads_share_one_store(store) -> None:
    """The web app serves requests from several threads with one store."""
    errors: list[BaseException] = []

    def work(tag: str) -> None:
        try:
            for i in range(8):
                saved = store.add(make_story(i, title=f"{tag} {i}"))
                store.update(saved.with_changes(notes=tag))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(store.list()) == 32


def test_sqlite_writer_waits_for_a_short_lock(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with open_store(f"sqlite:///{path}") as store:
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.3, holder.execute, args=("COMMIT",))
        release.start()
        started = time.monotonic()
        saved = store.add(make_story())  # waits for the lock instead of failing
        assert time.monotonic() - started >= 0.2
        release.join()
        holder.close()
        assert store.get(saved.id) == saved


def test_sqlite_locked_beyond_timeout(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    with open_store(f"sqlite:///{path}") as setup:
        kept = setup.add(make_story())
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with open_store(f"sqlite:///{path}", busy_timeout_ms=200) as store:
            assert store.list() == [kept]  # WAL: reading goes on during a write
            with pytest.raises(StorageError, match=r"The database is busy \(locked by another"):
                store.add(make_story(2))
            with pytest.raises(StorageError, match="busy"):
                store.delete(kept.id)
            holder.execute("COMMIT")
            assert store.add(make_story(3)).version == 1
            assert store.get(kept.id) == kept
    finally:
        holder.close()


def test_postgres_row_lock_beyond_timeout(pg_cluster) -> None:
    url = pg_cluster.new_database()
    with open_store(url) as setup:
        kept = setup.add(make_story())
    with open_store(url, busy_timeout_ms=200) as first, open_store(url) as other:
        with first._transaction(write=True) as conn:
            conn.execute(text("SELECT id FROM stories WHERE id = :i FOR UPDATE"), {"i": kept.id})
            impatient = open_store(url, busy_timeout_ms=200)
            with impatient, pytest.raises(StorageError, match="busy"):
                impatient.update(kept.with_changes(notes="blocked"))
        assert other.update(kept.with_changes(notes="after")).version == 2


@pytest.mark.parametrize(
    "content",
    [b"these are my interview notes, not a database" * 50, b"SQLite format 3\x00" + b"\xff" * 200],
)
def test_file_that_is_not_a_database(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises(StorageError, match="is not a starcoach database") as refused:
        open_store(f"sqlite:///{path}")
    assert str(path) in str(refused.value)
    assert path.read_bytes() == content  # never touched


def test_unreachable_postgres_names_masked_url() -> None:
    port = free_port()
    url = f"postgresql://coach:s3cret-pw@127.0.0.1:{port}/starcoach"
    started = time.monotonic()
    with pytest.raises(StorageError) as unreachable:
        open_store(url)
    message = str(unreachable.value)
    assert message.startswith("Cannot reach the database at ")
    assert f"postgresql+psycopg://coach:***@127.0.0.1:{port}/starcoach" in message
    assert "s3cret" not in message
    assert time.monotonic() - started < 15


def test_missing_postgres_database(pg_cluster) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_store(pg_cluster.url("no_such_database", password="hunter2"))


def test_schema_module_matches_the_migrations(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from starcoach.storage.schema import metadata

    with open_store(db_url) as store, store._engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
