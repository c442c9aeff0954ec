"""Backup files: the whole story bank as one JSON document, written atomically.

A backup holds every story (live and in the trash), every earlier version and the
stored vectors (base64 of little-endian float32), so ``restore-backup`` gives back
exactly what was saved, on either backend. The file is written to a temporary file in
the same folder, synced, then renamed over the target: a crash leaves either the old
file or the new one, never half of one. ``.gz`` names are gzip-compressed.

Document shape (``format_version`` 2)::

    {"format": "starcoach-backup", "format_version": 2, "exported_at": ISO-8601,
     "source": {"backend", "schema_revision"},
     "stories": [{"id", "version", "created_at", "updated_at", "deleted_at",
                  "story": RECORD, "versions": [{"version", "saved_at", "story": RECORD}],
                  "vectors": [{"model_hash", "rows", "dimensions", "dtype", "base64",
                               "question_base64"?}]}],
     "practice": {"sessions": [{"id", "kind", "company", "level", "started_at",
                                "ended_at", "report", "attempts": [ATTEMPT]}],
                  "review_cards": [{"question_key", "question_id", "question",
                                    "principle", "card", "due", "last_score", "reviews",
                                    "created_at", "updated_at"}]}}

where RECORD is ``{"title", "question", "sections": {situation, task, action, result,
reflection}, "principles", "suggested_principles", "company", "role", "started",
"ended", "tags", "notes", "critique"}``, ATTEMPT is ``{"id", "question", "question_id",
"principles", "answer", "seconds", "score", "critique", "follow_up_of", "created_at"}``
and ``card`` is an FSRS card as ``fsrs.Card.to_dict()`` writes it. ``question_base64``
(optional, one row as wide as the sentence vectors) is the vector of the question the
story was written for; backups written before it existed simply lack it.

Format 1 (before practice history existed) has no ``practice`` key; it is still read,
and restoring it replaces the stories and leaves the practice history as it is.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import os
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from starcoach.errors import InputError, StorageError
from starcoach.stories.model import SECTIONS

if TYPE_CHECKING:
    from starcoach.storage.store import StoryStore

FORMAT = "starcoach-backup"
FORMAT_VERSION = 2
"""Written now; 1 (stories only) is still read."""
KINDS = ("drill", "mock")
VECTOR_DTYPE_NAME = "float32-le"
_GZIP_MAGIC = b"\x1f\x8b"


def new_document(
    stories: list[dict[str, Any]],
    *,
    backend: str,
    schema_revision: str,
    practice: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "source": {"backend": backend, "schema_revision": schema_revision},
        "stories": stories,
        "practice": practice or {"sessions": [], "review_cards": []},
    }


def write_backup(store: StoryStore, path: Path) -> Path:
    """Write a backup of everything in ``store`` to ``path`` atomically; return the file.

    ``path`` may be an existing folder: the file is then named after the current time.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        path = path / f"starcoach-backup-{stamp}.json.gz"
    _check_target(store, path)
    data = json.dumps(store.export_all(), ensure_ascii=False, indent=1).encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise StorageError(f"Cannot write the backup {path}: {exc.strerror or exc}") from exc
    return path


def _check_target(store: StoryStore, path: Path) -> None:
    """Refuse targets whose replacement would lose data: the database, or a file that is
    not an earlier backup (e.g. the user's notes, named by mistake)."""
    database = store.database_file
    if database is not None:
        target = path.resolve()
        siblings = {database.resolve().with_name(database.name + s) for s in ("-wal", "-shm")}
        if target == database.resolve() or target in siblings:
            raise InputError(
                f"{path} is the story database itself; write the backup to another file."
            )
    if path.exists() and path.stat().st_size and not _looks_like_backup(path):
        raise InputError(
            f"{path} exists and is not a starcoach backup; nothing was written. "
            "Choose another file name."
        )


