"""The HTML pages: dashboard, stories, import/export, loop plan, questions, practice,
review, history.

Each route reads its form, calls the core (through :class:`~starcoach.web.core.WebCore`
or the API helpers, which call the same functions as the CLI) and renders a template.
Forms post back with a CSRF token; after a change the browser is redirected (so a
reload never submits twice).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote_plus

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from starcoach.errors import InputError, StarcoachError
from starcoach.knowledge.base import KnowledgeBase
from starcoach.stories.model import SECTIONS
from starcoach.web.core import WebDrill, WebMock, optional, split_list, voice_unavailable
from starcoach.web.deps import core_of, csrf_token, require_csrf, session_of, wants_json

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_csrf)])
NAV = (
    ("/", "Dashboard"),
    ("/stories", "Stories"),
    ("/import", "Import"),
    ("/plan", "Loop plan"),
    ("/questions", "Questions"),
    ("/practice", "Practice"),
    ("/review", "Review"),
    ("/history", "History"),
)
SECTION_HELP = {
    "situation": "Where, when, who, and what was at stake.",
    "task": "Your own responsibility and its constraints.",
    "action": "The steps you personally took, and why (about half the story).",
    "result": "The measured outcome: numbers, money, time, users.",
    "reflection": "What you learned, or would do differently.",
}
QUESTION_PAGE = 50
MAX_REVIEW_DRILLS = 20
DASHBOARD_REVIEWS = 3
Text = Annotated[str, Form()]
Audio = Annotated[UploadFile, File(description="The recorded answer (webm, ogg, wav…).")]


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    return {
        "nav": NAV,
        "path": request.url.path,
        "csrf_token": csrf_token(request),
        "notice": request.query_params.get("notice"),
        **extra,
    }


def render(request: Request, name: str, status: int = 200, **extra: Any) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, name, page_context(request, **extra), status_code=status
    )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def choices(request: Request) -> dict[str, Any]:
    """The options of the filter menus: principles, companies, categories, topics, levels."""
    kb = core_of(request).knowledge
    return {
        "principles": kb.principles,
        "companies": kb.companies,
        "categories": kb.categories,
        "topics": kb.topics,
        "levels": kb.levels,
    }


# -- dashboard ---------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, company: str = "", level: str = "") -> Response:
    from starcoach.practice.progress import progress
    from starcoach.samples import sample_names

    core = core_of(request)
    stories = core.store.list()
    report = None
    if stories:
        with core.lock:
            report = core.bank.coverage(company=optional(company), level=optional(level)).to_dict()
    trends = progress(core.store.practice.attempts(follow_ups=False)).to_dict()
    review = core.review_plan(DASHBOARD_REVIEWS)
    return render(
        request,
        "dashboard.html",
        title="Dashboard",
        story_count=len(stories),
        report=report,
        trends=trends,
        chart=_chart_data(trends, core.knowledge),
        company=company,
        level=level,
        review=review,
        review_names=_principle_names(request),
        samples=sample_names(),
        **choices(request),
    )


def _principle_names(request: Request) -> dict[str, str]:
    return {p.id: p.name for p in core_of(request).knowledge.principles}


@router.post("/samples")
async def load_samples(request: Request) -> Response:
    """Import the sample notes that ship with starcoach (an empty bank's first step)."""
    from starcoach.samples import sample_notes
    from starcoach.web.api import import_texts

    outcome = await run_in_threadpool(import_texts, request, sample_notes(), False)
    saved = len(outcome.to_dict()["stories"])
    what = f"Loaded {saved} sample {'story' if saved == 1 else 'stories'}"
    if not saved:
        what = "The sample stories are in your bank already"
    return redirect(f"/?notice={quote_plus(what)}")


def _chart_data(trends: dict[str, Any], knowledge: KnowledgeBase) -> str | None:
    """The score-trend series for chart.js: every answer, then the five most-practised
    principles, labelled by name (ids mean nothing on a chart legend)."""
    overall = trends.get("overall")
    if not overall:
        return None
    names = {p.id: p.name for p in knowledge.principles}
    series = [{"label": "All answers", "points": overall["points"]}]
    for trend in trends.get("principles", [])[:5]:
        series.append({"label": names.get(trend["id"], trend["id"]), "points": trend["points"]})
    return json.dumps({"series": series}).replace("<", "\\u003c")


# -- stories -----------------------------------------------------------------------------


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, trash: bool = False) -> Response:
    stories = core_of(request).store.list(deleted=trash)
    return render(request, "stories.html", title="Stories", stories=stories, trash=trash)


