"""Load and validate the knowledge YAML files into typed records.

Validation is strict and the messages name the file, the entry and the field, because
these files are edited by hand (by us, and by users who extend the bank).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from starcoach.errors import DataFileError
from starcoach.knowledge.models import (
    LEVEL_IDS,
    PRINCIPLE_IDS,
    Category,
    Company,
    Level,
    Principle,
    Question,
    Topic,
)

DATA_DIR = Path(__file__).parent / "data"
QUESTIONS_DIR = DATA_DIR / "questions"

T = TypeVar("T")

try:  # the C loader is several times faster; fall back when libyaml is absent
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, turning every failure into a DataFileError."""
    try:
        with path.open("rb") as handle:
            return yaml.load(handle, Loader=_Loader)
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML: {exc}") from exc


class _Entry:
    """Field access on one mapping with errors that point at the entry."""

    def __init__(self, path: Path, where: str, raw: Any) -> None:
        if not isinstance(raw, dict):
            raise DataFileError(f"{path}: {where}: expected a mapping, got {type(raw).__name__}")
        self.path, self.where, self.raw = path, where, raw

    def fail(self, message: str) -> DataFileError:
        return DataFileError(f"{self.path}: {self.where}: {message}")

    def text(self, key: str, *, optional: bool = False) -> str:
        value = self.raw.get(key)
        if value is None and optional:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be a non-empty string")
        return " ".join(value.split())

    def texts(
        self, key: str, *, min_items: int = 0, max_items: int | None = None
    ) -> tuple[str, ...]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"'{key}' must be a list of non-empty strings")
        if len(value) < min_items or (max_items is not None and len(value) > max_items):
            bound = (
                f"{min_items}..{max_items}" if max_items is not None else f"at least {min_items}"
            )
            raise self.fail(f"'{key}' must hold {bound} items, has {len(value)}")
        return tuple(" ".join(v.split()) for v in value)

    def ids(self, key: str, allowed: Iterable[str], **bounds: int) -> tuple[str, ...]:
        values = self.texts(key, **bounds)
        allowed_set = set(allowed)
        for value in values:
            if value not in allowed_set:
                raise self.fail(f"'{key}' has unknown id '{value}'")
        if len(set(values)) != len(values):
            raise self.fail(f"'{key}' repeats an id")
        return values


def _entries(path: Path, raw: Any, label: str) -> list[_Entry]:
    if not isinstance(raw, list) or not raw:
        raise DataFileError(f"{path}: expected a non-empty list of {label}")
    return [
        _Entry(
            path,
            f"{label} #{i + 1}" + (f" ({item.get('id')})" if isinstance(item, dict) else ""),
            item,
        )
        for i, item in enumerate(raw)
    ]


def _unique(path: Path, items: list[T], key: Callable[[T], str]) -> list[T]:
    seen: set[str] = set()
    for item in items:
        k = key(item)
        if k in seen:
            raise DataFileError(f"{path}: id '{k}' appears twice")
        seen.add(k)
    return items


def load_principles(path: Path = DATA_DIR / "principles.yaml") -> list[Principle]:
    principles = []
    for e in _entries(path, read_yaml(path), "principle"):
        principles.append(
            Principle(
                id=e.text("id"),
                name=e.text("name"),
                name_zh=e.text("name_zh"),
                summary=e.text("summary"),
                angle=e.text("angle"),
                shows=e.texts("shows", min_items=3),
                fails=e.texts("fails", min_items=3),
                telltale_words=e.texts("telltale_words", min_items=5),
                probes=e.texts("probes", min_items=2),
            )
        )
    ids = tuple(p.id for p in principles)
    if ids != PRINCIPLE_IDS:
        raise DataFileError(
            f"{path}: principles must be exactly the 16 ids of DESIGN §1 in order; got {list(ids)}"
        )
    return principles


def load_taxonomy(
    path: Path = DATA_DIR / "taxonomy.yaml",
) -> tuple[list[Category], list[Topic], list[Company], list[Level]]:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise DataFileError(
            f"{path}: expected a mapping with categories, topics, companies, levels"
        )
    categories = [
        Category(e.text("id"), e.text("name"), e.ids("principles", PRINCIPLE_IDS, min_items=1))
        for e in _entries(path, raw.get("categories"), "category")
    ]
    topics = [
        Topic(
            id=e.text("id"),
            name=e.text("name"),
            principles=e.ids("principles", PRINCIPLE_IDS, min_items=1),
            angles=e.ids("angles", PRINCIPLE_IDS),
            clarify=e.texts("clarify", min_items=1),
        )
        for e in _entries(path, raw.get("topics"), "topic")
    ]
    companies = [
        Company(
            e.text("id"),
            e.text("name"),
            e.text("looks_for"),
            e.ids("principles", PRINCIPLE_IDS, min_items=1),
        )
        for e in _entries(path, raw.get("companies"), "company")
    ]
    levels = []
    for e in _entries(path, raw.get("levels"), "level"):
        expects = e.raw.get("expects", {})
        if not isinstance(expects, dict) or not all(isinstance(v, int) for v in expects.values()):
            raise e.fail("'expects' must map names to integers")
        rank = e.raw.get("rank")
        if not isinstance(rank, int):
            raise e.fail("'rank' must be an integer")
        levels.append(
            Level(e.text("id"), e.text("name"), e.texts("aliases"), rank, e.text("scope"), expects)
        )
    if tuple(level.id for level in levels) != LEVEL_IDS:
        raise DataFileError(f"{path}: levels must be {list(LEVEL_IDS)} in order")
    for items in (categories, topics, companies):
        _unique(path, items, lambda item: item.id)  # type: ignore[attr-defined]
    return categories, topics, companies, levels


def load_questions(
    category_ids: Iterable[str],
    topic_ids: Iterable[str],
    company_ids: Iterable[str],
    directory: Path = QUESTIONS_DIR,
) -> list[Question]:
    category_ids, topic_ids, company_ids = set(category_ids), set(topic_ids), set(company_ids)
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise DataFileError(f"{directory}: no question files found")
    questions: list[Question] = []
    for path in files:
        if path.stem not in PRINCIPLE_IDS:
            raise DataFileError(f"{path}: question files are named after a principle id")
        for e in _entries(path, read_yaml(path), "question"):
            level = e.text("level", optional=True) or None
            if level is not None and level not in LEVEL_IDS:
                raise e.fail(f"'level' must be one of {', '.join(LEVEL_IDS)}")
            question = Question(
                id=e.text("id"),
                text=e.text("text"),
                principles=e.ids("principles", PRINCIPLE_IDS, min_items=1, max_items=2),
                categories=e.ids("categories", category_ids),
                topics=e.ids("topics", topic_ids),
                companies=e.ids("companies", company_ids, min_items=1),
                follow_ups=e.texts("follow_ups", min_items=1, max_items=3),
                level=level,
            )
            if question.primary != path.stem:
                raise e.fail(f"primary principle '{question.primary}' does not match the file name")
            if not question.categories and not question.topics:
                raise e.fail("needs at least one category or topic")
            questions.append(question)
    _unique(directory, questions, lambda q: q.id)
    return questions


def data_fingerprint(directory: Path = DATA_DIR) -> str:
    """sha256 over every data file, so caches built from the bank know when it changed."""
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.yaml")):
        digest.update(str(path.relative_to(directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