def _looks_like_backup(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(2)
        if head == _GZIP_MAGIC:
            with gzip.open(path, "rb") as handle:
                start = handle.read(256)
        else:
            with path.open("rb") as handle:
                start = handle.read(256)
    except (OSError, EOFError):
        return False
    return f'"format": "{FORMAT}"'.encode() in start


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, rename over ``path``, fsync the folder."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return  # e.g. Windows cannot open folders; the rename itself is done
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


def read_backup(path: Path) -> dict[str, Any]:
    """Read and validate a backup file (plain or gzip JSON); InputError when it is not one."""
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"No backup file at {path}.") from None
    except OSError as exc:
        raise InputError(f"Cannot read the backup {path}: {exc.strerror or exc}") from exc
    try:
        if raw.startswith(_GZIP_MAGIC):
            raw = gzip.decompress(raw)
        document = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, ValueError):
        raise InputError(f"{path} is not a starcoach backup (not JSON).") from None
    try:
        return validate_document(document)
    except InputError as exc:
        raise InputError(f"{path} is not a usable starcoach backup: {exc}") from None


def validate_document(document: Any) -> dict[str, Any]:
    """Check a backup document's shape before anything is replaced with it."""
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise InputError("this is not a starcoach backup (no 'format': 'starcoach-backup').")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError("its format_version is missing or wrong.")
    if version > FORMAT_VERSION:
        raise InputError(
            f"it was written by a newer starcoach (backup format {version}; this one reads "
            f"up to {FORMAT_VERSION}). Upgrade starcoach to restore it."
        )
    entries = document.get("stories")
    if not isinstance(entries, list):
        raise InputError("it has no list of stories.")
    seen: set[int] = set()
    for index, entry in enumerate(entries):
        where = f"stories[{index}]"
        _check_entry(entry, where)
        if entry["id"] in seen:
            raise InputError(f"{where}: story id {entry['id']} appears twice.")
        seen.add(entry["id"])
    if version >= 2:
        _check_practice(document.get("practice"))
    return dict(document)


def _check_practice(practice: Any) -> None:
    """Sessions with their attempts, and review cards: the shape ``import_all`` needs."""
    if not isinstance(practice, Mapping):
        raise InputError("it has no practice section (format 2 needs one).")
    sessions = practice.get("sessions")
    cards = practice.get("review_cards")
    if not isinstance(sessions, list) or not isinstance(cards, list):
        raise InputError("practice.sessions and practice.review_cards must be lists.")
    session_ids: set[int] = set()
    attempt_ids: set[int] = set()
    for index, session in enumerate(sessions):
        where = f"practice.sessions[{index}]"
        if not isinstance(session, Mapping):
            raise InputError(f"{where} is not an object.")
        session_id = _int(session, "id", where)
        if session_id in session_ids or session_id >= 2**31:
            raise InputError(f"{where}.id {session_id} is repeated or too large.")
        session_ids.add(session_id)
        if session.get("kind") not in KINDS:
            raise InputError(f"{where}.kind must be 'drill' or 'mock'.")
        _time(session.get("started_at"), f"{where}.started_at")
        if session.get("ended_at") is not None:
            _time(session["ended_at"], f"{where}.ended_at")
        for name in ("company", "level"):
            if not isinstance(session.get(name), str | None):
                raise InputError(f"{where}.{name} must be text or null.")
        if not isinstance(session.get("report"), Mapping | None):
            raise InputError(f"{where}.report must be an object or null.")
        attempts = session.get("attempts")
        if not isinstance(attempts, list):
            raise InputError(f"{where}.attempts must be a list.")
        in_session: set[int] = set()
        for number, attempt in enumerate(attempts):
            _check_attempt(attempt, f"{where}.attempts[{number}]", in_session, attempt_ids)
    keys: set[str] = set()
    for index, card in enumerate(cards):
        where = f"practice.review_cards[{index}]"
        if not isinstance(card, Mapping):
            raise InputError(f"{where} is not an object.")
        _unique_text(card, "question_key", 80, keys, where)
        for name in ("question", "principle"):
            if not isinstance(card.get(name), str) or not card[name]:
                raise InputError(f"{where}.{name} must be non-empty text.")
        if not isinstance(card.get("question_id"), str | None):
            raise InputError(f"{where}.question_id must be text or null.")
        for name in ("due", "created_at", "updated_at"):
            _time(card.get(name), f"{where}.{name}")
        _score(card.get("last_score"), f"{where}.last_score")
        reviews = card.get("reviews")
        if not isinstance(reviews, int) or isinstance(reviews, bool) or reviews < 0:
            raise InputError(f"{where}.reviews must be a whole number.")
        from starcoach.practice.review import check_card_data

        try:
            check_card_data(card.get("card"))
        except InputError as exc:
            raise InputError(f"{where}.card: {exc}") from None