@router.get("/stories/new", response_class=HTMLResponse)
def new_story(request: Request) -> Response:
    return _editor(request, None, {})


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def edit_page(request: Request, story_id: int) -> Response:
    story = core_of(request).story(story_id, include_deleted=True)
    return _editor(request, story, _form_of(story))


def _form_of(story: Any) -> dict[str, str]:
    return {
        "title": story.title,
        "question": story.question or "",
        **{name: story.section(name) for name in SECTIONS},
        "principles": ", ".join(story.principles),
        "tags": ", ".join(story.tags),
        "company": story.company or "",
        "role": story.role or "",
        "version": str(story.version),
    }


def _editor(
    request: Request,
    story: Any,
    form: dict[str, str],
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "story_edit.html",
        status=status,
        title=f"Edit: {story.title}" if story else "New story",
        story=story,
        form=form,
        error=error,
        sections=SECTIONS,
        section_help=SECTION_HELP,
        critique=story.critique if story else None,
        principles=core_of(request).knowledge.principles,
    )


async def _story_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _story_from_form(form: dict[str, str], current: Any = None) -> Any:
    from starcoach.stories.model import Story

    fields: dict[str, Any] = {
        "title": form.get("title", ""),
        "question": optional(form.get("question")),
        "sections": {n: form.get(n, "") for n in SECTIONS if form.get(n, "").strip()},
        "principles": split_list(form.get("principles")),
        "tags": split_list(form.get("tags")),
        "company": optional(form.get("company")),
        "role": optional(form.get("role")),
    }
    if current is None:
        return Story(**fields)
    version = form.get("version", "0")
    fields["version"] = int(version) if version.isdigit() else 0
    return current.with_changes(**fields)


@router.post("/stories", response_class=HTMLResponse)
async def create_story(request: Request) -> Response:
    core = core_of(request)
    form = await _story_form(request)

    def save() -> Any:
        with core.lock:
            return core.bank.add(_story_from_form(form))

    try:
        saved = await run_in_threadpool(save)
    except InputError as exc:
        return _editor(request, None, form, error=str(exc), status=400)
    return redirect(f"/stories/{saved.id}?notice=Story+saved")


@router.post("/stories/{story_id}", response_class=HTMLResponse)
async def update_story(request: Request, story_id: int) -> Response:
    core = core_of(request)
    current = core.story(story_id)
    form = await _story_form(request)

    def save() -> Any:
        with core.lock:
            return core.bank.edit(_story_from_form(form, current))

    try:
        saved = await run_in_threadpool(save)
    except InputError as exc:
        return _editor(request, current, form, error=str(exc), status=400)
    return redirect(f"/stories/{saved.id}?notice=Saved+as+version+{saved.version}")


@router.post("/stories/{story_id}/delete")
def delete_story(request: Request, story_id: int) -> Response:
    core = core_of(request)
    core.check_exists(story_id)
    with core.lock:
        story = core.bank.delete(story_id)
    return redirect(f"/stories?notice=Moved+story+{story.id}+to+the+trash")


@router.post("/stories/{story_id}/restore")
def restore_story(request: Request, story_id: int) -> Response:
    core = core_of(request)
    core.check_exists(story_id)
    with core.lock:
        story = core.bank.restore(story_id)
    return redirect(f"/stories/{story.id}?notice=Restored+from+the+trash")


@router.get("/stories/{story_id}/history", response_class=HTMLResponse)
def story_history(request: Request, story_id: int) -> Response:
    core = core_of(request)
    story = core.story(story_id, include_deleted=True)
    versions = core.store.history(story_id)
    return render(
        request,
        "story_history.html",
        title=f"History: {story.title}",
        story=story,
        versions=versions,
    )


