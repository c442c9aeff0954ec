"""The web app in a real browser: Playwright driving Debian's /usr/bin/chromium.

One server (uvicorn in a thread, a throwaway SQLite database) and one browser for the
whole module. Screenshots of every page go to test-output/screenshots/.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
NOTES = REPO / "examples" / "notes" / "plain-stories.md"
ANSWER = (REPO / "examples" / "answer.txt").read_text()
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CONSOLE_ERRORS: dict[int, list[str]] = {}
"""Per page: errors and failed loads the browser reported (a test may expect some)."""
TIMEOUT_MS = 120_000
"""Critiques run the model; on a busy machine a request can take seconds."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(understanding, tmp_path_factory):
    import uvicorn

    from starcoach.web.app import create_app

    db = tmp_path_factory.mktemp("web-browser") / "starcoach.db"
    app = create_app(f"sqlite:///{db}")
    app.state.core.critic  # load the model before the first page asks for it  # noqa: B018
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("The web app's server did not start within 30 seconds.")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            "The browser tests need Debian's chromium at /usr/bin/chromium: run `make test` "
            "(scripts/install-system-deps.sh installs it) or `apt-get install chromium`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    found = context.new_page()
    errors = CONSOLE_ERRORS.setdefault(id(found), [])
    found.on("pageerror", lambda exc: errors.append(str(exc)))
    found.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield found
    context.close()
    CONSOLE_ERRORS.pop(id(found), None)
    assert not errors, f"errors in the browser console: {errors}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_1_add_a_story_and_see_its_critique(page):
    page.goto("/stories")
    assert page.get_by_text("No stories yet").is_visible()
    shot(page, "stories-empty")
    page.get_by_role("link", name="Add a story").click()
    page.get_by_label("Title").fill("Payment API migration")
    page.get_by_label("Situation").fill(
        "Last spring I was a senior engineer on the checkout team of a shop with 300,000 "
        "orders a month, and our payment provider was retiring its API in ten weeks."
    )
    page.get_by_label("Action").fill(
        "I mapped every call to the old API, wrote a compatibility layer, and moved traffic "
        "over in 5% steps behind a flag while watching error rates."
    )
    live = page.locator("#live-critique [data-testid=score]")
    live.wait_for()  # the critique updates as the user types, before saving
    assert int(live.inner_text()) > 0
    assert page.get_by_text("(as typed, not saved yet)").is_visible()
    page.get_by_label("Result").fill(
        "We finished two weeks early with zero failed payments and latency fell by 18%."
    )
    shot(page, "story-editor-live-critique")
    page.get_by_role("button", name="Save story").click()
    page.wait_for_url("**/stories/1?notice=*")
    assert page.get_by_role("status").inner_text() == "Story saved"
    assert int(page.locator("[data-testid=score]").inner_text()) > 0
    assert page.get_by_role("heading", name="What to fix").is_visible()
    shot(page, "story-saved")
    page.goto("/stories")
    assert page.get_by_role("link", name="Payment API migration").is_visible()
    shot(page, "stories-list")


def test_2_import_notes_and_see_the_coverage_change(page):
    page.goto("/")
    before = page.locator("#heatmap tbody tr").count()
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("Note files").set_input_files(str(NOTES))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="Saved 3 new stories").wait_for()
    assert page.get_by_role("link", name="Cutting our cloud bill").is_visible()
    shot(page, "import-result")
    page.get_by_role("link", name="See your coverage").click()
    page.locator("#heatmap").wait_for()
    assert page.locator("#heatmap tbody tr").count() == before + 3
    cell = page.locator("#heatmap tbody tr", has_text="Cutting our cloud bill").locator("td")
    assert "Frugality" in " ".join(cell.evaluate_all("cells => cells.map(c => c.ariaLabel)"))
    assert page.locator("#readiness li").count() >= 3
    shot(page, "dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "dashboard-phone")


def test_3_drill_a_question_and_see_the_report(page):
    page.goto("/practice")
    page.get_by_label("Principle").select_option("ownership")
    page.get_by_role("button", name="Start a drill").click()
    page.locator("#drill-question").wait_for()
    clock = page.locator("[data-timer]")
    expect(clock).not_to_have_text("0:00")  # the clock runs while the user types
    assert clock.inner_text().startswith("0:0")
    page.get_by_label("Your answer").fill(ANSWER)
    shot(page, "drill-question")
    page.get_by_role("button", name="Submit answer").click()
    page.locator("#drill-report").wait_for()
    assert int(page.locator("[data-testid=score]").first.inner_text()) > 0
    followups = page.locator("#followups textarea")
    if followups.count():
        followups.first.fill("I measured it on the payments dashboard: failures fell by 30%.")
    shot(page, "drill-report")
    page.get_by_role("button", name="Finish and save").click()
    page.wait_for_url("**/history/*")
    assert page.get_by_role("heading", name="Drill report").is_visible()
    shot(page, "drill-saved")


def test_4_mock_interview_from_start_to_report(page):
    page.goto("/practice")
    page.get_by_label("Minutes (20–180)").fill("20")
    page.get_by_role("button", name="Start the interview").click()
    page.locator("#mock-question").wait_for()
    shot(page, "mock-question")
    for _ in range(30):
        if "/history/" in page.url:
            break
        page.get_by_label("Your answer").first.fill(ANSWER)
        page.locator("#submit-answer").click()
        page.wait_for_load_state()
    assert "/history/" in page.url, "the interview did not end within 30 answers"
    assert page.get_by_role("heading", name="Mock interview report").is_visible()
    assert page.locator("#mock-report [data-testid=score]").inner_text().isdigit()
    assert page.get_by_role("heading", name="Principles covered").is_visible()
    shot(page, "mock-report")


def test_5_questions_history_and_errors(page):
    page.goto("/questions?principle=frugality")
    page.get_by_label("Interview question").fill("Tell me about a time you had to cut costs.")
    page.get_by_role("button", name="Analyse").click()
    analysis = page.locator("[data-testid=analysis]")
    analysis.wait_for()
    assert "Frugality" in analysis.inner_text()
    assert page.get_by_role("link", name="Cutting our cloud bill").first.is_visible()
    shot(page, "questions")
    page.goto("/history")
    page.locator("canvas.trend-chart").first.wait_for()
    assert page.locator("#sessions tbody tr").count() >= 2
    shot(page, "history")
    response = page.goto("/stories/999")
    assert response is not None and response.status == 404
    assert page.get_by_role("alert").inner_text().startswith("No story with id 999")
    shot(page, "error-page")
    CONSOLE_ERRORS[id(page)].clear()  # the 404 above was asked for
    page.goto("/api/docs")
    assert page.get_by_role("cell", name="/api/critique").first.is_visible()
    shot(page, "api-docs")


def test_6_keyboard_navigation(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
