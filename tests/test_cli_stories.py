"""The story bank end to end through the real CLI: a real SQLite file, the real model."""

from __future__ import annotations

import json
import sqlite3

import pytest

NOTES = """\
# My interview notes

## 2. Ownership

### Question 1: Tell me about a time you owned a problem nobody else would touch.

Situation: Our nightly billing export at a payments startup failed about twice a week, and
the job had no owner since its author left.
Task: I was a backend engineer on another team, but invoices to 4,000 merchants depended on
it, so I took it on.
Action: I added alerts on the export, traced the failures to a timeout in one slow query,
rewrote the query with an index, and wrote a runbook so anyone on call could rerun it.
Result: The export has not failed in the eight months since, and support tickets about
missing invoices dropped from 30 a month to 2.

## 11. Earn Trust

### Question 2: Describe a time you rebuilt trust with a team you had let down.

Situation: I had promised the mobile team a new login API by March and delivered it three
weeks late, which pushed back their release.
Task: I needed to win back their confidence before the next shared project started.
Action: I went to their planning meeting, explained what I had underestimated, and
proposed weekly demos of our progress; I also shared our burndown with them every Friday.
Result: The next API shipped two days early, and their lead asked for me by name for the
following project.
Lesson: I learned to share bad news about dates the day I know it, not the day it lands.
"""


@pytest.fixture
def bank(cli, tmp_path):
    """The CLI on a fresh, empty database (the session's home keeps the model caches warm)."""
    database = tmp_path / "bank" / "starcoach.db"
    database.parent.mkdir()

    def run(*args, **kwargs):
        return cli("--db", str(database), *args, **kwargs)

    run.database = database
    return run


def _json(result):
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def test_import_then_list_show_and_no_duplicates_on_reimport(bank, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")

    dry = _json(bank("import", str(notes), "--dry-run", "--json"))
    assert len(dry["stories"]) == 2 and dry["dry_run"] is True
    assert _json(bank("story", "list", "--json"))["stories"] == []

    first = _json(bank("import", str(notes), "--json"))
    titles = [s["question"] for s in first["stories"]]
    assert titles[0].startswith("Tell me about a time you owned")
    assert set(first["stories"][0]["sections"]) >= {"situation", "task", "action", "result"}
    assert "ownership" in first["stories"][0]["principles"]
    assert "earn-trust" in first["stories"][1]["principles"]

    again = _json(bank("import", str(notes), "--json"))
    assert again["stories"] == [] and len(again["duplicates"]) == 2

    listed = _json(bank("story", "list", "--json"))["stories"]
    assert [s["id"] for s in listed] == [s["id"] for s in first["stories"]]
    shown = _json(bank("story", "show", str(listed[0]["id"]), "--json"))
    assert shown["critique"]["score"] == shown["score"]
    assert {s["section"] for s in shown["critique"]["sentences"]} >= {"action", "result"}


def test_add_edit_history_rm_restore(bank, tmp_path):
    story = tmp_path / "story.md"
    story.write_text(NOTES.split("## 11.")[0], encoding="utf-8")
    added = _json(bank("story", "add", "--from", str(story), "--tag", "payments", "--json"))
    story_id = str(added["id"])
    assert added["version"] == 1 and added["tags"] == ["payments"]

    edited = _json(bank("story", "edit", story_id, "--title", "Billing export rescue", "--json"))
    assert edited["version"] == 2 and edited["title"] == "Billing export rescue"
    history = _json(bank("story", "history", story_id, "--json"))["versions"]
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["story"]["title"] != "Billing export rescue"

    assert bank("story", "rm", story_id).returncode == 0
    assert _json(bank("story", "list", "--json"))["stories"] == []
    trash = _json(bank("story", "list", "--trash", "--json"))["stories"]
    assert [s["id"] for s in trash] == [added["id"]]
    assert bank("story", "restore", story_id).returncode == 0
    assert [s["id"] for s in _json(bank("story", "list", "--json"))["stories"]] == [added["id"]]


def test_match_coverage_and_plan_over_imported_stories(bank, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    _json(bank("import", str(notes), "--json"))

    match = _json(bank("match", "When did you win back a colleague's trust?", "--json"))
    assert match["stories"][0]["title"].lower().count("trust") or "earn-trust" in {
        p["id"] for p in match["principles"][:3]
    }
    assert match["stories"][0]["reasons"]

    coverage = _json(bank("coverage", "--company", "amazon", "--json"))
    assert coverage  # the matrix, gaps and readiness are checked in test_coverage.py
    plan = _json(bank("plan", "--company", "amazon", "--interviewers", "2", "--json"))
    assert plan


def test_export_markdown_then_import_into_a_new_bank_gives_the_same_stories(bank, cli, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    before = _json(bank("import", str(notes), "--json"))["stories"]
    exported = tmp_path / "export.md"
    assert bank("export", "--output", str(exported)).returncode == 0

    other = cli("--db", str(tmp_path / "other.db"), "import", str(exported), "--json")
    after = _json(other)["stories"]
    assert [(s["title"], s["sections"], s["question"]) for s in after] == [
        (s["title"], s["sections"], s["question"]) for s in before
    ]


def test_backup_and_restore_backup(bank, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    _json(bank("import", str(notes), "--json"))
    backup = tmp_path / "bank.json.gz"
    assert bank("backup", str(backup)).returncode == 0
    bank("story", "rm", "1")
    assert len(_json(bank("story", "list", "--json"))["stories"]) == 1

    refused = bank("restore-backup", str(backup))
    assert refused.returncode != 0 and b"--yes" in refused.stderr
    assert bank("restore-backup", str(backup), "--yes").returncode == 0
    assert len(_json(bank("story", "list", "--json"))["stories"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("story", "show", "42"), b"No story with id 42"),
        (("story", "rm", "42"), b"No story with id 42"),
        (("export", "--format", "pdf"), b"Unknown format"),
        (("plan", "--interviewers", "0"), b"interviewer"),
        (("story", "list", "--trash", "--json", "--bogus"), b"no such option"),
    ],
)
def test_bad_input_is_one_clear_line(bank, args, message):
    result = bank(*args)
    assert result.returncode not in (0, 70), result.stderr
    assert message.lower() in result.stderr.lower()
    assert b"Traceback" not in result.stderr


def test_a_file_that_is_not_a_database_is_refused_without_harm(bank):
    target = bank.database
    target.write_bytes(b"these are my private notes, not a database" * 50)
    result = bank("story", "list")
    assert result.returncode != 0 and b"Traceback" not in result.stderr
    assert target.read_bytes().startswith(b"these are my private notes")
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(target).execute("select 1 from sqlite_master").fetchall()


def test_an_unreachable_database_url_is_a_clear_error(cli):
    result = cli("--db", "postgresql+psycopg://nobody@127.0.0.1:9/none", "story", "list")
    assert result.returncode == 5, result.stderr
    assert b"Cannot reach the database" in result.stderr and b"Traceback" not in result.stderr