@router.post("/critique/live", response_class=HTMLResponse)
async def live_critique(request: Request) -> Response:
    """The critique panel for the editor's text as typed (HTMX, debounced)."""
    form = await _story_form(request)
    text = "\n\n".join(form.get(n, "").strip() for n in SECTIONS if form.get(n, "").strip())
    if not text:
        return render(request, "_critique.html", critique=None, empty=True)
    question = optional(form.get("question"))
    core = core_of(request)

    def run() -> dict[str, Any]:
        return core.critic.critique(text, question).to_dict()

    critique = await run_in_threadpool(run)
    return render(request, "_critique.html", critique=critique, live=True)


# -- import and export -------------------------------------------------------------------


@router.get("/import", response_class=HTMLResponse)
def import_page(request: Request) -> Response:
    return render(request, "import.html", title="Import notes", outcome=None)


@router.post("/import", response_class=HTMLResponse)
async def import_upload(
    request: Request,
    files: Annotated[list[UploadFile] | None, File()] = None,
    dry_run: Annotated[str | None, Form()] = None,
) -> Response:
    from starcoach.web.api import import_texts, read_uploads

    real = [f for f in files or [] if f.filename]
    try:
        texts = await read_uploads(real)
        outcome = await run_in_threadpool(import_texts, request, texts, bool(dry_run))
    except InputError as exc:
        return render(request, "import.html", status=400, title="Import notes", error=str(exc))
    return render(
        request, "import.html", title="Import notes", outcome=outcome, data=outcome.to_dict()
    )


@router.get("/export")
def export_download(
    request: Request, export_format: Annotated[str, Query(alias="format")] = "markdown"
) -> Response:
    from starcoach.web.api import export_response

    return export_response(request, export_format)


# -- loop plan ---------------------------------------------------------------------------


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request, company: str = "amazon", interviewers: str = "4", level: str = ""
) -> Response:
    """``starcoach plan``: principles per interviewer and a different story for each."""
    from starcoach.matching.coverage import STRONG
    from starcoach.matching.plan import MAX_INTERVIEWERS

    core = core_of(request)
    has_stories = bool(core.store.list())
    plan = None
    error = None
    count = interviewers.strip()
    if not count.isdigit():
        error = f"The number of interviewers is a whole number from 1 to {MAX_INTERVIEWERS}."
    elif has_stories:
        try:
            with core.lock:
                found = core.bank.plan(
                    company=company or "amazon", interviewers=int(count), level=optional(level)
                )
            plan = found.to_dict()
        except InputError as exc:
            error = str(exc)
    kb = core.knowledge
    return render(
        request,
        "plan.html",
        status=400 if error else 200,
        title="Loop plan",
        plan=plan,
        error=error,
        has_stories=has_stories,
        company=company,
        interviewers=count,
        level=level,
        max_interviewers=MAX_INTERVIEWERS,
        strong=STRONG,
        names=_principle_names(request),
        company_name=_name_of(kb.companies, plan["company"]) if plan else "",
        level_name=_name_of(kb.levels, plan["level"]) if plan and plan["level"] else "",
        **choices(request),
    )


def _name_of(items: Any, wanted: str) -> str:
    return next((item.name for item in items if item.id == wanted), wanted)


# -- questions ---------------------------------------------------------------------------


