"""Local safety for the web app: CSRF tokens, request-size limits and a Host check.

The app listens on 127.0.0.1, but any web page the user visits can still make their
browser send requests there. Three defences:

* **CSRF** — a double-submit token: the browser holds a random ``starcoach_session``
  cookie (HttpOnly, SameSite=Strict); every form and HTMX request must also carry
  ``HMAC(app secret, cookie)`` in the ``csrf_token`` field or the ``X-CSRF-Token``
  header. Another site can neither read the cookie nor compute the HMAC. Scripts get a
  token (and the cookie) from ``GET /api/csrf``.
* **Size limits** — a request body larger than the limit (note files and recordings
  have larger ones) is refused with 413 before it is read into memory, also when it is
  sent chunked.
* **Host check** — requests must name the host the app was started on, so a DNS
  rebinding page cannot talk to it under its own name.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from starcoach.errors import StarcoachError

SESSION_COOKIE = "starcoach_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MAX_BODY_BYTES = 2 * 1024 * 1024
"""Ordinary requests: a story's five sections at their limit fit many times over."""
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
"""Note-file uploads: the CLI reads notes files up to 5 MB too."""
UPLOAD_PATHS = ("/api/import", "/import")
MAX_AUDIO_BYTES = 20 * 1024 * 1024
"""Recorded answers: a browser's 5-minute opus recording is 1–5 MB; a 10-minute 16 kHz WAV
from a script is 19 MB."""
AUDIO_PATH_SUFFIX = "/transcribe"
"""``/api/transcribe`` and the drill and mock pages' ``…/transcribe`` take recordings."""
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class CsrfError(StarcoachError):
    """A form or request without a valid CSRF token (HTTP 403)."""


class BodyTooLarge(StarcoachError):
    """A request body over the size limit (HTTP 413)."""


class CsrfTokens:
    """Makes and checks the per-browser tokens; the secret lives as long as the app."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    @staticmethod
    def new_session() -> str:
        return secrets.token_urlsafe(32)

    def token_for(self, session: str) -> str:
        return hmac.new(self._secret, session.encode(), hashlib.sha256).hexdigest()

    def check(self, session: str | None, token: str | None) -> None:
        if not session or not token:
            raise CsrfError(
                "This form has expired or was not sent by starcoach (no security token). "
                "Reload the page and try again."
            )
        if not hmac.compare_digest(self.token_for(session), token):
            raise CsrfError(
                "This form's security token does not match (it may be from before starcoach "
                "was restarted). Reload the page and try again."
            )


def body_limit(path: str) -> int:
    if path.endswith(AUDIO_PATH_SUFFIX):
        return MAX_AUDIO_BYTES
    return MAX_UPLOAD_BYTES if path in UPLOAD_PATHS else MAX_BODY_BYTES


class BodySizeLimit:
    """ASGI middleware: refuse bodies over :func:`body_limit` with 413, streamed or not."""

    def __init__(self, app: ASGIApp, on_refuse: Callable[[Scope, str], bytes | None]) -> None:
        self.app = app
        self.on_refuse = on_refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("path", ""))
        message = (
            f"The request is larger than {limit // (1024 * 1024)} MB, the limit for this page."
        )
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0 or declared > limit:
                await self._refuse(scope, send, message if declared >= 0 else "Bad request size.")
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(message)
            return event

        async def tracking_send(event: Message) -> None:
            nonlocal started
            if event["type"] == "http.response.start":
                started = True
            await send(event)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send, message)

    async def _refuse(self, scope: Scope, send: Send, message: str) -> None:
        body = self.on_refuse(scope, message) or message.encode()
        is_json = body.startswith(b"{")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (
                        b"content-type",
                        b"application/json" if is_json else b"text/html; charset=utf-8",
                    ),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class HostCheck:
    """ASGI middleware: answer only requests addressed to an allowed host name."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "*" in self.allowed:
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or "").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name not in self.allowed:
            body = json.dumps({"error": f"Unknown host {host!r}."}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def allowed_hosts(bind_host: str) -> list[str]:
    """The Host names to answer to when listening on ``bind_host``."""
    if bind_host in ("0.0.0.0", "::", ""):
        return ["*"]
    hosts = [*LOOPBACK_HOSTS, bind_host]
    return list(dict.fromkeys(h.lower() for h in hosts))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None