def _check_attempt(attempt: Any, where: str, in_session: set[int], every: set[int]) -> None:
    if not isinstance(attempt, Mapping):
        raise InputError(f"{where} is not an object.")
    attempt_id = _int(attempt, "id", where)
    if attempt_id in every or attempt_id >= 2**31:
        raise InputError(f"{where}.id {attempt_id} is repeated or too large.")
    parent = attempt.get("follow_up_of")
    if parent is not None and parent not in in_session:
        raise InputError(f"{where}.follow_up_of must name an earlier attempt of its session.")
    every.add(attempt_id)
    in_session.add(attempt_id)
    for name in ("question", "answer"):
        if not isinstance(attempt.get(name), str):
            raise InputError(f"{where}.{name} must be text.")
    if not isinstance(attempt.get("question_id"), str | None):
        raise InputError(f"{where}.question_id must be text or null.")
    principles = attempt.get("principles")
    if not isinstance(principles, list) or not all(isinstance(p, str) for p in principles):
        raise InputError(f"{where}.principles must be a list of text.")
    seconds = attempt.get("seconds")
    if seconds is not None and (
        isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0
    ):
        raise InputError(f"{where}.seconds must be a number of at least 0, or null.")
    _score(attempt.get("score"), f"{where}.score")
    if not isinstance(attempt.get("critique"), Mapping | None):
        raise InputError(f"{where}.critique must be an object or null.")
    _time(attempt.get("created_at"), f"{where}.created_at")


def _score(value: Any, where: str) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InputError(f"{where} must be a whole number or null.")


def _check_entry(entry: Any, where: str) -> None:
    if not isinstance(entry, Mapping):
        raise InputError(f"{where} is not an object.")
    story_id = _int(entry, "id", where)
    version = _int(entry, "version", where)
    if story_id >= 2**31:
        raise InputError(f"{where}.id is too large.")
    for name in ("created_at", "updated_at"):
        _time(entry.get(name), f"{where}.{name}")
    if entry.get("deleted_at") is not None:
        _time(entry["deleted_at"], f"{where}.deleted_at")
    _check_record(entry.get("story"), f"{where}.story")
    versions = entry.get("versions")
    if not isinstance(versions, list):
        raise InputError(f"{where}.versions must be a list.")
    seen: set[int] = set()
    for index, old in enumerate(versions):
        old_where = f"{where}.versions[{index}]"
        if not isinstance(old, Mapping):
            raise InputError(f"{old_where} is not an object.")
        number = _int(old, "version", old_where)
        if number >= version or number in seen:
            raise InputError(
                f"{old_where}.version {number} must be unique and older than the "
                f"current version {version}."
            )
        seen.add(number)
        _time(old.get("saved_at"), f"{old_where}.saved_at")
        _check_record(old.get("story"), f"{old_where}.story")
    vectors = entry.get("vectors")
    if not isinstance(vectors, list):
        raise InputError(f"{where}.vectors must be a list.")
    models: set[str] = set()
    for index, vec in enumerate(vectors):
        vec_where = f"{where}.vectors[{index}]"
        if not isinstance(vec, Mapping):
            raise InputError(f"{vec_where} is not an object.")
        _unique_text(vec, "model_hash", 128, models, vec_where)
        array = decode_vectors(vec, vec_where)
        decode_question_vector(vec, array.shape[1], vec_where)


