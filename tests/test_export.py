"""Exporting stories: Markdown that imports back unchanged, JSON, and an Anki deck."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from starcoach.errors import InputError
from starcoach.knowledge import load_knowledge
from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.stories.export import (
    anki_package,
    card_question,
    normalise_story,
    stories_to_json,
    stories_to_markdown,
    story_template,
    write_anki_deck,
    write_json,
    write_markdown,
)
from starcoach.stories.model import SECTIONS, Story
from starcoach.stories.notes import parse_notes

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "notes"
FIELDS = (
    "title",
    "question",
    "sections",
    "principles",
    "company",
    "role",
    "started",
    "ended",
    "tags",
    "notes",
)


def no_label(text: str) -> list[tuple[str, str]]:
    raise AssertionError(f"an export is fully labelled, yet this was not: {text!r}")


def fields(story: Story) -> dict:
    return {name: getattr(story, name) for name in FIELDS}


def round_trip(stories: list[Story], kb) -> list[Story]:
    notes = parse_notes(stories_to_markdown(stories, knowledge=kb), label=no_label, knowledge=kb)
    assert notes.problems == [] and notes.questions == [] and notes.duplicates == []
    return notes.stories


NASTY = Story(
    title="Cutting the release # checklist #",
    question="Tell me about a time you simplified something?",
    sections={
        "situation": "Our release\n## took 2 days\n\n  indented\n- Company: x\n"
        'Example: "y"\n> quoted\n**bold line**\n*aside*\n```\n---\n\\back\n<!-- c -->',
        "task": "Situation: looks like a label\n情境：也像标签",
        "action": "1. I mapped every step.\n2. I automated the sign-off.\n\tTabbed.",
        "result": "**Result:** 3 hours",
        "reflection": "A\n\nSecond paragraph.",
    },
    principles=("invent-and-simplify", "dive-deep"),
    company="Acme, Inc.",
    role="Backend engineer",
    started="2021-03",
    ended="2021-09",
    tags=("ci, cd", "back\\slash", "发布"),
    notes="Tip: this is a note\n\nFollow-ups: still a note",
)


def test_markdown_round_trip_of_awkward_text(kb):
    plain = Story("Plain", {"action": "I did it."})
    other = Story("Ownership", {"result": "Example: 30%"}, principles=("ownership",))
    stories = [NASTY, plain, other, plain.with_changes(title="Plain 2", principles=("ownership",))]
    back = round_trip(stories, kb)
    assert [fields(s) for s in back] == [fields(normalise_story(s)) for s in stories]


def test_markdown_is_readable(kb):
    text = stories_to_markdown([NASTY], knowledge=kb)
    assert "## Invent and Simplify (创新简化)" in text
    assert "### Story 1: Cutting the release # checklist \\#" in text
    assert "- Principles: invent-and-simplify, dive-deep" in text
    assert "**Action:** 1. I mapped every step.\n  2. I automated the sign-off." in text


def test_the_example_notes_survive_an_export(kb):
    text = (EXAMPLES / "amazon-lp-notes.md").read_text(encoding="utf-8")
    stories = parse_notes(text, label=no_label, knowledge=kb).stories
    assert [fields(s) for s in round_trip(stories, kb)] == [fields(s) for s in stories]


# --- the property: export then import gives the same stories ----------------------------

TRICKY = [
    "\n", "\n\n", "\r\n", "\t", "  ", "#", "## ", "*", "**", "_", "-", "- ", "1. ", "> ", "`",
    "```", "---", ":", "：", "\\", "<!--", "-->", "Situation:", "Result: ", "Example: ",
    "Notes:", "Q: ", "A:", "情境：", "- Company: ", "**Task**", "?", "？", "Story 1: ", "\u3000",
]  # fmt: skip
CHARS = st.characters(blacklist_categories=("Cs", "Cc"))
FRAGMENTS = st.one_of(st.text(CHARS, max_size=12), st.sampled_from(TRICKY))
BLOCK = st.lists(FRAGMENTS, max_size=12).map("".join)
LINE = st.lists(FRAGMENTS, max_size=6).map("".join).map(lambda t: " ".join(t.split()))
OPTIONAL_LINE = st.one_of(st.none(), LINE)


@st.composite
def stories(draw: st.DrawFn) -> Story:
    sections = draw(st.dictionaries(st.sampled_from(SECTIONS), BLOCK, max_size=5))
    sections = {k: v for k, v in sections.items() if normalise_story(Story("t", {k: v})).sections}
    if not sections:
        sections = {"action": draw(LINE.filter(bool))}
    return Story(
        title=draw(LINE.filter(bool)),
        sections=sections,
        question=draw(OPTIONAL_LINE),
        principles=tuple(draw(st.lists(st.sampled_from(PRINCIPLE_IDS), unique=True, max_size=3))),
        company=draw(OPTIONAL_LINE),
        role=draw(OPTIONAL_LINE),
        started=draw(OPTIONAL_LINE),
        ended=draw(OPTIONAL_LINE),
        tags=tuple(draw(st.lists(LINE.filter(bool), unique=True, max_size=3))),
        notes=draw(BLOCK),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        stories(), min_size=1, max_size=4, unique_by=lambda s: normalise_story(s).fingerprint()
    )
)
def test_export_then_import_gives_the_same_stories(generated):
    back = round_trip(generated, load_knowledge())
    assert [fields(s) for s in back] == [fields(normalise_story(s)) for s in generated]


# --- JSON -------------------------------------------------------------------------------


def test_json_export(tmp_path):
    path = write_json([NASTY], tmp_path / "stories.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == [NASTY.to_dict()]
    assert "创新" not in path.read_text(encoding="utf-8") and "发布" in stories_to_json([NASTY])


# --- Anki -------------------------------------------------------------------------------


def _deck_rows(path: Path, tmp_path: Path) -> tuple[dict, list[tuple[str, str]]]:
    with zipfile.ZipFile(path) as archive:
        archive.extract("collection.anki2", tmp_path)
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        decks = json.loads(db.execute("select decks from col").fetchone()[0])
        rows = [tuple(flds.split("\x1f")[:2]) for (flds,) in db.execute("select flds from notes")]
    finally:
        db.close()
    return decks, rows


def test_anki_deck(kb, tmp_path):
    no_question = Story(
        "Cloud bill", {"action": "I shut idle clusters <down>."}, principles=("frugality",)
    )
    path = write_anki_deck([NASTY, no_question], tmp_path / "deck.apkg", knowledge=kb)
    decks, rows = _deck_rows(path, tmp_path)
    assert any(d["name"] == "starcoach stories" for d in decks.values())
    (front1, back1), (front2, back2) = rows
    assert front1 == "Tell me about a time you simplified something?"
    assert "<b>Situation</b>" in back1 and "Invent and Simplify (创新简化)" in back1
    assert front2 == card_question(no_question, kb)
    assert front2 in {q.text for q in kb.questions if q.primary == "frugality"}
    assert "&lt;down&gt;" in back2
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_anki_ids_are_stable(kb):
    first = anki_package([NASTY], knowledge=kb)
    second = anki_package([NASTY], knowledge=kb)
    assert first.decks[0].deck_id == second.decks[0].deck_id
    note1, note2 = first.decks[0].notes[0], second.decks[0].notes[0]
    assert note1.guid == note2.guid and note1.model.model_id == note2.model.model_id


def test_card_question_without_principles(kb):
    assert card_question(Story("Pager duty", {"action": "x"}), kb) == (
        "Tell me about this story: Pager duty."
    )


# --- files ------------------------------------------------------------------------------


def test_writes_replace_atomically(kb, tmp_path):
    target = tmp_path / "stories.md"
    target.write_text("old", encoding="utf-8")
    write_markdown([NASTY], target, knowledge=kb)
    assert target.read_text(encoding="utf-8").startswith("# Stories exported by starcoach")
    assert [p.name for p in tmp_path.iterdir()] == ["stories.md"]


def test_bad_targets_are_input_errors(kb, tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        write_json([NASTY], tmp_path / "missing" / "x.json")
    with pytest.raises(InputError, match="folder"):
        write_markdown([NASTY], tmp_path, knowledge=kb)
    with pytest.raises(InputError, match="no stories"):
        write_anki_deck([], tmp_path / "deck.apkg", knowledge=kb)


def test_the_story_template_reads_back_as_one_story(kb):
    empty = parse_notes(story_template(), label=no_label, knowledge=kb)
    assert empty.stories == [] and empty.problems == []
    filled = story_template().replace("- Company: ", "- Company: Acme")
    filled = filled.replace("**Action:** ", "**Action:** I rewrote the runbook.")
    filled = filled.replace("- Principles: ", "- Principles: ownership, dive-deep")
    (story,) = parse_notes(filled, label=no_label, knowledge=kb).stories
    assert story.sections == {"action": "I rewrote the runbook."}
    assert (story.company, story.principles) == ("Acme", ("ownership", "dive-deep"))
    assert story.title == "I rewrote the runbook"
