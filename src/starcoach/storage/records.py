"""A story as a plain JSON record: the one shape the tables, versions and backups share.

Going through one normalised record means what :meth:`StoryStore.add` returns equals
what :meth:`StoryStore.get` later reads, on SQLite and PostgreSQL alike: empty sections
are dropped, lists become tuples, the critique is plain JSON. Text that neither
database can hold (NUL characters, lone surrogates) is cleaned here rather than
failing the save, since a save that fails loses the user's edit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from starcoach.errors import InputError
from starcoach.stories.model import SECTIONS, Story

RECORD_FIELDS = (
    "title",
    "question",
    "sections",
    "principles",
    "suggested_principles",
    "company",
    "role",
    "started",
    "ended",
    "tags",
    "notes",
    "critique",
)
_OPTIONAL_TEXT = ("question", "company", "role", "started", "ended")
_LISTS = ("principles", "suggested_principles", "tags")


def clean_text(value: str) -> str:
    """Text both backends accept: no NUL (PostgreSQL refuses it), valid UTF-8."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def jsonable(value: Any, where: str = "critique") -> Any:
    """Plain JSON (dict/list/str/int/float/bool/None) of a critique-like structure.

    numpy scalars and arrays become numbers and lists; NaN and infinities (which
    PostgreSQL's JSONB rejects) become null.
    """
    if value is None or isinstance(value, bool | str | int):
        return clean_text(value) if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {clean_text(str(k)): jsonable(v, where) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [jsonable(v, where) for v in items]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return jsonable(value.tolist(), where)
    raise InputError(f"The story's {where} holds a {type(value).__name__}, which is not JSON.")


def _optional_text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"The story's {name} must be text, not {type(value).__name__}.")
    return clean_text(value)


def _text_list(values: Iterable[Any], name: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InputError(f"The story's {name} must be a list of text.")
    out = []
    for value in values:
        if not isinstance(value, str):
            raise InputError(f"The story's {name} must be a list of text.")
        out.append(clean_text(value))
    return out


def story_record(story: Story) -> dict[str, Any]:
    """The normalised JSON record of a story (id and version are kept outside)."""
    if not isinstance(story.title, str) or not story.title.strip():
        raise InputError("A story needs a title.")
    unknown = sorted(str(name) for name in story.sections if name not in SECTIONS)
    if unknown:
        raise InputError(
            f"Unknown story section {', '.join(unknown)}; the sections are {', '.join(SECTIONS)}."
        )
    sections: dict[str, str] = {}
    for name in SECTIONS:
        text = story.sections.get(name) or ""
        if not isinstance(text, str):
            raise InputError(f"The story's {name} must be text, not {type(text).__name__}.")
        sections[name] = clean_text(text)
    notes = story.notes or ""
    if not isinstance(notes, str):
        raise InputError("The story's notes must be text.")
    critique = story.critique
    if critique is not None and not isinstance(critique, Mapping):
        raise InputError("The story's critique must be a JSON object.")
    record: dict[str, Any] = {
        "title": clean_text(story.title),
        "sections": sections,
        "notes": clean_text(notes),
        "critique": jsonable(critique) if critique is not None else None,
    }
    for name in _OPTIONAL_TEXT:
        record[name] = _optional_text(getattr(story, name), name)
    for name in _LISTS:
        record[name] = _text_list(getattr(story, name), name)
    return {name: record[name] for name in RECORD_FIELDS}


def story_from_record(record: Mapping[str, Any], *, story_id: int, version: int) -> Story:
    """The :class:`Story` a stored record describes."""
    sections = record.get("sections") or {}
    return Story(
        title=record["title"],
        sections={name: sections[name] for name in SECTIONS if sections.get(name)},
        question=record.get("question"),
        principles=tuple(record.get("principles") or ()),
        suggested_principles=tuple(record.get("suggested_principles") or ()),
        company=record.get("company"),
        role=record.get("role"),
        started=record.get("started"),
        ended=record.get("ended"),
        tags=tuple(record.get("tags") or ()),
        notes=record.get("notes") or "",
        id=story_id,
        version=version,
        critique=record.get("critique"),
    )


def record_columns(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ``stories`` columns that hold a record."""
    columns = {name: record[name] for name in RECORD_FIELDS if name != "sections"}
    columns.update({name: record["sections"].get(name, "") for name in SECTIONS})
    return columns


def record_from_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """The record a ``stories`` row holds (inverse of :func:`record_columns`)."""
    record = {name: row[name] for name in RECORD_FIELDS if name != "sections"}
    record["sections"] = {name: row[name] or "" for name in SECTIONS}
    for name in _LISTS:
        record[name] = list(record[name] or [])
    record["notes"] = record["notes"] or ""
    return {name: record[name] for name in RECORD_FIELDS}