@router.get("/questions", response_class=HTMLResponse)
def questions_page(
    request: Request,
    principle: str = "",
    company: str = "",
    category: str = "",
    topic: str = "",
    level: str = "",
    page: int = 1,
) -> Response:
    kb = core_of(request).knowledge
    found = kb.questions_for(
        principle=optional(principle),
        company=optional(company),
        category=optional(category),
        topic=optional(topic),
        level=optional(level),
    )
    page = max(1, page)
    start = (page - 1) * QUESTION_PAGE
    names = {p.id: p.name for p in kb.principles}
    filters = {
        "principle": principle,
        "company": company,
        "category": category,
        "topic": topic,
        "level": level,
    }
    return render(
        request,
        "questions.html",
        title="Questions",
        questions=found[start : start + QUESTION_PAGE],
        total=len(found),
        page=page,
        pages=max(1, -(-len(found) // QUESTION_PAGE)),
        names=names,
        filters=filters,
        query="&".join(f"{k}={v}" for k, v in filters.items() if v),
        **choices(request),
    )


@router.get("/questions/analyse", response_class=HTMLResponse)
def analyse_question(request: Request, question: str = "") -> Response:
    """What a typed question probes, and the user's best stories for it."""
    core = core_of(request)
    partial = request.headers.get("hx-request") == "true"
    analysis = None
    matches = None
    error = None
    if question.strip():
        try:
            analysis = core.understanding.analyse(question).to_dict()
            if core.store.list():
                with core.lock:
                    matches = core.bank.match(analysis["question"], limit=3).to_dict()
        except StarcoachError as exc:
            error = str(exc)
    return render(
        request,
        "_analysis.html" if partial else "analyse.html",
        title="Analyse a question",
        question=question,
        analysis=analysis,
        matches=matches,
        error=error,
    )


# -- practice ----------------------------------------------------------------------------


@router.get("/practice", response_class=HTMLResponse)
def practice_page(request: Request) -> Response:
    return render(request, "practice.html", title="Practice", **choices(request))


@router.post("/practice/drill")
def start_drill(
    request: Request,
    principle: Text = "",
    company: Text = "",
    level: Text = "",
    question_id: Text = "",
    review: Text = "",
) -> Response:
    """Start a drill: a picked question, a bank question (``question_id``) or a due review."""
    from starcoach.practice.drill import Drill, pick_question

    core = core_of(request)
    kb = core.knowledge
    if question_id:
        question = kb.question(question_id)
    else:
        question = pick_question(kb, optional(principle), optional(company), optional(level))
    drill = Drill(
        question, core.critic, core.engine, level=optional(level), company=optional(company)
    )
    key = core.drills.add(session_of(request), WebDrill(drill, from_review=bool(review)))
    return redirect(f"/practice/drill/{key}")


@router.get("/practice/drill/{key}", response_class=HTMLResponse)
def drill_page(request: Request, key: str) -> Response:
    web = core_of(request).drills.get(session_of(request), key)
    kb = core_of(request).knowledge
    names = [kb.principle(p).name for p in web.drill.question.principles]
    result = web.drill.result
    return render(
        request,
        "drill.html",
        title="Drill",
        key=key,
        drill=web.drill,
        result=result.to_dict() if result else None,
        names=names,
        saved_id=web.saved_id,
        from_review=web.from_review,
        voice_reason=voice_unavailable(),
    )


@router.post("/practice/drill/{key}/answer")
def drill_answer(request: Request, key: str, answer: Text = "", seconds: Text = "") -> Response:
    """Critique the answer; a recorded one keeps its length and delivery, as in the CLI."""
    core = core_of(request)
    web = core.drills.get(session_of(request), key)
    if not answer.strip():
        raise InputError("Type or record your answer before submitting it.")
    if web.drill.result is None:
        spoken = web.spoken
        result = web.drill.answer(answer, spoken.seconds if spoken else _seconds(seconds))
        if spoken is not None:
            result.critique["speech"] = spoken.speech  # saved with the attempt
    return redirect(f"/practice/drill/{key}")


@router.post("/practice/drill/{key}/transcribe")
async def drill_transcribe(request: Request, key: str, audio: Audio) -> Response:
    """Transcribe a recorded answer; the page puts the text in the answer box."""
    from starcoach.web.api import transcribe_upload

    web = core_of(request).drills.get(session_of(request), key)
    if web.drill.result is not None:
        raise InputError("This drill's answer is in already; start a new drill to record again.")
    spoken = await transcribe_upload(request, audio)
    web.spoken = spoken
    return JSONResponse(spoken.to_dict())


@router.post("/practice/drill/{key}/finish")
async def drill_finish(request: Request, key: str) -> Response:
    core = core_of(request)
    web = core.drills.get(session_of(request), key)
    form = await request.form()
    result = web.drill.result
    if result is None:
        raise InputError("Answer the question before finishing the drill.")
    if web.saved_id is None:

        def finish() -> int:
            for index in range(len(result.follow_ups)):
                text = form.get(f"follow_up_{index}")
                if isinstance(text, str) and text.strip():
                    web.drill.answer_follow_up(index, text)
            return core.store.practice.save_drill(web.drill.finish())

        web.saved_id = await run_in_threadpool(finish)
    if web.from_review:
        return redirect(f"/review?reviewed={web.saved_id}")
    return redirect(f"/history/{web.saved_id}?notice=Drill+saved")


def _seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 24 * 3600 else None


@router.post("/practice/mock")
def start_mock(
    request: Request, company: Text = "amazon", minutes: Text = "60", level: Text = ""
) -> Response:
    from starcoach.practice.mock import MockSession, plan_mock

    if not minutes.strip().isdigit():
        raise InputError("The length of the interview is a whole number of minutes.")
    core = core_of(request)
    planned = plan_mock(core.knowledge, company, int(minutes), optional(level))
    session = MockSession(
        planned,
        core.critic,
        core.engine,
        company=company,
        minutes=int(minutes),
        level=optional(level),
    )
    web = WebMock(session)
    _advance(core, web)
    key = core.mocks.add(session_of(request), web)
    return redirect(f"/practice/mock/{key}")


def _advance(core: Any, web: WebMock) -> None:
    """Ask the next follow-up, else the next question, else end and save the interview."""
    from starcoach.practice.mock import mock_report

    session = web.session
    follow_up = session.next_follow_up() if session.state == "between" else None
    if follow_up is not None:
        web.kind, web.prompt, web.follow_up = "follow-up", follow_up.text, follow_up
        web.prompt_at, web.spoken = session.elapsed, None
        return
    item = session.next_question()
    if item is not None:
        web.kind, web.prompt, web.item, web.follow_up = "question", item.question.text, item, None
        web.prompt_at, web.spoken = session.elapsed, None
        return
    web.report = mock_report(session)
    web.saved_id = core.store.practice.save_mock(session, web.report)


@router.get("/practice/mock/{key}", response_class=HTMLResponse)
def mock_page(request: Request, key: str) -> Response:
    core = core_of(request)
    web = core.mocks.get(session_of(request), key)
    if web.saved_id is not None:
        return redirect(f"/history/{web.saved_id}")
    session = web.session
    return render(
        request,
        "mock.html",
        title="Mock interview",
        key=key,
        web=web,
        number=web.item.index if web.item else 0,
        planned=len(session.plan),
        clock=web.clock_state(),
        last=session.answers[-1].critique if session.answers else None,
        voice_reason=voice_unavailable(),
    )


@router.post("/practice/mock/{key}/answer")
def mock_answer(request: Request, key: str, answer: Text = "") -> Response:
    core = core_of(request)
    web = core.mocks.get(session_of(request), key)
    if web.saved_id is None:
        state = web.session.state
        spoken = web.spoken
        critique = None
        if state == "answering":
            if not answer.strip():
                raise InputError("Type or record your answer before submitting it.")
            critique = web.session.record_answer(answer).critique
        elif state == "following-up":
            critique = web.session.record_follow_up(answer).critique
        if spoken is not None and critique is not None:
            critique["speech"] = spoken.speech  # saved with the attempt, as in the CLI
        _advance(core, web)
    return redirect(f"/practice/mock/{key}")


@router.post("/practice/mock/{key}/pause")
def mock_pause(request: Request, key: str) -> Response:
    """Stop the interview clock and the answer's clock (pauses are not interview time)."""
    web = core_of(request).mocks.get(session_of(request), key)
    if web.saved_id is None:
        web.session.pause()
    return _clock_reply(request, key, web)


@router.post("/practice/mock/{key}/resume")
def mock_resume(request: Request, key: str) -> Response:
    """Start both clocks again from where the pause stopped them."""
    web = core_of(request).mocks.get(session_of(request), key)
    if web.saved_id is None:
        web.session.resume()
    return _clock_reply(request, key, web)


def _clock_reply(request: Request, key: str, web: WebMock) -> Response:
    """The clocks' state for the page's script; a reload of the page without script."""
    if wants_json(request):
        return JSONResponse(web.clock_state())
    return redirect(f"/practice/mock/{key}")


@router.post("/practice/mock/{key}/transcribe")
async def mock_transcribe(request: Request, key: str, audio: Audio) -> Response:
    """Transcribe the recorded answer to the open question or follow-up."""
    from starcoach.web.api import transcribe_upload

    web = core_of(request).mocks.get(session_of(request), key)
    if web.saved_id is not None or web.session.state not in ("answering", "following-up"):
        raise InputError("No question is waiting for an answer in this interview.")
    if web.session.paused:
        raise InputError("The interview is paused: resume it before recording.")
    spoken = await transcribe_upload(request, audio)
    web.spoken = spoken
    return JSONResponse(spoken.to_dict())


@router.post("/practice/mock/{key}/end")
def mock_end(request: Request, key: str) -> Response:
    from starcoach.practice.mock import mock_report

    core = core_of(request)
    web = core.mocks.get(session_of(request), key)
    if web.saved_id is None:
        web.session.finish("ended early")
        web.report = mock_report(web.session)
        web.saved_id = core.store.practice.save_mock(web.session, web.report)
    return redirect(f"/history/{web.saved_id}")


# -- the API's documentation ------------------------------------------------------------


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    """The OpenAPI operations as a plain page (Swagger UI would load scripts from a CDN)."""
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [p["name"] for p in op.get("parameters", ())]
            body = "requestBody" in op
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "params": params,
                    "body": body,
                }
            )
    return render(request, "api_docs.html", title="JSON API", spec=spec, operations=operations)


