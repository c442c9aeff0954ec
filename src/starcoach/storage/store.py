"""The story bank on disk (SQLite) or on a server (PostgreSQL).

Every method is one transaction: it either happens completely or not at all, so no
command can leave a story half-saved. Edits never overwrite: the previous version is
kept in ``story_versions`` first. Deleting only moves a story to the trash.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine, Row, delete, insert, select, text, update

from starcoach.errors import InputError, StorageError
from starcoach.storage import backup as backup_format
from starcoach.storage.engine import (
    BUSY_TIMEOUT_MS,
    WRITE_OPTION,
    database_url,
    make_engine,
    mask_url,
    parse_url,
    sqlite_path,
    translate_errors,
)
from starcoach.storage.migrate import HEAD_REVISION, upgrade
from starcoach.storage.records import (
    clean_text,
    record_columns,
    record_from_columns,
    story_from_record,
    story_record,
)
from starcoach.storage.schema import (
    attempts,
    practice_sessions,
    review_cards,
    stories,
    story_vectors,
    story_versions,
)
from starcoach.stories.model import Story

if TYPE_CHECKING:
    from starcoach.storage.practice_store import PracticeStore
    from starcoach.storage.review_store import ReviewStore

VECTOR_DTYPE = np.dtype("<f4")
"""How vectors are stored: little-endian float32, the same bytes on every machine."""


@dataclass(frozen=True, eq=False)
class StoredVectors:
    """The critique sentences' embeddings of one story, and the model that made them.

    ``eq=False``: comparing arrays element-wise has no single truth value.
    """

    model_hash: str
    vectors: np.ndarray = field(repr=False)
    """float32, one row per critique sentence."""
    question: np.ndarray | None = field(default=None, repr=False)
    """float32, the probe vector of the question the story was written for (matching
    compares new questions with it); None when the story has no question."""

    def __post_init__(self) -> None:
        if not isinstance(self.model_hash, str) or not self.model_hash.strip():
            raise InputError("Stored vectors need the hash of the model that made them.")
        if len(self.model_hash) > 128:
            raise InputError("A model hash is at most 128 characters.")
        try:
            array = np.asarray(self.vectors, dtype=np.float32)
        except (TypeError, ValueError):
            raise InputError("Stored vectors must be numbers (a float32 matrix).") from None
        if array.ndim != 2:
            raise InputError(
                f"Stored vectors must be a 2-D array (one row per sentence), not {array.ndim}-D."
            )
        object.__setattr__(self, "vectors", np.ascontiguousarray(array))
        if self.question is not None:
            try:
                question = np.asarray(self.question, dtype=np.float32)
            except (TypeError, ValueError):
                raise InputError("A question vector must be numbers (float32).") from None
            if question.ndim != 1 or (array.size and question.shape[0] != array.shape[1]):
                raise InputError(
                    "A question vector must be one row as wide as the sentence vectors."
                )
            object.__setattr__(self, "question", np.ascontiguousarray(question))


@dataclass(frozen=True)
class StoryVersion:
    """One saved version of a story: what it said, and when it was saved."""

    version: int
    saved_at: datetime
    story: Story


def open_store(url: str | None = None, *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> StoryStore:
    """Connect, migrate the schema to head, and return the store.

    ``busy_timeout_ms`` is how long a write waits for another process's lock (tests
    shorten it). Raises :class:`StorageError` when the database cannot be reached, is
    locked, or is not a database.
    """
    parsed = parse_url(database_url(url))
    display = mask_url(parsed)
    path = sqlite_path(parsed)
    if path is not None and not path.parent.is_dir():
        raise StorageError(
            f"Cannot open the database {display}: the folder {path.parent} does not exist."
        )
    engine = make_engine(parsed, busy_timeout_ms=busy_timeout_ms)
    try:
        with translate_errors(display, connecting=True):
            upgrade(engine, display)
    except BaseException:
        engine.dispose()
        raise
    return StoryStore(engine, display)


class StoryStore:
    """Stories, their versions, the trash and their embeddings, behind one connection pool.

    Safe to share between threads (every call takes its own connection). Use it as a
    context manager, or call :meth:`close`.
    """

    def __init__(self, engine: Engine, url: str) -> None:
        self._engine = engine
        self.url = url
        """The database, for display: the password, if any, is masked."""
        self._closed = False

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def database_file(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL (so a backup never overwrites it)."""
        path = sqlite_path(self._engine.url)
        return path.absolute() if path is not None else None

    @property
    def practice(self) -> PracticeStore:
        """Drill and mock-interview history, in the same database and connection pool."""
        from starcoach.storage.practice_store import PracticeStore

        return PracticeStore(self)

    @property
    def reviews(self) -> ReviewStore:
        """The review schedule's cards (written when practice is saved)."""
        from starcoach.storage.review_store import ReviewStore

        return ReviewStore(self)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._engine.dispose()

    def __enter__(self) -> StoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StoryStore({self.url!r})"

    # -- stories -------------------------------------------------------------------

    def add(self, story: Story, vectors: StoredVectors | None = None) -> Story:
        """Save a new story (any id it carries is ignored) and return it as saved: version 1."""
        return self.add_many([(story, vectors)])[0]

    def add_many(self, items: Sequence[tuple[Story, StoredVectors | None]]) -> list[Story]:
        """Save several new stories in one transaction: an import saves all or nothing."""
        prepared = []
        for story, vectors in items:
            record = story_record(story)
            fingerprint = story_from_record(record, story_id=0, version=1).fingerprint()
            prepared.append((record, fingerprint, None if vectors is None else _checked(vectors)))
        now = _now()
        saved: list[Story] = []
        with self._transaction(write=True) as conn:
            for record, fingerprint, vectors in prepared:
                result = conn.execute(
                    insert(stories).values(
                        **record_columns(record),
                        version=1,
                        fingerprint=fingerprint,
                        created_at=now,
                        updated_at=now,
                    )
                )
                story_id = int(result.inserted_primary_key[0])
                if vectors is not None:
                    _write_vectors(conn, story_id, vectors, now)
                saved.append(story_from_record(record, story_id=story_id, version=1))
        return saved

    def get(self, story_id: int, *, include_deleted: bool = False) -> Story:
        """The current version of a story; an InputError names what to do when there is none."""
        with self._transaction() as conn:
            row = _fetch(conn, story_id, include_deleted=include_deleted)
        return _story(row)

    def list(self, *, deleted: bool = False) -> list[Story]:
        """Live stories by id, or with ``deleted=True`` the stories in the trash."""
        condition = stories.c.deleted_at.is_not(None) if deleted else stories.c.deleted_at.is_(None)
        with self._transaction() as conn:
            rows = conn.execute(select(stories).where(condition).order_by(stories.c.id)).all()
        return [_story(row) for row in rows]

    def update(self, story: Story, vectors: StoredVectors | None = None) -> Story:
        """Save an edit as a new version, keeping the previous one in the history.

        ``story.version`` of the edited copy must still be the current version (0 skips
        the check): an edit made from a copy that someone else has changed since is
        refused instead of silently overwriting theirs. An edit that changes nothing
        returns the current version unchanged (saving ``vectors`` if given). Vectors
        given replace this model's; when the text changed and none are given, the old
        ones are dropped, since they describe text that is gone.
        """
        if story.id is None:
            raise InputError("This story has not been saved yet; add it before editing it.")
        record = story_record(story)
        checked = _checked(vectors) if vectors is not None else None
        now = _now()
        with self._transaction(write=True) as conn:
            row = _fetch(conn, story.id, for_update=True)
            if story.version and story.version != row.version:
                raise InputError(
                    f"Story {row.id} changed since you opened it (it is now version "
                    f"{row.version}, your edit is of version {story.version}); "
                    f"open it again and redo the edit."
                )
            old_record = record_from_columns(row._mapping)
            current = _story(row)
            if record == old_record:
                if checked is not None:
                    _write_vectors(conn, row.id, checked, now)
                return current
            new = story_from_record(record, story_id=row.id, version=row.version + 1)
            conn.execute(
                insert(story_versions).values(
                    story_id=row.id, version=row.version, saved_at=row.updated_at, data=old_record
                )
            )
            conn.execute(
                update(stories)
                .where(stories.c.id == row.id)
                .values(
                    **record_columns(record),
                    version=new.version,
                    fingerprint=new.fingerprint(),
                    updated_at=now,
                )
            )
            text_changed = new.answer_text() != current.answer_text()
            if text_changed:
                conn.execute(delete(story_vectors).where(story_vectors.c.story_id == row.id))
            if checked is not None:
                _write_vectors(conn, row.id, checked, now)
        return new

    def delete(self, story_id: int) -> Story:
        """Move a story to the trash (:meth:`restore` brings it back) and return it."""
        with self._transaction(write=True) as conn:
            row = _fetch(conn, story_id, for_update=True)
            conn.execute(update(stories).where(stories.c.id == row.id).values(deleted_at=_now()))
        return _story(row)

    def restore(self, story_id: int) -> Story:
        """Bring a story back from the trash and return it."""
        with self._transaction(write=True) as conn:
            row = _fetch(conn, story_id, include_deleted=True, for_update=True)
            if row.deleted_at is None:
                raise InputError(f"Story {row.id} is not in the trash; nothing to restore.")
            conn.execute(update(stories).where(stories.c.id == row.id).values(deleted_at=None))
        return _story(row)

    def history(self, story_id: int) -> list[StoryVersion]:
        """Every saved version of a story (also one in the trash), oldest first."""
        with self._transaction() as conn:
            row = _fetch(conn, story_id, include_deleted=True)
            earlier = conn.execute(
                select(story_versions.c.version, story_versions.c.saved_at, story_versions.c.data)
                .where(story_versions.c.story_id == row.id)
                .order_by(story_versions.c.version)
            ).all()
        versions = [
            StoryVersion(
                version=old.version,
                saved_at=old.saved_at,
                story=story_from_record(old.data, story_id=row.id, version=old.version),
            )
            for old in earlier
        ]
        versions.append(StoryVersion(row.version, row.updated_at, _story(row)))
        return versions

    def find_by_fingerprint(self, fingerprint: str) -> Story | None:
        """The live story with this :meth:`Story.fingerprint`, if any (lowest id first)."""
        with self._transaction() as conn:
            row = conn.execute(
                select(stories)
                .where(stories.c.fingerprint == fingerprint, stories.c.deleted_at.is_(None))
                .order_by(stories.c.id)
                .limit(1)
            ).first()
        return _story(row) if row is not None else None

    # -- embeddings ----------------------------------------------------------------

    def vectors(self, model_hash: str) -> dict[int, StoredVectors]:
        """Stored vectors of every live story from this model, by story id, in one query."""
        with self._transaction() as conn:
            rows = conn.execute(
                select(
                    story_vectors.c.story_id,
                    story_vectors.c.row_count,
                    story_vectors.c.dimensions,
                    story_vectors.c.data,
                    story_vectors.c.question,
                )
                .join(stories, stories.c.id == story_vectors.c.story_id)
                .where(story_vectors.c.model_hash == model_hash, stories.c.deleted_at.is_(None))
                .order_by(story_vectors.c.story_id)
            ).all()
        return {
            row.story_id: StoredVectors(
                model_hash,
                _decode(row.data, row.row_count, row.dimensions),
                None if row.question is None else _decode(row.question, 1, row.dimensions)[0],
            )
            for row in rows
        }

    def save_vectors(self, story_id: int, vectors: StoredVectors) -> None:
        """Store a story's vectors without a new version (e.g. after a model change)."""
        checked = _checked(vectors)
        with self._transaction(write=True) as conn:
            row = _fetch(conn, story_id, include_deleted=True, for_update=True)
            _write_vectors(conn, row.id, checked, _now())

    # -- backup --------------------------------------------------------------------

    def export_all(self) -> dict[str, Any]:
        """Everything, as one JSON-able backup document (see :mod:`.backup`), read consistently."""
        with self._transaction(snapshot=True) as conn:
            rows = conn.execute(select(stories).order_by(stories.c.id)).all()
            olds = conn.execute(
                select(story_versions).order_by(story_versions.c.story_id, story_versions.c.version)
            ).all()
            vecs = conn.execute(
                select(story_vectors).order_by(story_vectors.c.story_id, story_vectors.c.model_hash)
            ).all()
            practice = _export_practice(conn)
        versions_of: dict[int, list[dict[str, Any]]] = {}
        for old in olds:
            versions_of.setdefault(old.story_id, []).append(
                {"version": old.version, "saved_at": _iso(old.saved_at), "story": old.data}
            )
        vectors_of: dict[int, list[dict[str, Any]]] = {}
        for vec in vecs:
            vectors_of.setdefault(vec.story_id, []).append(
                {
                    "model_hash": vec.model_hash,
                    "rows": vec.row_count,
                    "dimensions": vec.dimensions,
                    "dtype": backup_format.VECTOR_DTYPE_NAME,
                    "base64": base64.b64encode(bytes(vec.data)).decode("ascii"),
                    "saved_at": _iso(vec.saved_at),
                    **(
                        {"question_base64": base64.b64encode(bytes(vec.question)).decode("ascii")}
                        if vec.question is not None
                        else {}
                    ),
                }
            )
        entries = [
            {
                "id": row.id,
                "version": row.version,
                "created_at": _iso(row.created_at),
                "updated_at": _iso(row.updated_at),
                "deleted_at": _iso(row.deleted_at) if row.deleted_at is not None else None,
                "story": record_from_columns(row._mapping),
                "versions": versions_of.get(row.id, []),
                "vectors": vectors_of.get(row.id, []),
            }
            for row in rows
        ]
        return backup_format.new_document(
            entries, backend=self.backend, schema_revision=HEAD_REVISION, practice=practice
        )

    def import_all(self, document: Mapping[str, Any]) -> None:
        """Replace everything with a backup document, in one transaction (restore-backup).

        The document is validated first; if anything fails, nothing changes. A format-1
        document (stories only) replaces the stories and keeps the practice history.
        """
        document = backup_format.validate_document(document)
        story_rows: list[dict[str, Any]] = []
        version_rows: list[dict[str, Any]] = []
        vector_rows: list[dict[str, Any]] = []
        now = _now()
        for entry in document["stories"]:
            story_id = entry["id"]
            record = story_record(
                story_from_record(entry["story"], story_id=story_id, version=entry["version"])
            )
            fingerprint = story_from_record(record, story_id=story_id, version=1).fingerprint()
            story_rows.append(
                {
                    "id": story_id,
                    **record_columns(record),
                    "version": entry["version"],
                    "fingerprint": fingerprint,
                    "created_at": backup_format.parse_time(entry["created_at"]),
                    "updated_at": backup_format.parse_time(entry["updated_at"]),
                    "deleted_at": backup_format.parse_time(entry["deleted_at"])
                    if entry["deleted_at"] is not None
                    else None,
                }
            )
            for old in entry["versions"]:
                old_record = story_record(
                    story_from_record(old["story"], story_id=story_id, version=old["version"])
                )
                version_rows.append(
                    {
                        "story_id": story_id,
                        "version": old["version"],
                        "saved_at": backup_format.parse_time(old["saved_at"]),
                        "data": old_record,
                    }
                )
            for vec in entry["vectors"]:
                array = backup_format.decode_vectors(vec)
                question = backup_format.decode_question_vector(vec, array.shape[1])
                vector_rows.append(
                    {
                        "story_id": story_id,
                        "model_hash": vec["model_hash"],
                        "row_count": array.shape[0],
                        "dimensions": array.shape[1],
                        "data": array.astype(VECTOR_DTYPE).tobytes(),
                        "question": None
                        if question is None
                        else question.astype(VECTOR_DTYPE).tobytes(),
                        "saved_at": backup_format.parse_time(vec["saved_at"])
                        if vec.get("saved_at")
                        else now,
                    }
                )
        practice = _practice_rows(document.get("practice")) if "practice" in document else None
        with self._transaction(write=True) as conn:
            _replace_everything(conn, story_rows, version_rows, vector_rows)
            if practice is not None:
                _replace_practice(conn, *practice)

    # -- plumbing ------------------------------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool = False, snapshot: bool = False) -> Iterator[Connection]:
        """One connection, one transaction; driver errors become StorageErrors.

        ``write`` takes SQLite's write lock up front (BEGIN IMMEDIATE); ``snapshot`` gives
        PostgreSQL one consistent view across several queries (SQLite always has one).
        """
        if self._closed:
            raise StorageError(f"The story database {self.url} is closed.")
        with translate_errors(self.url):
            conn = self._engine.connect()
            if write:
                conn.execution_options(**{WRITE_OPTION: True})
            if snapshot and self.backend == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn, conn.begin():
                yield conn


