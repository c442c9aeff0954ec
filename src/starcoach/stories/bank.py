"""The story bank: stories saved with their critique and vectors, and questions asked of them.

Both shells (the CLI now, the web app later) call this one service, so neither holds logic
the other needs. It holds no SQL and prints nothing: the store it is given keeps the
stories (``storage.StoryStore``), the critic analyses them, and the matching core answers
"which story for this question?".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starcoach.errors import InputError
from starcoach.stories.model import MAX_SECTION_CHARS, MAX_TITLE_CHARS, SECTIONS, Story

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.matching.coverage import CoverageReport
    from starcoach.matching.plan import LoopPlan
    from starcoach.matching.stories import MatchResult, StoryIndex
    from starcoach.storage import StoredVectors, StoryStore
    from starcoach.stories.notes import NoteProblem


@dataclass
class ImportOutcome:
    """What an import saved (or, on a dry run, would save) and what it left out."""

    stories: list[Story] = field(default_factory=list)
    """New stories: saved ones carry their id."""
    duplicates: list[Story] = field(default_factory=list)
    """Stories already in the bank, or repeated across the files: not saved again."""
    questions: list[str] = field(default_factory=list)
    """Questions found in the notes without an answer."""
    problems: list[tuple[str, NoteProblem]] = field(default_factory=list)
    """(file name, problem) for the parts that could not be read."""
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        """DESIGN §5's import JSON, plus what was skipped and why."""
        return {
            "stories": [_import_entry(story) for story in self.stories],
            "questions": self.questions,
            "duplicates": [_import_entry(story) for story in self.duplicates],
            "problems": [
                {"file": source, "line": problem.line, "message": problem.message}
                for source, problem in self.problems
            ],
            "dry_run": self.dry_run,
        }


def _import_entry(story: Story) -> dict[str, Any]:
    data = story.to_dict()
    return {
        "id": story.id,
        "title": data["title"],
        "question": data["question"],
        "sections": data["sections"],
        "principles": data["principles"],
        "score": story.score,
    }


def validate_story(story: Story, knowledge: KnowledgeBase) -> Story:
    """Refuse a story that cannot be saved, with a message that says what to change."""
    title = " ".join(story.title.split())
    if not title:
        raise InputError("A story needs a title.")
    if len(title) > MAX_TITLE_CHARS:
        raise InputError(f"The title is {len(title)} characters; keep it under {MAX_TITLE_CHARS}.")
    unknown_sections = set(story.sections) - set(SECTIONS)
    if unknown_sections:
        raise InputError(
            f"Unknown story section(s): {', '.join(sorted(unknown_sections))}; "
            f"use {', '.join(SECTIONS)}."
        )
    for name in SECTIONS:
        if len(story.section(name)) > MAX_SECTION_CHARS:
            raise InputError(
                f"The {name} is {len(story.section(name)):,} characters; "
                f"the limit is {MAX_SECTION_CHARS:,}."
            )
    if not story.answer_text().strip():
        raise InputError(f"The story {title!r} has no text in any STAR section.")
    known = {p.id for p in knowledge.principles}
    unknown = [p for p in story.principles if p not in known]
    if unknown:
        raise InputError(
            f"Unknown principle id(s): {', '.join(unknown)}; `starcoach principles` lists them."
        )
    tags = tuple(dict.fromkeys(t.strip() for t in story.tags if t.strip()))
    return story.with_changes(
        title=title, tags=tags, principles=tuple(dict.fromkeys(story.principles))
    )


