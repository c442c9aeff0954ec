"""Write stories out as Markdown notes, JSON, or an Anki deck.

The Markdown is one of the formats :func:`starcoach.stories.notes.parse_notes` reads, so
an export imports back to the same stories (the user can also edit it by hand)::

    # Stories exported by starcoach

    ## Invent and Simplify (创新简化)          <- the first principle of the stories below

    ### Story 1: Cutting the release checklist
    - Question: Tell me about a time you simplified a process.
    - Principles: invent-and-simplify, deliver-results
    - Company: Acme
    - Role: Backend engineer
    - Started: 2021-03
    - Ended: 2021-09
    - Tags: ci, release

    **Situation:** Our release took two days ...
      more lines of the same section, indented two spaces

    **Task:** ...   (then Action, Result, Reflection, Notes)

Stories are grouped under a principle heading while their first principle stays the same;
``## Other stories`` closes a group for stories without principles. Metadata sits in a
small ``- Key: value`` list under the story heading; ``Principles`` lists every confirmed
principle id (the heading adds the first one again, which the parser merges).

Escaping, so any text reads back unchanged: a line of a section that the parser would
take as structure (a heading, label, rule, fence, quote, bold title line, HTML comment)
or that starts with whitespace or a backslash gets a leading backslash, Markdown's own
escape; a title ending in ``#`` ends in ``\\#``; commas and backslashes inside tags are
backslash-escaped. What is not kept: trailing spaces at line ends, blank lines around a
section, and runs of whitespace in single-line fields (title, question, company, role,
dates, tags), which are collapsed to one space. Suggested principles, critiques, ids and
versions are derived data and are not exported to Markdown (the JSON export has them).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from starcoach.errors import InputError
from starcoach.stories.model import SECTIONS, Story
from starcoach.stories.notes import needs_escape

if TYPE_CHECKING:
    import genanki

    from starcoach.knowledge.base import KnowledgeBase

EXPORT_HEADING = "Stories exported by starcoach"
SECTION_LABELS = {
    "situation": "Situation",
    "task": "Task",
    "action": "Action",
    "result": "Result",
    "reflection": "Reflection",
}
ANKI_MODEL_ID = 1_582_046_317
"""Fixed forever: Anki recognises re-imported cards of the same note type by it."""
ANKI_DECK_NAME = "starcoach stories"
ANKI_OUTLINE_CHARS = 320
"""Each section on the back of a card is cut to about this many characters: an outline."""


# --- normalising ------------------------------------------------------------------------


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _block(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def normalise_story(story: Story) -> Story:
    """The story as the Markdown round trip keeps it (see the module docstring)."""
    sections = {name: _block(story.section(name)) for name in SECTIONS}
    return story.with_changes(
        title=_one_line(story.title),
        question=_one_line(story.question) or None,
        sections={name: text for name, text in sections.items() if text},
        principles=tuple(dict.fromkeys(story.principles)),
        company=_one_line(story.company) or None,
        role=_one_line(story.role) or None,
        started=_one_line(story.started) or None,
        ended=_one_line(story.ended) or None,
        tags=tuple(dict.fromkeys(t for t in (_one_line(t) for t in story.tags) if t)),
        notes=_block(story.notes),
    )


# --- Markdown ---------------------------------------------------------------------------


def _escape_line(line: str) -> str:
    return "\\" + line if needs_escape(line) else line


def _escape_tag(tag: str) -> str:
    return tag.replace("\\", "\\\\").replace(",", "\\,").replace("，", "\\，")


def _heading_title(title: str) -> str:
    return title[:-1] + "\\#" if title.endswith("#") else title


def _labelled(label: str, text: str) -> list[str]:
    first, *rest = text.split("\n")
    out = [f"**{label}:** {_escape_line(first)}"]
    out.extend(f"  {_escape_line(line)}" if line else "" for line in rest)
    return [*out, ""]


def _principle_heading(principle_id: str, knowledge: KnowledgeBase) -> str | None:
    for p in knowledge.principles:
        if p.id == principle_id:
            return f"## {p.name} ({p.name_zh})"
    return None


def stories_to_markdown(stories: Iterable[Story], *, knowledge: KnowledgeBase | None = None) -> str:
    """The stories as Markdown notes that :func:`parse_notes` reads back to the same stories."""
    knowledge = knowledge or _knowledge()
    out = [f"# {EXPORT_HEADING}", "", "<!-- `starcoach import` reads this file back. -->", ""]
    group: str | None = None
    for number, story in enumerate(stories, start=1):
        story = normalise_story(story)
        first = story.principles[0] if story.principles else None
        if first != group:
            heading = _principle_heading(first, knowledge) if first else None
            out += [heading or "## Other stories", ""]
            group = first if heading else None
        out.append(f"### Story {number}: {_heading_title(story.title)}")
        meta = {
            "Question": story.question,
            "Principles": ", ".join(story.principles),
            "Company": story.company,
            "Role": story.role,
            "Started": story.started,
            "Ended": story.ended,
            "Tags": ", ".join(_escape_tag(t) for t in story.tags),
        }
        out += [f"- {key}: {value}" for key, value in meta.items() if value]
        out.append("")
        for name in SECTIONS:
            if story.section(name):
                out += _labelled(SECTION_LABELS[name], story.section(name))
        if story.notes:
            out += _labelled("Notes", story.notes)
    return "\n".join(out).rstrip("\n") + "\n"


def story_template() -> str:
    """A blank story for the editor: :func:`parse_notes` reads it back as one story.

    Empty labels and metadata are ignored, so the user fills in only what they have.
    """
    from starcoach.knowledge.models import PRINCIPLE_IDS

    ids = "\n".join(f"       {pid}" for pid in PRINCIPLE_IDS)
    lines = [
        "<!-- Write one story after the labels; empty labels are ignored.",
        "     A question is optional. Principles are ids (comma-separated):",
        ids,
        "-->",
        "### Story: ",
        "- Question: ",
        "- Principles: ",
        "- Company: ",
        "- Role: ",
        "- Started: ",
        "- Ended: ",
        "- Tags: ",
        "",
    ]
    for label in (*SECTION_LABELS.values(), "Notes"):
        lines += [f"**{label}:** ", ""]
    return "\n".join(lines)


# --- JSON -------------------------------------------------------------------------------


def stories_to_json(stories: Iterable[Story]) -> str:
    """A JSON list of :meth:`Story.to_dict`, readable by people and scripts."""
    return json.dumps([s.to_dict() for s in stories], ensure_ascii=False, indent=2) + "\n"


# --- Anki -------------------------------------------------------------------------------


def card_question(story: Story, knowledge: KnowledgeBase) -> str:
    """The front of a story's card: its question, else a bank question for its principle."""
    if story.question and story.question.strip():
        return _one_line(story.question)
    known = {p.id: p for p in knowledge.principles}
    for pid in story.all_principles:
        if pid not in known:
            continue
        for question in knowledge.questions:
            if question.primary == pid:
                return question.text
        return f"Tell me about a time you showed {known[pid].name}."
    return f"Tell me about this story: {_one_line(story.title)}."


