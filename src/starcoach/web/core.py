"""The web app's handle on the core: one store, story bank, critic and follow-up engine.

Routes call these objects (the same :class:`~starcoach.stories.bank.StoryBank`,
:class:`~starcoach.analysis.critique.Critic`, :mod:`starcoach.practice` and
:mod:`starcoach.matching` code the CLI calls) and only turn the results into JSON or
HTML. The models load on first use, so the app starts at once and pages that need no
model (the story list, history) never wait for one. Drills and mock interviews in
progress are kept in memory, each tied to the browser that started it.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from starcoach.errors import InputError, StarcoachError

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.matching.understanding import QuestionUnderstanding
    from starcoach.practice.drill import Drill
    from starcoach.practice.followups import FollowUp, FollowUpEngine
    from starcoach.practice.mock import MockQuestion, MockReport, MockSession
    from starcoach.storage import StoryStore
    from starcoach.stories.bank import StoryBank
    from starcoach.stories.model import Story

T = TypeVar("T")
MAX_LIVE_SESSIONS = 32
"""Drills or mocks kept in memory at once; the oldest is dropped beyond this."""
SESSION_TTL_SECONDS = 12 * 3600


class NotFound(StarcoachError):
    """What the URL names does not exist (HTTP 404)."""


class SessionRegistry(Generic[T]):
    """Live practice sessions by random id, each owned by one browser session."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: OrderedDict[str, tuple[str, float, T]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, owner: str, item: T) -> str:
        key = secrets.token_urlsafe(12)
        with self._lock:
            self._expire()
            self._items[key] = (owner, time.monotonic(), item)
            while len(self._items) > MAX_LIVE_SESSIONS:
                self._items.popitem(last=False)
        return key

    def get(self, owner: str, key: str) -> T:
        with self._lock:
            self._expire()
            found = self._items.get(key)
        if found is None or not secrets.compare_digest(found[0], owner):
            raise NotFound(
                f"This {self.what} is over or was started in another browser "
                "(sessions in progress are kept until starcoach stops). Start a new one."
            )
        return found[2]

    def _expire(self) -> None:
        cutoff = time.monotonic() - SESSION_TTL_SECONDS
        for key in [k for k, (_, born, _) in self._items.items() if born < cutoff]:
            del self._items[key]


@dataclass
class WebDrill:
    drill: Drill
    saved_id: int | None = None


@dataclass
class WebMock:
    """A mock interview in progress and what the page shows now."""

    session: MockSession
    prompt: str = ""
    kind: str = "question"
    """``question`` or ``follow-up``: what ``prompt`` is."""
    item: MockQuestion | None = None
    follow_up: FollowUp | None = None
    report: MockReport | None = None
    saved_id: int | None = None
    follow_ups_asked: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)


class WebCore:
    """Everything the routes need, created lazily and shared by every request."""

    def __init__(self, store_url: str | None = None) -> None:
        self.store_url = store_url
        self.lock = threading.RLock()
        """Serialises calls into the bank (its matching index is a cache, not thread-safe)."""
        self._store: StoryStore | None = None
        self._bank: StoryBank | None = None
        self._engine: FollowUpEngine | None = None
        self.drills: SessionRegistry[WebDrill] = SessionRegistry("drill")
        self.mocks: SessionRegistry[WebMock] = SessionRegistry("mock interview")

    @property
    def store(self) -> StoryStore:
        with self.lock:
            if self._store is None:
                from starcoach.storage import open_store

                self._store = open_store(self.store_url)
            return self._store

    @property
    def bank(self) -> StoryBank:
        with self.lock:
            if self._bank is None:
                from starcoach.stories.bank import StoryBank

                self._bank = StoryBank(self.store)
            return self._bank

    @property
    def critic(self) -> Critic:
        with self.lock:
            return self.bank.critic

    @property
    def knowledge(self) -> KnowledgeBase:
        from starcoach.knowledge import load_knowledge

        return load_knowledge()

    @property
    def understanding(self) -> QuestionUnderstanding:
        return self.critic.understanding

    @property
    def engine(self) -> FollowUpEngine:
        with self.lock:
            if self._engine is None:
                from starcoach.practice.followups import FollowUpEngine
                from starcoach.practice.llm import provider_from_env

                self._engine = FollowUpEngine(self.knowledge, provider_from_env())
            return self._engine

    def close(self) -> None:
        with self.lock:
            if self._store is not None:
                self._store.close()
            self._store = None
            self._bank = None

    # -- stories ---------------------------------------------------------------------
    def story(self, story_id: int, *, include_deleted: bool = False) -> Story:
        """A story, or :class:`NotFound` (the store's message) when the id names none."""
        try:
            return self.store.get(story_id, include_deleted=include_deleted)
        except InputError as exc:
            raise NotFound(str(exc)) from None

    def check_exists(self, story_id: int) -> None:
        self.story(story_id, include_deleted=True)


def story_json(story: Story, *, critique: bool = True) -> dict[str, object]:
    """The JSON of ``starcoach story show --json``."""
    return story.to_dict(with_critique=critique)


def split_list(text: str | None) -> tuple[str, ...]:
    """Comma- or newline-separated values, trimmed, without repeats."""
    if not text:
        return ()
    parts = (p.strip() for chunk in text.splitlines() for p in chunk.split(","))
    return tuple(dict.fromkeys(p for p in parts if p))


def optional(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None