def _replace_everything(
    conn: Connection,
    story_rows: list[dict[str, Any]],
    version_rows: list[dict[str, Any]],
    vector_rows: list[dict[str, Any]],
) -> None:
    conn.execute(delete(story_vectors))
    conn.execute(delete(story_versions))
    conn.execute(delete(stories))
    if story_rows:
        conn.execute(insert(stories), story_rows)
    if version_rows:
        conn.execute(insert(story_versions), version_rows)
    if vector_rows:
        conn.execute(insert(story_vectors), vector_rows)
    if conn.dialect.name == "postgresql":
        # Explicit ids do not move the id sequence; the next add must not collide.
        for table in ("stories", "story_versions"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
                )
            )


def _export_practice(conn: Connection) -> dict[str, Any]:
    """Practice sessions with their attempts, and the review cards, as backup JSON."""
    sessions = conn.execute(select(practice_sessions).order_by(practice_sessions.c.id)).all()
    attempt_rows = conn.execute(select(attempts).order_by(attempts.c.id)).all()
    cards = conn.execute(select(review_cards).order_by(review_cards.c.id)).all()
    attempts_of: dict[int, list[dict[str, Any]]] = {}
    for row in attempt_rows:
        attempts_of.setdefault(row.session_id, []).append(
            {
                "id": row.id,
                "question": row.question,
                "question_id": row.question_id,
                "principles": list(row.principles or ()),
                "answer": row.answer,
                "seconds": row.seconds,
                "score": row.score,
                "critique": row.critique,
                "follow_up_of": row.follow_up_of,
                "created_at": _iso(row.created_at),
            }
        )
    return {
        "sessions": [
            {
                "id": row.id,
                "kind": row.kind,
                "company": row.company,
                "level": row.level,
                "started_at": _iso(row.started_at),
                "ended_at": _iso(row.ended_at) if row.ended_at is not None else None,
                "report": row.report,
                "attempts": attempts_of.get(row.id, []),
            }
            for row in sessions
        ],
        "review_cards": [
            {
                "question_key": row.question_key,
                "question_id": row.question_id,
                "question": row.question,
                "principle": row.principle,
                "card": row.card,
                "due": _iso(row.due),
                "last_score": row.last_score,
                "reviews": row.reviews,
                "created_at": _iso(row.created_at),
                "updated_at": _iso(row.updated_at),
            }
            for row in cards
        ],
    }


