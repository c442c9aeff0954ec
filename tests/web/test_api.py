"""The web app's JSON API and its safety nets, through FastAPI's TestClient (no browser)."""

from __future__ import annotations

import json
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from web_speech import SPOKEN_WORDS

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "examples" / "notes" / "plain-stories.md"
LATER = (date.today() + timedelta(days=3)).isoformat()
"""Every card of a fresh history is due by then (the shortest FSRS interval is a day)."""
STORY = {
    "title": "Payment API migration",
    "question": "Tell me about a time you took ownership.",
    "sections": {
        "situation": "Last spring I was a senior engineer on the checkout team of a shop with "
        "300,000 orders a month, and our payment provider was retiring its API in ten weeks.",
        "task": "I volunteered to own the migration, which nobody had touched for a year.",
        "action": "I mapped every call to the old API, wrote a compatibility layer, and moved "
        "traffic over in 5% steps behind a flag while watching error rates.",
        "result": "We finished two weeks early with zero failed payments, and checkout "
        "latency fell by 18%.",
        "reflection": "I learned to de-risk scary migrations with small, reversible steps.",
    },
    "principles": ["ownership"],
    "tags": ["payments"],
}


@pytest.fixture(scope="module")
def app(understanding, tmp_path_factory) -> FastAPI:
    from starcoach.web.app import create_app

    db = tmp_path_factory.mktemp("web-api") / "starcoach.db"
    return create_app(f"sqlite:///{db}")


@pytest.fixture(scope="module")
def client(app):
    with _client(app) as c:
        yield c


def _client(app) -> TestClient:
    """A client with this browser session's CSRF token in every request's header."""
    c = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)
    c.headers["X-CSRF-Token"] = c.get("/api/csrf").json()["token"]
    return c


