"""Storage fixtures: every storage test runs on SQLite and on a real, throwaway PostgreSQL.

The PostgreSQL cluster is started once per session from Debian's binaries
(/usr/lib/postgresql/<version>/bin, or initdb/pg_ctl on PATH) in a temporary folder, on a
free port, with fsync off, and removed at the end. PostgreSQL refuses to run as root, so
as root the cluster runs as the ``postgres`` system user. A missing PostgreSQL fails the
PostgreSQL tests with a clear message; set STARCOACH_SKIP_POSTGRES=1 to skip them instead.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from storage_helpers import free_port

SKIP_ENV = "STARCOACH_SKIP_POSTGRES"
BINDIR_ENV = "STARCOACH_PG_BINDIR"
_INSTALL_HINT = (
    "PostgreSQL is not installed, and the storage tests run against a real PostgreSQL. "
    "Run `make test` (it calls scripts/install-system-deps.sh), or install Debian's "
    "`postgresql` package yourself; set STARCOACH_SKIP_POSTGRES=1 to skip these tests."
)


def find_pg_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: $STARCOACH_PG_BINDIR if set, else Debian's
    newest version, else PATH."""
    if os.environ.get(BINDIR_ENV):
        folder = Path(os.environ[BINDIR_ENV])
        return folder if all((folder / t).is_file() for t in ("initdb", "pg_ctl")) else None

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in path.parent.name.split(".") if p.isdigit())

    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


@dataclass
class PgCluster:
    """A running throwaway cluster; :meth:`new_database` gives each test an empty database."""

    port: int
    user: str = "postgres"
    host: str = "127.0.0.1"
    database: str = "starcoach_test"

    def url(self, database: str, *, password: str | None = None) -> str:
        auth = f"{self.user}:{password}" if password else self.user
        return f"postgresql+psycopg://{auth}@{self.host}:{self.port}/{database}"

    def admin(self, database: str = "postgres"):
        import psycopg

        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, dbname=database, autocommit=True
        )

    def new_database(self) -> str:
        """The test database, emptied: a new schema is ~20x faster than CREATE DATABASE."""
        with self.admin(self.database) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return self.url(self.database)


def _runner() -> list[str]:
    """Prefix that runs a command as the postgres user when we are root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--"]
    return ["su", "postgres", "-s", "/bin/sh", "-c"]  # the command follows as one string


def _run(prefix: list[str], command: list[str], log: Path, *, check: bool = True) -> None:
    full = [*prefix, shlex.join(command)] if prefix[:1] == ["su"] else [*prefix, *command]
    with log.open("ab") as out:
        done = subprocess.run(
            full, stdin=subprocess.DEVNULL, stdout=out, stderr=out, timeout=120, check=False
        )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{command[0]} failed ({done.returncode}):\n{log.read_text(errors='replace')[-3000:]}"
        )


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: PostgreSQL tests skipped on request")
    bindir = find_pg_bindir()
    if bindir is None:
        pytest.fail(_INSTALL_HINT, pytrace=False)
    prefix = _runner()
    if prefix:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(
                "Running as root, and there is no `postgres` system user to run PostgreSQL "
                "as (PostgreSQL refuses to run as root). " + _INSTALL_HINT,
                pytrace=False,
            )
    # /tmp itself (not pytest's per-user tmp, which is private to root) so the
    # postgres user can reach it; a short path keeps the socket path under its limit.
    root = Path(tempfile.mkdtemp(prefix="starcoach-pg-"))
    if prefix:
        os.chown(root, pw.pw_uid, pw.pw_gid)
    log = root / "setup.log"
    data = root / "data"
    port = free_port()
    started = False
    try:
        _run(
            prefix,
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            log,
        )
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40"
        )
        _run(
            prefix,
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            log,
        )
        started = True
        cluster = PgCluster(port=port)
        with cluster.admin() as conn:
            conn.execute(f'CREATE DATABASE "{cluster.database}"')
        yield cluster
    finally:
        if started:
            _run(
                prefix,
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                log,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'starcoach.db'}"
    return request.getfixturevalue("pg_cluster").new_database()


@pytest.fixture
def store(db_url: str):
    from starcoach.storage import open_store

    with open_store(db_url) as opened:
        yield opened