PracticeRows = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]


def _practice_rows(practice: Mapping[str, Any]) -> PracticeRows:
    """The rows of a (validated) backup's practice section."""
    from starcoach.practice.review import check_card_data

    parse = backup_format.parse_time
    session_rows: list[dict[str, Any]] = []
    attempt_rows: list[dict[str, Any]] = []
    for session in practice["sessions"]:
        session_rows.append(
            {
                "id": session["id"],
                "kind": session["kind"],
                "company": session.get("company"),
                "level": session.get("level"),
                "started_at": parse(session["started_at"]),
                "ended_at": parse(session["ended_at"]) if session.get("ended_at") else None,
                "report": session.get("report"),
            }
        )
        for attempt in session["attempts"]:
            attempt_rows.append(
                {
                    "id": attempt["id"],
                    "session_id": session["id"],
                    "question": clean_text(attempt["question"]),
                    "question_id": attempt.get("question_id"),
                    "principles": list(attempt["principles"]),
                    "answer": clean_text(attempt["answer"]),
                    "seconds": attempt.get("seconds"),
                    "score": attempt.get("score"),
                    "critique": attempt.get("critique"),
                    "follow_up_of": attempt.get("follow_up_of"),
                    "created_at": parse(attempt["created_at"]),
                }
            )
    attempt_rows.sort(key=lambda row: row["id"])  # a follow-up after the answer it follows
    card_rows = [
        {
            "question_key": card["question_key"],
            "question_id": card.get("question_id"),
            "question": clean_text(card["question"]),
            "principle": card["principle"],
            "card": check_card_data(card["card"]),
            "due": parse(card["due"]),
            "last_score": card.get("last_score"),
            "reviews": card["reviews"],
            "created_at": parse(card["created_at"]),
            "updated_at": parse(card["updated_at"]),
        }
        for card in practice["review_cards"]
    ]
    return session_rows, attempt_rows, card_rows


