"""The web app's JSON API and its safety nets, through FastAPI's TestClient (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "examples" / "notes" / "plain-stories.md"
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
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        token = c.get("/api/csrf").json()["token"]
        c.headers["X-CSRF-Token"] = token
        yield c


def test_pages_render_with_empty_states(client):
    for path, text in [
        ("/", "Your story bank is empty"),
        ("/stories", "No stories yet"),
        ("/history", "No practice saved yet"),
        ("/import", "Note files"),
        ("/questions", "questions"),
        ("/practice", "Start a drill"),
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
    for path in ("/api/classify", "/api/critique", "/api/stories", "/api/import", "/api/match"):
        assert path in spec["paths"]
    assert client.get("/api/docs").status_code == 200
