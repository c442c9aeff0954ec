"""Alembic environment for starcoach's story database.

starcoach runs this itself on every open (:func:`starcoach.storage.migrate.upgrade`),
handing over a connection that already holds the write lock, so two processes opening a
new database at once never migrate it twice. Run from the ``alembic`` command line (see
``alembic.ini`` next to this folder) it connects to the database starcoach would use.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from starcoach.storage.schema import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    given = context.config.attributes.get("connection")
    if given is not None:
        _run(given)
        return
    from starcoach.storage.engine import database_url, make_engine, parse_url

    url = parse_url(context.config.get_main_option("sqlalchemy.url") or database_url())
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


_main()
