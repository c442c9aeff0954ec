"""Small helpers every route uses: the core, the browser session, the CSRF check."""

from __future__ import annotations

from fastapi import Request

from starcoach.web.core import WebCore
from starcoach.web.security import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, CsrfTokens

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def wants_json(request: Request) -> bool:
    """The API, and page scripts that ask for JSON (recording, pausing a mock)."""
    if request.url.path.startswith("/api"):
        return True
    return request.headers.get("accept", "").startswith("application/json")


def core_of(request: Request) -> WebCore:
    return request.app.state.core  # type: ignore[no-any-return]


def session_of(request: Request) -> str:
    return str(request.state.session)


def csrf_token(request: Request) -> str:
    tokens: CsrfTokens = request.app.state.csrf
    return tokens.token_for(session_of(request))


async def require_csrf(request: Request) -> None:
    """Refuse a state-changing request without this browser's token (header or form field)."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER) or None
    if token is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    cookie = request.cookies.get("starcoach_session")
    tokens: CsrfTokens = request.app.state.csrf
    tokens.check(cookie, token)
