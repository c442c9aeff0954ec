"""``history``, ``progress`` and ``review`` end to end, in a subprocess, with the real model.

One practice history (a short mock and a drill) is made once for the module; tests that
add to it work on a copy of its database.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta

import pytest

from starcoach.knowledge import load_knowledge

ANSWER = (
    "Last spring at a payments startup, our nightly billing export failed about twice a week "
    "and nobody owned it. I was a backend engineer on another team, but invoices to 4,000 "
    "merchants depended on it, so I took it on. I added alerts, traced the failures to a "
    "timeout in one slow query, rewrote it with an index and wrote a runbook for on-call. "
    "The export has not failed in eight months, and invoice tickets fell from 30 a month to 2."
)
WEAK = "We fixed the system together and we worked hard. Everyone was happy."
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LATER = (date.today() + timedelta(days=3)).isoformat()
"""Every card of a fresh history is due by then (the shortest FSRS interval is a day)."""


def _ok(result):
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    return result


def _json(result):
    return json.loads(_ok(result).stdout)


@pytest.fixture(scope="module")
def made(cli, tmp_path_factory):
    """A database with a three-answer mock interview and one drill."""
    folder = tmp_path_factory.mktemp("review")
    db = f"sqlite:///{folder / 'practice.db'}"
    answers = folder / "answers.jsonl"
    lines = [{"answer": ANSWER, "seconds": 140}, {"answer": WEAK}, {"answer": ANSWER}]
    answers.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    mock = _json(
        cli(
            "--db",
            db,
            "mock",
            "--seed",
            "5",
            "--answers",
            str(answers),
            "--json",
            "--report-html",
            str(folder / "mock.html"),
        )
    )
    weak = folder / "weak.txt"
    weak.write_text(WEAK, encoding="utf-8")
    drill = _json(
        cli(
            "--db",
            db,
            "drill",
            "-p",
            "dive-deep",
            "--seed",
            "1",
            "--answer-file",
            str(weak),
            "--json",
        )
    )
    return {"db": db, "folder": folder, "mock": mock, "drill": drill}


def test_history_json_lists_every_answer_newest_first(cli, made):
    data = _json(cli("--db", made["db"], "history", "--json"))
    assert data["count"] == 4 and data["principle"] is None
    first = data["attempts"][0]
    assert first["kind"] == "drill" and first["question_id"] == made["drill"]["question"]["id"]
    assert first["score"] == made["drill"]["score"]
    assert [a["kind"] for a in data["attempts"][1:]] == ["mock"] * 3
    times = [a["created_at"] for a in data["attempts"]]
    assert times == sorted(times, reverse=True)
    assert first["dimensions"] and first["findings"]

    deep = _json(cli("--db", made["db"], "history", "--principle", "Dive Deep", "--json"))
    assert deep["principle"] == "dive-deep" and deep["count"] >= 1
    assert all("dive-deep" in a["principles"] for a in deep["attempts"])
    assert _json(cli("--db", made["db"], "history", "--limit", "2", "--json"))["count"] == 2

    table = _ok(cli("--db", made["db"], "history")).stdout.decode()
    assert "Practice history" in table and "drill" in table and "mock" in table


def test_progress_writes_a_real_png_and_reports_trends(cli, made, tmp_path):
    target = tmp_path / "charts" / "mine.png"
    data = _json(cli("--db", made["db"], "progress", "--output", str(target), "--json"))
    assert data["png"] == str(target) and data["answers"] == 4
    blob = target.read_bytes()
    assert blob.startswith(PNG_MAGIC) and len(blob) > 20_000
    assert int.from_bytes(blob[16:20], "big") >= 800  # width in pixels
    assert {t["id"] for t in data["principles"]} >= {"dive-deep"}
    assert data["overall"]["answers"] == 4 and data["dimensions"]
    assert not list(target.parent.glob(".*.tmp"))  # the atomic write left nothing behind

    text = _ok(cli("--db", made["db"], "progress")).stdout.decode()
    assert "Score per principle" in text and "Critique dimensions" in text
    assert any(ch in text for ch in "▁▂▃▄▅▆▇█")
    default = text.split("Chart:")[-1].split()[0]
    assert default.endswith("reports/progress.png")
    with open(default, "rb") as handle:
        assert handle.read(8) == PNG_MAGIC


def test_review_list_shows_the_due_questions(cli, made):
    today = _json(cli("--db", made["db"], "review", "--list", "--json"))
    assert today["due_count"] == 0 and today["cards"] == 4 and today["next_due"]
    assert all(item["kind"] == "new" for item in today["items"])  # fresh principles meanwhile

    later = _json(cli("--db", made["db"], "review", "--json", "--on", LATER, "--limit", "10"))
    due = [item for item in later["items"] if item["kind"] == "due"]
    assert later["due_count"] == 4 and len(due) == 4
    drilled = made["drill"]["question"]["id"]
    assert drilled in {item["question_id"] for item in due}
    item = next(i for i in due if i["question_id"] == drilled)
    assert item["last_score"] == made["drill"]["score"] and item["reviews"] == 1
    assert item["principle_name"] and item["last_rating"] in {"Again", "Hard", "Good", "Easy"}
    scores = [i["principle_score"] for i in due]
    assert scores == sorted(scores)  # weakest principles first
    assert later["items"][4:] and all(i["kind"] == "new" for i in later["items"][4:])

    text = _ok(cli("--db", made["db"], "review", "--list", "--on", LATER)).stdout.decode()
    assert "Review" in text and "due" in text


def test_review_runs_the_due_drills_from_an_answer_file(cli, made, tmp_path):
    shutil.copy(made["folder"] / "practice.db", tmp_path / "copy.db")
    db = f"sqlite:///{tmp_path / 'copy.db'}"
    plan = _json(cli("--db", db, "review", "--json", "--on", LATER, "--limit", "2"))
    answers = tmp_path / "answers.jsonl"
    answers.write_text(
        json.dumps({"answer": ANSWER, "seconds": 150, "follow_ups": ["I wrote the runbook."]})
        + "\n",
        encoding="utf-8",
    )
    result = _ok(
        cli("--db", db, "review", "--on", LATER, "--limit", "2", "--answer-file", str(answers))
    )
    out = result.stdout.decode()
    assert "Review 1 of 2" in out and "Next review of this question" in out
    assert "Review done: 1 drill(s); 1 left for later" in out  # one prepared answer
    history = _json(cli("--db", db, "history", "--json"))
    assert history["count"] == 5
    assert history["attempts"][0]["question_id"] == plan["items"][0]["question_id"]
    assert history["attempts"][0]["follow_ups"][0]["answer"] == "I wrote the runbook."
    after = _json(cli("--db", db, "review", "--json", "--on", LATER, "--limit", "10"))
    reviewed = plan["items"][0]["question_id"]
    assert reviewed not in {i["question_id"] for i in after["items"] if i["kind"] == "due"} or (
        next(i for i in after["items"] if i["question_id"] == reviewed)["reviews"] == 2
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("history", "--principle", "dive-dep"), b"did you mean 'dive-deep'"),
        (("history", "--limit", "0"), b"at least 1"),
        (("review", "--limit", "0", "--list"), b"at least 1"),
        (("review", "--on", "tomorrow", "--list"), b"--on takes a date"),
        (("progress", "--output", "chart.txt"), b".png"),
    ],
)
def test_bad_input_is_one_clear_line(cli, tmp_path, args, message):
    result = cli("--db", f"sqlite:///{tmp_path / 'empty.db'}", *args)
    assert result.returncode == 2, result.stderr
    assert message.lower() in result.stderr.lower()
    assert b"Traceback" not in result.stderr


def test_empty_history_says_how_to_start(cli, tmp_path):
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert b"starcoach drill" in _ok(cli("--db", db, "history")).stdout
    assert b"starcoach drill" in _ok(cli("--db", db, "progress")).stdout
    data = _json(cli("--db", db, "progress", "--json"))
    assert data["answers"] == 0 and data["png"] is None
    plan = _json(cli("--db", db, "review", "--json", "--limit", "3"))
    kb = load_knowledge()
    assert [i["principle"] for i in plan["items"]] == [p.id for p in kb.principles[:3]]
    assert _ok(cli("--db", db, "review", "--no-new", "--list")).stdout.startswith(b"Nothing")
