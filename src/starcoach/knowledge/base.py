"""The knowledge base: principles, taxonomy and question bank behind one lookup object."""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache, cached_property
from typing import Any, TypeVar

from starcoach.cache import cache_key, load_or_build_json
from starcoach.errors import InputError
from starcoach.knowledge.loader import (
    data_fingerprint,
    load_principles,
    load_questions,
    load_taxonomy,
)
from starcoach.knowledge.models import (
    Category,
    Company,
    Level,
    Principle,
    Question,
    Topic,
)

T = TypeVar("T")


def _unknown(kind: str, value: str, known: Iterable[str]) -> InputError:
    known = list(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else f" Known: {', '.join(known)}."
    return InputError(f"Unknown {kind} '{value}'.{hint}")


@dataclass(frozen=True)
class KnowledgeBase:
    principles: tuple[Principle, ...]
    categories: tuple[Category, ...]
    topics: tuple[Topic, ...]
    companies: tuple[Company, ...]
    levels: tuple[Level, ...]
    questions: tuple[Question, ...]

    @cached_property
    def fingerprint(self) -> str:
        return data_fingerprint()

    def principle(self, principle_id: str) -> Principle:
        """Look a principle up by id (or by its English name, case-insensitively)."""
        wanted = principle_id.strip().lower()
        for p in self.principles:
            if wanted in (p.id, p.name.lower()):
                return p
        raise _unknown("principle", principle_id, (p.id for p in self.principles))

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id.strip().lower():
                return c
        raise _unknown("category", category_id, (c.id for c in self.categories))

    def topic(self, topic_id: str) -> Topic:
        for t in self.topics:
            if t.id == topic_id.strip().lower():
                return t
        raise _unknown("topic", topic_id, (t.id for t in self.topics))

    def company(self, company_id: str) -> Company:
        for c in self.companies:
            if company_id.strip().lower() in (c.id, c.name.lower()):
                return c
        raise _unknown("company", company_id, (c.id for c in self.companies))

    def level(self, name: str) -> Level:
        """Resolve a level id or alias (``senior``, ``L6``, ``e5``)."""
        wanted = name.strip().lower()
        for level in self.levels:
            if wanted == level.id or wanted in (a.lower() for a in level.aliases):
                return level
        names = [level.id for level in self.levels] + [a for lv in self.levels for a in lv.aliases]
        raise _unknown("level", name, names)

    def questions_for(
        self,
        *,
        principle: str | None = None,
        company: str | None = None,
        category: str | None = None,
        topic: str | None = None,
        level: str | None = None,
        primary_only: bool = False,
    ) -> list[Question]:
        """Filter the bank; every filter value is validated so typos fail loudly."""
        selected = list(self.questions)
        if principle:
            pid = self.principle(principle).id
            selected = [
                q for q in selected if (q.primary == pid if primary_only else pid in q.principles)
            ]
        if company:
            cid = self.company(company).id
            selected = [q for q in selected if cid in q.companies]
        if category:
            cat = self.category(category).id
            selected = [q for q in selected if cat in q.categories]
        if topic:
            tid = self.topic(topic).id
            selected = [q for q in selected if tid in q.topics]
        if level:
            wanted = self.level(level)
            # Questions without a level hint suit every level.
            selected = [q for q in selected if q.level in (None, wanted.id)]
        return selected

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise InputError(f"Unknown question id '{question_id}'.")

    def sample(self, questions: list[Question], n: int, seed: int | None = None) -> list[Question]:
        if n < 1:
            raise InputError("--random needs a positive count.")
        return random.Random(seed).sample(questions, min(n, len(questions)))


KNOWLEDGE_CACHE_VERSION = "1"


@cache
def load_knowledge() -> KnowledgeBase:
    """Load and validate every data file once per process.

    Parsing and validating ~1,000 questions of YAML costs ~0.12 s, a tenth of the budget
    of a cold ``starcoach classify``; the validated result is cached as JSON keyed by the
    files' hash, so only an edit of the data pays for parsing again.
    """
    key = cache_key(data_fingerprint(), KNOWLEDGE_CACHE_VERSION)
    raw = load_or_build_json("knowledge", key, lambda: asdict(_parse_knowledge()))
    try:
        return _from_json(raw)
    except (KeyError, TypeError):  # a cache written by other code: parse the files
        return _parse_knowledge()


def _parse_knowledge() -> KnowledgeBase:
    principles = load_principles()
    categories, topics, companies, levels = load_taxonomy()
    questions = load_questions(
        (c.id for c in categories), (t.id for t in topics), (c.id for c in companies)
    )
    return KnowledgeBase(
        tuple(principles),
        tuple(categories),
        tuple(topics),
        tuple(companies),
        tuple(levels),
        tuple(questions),
    )


def _from_json(raw: dict[str, list[dict[str, Any]]]) -> KnowledgeBase:
    def build(record_type: type[T], items: list[dict[str, Any]]) -> tuple[T, ...]:
        return tuple(
            record_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()})
            for item in items
        )

    return KnowledgeBase(
        principles=build(Principle, raw["principles"]),
        categories=build(Category, raw["categories"]),
        topics=build(Topic, raw["topics"]),
        companies=build(Company, raw["companies"]),
        levels=build(Level, raw["levels"]),
        questions=build(Question, raw["questions"]),
    )