def _replace_practice(
    conn: Connection,
    session_rows: list[dict[str, Any]],
    attempt_rows: list[dict[str, Any]],
    card_rows: list[dict[str, Any]],
) -> None:
    conn.execute(delete(review_cards))
    conn.execute(delete(attempts))
    conn.execute(delete(practice_sessions))
    if session_rows:
        conn.execute(insert(practice_sessions), session_rows)
    if attempt_rows:  # in id order: each follow-up's parent is inserted before it
        conn.execute(insert(attempts), attempt_rows)
    if card_rows:
        conn.execute(insert(review_cards), card_rows)
    if conn.dialect.name == "postgresql":
        for table in ("practice_sessions", "attempts", "review_cards"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table}"
                )
            )


def _fetch(
    conn: Connection, story_id: int, *, include_deleted: bool = False, for_update: bool = False
) -> Row[Any]:
    """The ``stories`` row of an id, with the message a user needs when there is none."""
    story_id = _as_id(story_id)
    query = select(stories).where(stories.c.id == story_id)
    if for_update:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise InputError(f"No story with id {story_id}; `starcoach story list` shows the ids.")
    if row.deleted_at is not None and not include_deleted:
        raise InputError(
            f"Story {story_id} is in the trash; `starcoach story restore {story_id}` "
            "brings it back."
        )
    return row


