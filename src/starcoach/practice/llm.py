"""An optional LLM that proposes follow-ups, through any OpenAI-compatible endpoint.

Off by default: starcoach is local-first, and the rules of :mod:`.followups` need no
model. Setting ``STARCOACH_LLM_URL`` (e.g. ``http://localhost:11434/v1`` for a local
server) turns it on. The reply is never trusted: it must be JSON holding one or two
short questions, each ending with "?", none repeated; anything else — an unreachable
server, a timeout, an HTTP error, prose, an essay — makes :class:`FollowUpEngine` use the
rules and record why. Plain ``urllib``, so no extra dependency.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from starcoach.errors import InputError
from starcoach.practice.followups import FollowUp, ProviderUnavailable

LLM_URL_ENV = "STARCOACH_LLM_URL"
LLM_MODEL_ENV = "STARCOACH_LLM_MODEL"
LLM_KEY_ENV = "STARCOACH_LLM_API_KEY"
"""Optional bearer token, for endpoints that need one; local servers usually do not."""
DEFAULT_MODEL = "default"
TIMEOUT_S = 10.0
MAX_QUESTION_CHARS = 200
MIN_QUESTION_CHARS = 8
MAX_REPLY_BYTES = 256 * 1024

SYSTEM_PROMPT = (
    "You are a behavioral interviewer. Given a question, a candidate's answer and a "
    "critique of it, ask the follow-up questions a demanding interviewer would ask next, "
    "aimed at the answer's gaps. Reply with JSON only: "
    '{"follow_ups": ["<question>?", ...]} with 1 to LIMIT short questions, each under '
    "200 characters and ending with a question mark."
)
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


class LLMReplyError(Exception):
    """The endpoint answered, but not with usable follow-ups."""


class LLMProvider:
    """Asks ``POST {url}/chat/completions`` for follow-ups and validates what comes back."""

    def __init__(
        self,
        url: str,
        model: str = DEFAULT_MODEL,
        api_key: str | None = None,
        timeout: float = TIMEOUT_S,
    ) -> None:
        url = url.strip()
        if not re.match(r"^https?://[^\s/]+", url):
            raise InputError(
                f"{LLM_URL_ENV} must be an http:// or https:// URL of an OpenAI-compatible "
                f"API (e.g. http://localhost:11434/v1), not {url!r}."
            )
        self.url = url.rstrip("/")
        self.endpoint = (
            self.url if self.url.endswith("/chat/completions") else self.url + "/chat/completions"
        )
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"LLMProvider({self.url!r}, model={self.model!r})"

    def suggest(
        self,
        question: str | None,
        answer: str,
        critique: Mapping[str, Any],
        rules: Sequence[FollowUp],
        limit: int,
    ) -> list[FollowUp]:
        """The LLM's follow-ups; raises ProviderUnavailable or LLMReplyError on failure."""
        prompt = {
            "question": question,
            "answer": answer[:6000],
            "findings": [
                {"code": f.get("code"), "message": f.get("message")}
                for f in critique.get("findings", ())
                if isinstance(f, Mapping)
            ],
            "rule_based_follow_ups": [f.text for f in rules],
            "limit": limit,
        }
        body = {
            "model": self.model,
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT.replace("LIMIT", str(limit))},
                {"role": "user", "content": json.dumps(prompt, ensure_ascii=False)},
            ],
        }
        reply = self._post(body)
        return [FollowUp(text, "llm") for text in parse_reply(reply, limit)]

    def _post(self, body: dict[str, Any]) -> Any:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            self.endpoint, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(MAX_REPLY_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise LLMReplyError(
                f"the LLM endpoint {self.endpoint} answered HTTP {exc.code} {exc.reason}"
            ) from None
        except urllib.error.URLError as exc:
            raise ProviderUnavailable(
                f"cannot reach the LLM endpoint {self.endpoint} ({_reason(exc.reason)})"
            ) from None
        except TimeoutError:
            raise ProviderUnavailable(
                f"the LLM endpoint {self.endpoint} did not answer within {self.timeout:g} s"
            ) from None
        except (OSError, ValueError) as exc:
            raise ProviderUnavailable(
                f"cannot reach the LLM endpoint {self.endpoint} ({_reason(exc)})"
            ) from None
        if len(raw) > MAX_REPLY_BYTES:
            raise LLMReplyError("the LLM reply is too large")
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise LLMReplyError("the LLM endpoint did not return JSON") from None


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def parse_reply(reply: Any, limit: int) -> list[str]:
    """The follow-up texts in a chat-completions reply, or LLMReplyError saying what is wrong.

    The message content must be JSON — ``{"follow_ups": [...]}`` or a bare list, optionally
    in a ```json fence — with 1..``limit`` distinct questions of 8–200 characters, each on
    one line and ending with "?".
    """
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LLMReplyError("the LLM reply has no choices[0].message.content") from None
    if not isinstance(content, str):
        raise LLMReplyError("the LLM reply's content is not text")
    content = content.strip()
    fenced = _FENCE.match(content)
    if fenced:
        content = fenced.group(1)
    try:
        parsed = json.loads(content)
    except json.JSONDecodeError:
        raise LLMReplyError("the LLM reply is not the JSON that was asked for") from None
    if isinstance(parsed, Mapping):
        parsed = parsed.get("follow_ups", parsed.get("questions"))
    if not isinstance(parsed, list) or not parsed:
        raise LLMReplyError("the LLM reply holds no list of follow-ups")
    if len(parsed) > limit:
        raise LLMReplyError(f"the LLM proposed {len(parsed)} follow-ups; at most {limit} allowed")
    texts: list[str] = []
    for item in parsed:
        if not isinstance(item, str):
            raise LLMReplyError("a follow-up in the LLM reply is not text")
        text = " ".join(item.split())
        if not MIN_QUESTION_CHARS <= len(text) < MAX_QUESTION_CHARS:
            raise LLMReplyError(
                f"a follow-up in the LLM reply is {len(text)} characters long "
                f"(allowed {MIN_QUESTION_CHARS}–{MAX_QUESTION_CHARS - 1})"
            )
        if not text.endswith("?") or "\n" in item.strip():
            raise LLMReplyError("a follow-up in the LLM reply is not a single question")
        if text.casefold() in (t.casefold() for t in texts):
            raise LLMReplyError("the LLM reply repeats a follow-up")
        texts.append(text)
    return texts


def provider_from_env(environ: Mapping[str, str] | None = None) -> LLMProvider | None:
    """The provider ``STARCOACH_LLM_URL`` configures, or None when it is unset (the default)."""
    env = os.environ if environ is None else environ
    url = env.get(LLM_URL_ENV, "").strip()
    if not url:
        return None
    return LLMProvider(
        url,
        model=env.get(LLM_MODEL_ENV, "").strip() or DEFAULT_MODEL,
        api_key=env.get(LLM_KEY_ENV, "").strip() or None,
    )