class StoryBank:
    """The user's stories: save, edit, import, and match them to questions."""

    def __init__(self, store: StoryStore, critic: Critic | None = None) -> None:
        self.store = store
        self._critic = critic
        self._index: StoryIndex | None = None

    @property
    def critic(self) -> Critic:
        """Loaded on first use: listing or deleting stories needs no model."""
        if self._critic is None:
            from starcoach.analysis.critique import Critic

            self._critic = Critic()
        return self._critic

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.critic.knowledge

    # -- analysis -----------------------------------------------------------------
    def analyse(self, story: Story) -> tuple[Story, StoredVectors]:
        """The story with its critique and suggested principles, and its sentence vectors."""
        return self.analyse_many([story])[0]

    def analyse_many(self, stories: Sequence[Story]) -> list[tuple[Story, StoredVectors]]:
        """Critique many stories with one embedding pass (imports bring dozens)."""
        from starcoach.analysis.critique import CritiqueRequest
        from starcoach.matching.stories import written_for_vectors
        from starcoach.storage import StoredVectors

        requests = [CritiqueRequest(s.answer_text(), s.question) for s in stories]
        results = self.critic.critique_many(requests)
        questions = written_for_vectors([s.question for s in stories], self.critic.embedder)
        analysed = []
        for story, result, question in zip(stories, results, questions, strict=True):
            if isinstance(result, Exception):
                raise InputError(f"Story {story.title!r}: {result}")
            critique = result.to_dict()
            suggested = tuple(p.id for p in result.fit.shown) if result.fit else ()
            vectors = StoredVectors(self.critic.embedder.fingerprint, result.vectors, question)
            analysed.append(
                (story.with_changes(critique=critique, suggested_principles=suggested), vectors)
            )
        return analysed

    # -- writing ------------------------------------------------------------------
    def add(self, story: Story) -> Story:
        story = validate_story(story, self.knowledge)
        analysed, vectors = self.analyse(story)
        self._index = None
        return self.store.add(analysed, vectors)

    def edit(self, story: Story) -> Story:
        """Save a new version; the critique is redone when the text or question changed."""
        if story.id is None:
            raise InputError("Only a saved story can be edited.")
        current = self.store.get(story.id)
        story = validate_story(story, self.knowledge)
        if _same_text(current, story) and current.critique is not None:
            saved = self.store.update(
                story.with_changes(
                    critique=current.critique, suggested_principles=current.suggested_principles
                )
            )
        else:
            analysed, vectors = self.analyse(story)
            saved = self.store.update(analysed, vectors)
        self._index = None
        return saved

    def delete(self, story_id: int) -> Story:
        self._index = None
        return self.store.delete(story_id)

    def restore(self, story_id: int) -> Story:
        self._index = None
        return self.store.restore(story_id)

    def import_stories(
        self,
        parsed: Iterable[tuple[str, Any]],
        *,
        dry_run: bool = False,
    ) -> ImportOutcome:
        """Save the stories of parsed note files (``(name, NotesImport)`` pairs).

        A story whose content is already in the bank, or repeated in the files, is listed
        as a duplicate and not saved: importing the same notes twice adds nothing. All new
        stories are saved in one go after every one of them was analysed, so a failure
        leaves the bank as it was.
        """
        outcome = ImportOutcome(dry_run=dry_run)
        seen: set[str] = set()
        fresh: list[Story] = []
        for source, notes in parsed:
            outcome.questions.extend(notes.questions)
            outcome.problems.extend((source, problem) for problem in notes.problems)
            for story in notes.stories:
                fingerprint = story.fingerprint()
                existing = self.store.find_by_fingerprint(fingerprint)
                if fingerprint in seen or existing is not None:
                    outcome.duplicates.append(existing or story)
                    continue
                seen.add(fingerprint)
                try:
                    fresh.append(validate_story(story, self.knowledge))
                except InputError as exc:
                    from starcoach.stories.notes import NoteProblem

                    outcome.problems.append((source, NoteProblem(0, str(exc))))
        if not fresh:
            return outcome
        analysed = self.analyse_many(fresh)
        if dry_run:
            outcome.stories = [story for story, _ in analysed]
            return outcome
        outcome.stories = self.store.add_many(analysed)
        self._index = None
        return outcome

    # -- questions asked of the bank ----------------------------------------------
    def index(self) -> StoryIndex:
        """The matching index over the live stories, from stored vectors.

        A story saved before the model changed (or without vectors) is analysed again and
        its vectors stored, so the next index needs no encoding at all.
        """
        if self._index is not None:
            return self._index
        from starcoach.matching.stories import IndexedStory, StoryIndex

        stories = self.store.list()
        model = self.critic.embedder.fingerprint
        stored = self.store.vectors(model)
        missing = [s for s in stories if s.id not in stored]
        fresh: dict[int, Story] = {}
        for story, vectors in self.analyse_many(missing) if missing else ():
            assert story.id is not None
            self.store.save_vectors(story.id, vectors)
            stored[story.id] = vectors
            fresh[story.id] = story  # its sentences line up with the new vectors
        self._store_question_vectors(stories, stored)
        stories = [fresh.get(s.id or 0, s) for s in stories]
        items = [
            IndexedStory(s, stored[s.id].vectors, stored[s.id].question)
            for s in stories
            if s.id in stored
        ]
        self._index = StoryIndex.build(items, self.critic.understanding)
        return self._index

    def _store_question_vectors(
        self, stories: Sequence[Story], stored: dict[int, StoredVectors]
    ) -> None:
        """Vectors saved before the question's vector was kept (or by an older model) get it
        now, once, so later indexes embed nothing."""
        from starcoach.matching.stories import written_for_vectors
        from starcoach.storage import StoredVectors

        lacking = [
            s for s in stories if s.id in stored and stored[s.id].question is None and s.question
        ]
        if not lacking:
            return
        vectors = written_for_vectors([s.question for s in lacking], self.critic.embedder)
        for story, question in zip(lacking, vectors, strict=True):
            if question is None:
                continue
            assert story.id is not None
            old = stored[story.id]
            stored[story.id] = StoredVectors(old.model_hash, old.vectors, question)
            self.store.save_vectors(story.id, stored[story.id])

    def match(self, question: str, limit: int = 5) -> MatchResult:
        return self.index().match(question, limit=limit)

    def coverage(self, company: str | None = None, level: str | None = None) -> CoverageReport:
        from starcoach.matching.coverage import coverage

        return coverage(self.index(), self.knowledge, company=company, level=level)

    def plan(
        self, company: str = "amazon", interviewers: int = 4, level: str | None = None
    ) -> LoopPlan:
        from starcoach.matching.plan import plan_loop

        return plan_loop(
            self.index(), self.knowledge, company=company, interviewers=interviewers, level=level
        )


def _same_text(before: Story, after: Story) -> bool:
    return before.answer_text() == after.answer_text() and before.question == after.question