def _check_record(record: Any, where: str) -> None:
    if not isinstance(record, Mapping):
        raise InputError(f"{where} is not an object.")
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InputError(f"{where}.title must be non-empty text.")
    sections = record.get("sections")
    if not isinstance(sections, Mapping):
        raise InputError(f"{where}.sections must be an object.")
    for name, value in sections.items():
        if name not in SECTIONS or not isinstance(value, str | None):
            raise InputError(f"{where}.sections.{name} is not a story section with text.")
    for name in ("question", "company", "role", "started", "ended"):
        if not isinstance(record.get(name), str | None):
            raise InputError(f"{where}.{name} must be text or null.")
    if not isinstance(record.get("notes"), str | None):
        raise InputError(f"{where}.notes must be text.")
    for name in ("principles", "suggested_principles", "tags"):
        values = record.get(name)
        if values is None:
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InputError(f"{where}.{name} must be a list of text.")
    if not isinstance(record.get("critique"), Mapping | None):
        raise InputError(f"{where}.critique must be an object or null.")


def _unique_text(
    mapping: Mapping[str, Any], name: str, limit: int, seen: set[str], where: str
) -> None:
    """A non-empty key of at most ``limit`` characters, not seen before in this list."""
    value = mapping.get(name)
    if not isinstance(value, str) or not value or len(value) > limit or value in seen:
        raise InputError(f"{where}.{name} is missing, too long or repeated.")
    seen.add(value)


def _int(mapping: Mapping[str, Any], name: str, where: str) -> int:
    value = mapping.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InputError(f"{where}.{name} must be a positive whole number.")
    return value


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise InputError(f"{where} must be an ISO-8601 timestamp.")
    try:
        return parse_time(value)
    except ValueError:
        raise InputError(f"{where} is not an ISO-8601 timestamp with a time zone.") from None


def parse_time(value: str) -> datetime:
    """An ISO-8601 timestamp with a zone, as UTC."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("naive timestamp")
    return moment.astimezone(UTC)


def decode_vectors(vec: Mapping[str, Any], where: str = "vectors") -> np.ndarray:
    """The float32 array of a backup's vectors entry, checked against its shape."""
    if vec.get("dtype", VECTOR_DTYPE_NAME) != VECTOR_DTYPE_NAME:
        raise InputError(f"{where}.dtype must be {VECTOR_DTYPE_NAME!r}.")
    rows = vec.get("rows")
    dimensions = vec.get("dimensions")
    if not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (rows, dimensions)
    ):
        raise InputError(f"{where}.rows and .dimensions must be whole numbers.")
    try:
        data = base64.b64decode(vec.get("base64", ""), validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise InputError(f"{where}.base64 is not base64.") from None
    if len(data) != rows * dimensions * 4:
        raise InputError(f"{where} holds {len(data)} bytes, not {rows}×{dimensions} float32.")
    return np.frombuffer(data, dtype="<f4").reshape(rows, dimensions).astype(np.float32)


def decode_question_vector(
    vec: Mapping[str, Any], dimensions: int, where: str = "vectors"
) -> np.ndarray | None:
    """The optional written-for question vector of a backup's vectors entry (or None)."""
    if vec.get("question_base64") is None:
        return None
    try:
        data = base64.b64decode(vec["question_base64"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise InputError(f"{where}.question_base64 is not base64.") from None
    if len(data) != dimensions * 4:
        raise InputError(
            f"{where}.question_base64 holds {len(data)} bytes, not {dimensions} float32."
        )
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