def _start(client: TestClient, path: str, **form: str) -> str:
    """Start a drill or mock interview through its form; its id, from the redirect."""
    response = client.post(path, data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def test_pages_render_with_empty_states(client):
    for path, text in [
        ("/", "Your story bank is empty"),
        ("/", "Load the sample stories"),
        ("/", "Nothing is scheduled yet"),
        ("/stories", "No stories yet"),
        ("/history", "No practice saved yet"),
        ("/import", "Note files"),
        ("/questions", "questions"),
        ("/practice", "Start a drill"),
        ("/plan", "your story bank is empty"),
        ("/review", "Nothing is on the schedule yet"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert text in response.text, path
        assert "content-security-policy" in response.headers
        assert "https://" not in response.text.replace("https://www.", "")  # nothing remote


def test_classify_and_critique(client):
    data = client.get("/api/classify", params={"question": "Tell me about a conflict."}).json()
    assert len(data["principles"]) == 16
    assert {"question", "principles", "categories", "angles"} <= set(data)
    critique = client.post(
        "/api/critique", json={"answer": "um I do not really have an example"}
    ).json()
    assert 0 <= critique["score"] <= 30
    assert {"score", "dimensions", "words", "sentences", "findings"} <= set(critique)


def test_story_crud_history_trash(client):
    created = client.post("/api/stories", json=STORY)
    assert created.status_code == 201, created.text
    story = created.json()
    sid = story["id"]
    assert story["critique"]["score"] > 0
    assert story["sections"]["result"].startswith("We finished")
    listed = client.get("/api/stories").json()["stories"]
    assert [s["id"] for s in listed] == [sid]
    edited = client.put(f"/api/stories/{sid}", json={"title": "Payments migration"}).json()
    assert edited["title"] == "Payments migration" and edited["version"] == 2
    assert edited["sections"]["action"] == STORY["sections"]["action"]
    history = client.get(f"/api/stories/{sid}/history").json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert client.delete(f"/api/stories/{sid}").json() == {
        "id": sid,
        "title": "Payments migration",
        "deleted": True,
    }
    assert client.get("/api/stories").json()["stories"] == []
    assert client.get("/api/stories", params={"trash": True}).json()["stories"][0]["id"] == sid
    assert client.post(f"/api/stories/{sid}/restore").json()["id"] == sid
    assert client.get(f"/api/stories/{sid}").json()["critique"]["score"] > 0


def test_import_export_match_coverage_plan(client):
    files = {"files": ("notes.md", NOTES.read_bytes(), "text/markdown")}
    dry = client.post("/api/import", files=files, data={"dry_run": "true"}).json()
    assert dry["dry_run"] is True and len(dry["stories"]) == 3
    assert all(s["id"] is None for s in dry["stories"])
    saved = client.post("/api/import", files=files).json()
    assert len(saved["stories"]) == 3 and all(s["id"] for s in saved["stories"])
    again = client.post("/api/import", files=files).json()
    assert again["stories"] == [] and len(again["duplicates"]) == 3

    markdown = client.get("/api/export", params={"format": "markdown"})
    assert markdown.status_code == 200
    assert "attachment" in markdown.headers["content-disposition"]
    assert "Cutting our cloud bill" in markdown.text
    exported = client.get("/api/export", params={"format": "json"}).json()
    assert len(exported) == 4
    assert client.get("/api/export", params={"format": "anki"}).content[:2] == b"PK"

    match = client.get("/api/match", params={"question": "Tell me about saving money."}).json()
    assert match["stories"][0]["title"] == "Cutting our cloud bill"
    assert match["stories"][0]["reasons"]
    coverage = client.get("/api/coverage", params={"company": "amazon"}).json()
    assert len(coverage["stories"]) == 4 and "amazon" in coverage["readiness"]
    plan = client.get("/api/plan", params={"interviewers": 3}).json()
    assert len(plan["interviewers"]) == 3


def test_plan_page_shows_each_interviewer_with_principles_and_stories(client):
    plan = client.get("/api/plan", params={"interviewers": 3, "company": "amazon"}).json()
    page = client.get("/plan", params={"interviewers": 3, "company": "amazon"})
    assert page.status_code == 200
    for interviewer in plan["interviewers"]:
        assert f"Interviewer {interviewer['number']}</th>" in page.text
        for slot in interviewer["principles"]:
            assert str(escape(slot["name"])) in page.text
            if slot["story"]:
                assert f'href="/stories/{slot["story"]["id"]}"' in page.text
    assert f"{plan['stories_used']} stor" in page.text
    for item in plan["uncovered"]:
        assert str(escape(item["reason"])) in page.text
    assert 'aria-current="page"' in page.text and 'href="/plan"' in page.text
    bad = client.get("/plan", params={"interviewers": "nine"})
    assert bad.status_code == 400 and "whole number from 1 to 8" in bad.text
    too_many = client.get("/plan", params={"interviewers": 9})
    assert too_many.status_code == 400 and "between 1 and 8 interviewers" in too_many.text


def test_questions_drill_mock_history(client):
    found = client.get("/api/questions", params={"principle": "frugality"}).json()
    assert found["count"] > 0
    drill = client.post(
        "/api/drill",
        json={
            "principle": "ownership",
            "seed": 3,
            "answer": (REPO / "examples" / "answer.txt").read_text(),
            "follow_ups": ["I measured it with the error dashboard: failures fell by 30%."],
        },
    ).json()
    assert drill["kind"] == "drill" and drill["session_id"] > 0 and drill["score"] > 0
    lines = (REPO / "examples" / "mock-answers.jsonl").read_text().splitlines()
    import json

    answers = [json.loads(line) for line in lines if line.strip()]
    mock = client.post("/api/mock", json={"answers": answers, "minutes": 45, "seed": 1}).json()
    assert mock["kind"] == "mock" and mock["questions_asked"] >= 1
    history = client.get("/api/history").json()
    assert history["count"] >= 2
    session = client.get(f"/api/sessions/{mock['session_id']}").json()
    assert session["kind"] == "mock" and session["report"]["average_score"] is not None
    assert client.get("/api/progress").json()["answers"] >= 2
    page = client.get(f"/history/{mock['session_id']}")
    assert "Mock interview report" in page.text


def test_review_lists_what_the_cli_lists_and_a_due_drill_moves_its_card(client, app, cli):
    today = client.get("/api/review").json()
    assert {"as_of", "limit", "due_count", "items", "next_due", "cards"} <= set(today)
    assert today["due_count"] == 0 and today["cards"] >= 2 and today["next_due"]
    later = client.get("/api/review", params={"on": LATER, "limit": 10}).json()
    due = [item for item in later["items"] if item["kind"] == "due"]
    assert due and later["due_count"] == len(due)
    scores = [item["principle_score"] for item in due]
    assert scores == sorted(scores)  # weakest principles first
    assert all(item["principle_name"] for item in later["items"])

    db = app.state.core.store_url
    listed = cli("--db", db, "review", "--json", "--on", LATER, "--limit", "10")
    assert listed.returncode == 0, listed.stderr.decode()
    assert json.loads(listed.stdout)["items"] == later["items"]  # the same plan, same order

    page = client.get("/review", params={"on": LATER, "limit": 10})
    assert page.status_code == 200
    positions = [page.text.index(str(escape(item["question"]))) for item in due]
    assert positions == sorted(positions)
    assert f"<strong>{len(due)}</strong> question" in page.text

    first = due[0]
    key = _start(client, "/practice/drill", question_id=first["question_id"], review="1")
    assert "A review drill" in client.get(f"/practice/drill/{key}").text
    answer = (REPO / "examples" / "answer.txt").read_text()
    client.post(f"/practice/drill/{key}/answer", data={"answer": answer, "seconds": "140"})
    finished = client.post(f"/practice/drill/{key}/finish", follow_redirects=False)
    assert finished.headers["location"].startswith("/review?reviewed=")
    shown = client.get(finished.headers["location"]).text
    assert "Next review of this question:" in shown and "rated" in shown
    card = app.state.core.store.reviews.card(first["question_id"], first["question"])
    assert card is not None and card.reviews == first["reviews"] + 1
    assert 'href="/review" id="open-review"' in client.get("/").text

    assert client.get("/api/review", params={"on": "someday"}).status_code == 400
    wrong = client.get("/review", params={"on": "someday", "limit": "0"})
    assert wrong.status_code == 400 and "Pick a date like" in wrong.text


def test_mock_pause_is_not_interview_time(client, app):
    from starcoach.practice.mock import ManualClock

    key = _start(client, "/practice/mock", minutes="30")
    owner = client.cookies["starcoach_session"]
    web = app.state.core.mocks.get(owner, key)
    clock = ManualClock(time.monotonic())
    web.session.clock = clock  # from here on, interview time moves only when told
    clock.advance(40)
    paused = client.post(f"/practice/mock/{key}/pause", headers={"Accept": "application/json"})
    state = paused.json()
    assert state["paused"] is True and state["paused_seconds"] == 0
    assert state["answer_seconds"] == pytest.approx(40, abs=2)
    assert state["time_left"] == pytest.approx(30 * 60 - 40, abs=2)
    clock.advance(600)  # ten minutes away from the keyboard
    page = client.get(f"/practice/mock/{key}")
    assert "Paused: the interview clock" in page.text and ">Resume</button>" in page.text
    assert re.search(r'<textarea id="answer"[^>]* readonly', page.text)
    resumed = client.post(f"/practice/mock/{key}/resume", headers={"Accept": "application/json"})
    assert resumed.json()["paused"] is False
    assert resumed.json()["answer_seconds"] == state["answer_seconds"]
    assert resumed.json()["paused_seconds"] == 600
    clock.advance(20)
    without_script = client.post(f"/practice/mock/{key}/pause", follow_redirects=False)
    assert without_script.status_code == 303  # a page without JavaScript reloads instead
    client.post(f"/practice/mock/{key}/resume")

    answer = (REPO / "examples" / "answer.txt").read_text()
    client.post(f"/practice/mock/{key}/answer", data={"answer": answer})
    ended = client.post(f"/practice/mock/{key}/end", follow_redirects=False)
    session_id = int(ended.headers["location"].rsplit("/", 1)[1])
    report = client.get(f"/api/sessions/{session_id}").json()
    assert report["attempts"][0]["seconds"] == pytest.approx(60, abs=2)
    assert report["report"]["interview_seconds"] == pytest.approx(60, abs=2)
    over = client.post(f"/practice/mock/{key}/pause", headers={"Accept": "application/json"})
    assert over.status_code == 200 and over.json()["paused"] is False  # saved: nothing to pause


def test_a_recorded_answer_is_transcribed_and_critiqued_with_its_delivery(client, speech_webm):
    spoken = client.post(
        "/api/transcribe", files={"audio": ("answer.webm", speech_webm, "audio/webm")}
    )
    assert spoken.status_code == 200, spoken.text
    data = spoken.json()
    assert all(word in data["text"].lower() for word in SPOKEN_WORDS), data["text"]
    assert 3 < data["seconds"] < 10
    speech = data["speech"]
    assert speech["source"] == "browser" and speech["audio"] is None
    assert 100 < speech["words_per_minute"] < 230 and speech["pauses"] == []

    key = _start(client, "/practice/drill", principle="ownership")
    recorded = client.post(
        f"/practice/drill/{key}/transcribe",
        files={"audio": ("answer.webm", speech_webm, "audio/webm;codecs=opus")},
        headers={"Accept": "application/json"},
    )
    assert recorded.status_code == 200 and recorded.json()["text"] == data["text"]
    client.post(f"/practice/drill/{key}/answer", data={"answer": data["text"], "seconds": "99"})
    page = client.get(f"/practice/drill/{key}").text
    assert (
        "Delivery" in page and "words per minute" in page and "Long pauses:</strong> none" in page
    )
    saved = client.post(f"/practice/drill/{key}/finish", follow_redirects=False)
    session_id = int(saved.headers["location"].split("/")[-1].split("?")[0])
    attempt = client.get(f"/api/sessions/{session_id}").json()["attempts"][0]
    assert attempt["critique"]["speech"]["words_per_minute"] == speech["words_per_minute"]
    assert attempt["seconds"] == data["seconds"]  # the recording's length, as in the CLI
    again = client.post(
        f"/practice/drill/{key}/transcribe",
        files={"audio": ("answer.webm", speech_webm, "audio/webm")},
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 400 and "answer is in already" in again.json()["error"]


def test_recordings_that_cannot_be_read_get_a_clear_json_error(client):
    def send(content: bytes, kind: str = "audio/webm", path: str = "/api/transcribe"):
        return client.post(
            path,
            files={"audio": ("answer.webm", content, kind)},
            headers={"Accept": "application/json"},
        )

    for content, message in [
        (b"", "The recording is empty"),
        (b"this is not audio at all", "Cannot read audio from the recording"),
    ]:
        refused = send(content)
        assert refused.status_code == 400 and message in refused.json()["error"]
        assert "/tmp" not in refused.text and "Traceback" not in refused.text
    big = send(b"\0" * (21 * 1024 * 1024))
    assert big.status_code == 413 and "larger than 20 MB" in big.json()["error"]
    key = _start(client, "/practice/drill", principle="frugality")
    page_big = send(b"\0" * (21 * 1024 * 1024), path=f"/practice/drill/{key}/transcribe")
    assert page_big.status_code == 413 and page_big.json()["status"] == 413
    gone = send(b"x", path="/practice/drill/no-such-drill/transcribe")
    assert gone.status_code == 404 and "Start a new one" in gone.json()["error"]


def test_without_the_voice_extra_recording_is_explained_and_refused(client, monkeypatch):
    from starcoach.web import core

    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # as if it were not installed
    core.voice_unavailable.cache_clear()
    try:
        key = _start(client, "/practice/drill", principle="dive-deep")
        page = client.get(f"/practice/drill/{key}").text
        assert re.search(r"<button[^>]*disabled[^>]*>Record your answer</button>", page)
        assert "pip install &#39;starcoach[voice]&#39;" in page and "faster_whisper" in page
        refused = client.post(
            f"/practice/drill/{key}/transcribe",
            files={"audio": ("a.webm", b"x", "audio/webm")},
            headers={"Accept": "application/json"},
        )
        assert refused.status_code == 503
        assert "voice extra" in refused.json()["error"] and "Traceback" not in refused.text
        api = client.post("/api/transcribe", files={"audio": ("a.webm", b"x", "audio/webm")})
        assert api.status_code == 503 and "starcoach[voice]" in api.json()["error"]
    finally:
        core.voice_unavailable.cache_clear()


def test_sample_stories_ship_with_the_package_and_load_into_an_empty_bank(tmp_path):
    from starcoach.samples import sample_notes
    from starcoach.web.app import create_app

    shipped = dict(sample_notes())
    examples = {
        p.name: p.read_text(encoding="utf-8") for p in (REPO / "examples/notes").glob("*.md")
    }
    assert shipped == examples, "src/starcoach/samples/notes/ must match examples/notes/"

    app = create_app(f"sqlite:///{tmp_path / 'samples.db'}")
    with _client(app) as fresh:
        dashboard = fresh.get("/").text
        assert 'id="load-samples"' in dashboard and "amazon-lp-notes.md" in dashboard
        loaded = fresh.post("/samples", follow_redirects=False)
        assert loaded.headers["location"] == "/?notice=Loaded+8+sample+stories"
        shown = fresh.get(loaded.headers["location"]).text
        assert "Loaded 8 sample stories" in shown and 'id="heatmap"' in shown
        assert 'id="load-samples"' not in shown
        titles = {s["title"] for s in fresh.get("/api/stories").json()["stories"]}
        assert {"Cutting our cloud bill", "Pushing back on launching without load tests"} <= titles
        again = fresh.post("/api/samples").json()
        assert again["stories"] == [] and len(again["duplicates"]) == 8
        plan = fresh.get("/plan", params={"interviewers": 4}).text
        assert "Interviewer 4</th>" in plan and plan.count('<a href="/stories/') >= 4


def test_csrf_is_required(app):
    with TestClient(app, base_url="http://127.0.0.1") as fresh:
        refused = fresh.post("/api/critique", json={"answer": "x"})
        assert refused.status_code == 403
        assert "security token" in refused.json()["error"]
        fresh.get("/api/csrf")  # has the cookie now, but not the token
        assert fresh.post("/api/critique", json={"answer": "x"}).status_code == 403
        wrong = fresh.post("/api/critique", json={"answer": "x"}, headers={"X-CSRF-Token": "0"})
        assert wrong.status_code == 403
        form = fresh.post("/stories", data={"title": "x", "situation": "y"})
        assert form.status_code == 403
        assert "<html" in form.text and "Reload the page" in form.text
        assert fresh.get("/api/stories").status_code == 200  # reading needs no token


def test_form_with_token_saves_and_redirects(client):
    page = client.get("/stories/new")
    import re

    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
    response = client.post(
        "/stories",
        data={"csrf_token": token, "title": "<script>alert(1)</script>", "action": "I fixed it."},
        headers={"X-CSRF-Token": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    shown = client.get(response.headers["location"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
    assert "<script>alert(1)</script>" not in shown.text


def test_size_limits(client):
    big = "word " * 500_000  # 2.5 MB
    response = client.post("/api/critique", json={"answer": big})
    assert response.status_code == 413
    assert "larger than 2 MB" in response.json()["error"]
    upload = {"files": ("big.md", b"a" * (6 * 1024 * 1024), "text/markdown")}
    assert client.post("/api/import", files=upload).status_code == 413


def test_bad_input_and_errors_without_traces(client, app):
    assert client.get("/api/stories/999").status_code == 404
    assert "No story with id 999" in client.get("/api/stories/999").json()["error"]
    bad = client.get("/api/stories/abc")
    assert bad.status_code == 400 and "whole number" in bad.json()["error"]
    assert client.post("/api/stories", json={"title": ""}).status_code == 400
    assert client.post("/api/critique", json={"answer": "  "}).json()["error"]
    assert client.post("/api/critique", content=b"{not json").status_code == 400
    unknown = client.get("/api/questions", params={"principle": "frugalty"})
    assert unknown.status_code == 400 and "frugality" in unknown.json()["error"]
    binary = {"files": ("x.md", b"\x00\x01\x02", "text/markdown")}
    assert "binary" in client.post("/api/import", files=binary).json()["error"]
    assert client.get("/api/export", params={"format": "pdf"}).status_code == 400

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internals at /home/me/starcoach.db")

    crashed = client.get("/api/boom")
    assert crashed.status_code == 500
    assert "Something went wrong" in crashed.json()["error"]
    assert "secret" not in crashed.text and "Traceback" not in crashed.text
    page = client.get("/stories/999")
    assert page.status_code == 404 and "No story with id 999" in page.text


def test_unknown_host_is_refused(app):
    with TestClient(app, base_url="http://evil.example") as other:
        assert other.get("/api/stories").status_code == 400


def test_openapi_lists_the_api(client):
    spec = client.get("/api/openapi.json").json()
    for path in (
        "/api/classify",
        "/api/critique",
        "/api/stories",
        "/api/import",
        "/api/match",
        "/api/plan",
        "/api/review",
        "/api/transcribe",
        "/api/samples",
    ):
        assert path in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_serve_loads_the_coach_before_it_prints_its_address(understanding, tmp_path):
    """`starcoach serve` says it loads the coach and warms the models before it prints its
    address, so the first page does not wait for them."""
    import queue
    import socket
    import subprocess
    import threading

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "starcoach", "--db", f"sqlite:///{tmp_path / 's.db'}"]
    server = subprocess.Popen(
        [*command, "serve", "--no-browser", "--port", str(port)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in server.stderr], daemon=True).start()
    try:
        said = []
        while not any("running at" in line for line in said):
            said.append(lines.get(timeout=120))
        assert "Loading the coach" in said[0] and "caches" in said[0]
        assert f"http://127.0.0.1:{port}/" in said[-1]
        page = httpx.get(f"http://127.0.0.1:{port}/questions/analyse?question=Why+us%3F")
        assert page.status_code == 200 and 'data-testid="analysis"' in page.text
    finally:
        server.terminate()
        server.wait(20)
