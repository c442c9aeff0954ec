"""The drill in a real pseudo-terminal: live typing, and Ctrl-C that keeps the answer.

These run ``starcoach drill`` under a pty (``pexpect``), as a person at a terminal would
meet it: the countdown reader puts the terminal in cbreak mode, so a line that was never
ended with Enter must still be there when Ctrl-C stops the answer.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect is in the dev extra")

TIMEOUT = 240  # a start in a fresh home loads the models


@pytest.fixture(scope="module")
def warm_cache(understanding) -> Path:
    """The session's cache with everything a drill builds on its first start (the
    classifier head, the STAR labeller): a terminal test times the reader, not the first
    training of the heads, which on a busy 2-core machine can outlast the timeout."""
    from starcoach.analysis.critique import Critic, CritiqueRequest
    from starcoach.paths import cache_dir

    Critic(understanding=understanding).critique_many(
        [
            CritiqueRequest(
                "I owned the outage fix and wrote the postmortem.", "Tell me about ownership."
            )
        ]
    )
    return cache_dir()


def spawn_drill(home: Path, *args: str, cache: Path | None = None) -> pexpect.spawn:
    """A drill with its own data in ``home``; with ``cache``, derived data is shared."""
    if cache is not None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "cache").symlink_to(cache, target_is_directory=True)
    env = {**os.environ, "STARCOACH_HOME": str(home), "TERM": "xterm", "COLUMNS": "120"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "starcoach", "drill", "--principle", "ownership", "--seed", "3", *args],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(40, 120),
        # A shell runs background jobs with SIGINT ignored, and Python keeps an ignored
        # SIGINT: restore the default so Ctrl-C reaches the drill as at a terminal.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    child.expect("Ctrl-C stops")  # the live reader is waiting for the answer
    return child


def saved_answers(cli, home: Path) -> list[dict]:
    result = cli("--home", str(home), "history", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["attempts"]


def test_ctrl_c_mid_line_keeps_every_word_typed(cli, tmp_path: Path, warm_cache: Path) -> None:
    home = tmp_path / "home"
    child = spawn_drill(home, cache=warm_cache)
    child.send("I owned the outage fix myself\r")
    child.send("and then I wrote the postmortem")  # no Enter: an unfinished line
    child.expect("postmortem")  # echoed by the live reader
    child.sendintr()
    child.expect("your text is kept")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = saved_answers(cli, home)
    assert len(answers) == 1
    answer = answers[0]["answer"]
    assert "I owned the outage fix myself" in answer
    assert answer.endswith("and then I wrote the postmortem")


def test_two_empty_lines_end_the_answer_and_a_follow_up_is_asked(
    cli, tmp_path: Path, warm_cache: Path
) -> None:
    home = tmp_path / "home"
    child = spawn_drill(home, cache=warm_cache)
    for line in (
        "Last year our payments service failed every Friday night.",
        "I was the on-call engineer and I decided to own the fix.",
        "I traced it to a retry loop in a client library and patched it upstream.",
        "Failures dropped from 12 a week to zero.",
        "",
        "",
    ):
        child.send(line + "\r")
    child.expect("Follow-up:")
    child.expect("Ctrl-C stops")  # the reader for the follow-up is live
    child.send("I measured it from the pager logs: twelve pages a week before, none after.")
    child.sendintr()  # Ctrl-C on the follow-up keeps its text too, and ends the drill
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = saved_answers(cli, home)
    assert "Failures dropped from 12 a week to zero." in answers[0]["answer"]
    follow_ups = answers[0].get("follow_ups") or []
    assert follow_ups and follow_ups[0]["answer"].startswith("I measured it from the pager logs")