# -- review ------------------------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    limit: str = "5",
    on: str = "",
    new: str = "yes",
    reviewed: int | None = None,
) -> Response:
    """``starcoach review``: what is due, weakest principles first, each a drill away."""
    core = core_of(request)
    error = None
    count = limit.strip()
    if not count.isdigit() or not 1 <= int(count) <= MAX_REVIEW_DRILLS:
        error = f"The number of drills is a whole number from 1 to {MAX_REVIEW_DRILLS}."
        count = "5"
    day = None
    if on.strip():
        try:
            day = date.fromisoformat(on.strip())
        except ValueError:
            error = f"Pick a date like 2026-06-30, not {on.strip()!r}."
    plan = core.review_plan(int(count), day, include_new=new != "no")
    drillable = [i.question_id for i in plan.items if _in_bank(request, i.question_id)]
    return render(
        request,
        "review.html",
        status=400 if error else 200,
        title="Review",
        plan=plan,
        names=_principle_names(request),
        error=error,
        limit=count,
        on=day.isoformat() if day else "",
        new=new != "no",
        max_drills=MAX_REVIEW_DRILLS,
        drillable=drillable,
        first=drillable[0] if drillable else None,
        done=_reviewed(request, reviewed) if reviewed else None,
    )


def _in_bank(request: Request, question_id: str | None) -> bool:
    """Whether a scheduled question can still be drilled (the bank may have changed)."""
    if not question_id:
        return False
    try:
        core_of(request).knowledge.question(question_id)
    except StarcoachError:
        return False
    return True