def _outline(text: str, limit: int = ANKI_OUTLINE_CHARS) -> str:
    text = _block(text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    cut = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2 :] else cut
    return cut.rstrip(" ,;:") + " …"


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def card_back(story: Story, knowledge: KnowledgeBase) -> str:
    """The back of a card: title, principles and the STAR outline, as HTML."""
    names = {p.id: f"{p.name} ({p.name_zh})" for p in knowledge.principles}
    parts = [f"<div class=title>{_html(_one_line(story.title))}</div>"]
    if story.all_principles:
        shown = ", ".join(names.get(pid, pid) for pid in story.all_principles)
        parts.append(f"<div class=principles>{_html(shown)}</div>")
    items = [
        f"<li><b>{SECTION_LABELS[name]}</b>: {_html(_outline(story.section(name)))}</li>"
        for name in SECTIONS
        if story.section(name).strip()
    ]
    parts.append("<ul class=star>" + "".join(items) + "</ul>")
    return "".join(parts)


def _stable_id(text: str) -> int:
    return 1 << 30 | int(hashlib.sha256(text.encode()).hexdigest()[:7], 16)


def anki_package(
    stories: Sequence[Story],
    *,
    knowledge: KnowledgeBase | None = None,
    deck_name: str = ANKI_DECK_NAME,
) -> genanki.Package:
    """One card per story; ids are stable so re-importing a deck updates its cards."""
    import genanki

    knowledge = knowledge or _knowledge()
    model = genanki.Model(
        ANKI_MODEL_ID,
        "starcoach story",
        fields=[{"name": "Question"}, {"name": "Story"}, {"name": "Fingerprint"}],
        templates=[
            {
                "name": "Tell the story",
                "qfmt": "<div class=question>{{Question}}</div>",
                "afmt": "{{FrontSide}}<hr id=answer>{{Story}}",
            }
        ],
        css=(
            ".card{font-family:sans-serif;font-size:18px;text-align:left}"
            ".question{font-weight:bold}.title{font-size:20px;margin-bottom:4px}"
            ".principles{color:#666;font-size:14px;margin-bottom:8px}"
        ),
    )
    deck = genanki.Deck(_stable_id("starcoach deck: " + deck_name), deck_name)
    for story in stories:
        fingerprint = story.fingerprint()
        tags = [pid for pid in story.all_principles] + [
            "_".join(tag.split()) for tag in story.tags if tag.strip()
        ]
        deck.add_note(
            genanki.Note(
                model=model,
                fields=[
                    _html(card_question(story, knowledge)),
                    card_back(story, knowledge),
                    fingerprint,
                ],
                guid=genanki.guid_for("starcoach", fingerprint),
                tags=tags,
            )
        )
    return genanki.Package(deck)


# --- files ------------------------------------------------------------------------------


def _check_target(path: Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name to write.")
    if not path.parent.is_dir():
        raise InputError(f"The folder {path.parent} does not exist.")
    return path


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Write through ``write(temp_path)`` in the same folder, then rename over ``path``.

    A crash or a full disk never leaves a half-written export where the old one was.
    """
    path = _check_target(path)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise InputError(f"Cannot write in {path.parent}: {exc.strerror or exc}") from None
    temp = Path(temp_name)
    try:
        write(temp)
        os.replace(temp, path)
    except OSError as exc:
        raise InputError(f"Cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    return atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8", newline="\n"))


def write_markdown(
    stories: Iterable[Story], path: Path, *, knowledge: KnowledgeBase | None = None
) -> Path:
    return write_text_atomic(path, stories_to_markdown(stories, knowledge=knowledge))


def write_json(stories: Iterable[Story], path: Path) -> Path:
    return write_text_atomic(path, stories_to_json(stories))


def write_anki_deck(
    stories: Sequence[Story],
    path: Path,
    *,
    knowledge: KnowledgeBase | None = None,
    deck_name: str = ANKI_DECK_NAME,
) -> Path:
    """Write an Anki ``.apkg`` deck: question on the front, STAR outline on the back."""
    if not stories:
        raise InputError("There are no stories to put in an Anki deck.")
    package = anki_package(stories, knowledge=knowledge, deck_name=deck_name)
    return atomic_write(path, lambda temp: package.write_to_file(str(temp)))


def _knowledge() -> KnowledgeBase:
    from starcoach.knowledge import load_knowledge

    return load_knowledge()