def _as_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"A story id is a whole number, not {value!r}.")
    try:
        story_id = int(value)
    except ValueError:
        raise InputError(f"A story id is a whole number, not {value!r}.") from None
    if not 0 < story_id < 2**31:
        raise InputError(f"No story with id {story_id}; `starcoach story list` shows the ids.")
    return story_id


def _story(row: Row[Any]) -> Story:
    return story_from_record(
        record_from_columns(row._mapping), story_id=row.id, version=row.version
    )


def _checked(vectors: StoredVectors) -> StoredVectors:
    if not isinstance(vectors, StoredVectors):
        raise InputError("vectors must be StoredVectors (model hash + float32 array).")
    return vectors


def _write_vectors(conn: Connection, story_id: int, vectors: StoredVectors, now: datetime) -> None:
    """Replace this model's vectors of a story."""
    conn.execute(
        delete(story_vectors).where(
            story_vectors.c.story_id == story_id,
            story_vectors.c.model_hash == vectors.model_hash,
        )
    )
    array = vectors.vectors
    conn.execute(
        insert(story_vectors).values(
            story_id=story_id,
            model_hash=vectors.model_hash,
            row_count=array.shape[0],
            dimensions=array.shape[1],
            data=array.astype(VECTOR_DTYPE, copy=False).tobytes(),
            question=None
            if vectors.question is None
            else vectors.question.astype(VECTOR_DTYPE, copy=False).tobytes(),
            saved_at=now,
        )
    )


def _decode(data: bytes, rows: int, dimensions: int) -> np.ndarray:
    array = np.frombuffer(bytes(data), dtype=VECTOR_DTYPE)
    if array.size != rows * dimensions:
        raise StorageError(
            f"Stored vectors are damaged ({array.size} numbers for {rows}×{dimensions})."
        )
    return array.reshape(rows, dimensions).astype(np.float32)


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