def _reviewed(request: Request, session_id: int) -> dict[str, Any] | None:
    """The drill just saved from the review page, and when its question comes back."""
    from starcoach.web.api import practice_session

    try:
        found = practice_session(request, session_id)
    except StarcoachError:
        return None
    main = next((a for a in found.attempts if a.follow_up_of is None), None)
    if main is None:
        return None
    card = core_of(request).store.reviews.card(main.question_id, main.question)
    return {"session_id": session_id, "score": main.score, "question": main.question, "card": card}


# -- history -----------------------------------------------------------------------------


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request) -> Response:
    from starcoach.practice.progress import progress

    core = core_of(request)
    sessions = core.store.practice.sessions(limit=100)
    trends = progress(core.store.practice.attempts(follow_ups=False)).to_dict()
    return render(
        request,
        "history.html",
        title="History",
        sessions=sessions,
        trends=trends,
        chart=_chart_data(trends, core.knowledge),
    )


@router.get("/history/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session_id: int) -> Response:
    from starcoach.web.api import practice_session

    found = practice_session(request, session_id)
    data = found.to_dict()
    mains = [a for a in data["attempts"] if a["follow_up_of"] is None]
    follow_ups: dict[int, list[dict[str, Any]]] = {}
    for attempt in data["attempts"]:
        if attempt["follow_up_of"] is not None:
            follow_ups.setdefault(attempt["follow_up_of"], []).append(attempt)
    title = "Mock interview report" if found.kind == "mock" else "Drill report"
    return render(
        request,
        "session.html",
        title=title,
        session=data,
        report=data.get("report"),
        mains=mains,
        follow_ups=follow_ups,
    )
