"""The JSON API: the CLI's operations over HTTP, with the CLI's ``--json`` shapes.

``classify`` ↔ ``GET /api/classify``, ``critique`` ↔ ``POST /api/critique``, ``story …``
↔ ``/api/stories``, ``import`` ↔ ``POST /api/import``, ``export`` ↔ ``GET /api/export``,
``match`` / ``coverage`` / ``plan`` ↔ the GETs of the same names, ``questions`` and
``history`` / ``progress`` likewise, ``review --list --json`` ↔ ``GET /api/review``,
``drill --answer-file`` / ``mock --answers`` ↔ ``POST /api/drill`` / ``POST /api/mock``,
and ``drill --audio`` ↔ ``POST /api/transcribe`` (then ``POST /api/drill``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from starcoach.errors import InputError
from starcoach.matching.plan import MAX_INTERVIEWERS
from starcoach.web.core import SpokenAnswer, optional, story_json
from starcoach.web.deps import core_of, csrf_token, require_csrf
from starcoach.web.security import MAX_AUDIO_BYTES, MAX_UPLOAD_BYTES

router = APIRouter(prefix="/api", tags=["api"], dependencies=[Depends(require_csrf)])
EXPORT_FORMATS = ("markdown", "json", "anki")
MAX_IMPORT_FILES = 20


class CritiqueIn(BaseModel):
    answer: str = Field(description="The answer to critique (English, up to 30,000 characters).")
    question: str | None = Field(None, description="The question answered.")
    level: str | None = Field(None, description="Target level: junior…principal, L4–L7, E3–E7.")


class StoryIn(BaseModel):
    """A story as ``story show --json`` prints it; ``principles`` are the confirmed ones."""

    title: str | None = None
    question: str | None = None
    sections: dict[str, str] = Field(
        default_factory=dict, description="situation, task, action, result, reflection."
    )
    principles: list[str] = Field(default_factory=list)
    company: str | None = None
    role: str | None = None
    started: str | None = None
    ended: str | None = None
    tags: list[str] = Field(default_factory=list)
    notes: str = ""
    version: int = Field(0, description="On edit: the version edited (0 skips the check).")


class DrillIn(BaseModel):
    answer: str
    seconds: float | None = None
    follow_ups: list[str] = Field(default_factory=list, description="Answers to the follow-ups.")
    principle: str | None = None
    company: str | None = None
    level: str | None = None
    question_id: str | None = Field(None, description="A bank question id instead of a pick.")
    seed: int | None = None


class MockIn(BaseModel):
    answers: list[dict[str, Any]] = Field(
        description='One {"answer", "seconds"?, "follow_ups"?: [answers]} per question.'
    )
    company: str = "amazon"
    minutes: int = 60
    level: str | None = None
    seed: int | None = None


@router.get("/csrf", summary="A CSRF token for this client (sets the session cookie)")
def get_csrf(request: Request) -> dict[str, str]:
    return {"token": csrf_token(request), "header": "X-CSRF-Token"}


@router.get("/classify", summary="What a question probes (starcoach classify --json)")
def classify(request: Request, question: Annotated[str, Query(max_length=2000)]) -> Any:
    return core_of(request).understanding.analyse(question).to_dict()


@router.post("/critique", summary="Critique an answer (starcoach critique --json)")
def critique(request: Request, body: CritiqueIn) -> Any:
    if not body.answer.strip():
        raise InputError("The answer is empty.")
    return core_of(request).critic.critique(body.answer, body.question, body.level).to_dict()


# -- stories ---------------------------------------------------------------------------


@router.get("/stories", summary="List stories (story list --json)")
def list_stories(request: Request, trash: bool = False) -> Any:
    stories = core_of(request).store.list(deleted=trash)
    return {"stories": [story_json(s, critique=False) for s in stories]}


@router.get("/stories/{story_id}", summary="One story with its critique (story show --json)")
def get_story(request: Request, story_id: int) -> Any:
    return story_json(core_of(request).story(story_id, include_deleted=True))


@router.post("/stories", status_code=201, summary="Add a story (story add --json)")
def add_story(request: Request, body: StoryIn) -> Any:
    from starcoach.stories.model import Story

    core = core_of(request)
    story = Story(
        title=body.title or "",
        question=optional(body.question),
        sections=dict(body.sections),
        principles=tuple(body.principles),
        company=optional(body.company),
        role=optional(body.role),
        started=optional(body.started),
        ended=optional(body.ended),
        tags=tuple(body.tags),
        notes=body.notes,
    )
    with core.lock:
        saved = core.bank.add(story)
    return story_json(saved)


@router.put("/stories/{story_id}", summary="Edit a story; fields left out are kept")
def edit_story(request: Request, story_id: int, body: StoryIn) -> Any:
    core = core_of(request)
    current = core.story(story_id)
    given = body.model_fields_set
    changes: dict[str, Any] = {}
    for name in ("title", "question", "company", "role", "started", "ended"):
        if name in given:
            value = getattr(body, name)
            changes[name] = (value or "") if name == "title" else optional(value)
    if "sections" in given:
        changes["sections"] = {**dict(current.sections), **body.sections}
    if "principles" in given:
        changes["principles"] = tuple(body.principles)
    if "tags" in given:
        changes["tags"] = tuple(body.tags)
    if "notes" in given:
        changes["notes"] = body.notes
    if "version" in given:
        changes["version"] = body.version
    with core.lock:
        saved = core.bank.edit(current.with_changes(**changes))
    return story_json(saved)


@router.delete("/stories/{story_id}", summary="Move a story to the trash (story rm --json)")
def delete_story(request: Request, story_id: int) -> Any:
    core = core_of(request)
    core.check_exists(story_id)
    with core.lock:
        story = core.bank.delete(story_id)
    return {"id": story.id, "title": story.title, "deleted": True}


@router.post("/stories/{story_id}/restore", summary="Bring a story back from the trash")
def restore_story(request: Request, story_id: int) -> Any:
    core = core_of(request)
    core.check_exists(story_id)
    with core.lock:
        story = core.bank.restore(story_id)
    return story_json(story, critique=False)


@router.get("/stories/{story_id}/history", summary="Every version of a story (story history)")
def story_history(request: Request, story_id: int) -> Any:
    core = core_of(request)
    core.check_exists(story_id)
    versions = core.store.history(story_id)
    return {
        "id": story_id,
        "versions": [
            {
                "version": v.version,
                "saved_at": v.saved_at.isoformat(),
                "story": story_json(v.story, critique=False),
            }
            for v in versions
        ],
    }


# -- the bank ----------------------------------------------------------------------------


async def read_uploads(files: list[UploadFile]) -> list[tuple[str, str]]:
    """(name, text) of uploaded note files, with the CLI's size and encoding checks."""
    from starcoach.nlp.text import decode_input

    if not files:
        raise InputError("Choose at least one notes file to import.")
    if len(files) > MAX_IMPORT_FILES:
        raise InputError(f"Import at most {MAX_IMPORT_FILES} files at once.")
    texts = []
    for upload in files:
        name = upload.filename or "upload"
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise InputError(f"{name} is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        if not data.strip():
            raise InputError(f"{name} is empty.")
        texts.append((name, decode_input(data, f"notes in {name}")))
    return texts


def import_texts(request: Request, texts: list[tuple[str, str]], dry_run: bool) -> Any:
    from starcoach.stories.notes import parse_notes

    core = core_of(request)
    with core.lock:
        parsed = [(name, parse_notes(text)) for name, text in texts]
        return core.bank.import_stories(parsed, dry_run=dry_run)


@router.post("/import", summary="Import note files (starcoach import --json)")
async def import_notes(
    request: Request,
    files: Annotated[list[UploadFile], File(description="Markdown or text note files.")],
    dry_run: Annotated[bool, Form()] = False,
) -> Any:
    from starlette.concurrency import run_in_threadpool

    texts = await read_uploads(files)
    outcome = await run_in_threadpool(import_texts, request, texts, dry_run)
    return outcome.to_dict()


@router.post("/samples", summary="Import the sample stories that ship with starcoach")
async def import_samples(request: Request) -> Any:
    from starlette.concurrency import run_in_threadpool

    from starcoach.samples import sample_notes

    outcome = await run_in_threadpool(import_texts, request, sample_notes(), False)
    return outcome.to_dict()


@router.get("/export", summary="Download the stories (starcoach export)")
def export(
    request: Request, export_format: Annotated[str, Query(alias="format")] = "markdown"
) -> Response:
    return export_response(request, export_format)


def export_response(request: Request, export_format: str) -> Response:
    from starcoach.stories import export as exporter

    if export_format not in EXPORT_FORMATS:
        raise InputError(f"Unknown format {export_format!r}; use {', '.join(EXPORT_FORMATS)}.")
    stories = core_of(request).store.list()
    if export_format == "json":
        body = exporter.stories_to_json(stories).encode()
        media, name = "application/json", "starcoach-stories.json"
    elif export_format == "markdown":
        body = exporter.stories_to_markdown(stories).encode()
        media, name = "text/markdown; charset=utf-8", "starcoach-stories.md"
    else:
        import io

        buffer = io.BytesIO()
        exporter.anki_package(stories).write_to_file(buffer)
        body = buffer.getvalue()
        media, name = "application/octet-stream", "starcoach-stories.apkg"
    return Response(
        body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@router.get("/match", summary="Your best stories for a question (starcoach match --json)")
def match(
    request: Request,
    question: Annotated[str, Query(max_length=2000)],
    limit: Annotated[int, Query(ge=1, le=50)] = 5,
) -> Any:
    return match_result(request, question, limit)


def match_result(request: Request, question: str, limit: int = 5) -> dict[str, Any]:
    from starcoach.nlp.text import clean_question

    core = core_of(request)
    text = clean_question(question)
    with core.lock:
        if not core.store.list():
            raise InputError("Your story bank is empty: add stories first.")
        return core.bank.match(text, limit=limit).to_dict()  # type: ignore[no-any-return]


@router.get("/coverage", summary="Stories × principles, gaps, readiness (coverage --json)")
def coverage(request: Request, company: str | None = None, level: str | None = None) -> Any:
    core = core_of(request)
    with core.lock:
        return core.bank.coverage(company=optional(company), level=optional(level)).to_dict()


@router.get("/plan", summary="A loop plan (starcoach plan --json)")
def plan(
    request: Request,
    company: str = "amazon",
    interviewers: Annotated[int, Query(ge=1, le=MAX_INTERVIEWERS)] = 4,
    level: str | None = None,
) -> Any:
    core = core_of(request)
    with core.lock:
        return core.bank.plan(
            company=company, interviewers=interviewers, level=optional(level)
        ).to_dict()


@router.get("/questions", summary="Filter the question bank (starcoach questions --json)")
def questions(
    request: Request,
    principle: str | None = None,
    company: str | None = None,
    category: str | None = None,
    topic: str | None = None,
    level: str | None = None,
    primary: bool = False,
) -> Any:
    found = core_of(request).knowledge.questions_for(
        principle=optional(principle),
        company=optional(company),
        category=optional(category),
        topic=optional(topic),
        level=optional(level),
        primary_only=primary,
    )
    return {"count": len(found), "questions": [question_json(q) for q in found]}


def question_json(question: Any) -> dict[str, Any]:
    return {
        "id": question.id,
        "text": question.text,
        "principles": list(question.principles),
        "categories": list(question.categories),
        "topics": list(question.topics),
        "companies": list(question.companies),
        "level": question.level,
        "follow_ups": list(question.follow_ups),
    }


# -- practice ----------------------------------------------------------------------------


@router.post("/drill", summary="A drill from a prepared answer (drill --answer-file --json)")
def drill(request: Request, body: DrillIn) -> Any:
    from starcoach.practice.drill import Drill, pick_question

    core = core_of(request)
    knowledge = core.knowledge
    if body.question_id:
        question = knowledge.question(body.question_id)
    else:
        question = pick_question(
            knowledge, body.principle, body.company, body.level, seed=body.seed
        )
    run = Drill(question, core.critic, core.engine, level=body.level, company=body.company)
    result = run.answer(body.answer, body.seconds)
    for index, text in enumerate(body.follow_ups[: len(result.follow_ups)]):
        run.answer_follow_up(index, text)
    result = run.finish()
    session_id = core.store.practice.save_drill(result)
    return {**result.to_dict(), "session_id": session_id}


@router.post("/mock", summary="A mock interview from prepared answers (mock --answers --json)")
def mock(request: Request, body: MockIn) -> Any:
    import json

    from starcoach.practice.mock import (
        ManualClock,
        MockSession,
        mock_report,
        parse_scripted_answers,
        plan_mock,
        run_scripted,
    )

    core = core_of(request)
    lines = "\n".join(json.dumps(a) for a in body.answers)
    scripted = parse_scripted_answers(lines, "the answers")
    planned = plan_mock(core.knowledge, body.company, body.minutes, body.level, body.seed)
    clock = ManualClock()
    session = MockSession(
        planned,
        core.critic,
        core.engine,
        company=body.company,
        minutes=body.minutes,
        level=body.level,
        clock=clock,
    )
    run_scripted(session, scripted, clock)
    report = mock_report(session)
    session_id = core.store.practice.save_mock(session, report)
    return {**report.to_dict(), "session_id": session_id}


@router.get("/review", summary="Due reviews, weakest principles first (review --list --json)")
def review(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many drills.")] = 5,
    on: Annotated[
        str | None, Query(description="Plan for this day (YYYY-MM-DD) instead of today.")
    ] = None,
    new: Annotated[
        bool, Query(description="Fill up with questions for principles never practised.")
    ] = True,
) -> Any:
    from datetime import date

    day = None
    if on:
        try:
            day = date.fromisoformat(on.strip())
        except ValueError:
            raise InputError(f"on takes a date like 2026-06-30, not {on!r}.") from None
    core = core_of(request)
    return core.review_plan(limit, day, include_new=new).to_dict(core.knowledge)


@router.post(
    "/transcribe",
    summary="Transcribe a recorded answer offline (drill --audio; needs starcoach[voice])",
)
async def transcribe(
    request: Request,
    audio: Annotated[UploadFile, File(description="A recording: webm, ogg, wav, mp3, m4a…")],
) -> Any:
    spoken = await transcribe_upload(request, audio)
    return spoken.to_dict()


async def transcribe_upload(request: Request, audio: UploadFile) -> SpokenAnswer:
    """Read an uploaded recording (size-checked) and transcribe it off the event loop."""
    from starlette.concurrency import run_in_threadpool

    data = await audio.read(MAX_AUDIO_BYTES + 1)
    if len(data) > MAX_AUDIO_BYTES:
        raise InputError(
            f"The recording is larger than {MAX_AUDIO_BYTES // (1024 * 1024)} MB; "
            "record one answer at a time."
        )
    return await run_in_threadpool(core_of(request).transcribe, data, audio.content_type)


@router.get("/history", summary="Practice answers, newest first (starcoach history --json)")
def history(
    request: Request,
    principle: str | None = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> Any:
    from starcoach.practice.progress import history as history_of

    core = core_of(request)
    pid = core.knowledge.principle(principle).id if principle else None
    entries = history_of(core.store.practice.attempts(), pid, limit)
    return {"principle": pid, "count": len(entries), "attempts": entries}


@router.get("/progress", summary="Score trends (starcoach progress --json, without the PNG)")
def progress(request: Request, principle: str | None = None) -> Any:
    from starcoach.practice.progress import progress as progress_of

    core = core_of(request)
    pid = core.knowledge.principle(principle).id if principle else None
    return progress_of(core.store.practice.attempts(follow_ups=False), pid).to_dict()


@router.get("/sessions/{session_id}", summary="One saved practice session with its answers")
def session(request: Request, session_id: int) -> Any:
    return practice_session(request, session_id).to_dict()


def practice_session(request: Request, session_id: int) -> Any:
    from starcoach.web.core import NotFound

    try:
        return core_of(request).store.practice.session(session_id)
    except InputError as exc:
        raise NotFound(str(exc)) from None
