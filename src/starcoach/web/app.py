"""``create_app``: the FastAPI app behind ``starcoach serve``.

Pages (Jinja2 templates, HTMX for live updates) and a JSON API under ``/api`` call the
same core as the CLI through :class:`~starcoach.web.core.WebCore`. Everything it serves
is local: templates, CSS, htmx and Chart.js are files in this package. Errors the user
can fix are shown with their message; anything else is "Something went wrong", never a
traceback (it goes to the server log).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from starcoach.errors import ModelError, StarcoachError
from starcoach.web.core import NotFound, VoiceUnavailable, WebCore
from starcoach.web.security import (
    CSRF_FIELD,
    SESSION_COOKIE,
    BodySizeLimit,
    BodyTooLarge,
    CsrfError,
    CsrfTokens,
    HostCheck,
    Receive,
    Scope,
    Send,
    allowed_hosts,
)

HERE = Path(__file__).resolve().parent
log = logging.getLogger("starcoach.web")
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


def create_app(
    store_url: str | None = None,
    *,
    host: str = "127.0.0.1",
    csrf_secret: bytes | None = None,
) -> FastAPI:
    """The web app on the database ``store_url`` (default: as the CLI, SQLite in HOME).

    ``host`` is the address the server listens on; requests must name it (or a loopback
    name) in their Host header.
    """
    core = WebCore(store_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        core.close()

    app = FastAPI(
        lifespan=lifespan,
        title="starcoach",
        summary="A local-first coach for behavioral interviews: the JSON API of the web app.",
        description=(
            "The same operations as the `starcoach` command line. Requests that change "
            "anything (POST, PUT, DELETE) need the `starcoach_session` cookie and an "
            "`X-CSRF-Token` header: `GET /api/csrf` returns both. The list of operations "
            "is at `/api/docs` (served locally; the full schema is `/api/openapi.json`)."
        ),
        version=_version(),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.core = core
    app.state.csrf = CsrfTokens(csrf_secret)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_field"] = CSRF_FIELD
    templates.env.filters["pct"] = lambda value: f"{float(value) * 100:.0f}%"
    templates.env.filters["clock"] = _clock
    templates.env.filters["label"] = lambda text: str(text).replace("-", " ").capitalize()
    templates.env.filters["tally"] = _tally
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from starcoach.web.api import router as api_router
    from starcoach.web.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    _install_error_handlers(app)

    app.add_middleware(SessionCookie)
    app.add_middleware(BodySizeLimit, on_refuse=_refusal_body)
    app.add_middleware(HostCheck, allowed=[*allowed_hosts(host), "testserver"])

    return app


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("starcoach")
    except PackageNotFoundError:
        return "0"


def _tally(words: Any) -> str:
    """The filler words of a spoken answer, most used first: "basically ×2, you know ×1"."""
    from collections import Counter

    counts = Counter(str(word) for word in words or ())
    return ", ".join(f"{word} ×{n}" for word, n in counts.most_common(5))


def _clock(seconds: Any) -> str:
    if seconds is None:
        return "–"
    minutes, secs = divmod(round(abs(float(seconds))), 60)
    return f"{'-' if float(seconds) < 0 else ''}{minutes}:{secs:02d}"


# -- the browser session cookie (the CSRF double-submit secret) --------------------------


class SessionCookie:
    """Give every browser a random session cookie; ``request.state.session`` holds it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = _cookie(scope, SESSION_COOKIE)
        fresh = session is None or not (20 <= len(session) <= 100)
        if fresh:
            session = CsrfTokens.new_session()
        state = scope.setdefault("state", {})
        state["session"] = session

        async def send_with_cookie(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if fresh:
                    cookie = f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict"
                    headers.append((b"set-cookie", cookie.encode()))
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _cookie(scope: Scope, name: str) -> str | None:
    from http.cookies import SimpleCookie

    for key, value in scope.get("headers", ()):
        if key.lower() == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                return None
            if name in jar:
                return jar[name].value
    return None


# -- errors ----------------------------------------------------------------------------


def _status_of(exc: StarcoachError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, CsrfError):
        return 403
    if isinstance(exc, BodyTooLarge):
        return 413
    if isinstance(exc, VoiceUnavailable):
        return 503
    if isinstance(exc, ModelError):
        return 500
    return 400


def error_response(request: Request, status: int, message: str) -> Response:
    """JSON for the API and page scripts, a fragment for HTMX, a page otherwise."""
    from starcoach.web.deps import wants_json

    if wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    if request.headers.get("hx-request") == "true":
        return templates.TemplateResponse(
            request, "_error.html", {"message": message, "status": status}, status_code=status
        )
    from starcoach.web.pages import page_context

    return templates.TemplateResponse(
        request,
        "error.html",
        page_context(request, message=message, status=status, title=_title(status)),
        status_code=status,
    )


def _title(status: int) -> str:
    return {
        400: "That did not work",
        403: "Refused",
        404: "Not found",
        405: "Not allowed",
        413: "Too large",
        503: "Not available",
    }.get(status, "Something went wrong")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarcoachError)
    async def starcoach_error(request: Request, exc: StarcoachError) -> Response:
        return error_response(request, _status_of(exc), str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.__cause__, BodyTooLarge):
            return error_response(request, 413, str(exc.__cause__))
        messages = {
            404: "There is no page at this address.",
            405: "This address does not accept that kind of request.",
        }
        detail = exc.detail if isinstance(exc.detail, str) else None
        message = messages.get(exc.status_code) or detail or "The request could not be handled."
        if exc.status_code >= 500:
            message = "Something went wrong."
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, _validation_message(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("Unexpected error on %s %s", request.method, request.url.path)
        return error_response(
            request,
            500,
            "Something went wrong on our side. The details are in the server log; "
            "your data is unchanged.",
        )


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        where = [str(x) for x in error.get("loc", ()) if x not in ("body", "query", "path", "form")]
        field = ".".join(where) or "the request"
        kind = error.get("type", "")
        if kind == "missing":
            parts.append(f"{field} is required")
        elif kind in ("int_parsing", "int_type"):
            parts.append(f"{field} must be a whole number")
        elif kind == "json_invalid":
            parts.append("the body is not valid JSON")
        else:
            parts.append(f"{field}: {error.get('msg', 'invalid')}")
    return "Bad input: " + "; ".join(parts) + "."


def _refusal_body(scope: Scope, message: str) -> bytes:
    import json

    accept = dict(scope.get("headers", ())).get(b"accept", b"")
    if scope.get("path", "").startswith("/api") or accept.startswith(b"application/json"):
        return json.dumps({"error": message, "status": 413}).encode()
    return HTMLResponse(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Too large</title>"
        f"<main><h1>Too large</h1><p role=alert>{message}</p>"
        '<p><a href="/">Back to starcoach</a></p></main></html>'
    ).body
