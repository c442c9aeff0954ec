"""``starcoach drill`` and ``starcoach mock`` end to end, in a subprocess, with the real model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from starcoach.cli.practice import LineEditor

ANSWER = (
    "Last spring at a payments startup, our nightly billing export failed about twice a week "
    "and nobody owned it. I was a backend engineer on another team, but invoices to 4,000 "
    "merchants depended on it, so I took it on. I added alerts, traced the failures to a "
    "timeout in one slow query, rewrote it with an index and wrote a runbook for on-call. "
    "The export has not failed in eight months, and invoice tickets fell from 30 a month to 2."
)
WEAK = "We fixed the system together and we worked hard. Everyone was happy <b>bold</b>."

# Until cli/app.py registers the commands, run them through the same entry point.
RUNNER = """
from starcoach.cli import app, practice
names = {c.name for c in app.app.registered_commands}
if "drill" not in names:
    app.app.command("drill")(practice.drill_command)
    app.app.command("mock")(practice.mock_command)
app.main()
"""


@pytest.fixture
def practice(understanding, tmp_path):
    """The CLI on a fresh database (the warm model cache of the session home is kept)."""
    db = f"sqlite:///{tmp_path / 'practice.db'}"

    def run(*args, stdin=None, env=None):
        return subprocess.run(
            [sys.executable, "-c", RUNNER, "--db", db, *args],
            input=stdin.encode() if isinstance(stdin, str) else stdin,
            capture_output=True,
            env={**os.environ, **(env or {})},
            timeout=180,
            check=False,
        )

    run.db = db
    return run


def _json(result):
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_mock_from_prepared_answers_writes_html_json_and_saves(practice, tmp_path):
    lines = [
        {"answer": ANSWER if i % 2 else WEAK, "seconds": 140, "follow_ups": ["I wrote the fix."]}
        for i in range(8)
    ]
    answers = tmp_path / "answers.jsonl"
    answers.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    html = tmp_path / "out" / "report.html"
    result = practice(
        "mock",
        "--company",
        "amazon",
        "--minutes",
        "60",
        "--level",
        "senior",
        "--seed",
        "3",
        "--answers",
        str(answers),
        "--report-html",
        str(html),
        "--json",
    )
    data = _json(result)
    assert data["session_id"] == 1 and data["report_html"] == str(html)
    assert 6 <= data["questions_asked"] <= 8
    assert len({a["principle"] for a in data["answers"]}) == data["questions_asked"]
    assert all(a["seconds"] == 140 for a in data["answers"])
    assert any(p["code"] == "no-metrics" for p in data["patterns"])
    page = html.read_text(encoding="utf-8")
    assert "Mock interview report" in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<b>bold</b>" not in page
    if data["questions_asked"] < len(lines):
        assert b"not used" in result.stderr

    again = practice("mock", "--answers", str(answers), "--seed", "3", "--minutes", "20")
    assert again.returncode == 0, again.stderr.decode()
    assert b"Mock interview report" in again.stdout and b"practice session 2" in again.stdout


def test_mock_report_goes_to_the_home_reports_folder_by_default(practice, tmp_path, starcoach_home):
    answers = tmp_path / "a.jsonl"
    answers.write_text(json.dumps({"answer": ANSWER}) + "\n", encoding="utf-8")
    data = _json(practice("mock", "--answers", str(answers), "--json"))
    assert data["end_reason"] == "the prepared answers ran out"
    path = data["report_html"]
    assert path.startswith(str(starcoach_home / "reports")) and os.path.isfile(path)


def test_drill_from_an_answer_file(practice, tmp_path):
    plain = tmp_path / "answer.txt"
    plain.write_text(WEAK, encoding="utf-8")
    data = _json(
        practice(
            "drill",
            "--principle",
            "ownership",
            "--seed",
            "1",
            "--answer-file",
            str(plain),
            "--json",
        )
    )
    assert data["question"]["principles"][0] == "ownership"
    assert data["critique"]["score"] == data["score"] and data["session_id"] == 1
    assert 1 <= len(data["follow_ups"]) <= 2
    assert data["follow_ups"][0]["reason"] in {f["code"] for f in data["critique"]["findings"]}
    assert all(f["answer"] == "" for f in data["follow_ups"])

    scripted = tmp_path / "answer.json"
    scripted.write_text(
        json.dumps({"answer": ANSWER, "seconds": 150, "follow_ups": ["Tickets fell by 93%."]}),
        encoding="utf-8",
    )
    data = _json(
        practice(
            "drill", "--company", "meta", "--level", "L5", "--answer-file", str(scripted), "--json"
        )
    )
    assert data["seconds"] == 150 and data["level"] == "senior" and data["company"] == "meta"
    assert data["follow_ups"][0]["answer"] == "Tickets fell by 93%."
    assert data["follow_ups"][0]["score"] is not None


def test_drill_reads_a_piped_answer_and_prints_the_critique(practice):
    result = practice("drill", "--seed", "2", stdin=ANSWER)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Score" in result.stdout and b"Follow-up:" in result.stdout
    assert b"Saved as practice session 1" in result.stdout


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_llm_warns_and_the_drill_goes_on(practice):
    url = f"http://127.0.0.1:{_free_port()}/v1"
    result = practice("drill", "--seed", "4", "--json", stdin=WEAK, env={"STARCOACH_LLM_URL": url})
    data = _json(result)
    assert data["follow_up_source"] == "rules" and data["follow_ups"]
    assert "cannot reach" in data["follow_up_note"]
    assert b"LLM follow-ups unavailable" in result.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "env", "message"),
    [
        (("mock", "--minutes", "5", "--answers", "-"), "{}", None, b"20 to 180"),
        (("mock", "--company", "initech", "--answers", "-"), "{}", None, b"unknown company"),
        (("mock", "--answers", "-"), "this is not json\n", None, b"line 1: not valid json"),
        (("mock",), "", None, b"--answers"),
        (("drill", "--answer-file", "/no/such/file.txt"), None, None, b"no such file"),
        (("drill", "--principle", "dive-dep"), "x", None, b"did you mean 'dive-deep'"),
        (("drill",), "   \n", None, b"empty"),
        (("drill",), "An answer.", {"STARCOACH_LLM_URL": "localhost:1"}, b"STARCOACH_LLM_URL"),
    ],
)
def test_bad_input_is_one_clear_line(practice, args, stdin, env, message):
    result = practice(*args, stdin=stdin, env=env)
    assert result.returncode == 2, result.stderr
    assert message.lower() in result.stderr.lower()
    assert b"Traceback" not in result.stderr


def test_report_path_that_cannot_be_a_folder(practice, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = practice(
        "mock",
        "--answers",
        "-",
        "--report-html",
        str(blocker / "r.html"),
        stdin=json.dumps({"answer": ANSWER}),
    )
    assert result.returncode == 2 and b"report" in result.stderr
    assert b"Traceback" not in result.stderr


# -- the answer box's keystrokes --------------------------------------------------------


def feed(editor, keys):
    return [e for e in (editor.feed(k) for k in keys) if e]


def test_two_empty_lines_end_the_answer():
    editor = LineEditor()
    assert feed(editor, "\n\nFirst line\nsecond\n\n") == []  # leading blanks dropped
    assert editor.text == "First line\nsecond\n\n"  # one blank line is a paragraph break
    assert feed(editor, "\n") == ["end"]
    assert editor.text == "First line\nsecond"


def test_editing_keys_and_escape_sequences():
    editor = LineEditor()
    feed(editor, "Hello wrld\x7f\x7f\x7forld\x1b[A\x1bOB\tthere")
    assert editor.text == "Hello world there"
    feed(editor, "\x17")
    assert editor.text == "Hello world "
    feed(editor, "\x15")
    assert editor.text == ""
    assert feed(editor, "abc\x04") == ["end"] and editor.text == "abc"


def test_pause_line_is_not_part_of_the_answer():
    editor = LineEditor()
    assert feed(editor, "I did it.\n/pause\n") == ["pause"]
    assert editor.paused and editor.text == "I did it.\n"
    assert feed(editor, "ignored while paused") == []
    assert feed(editor, "\r") == ["resume"] and not editor.paused
    feed(editor, "Then more.")
    assert editor.text == "I did it.\nThen more."
