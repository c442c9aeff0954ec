"""Follow-up rules, principle probes, the LLM provider and its fallbacks."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from starcoach.analysis.findings import FINDING_CODES
from starcoach.errors import InputError
from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.practice.followups import (
    BLOCKING,
    FOLLOW_UP_RULES,
    NO_FOLLOW_UP,
    PRINCIPLE_PROBES,
    FollowUpEngine,
    choose_followups,
)
from starcoach.practice.llm import LLMProvider, LLMReplyError, parse_reply, provider_from_env


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def critique(*codes, text="I fixed the export.", principles=()):
    return {
        "score": 50,
        "sentences": [{"text": text, "start": 0, "end": len(text), "section": "action"}],
        "findings": [
            {"code": c, "severity": "warning", "message": "m", "evidence": "e"} for c in codes
        ],
        "principles": [{"id": p, "name": p, "score": 0.5} for p in principles],
    }


def test_every_finding_code_has_a_rule_or_is_deliberately_silent():
    assert set(FOLLOW_UP_RULES) | NO_FOLLOW_UP == set(FINDING_CODES)
    for rule in FOLLOW_UP_RULES.values():
        assert rule.texts and all(t.endswith("?") or t.endswith(".") for t in rule.texts)


def test_every_principle_has_two_or_three_probes():
    assert set(PRINCIPLE_PROBES) == set(PRINCIPLE_IDS)
    for probes in PRINCIPLE_PROBES.values():
        assert 2 <= len(probes) <= 3
        assert all(p.endswith("?") and len(p) < 200 for p in probes)
    every = [p for probes in PRINCIPLE_PROBES.values() for p in probes]
    assert len(every) == len(set(every))


@pytest.mark.parametrize(
    ("code", "words"),
    [("no-metrics", "measure"), ("we-heavy", "you do yourself"), ("no-reflection", "differently")],
)
def test_the_classic_gaps_get_their_classic_question(kb, code, words):
    question = kb.question("own-001")
    chosen = choose_followups(critique(code), question, kb)
    assert chosen[0].reason == code
    texts = [t for t in FOLLOW_UP_RULES[code].texts]
    assert chosen[0].text in texts
    assert any(words in t for t in texts)
    # the second comes from the question's own chain
    assert chosen[1].reason == "question" and chosen[1].text in question.follow_ups


def test_no_gaps_means_the_chain_then_a_probe(kb):
    question = kb.question("own-001")
    chosen = choose_followups(critique(), question, kb)
    assert [f.reason for f in chosen] == ["question", "probe:ownership"]
    assert chosen[1].text in PRINCIPLE_PROBES["ownership"]


def test_free_text_question_uses_the_principle_the_story_shows(kb):
    chosen = choose_followups(critique(principles=["dive-deep"]), "Tell me something.", kb)
    assert chosen[0].reason == "probe:dive-deep"


def test_blocking_findings_ask_only_for_a_real_story(kb):
    for code in BLOCKING:
        chosen = choose_followups(critique(code, "no-metrics"), kb.question("own-001"), kb)
        assert [f.reason for f in chosen] == [code]


def test_choice_is_deterministic_and_never_repeats(kb):
    question = kb.question("own-001")
    data = critique("no-metrics", "we-heavy", "no-reflection")
    first = choose_followups(data, question, kb, limit=2)
    assert first == choose_followups(data, question, kb, limit=2)
    again = choose_followups(data, question, kb, limit=2, asked=[f.text for f in first])
    assert not {f.text for f in first} & {f.text for f in again}
    assert choose_followups(data, question, kb, limit=0) == []
    many = choose_followups(data, question, kb, limit=6)
    assert len({f.text.casefold() for f in many}) == len(many) == 6


def test_principle_mismatch_names_the_principle(kb):
    question = kb.question("own-001")
    chosen = choose_followups(critique("principle-mismatch"), question, kb, limit=1)
    assert chosen[0].text == "What in this story shows Ownership?"


# -- the LLM provider against a fake OpenAI-compatible endpoint ----------------------------


class FakeEndpoint:
    """A tiny local chat-completions server whose reply each test sets."""

    def __init__(self):
        self.reply = b"{}"
        self.status = 200
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                outer.requests.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(outer.reply)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def says(self, content):
        self.reply = json.dumps({"choices": [{"message": {"content": content}}]}).encode()


@pytest.fixture
def endpoint():
    fake = FakeEndpoint()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_llm_good_reply_is_used(kb, endpoint):
    endpoint.says(json.dumps({"follow_ups": ["What did the p99 latency look like afterwards?"]}))
    engine = FollowUpEngine(kb, LLMProvider(endpoint.url, model="tiny"))
    choice = engine.choose(critique("no-metrics"), kb.question("own-001"))
    assert choice.source == "llm" and choice.note is None
    assert [f.text for f in choice.followups] == ["What did the p99 latency look like afterwards?"]
    path, body = endpoint.requests[0]
    assert path == "/v1/chat/completions" and body["model"] == "tiny"
    prompt = json.loads(body["messages"][1]["content"])
    assert prompt["findings"][0]["code"] == "no-metrics" and prompt["limit"] == 2


@pytest.mark.parametrize(
    "content",
    [
        "Sure! Here are some great questions for you.",
        json.dumps({"follow_ups": []}),
        json.dumps({"follow_ups": ["Tell me more."]}),
        json.dumps({"follow_ups": ["Why?" * 60]}),
        json.dumps({"follow_ups": ["How did you measure it?", "How did you measure it?"]}),
        json.dumps({"follow_ups": ["One?", "Two two two?", "Three three?"]}),
        json.dumps({"follow_ups": [42]}),
    ],
)
def test_llm_garbage_falls_back_to_the_rules(kb, endpoint, content):
    endpoint.says(content)
    engine = FollowUpEngine(kb, LLMProvider(endpoint.url))
    data = critique("no-metrics")
    choice = engine.choose(data, kb.question("own-001"))
    assert choice.source == "rules" and choice.note
    assert list(choice.followups) == choose_followups(data, kb.question("own-001"), kb)
    assert engine.disabled is None  # a bad reply does not switch the LLM off


def test_llm_http_error_and_non_json_fall_back(kb, endpoint):
    endpoint.status = 500
    endpoint.says("x")
    choice = FollowUpEngine(kb, LLMProvider(endpoint.url)).choose(critique(), None)
    assert choice.source == "rules" and "HTTP 500" in choice.note
    endpoint.status = 200
    endpoint.reply = b"<html>not json</html>"
    choice = FollowUpEngine(kb, LLMProvider(endpoint.url)).choose(critique(), None)
    assert "JSON" in choice.note


def test_unreachable_llm_is_asked_once_then_left_alone(kb):
    provider = LLMProvider(f"http://127.0.0.1:{free_port()}/v1", timeout=2)
    engine = FollowUpEngine(kb, provider)
    first = engine.choose(critique("no-metrics"), kb.question("own-001"))
    assert first.source == "rules" and "cannot reach" in first.note
    assert engine.disabled
    second = engine.choose(critique("we-heavy"), kb.question("own-002"))
    assert second.source == "rules" and second.note is None and second.followups


def test_reply_parsing_accepts_fenced_json_and_lists():
    wrap = lambda c: {"choices": [{"message": {"content": c}}]}  # noqa: E731
    fenced = '```json\n{"follow_ups": ["What broke first?"]}\n```'
    assert parse_reply(wrap(fenced), 2) == ["What broke first?"]
    assert parse_reply(wrap('["What broke first?", "Who noticed?"]'), 2) == [
        "What broke first?",
        "Who noticed?",
    ]
    with pytest.raises(LLMReplyError):
        parse_reply({"choices": []}, 2)


def test_provider_is_off_by_default_and_checks_its_url():
    assert provider_from_env({}) is None
    provider = provider_from_env({"STARCOACH_LLM_URL": "http://localhost:8080/v1/"})
    assert provider.endpoint == "http://localhost:8080/v1/chat/completions"
    with pytest.raises(InputError, match="STARCOACH_LLM_URL"):
        provider_from_env({"STARCOACH_LLM_URL": "localhost:8080"})
