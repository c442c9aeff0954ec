"""``starcoach story …``: write, list, show, edit, delete and restore your stories.

The commands parse arguments, call :class:`starcoach.stories.bank.StoryBank` and print.
Every saved story is shown with its critique, because that is the point of keeping it here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from starcoach.cli.output import console, print_json, read_text_source
from starcoach.errors import InputError

if TYPE_CHECKING:
    from starcoach.stories.bank import StoryBank
    from starcoach.stories.model import Story

story_app = typer.Typer(
    help="Your story bank: add, list, show, edit, rm, restore, history.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
StoryId = Annotated[int, typer.Argument(help="The story's id (see `starcoach story list`).")]
PROMPTED_SECTIONS = ("situation", "task", "action", "result", "reflection")


@contextmanager
def open_bank() -> Iterator[StoryBank]:
    """The bank on the configured database (``--db`` / STARCOACH_DB_URL, else SQLite)."""
    from starcoach.storage import open_store
    from starcoach.stories.bank import StoryBank

    with open_store() as store:
        yield StoryBank(store)


@story_app.command("add")
def add_command(
    from_file: Annotated[
        Path | None,
        typer.Option("--from", help="A notes file with the story (any format `import` reads)."),
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="The story's title.")] = None,
    question: Annotated[
        str | None, typer.Option("--question", "-q", help="The question it answers.")
    ] = None,
    principles: Annotated[
        list[str] | None,
        typer.Option("--principle", "-p", help="A principle id it shows (repeatable)."),
    ] = None,
    company: Annotated[str | None, typer.Option("--company", help="Where it happened.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Your role at the time.")] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    editor: Annotated[
        bool, typer.Option("--editor", "-e", help="Write the story in $EDITOR on a template.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a story: from a file, in your editor, or answering prompts; then see its critique."""

    if from_file is not None:
        drafts = _stories_from_text(read_text_source(str(from_file), "story"), str(from_file))
    elif editor:
        drafts = _stories_from_editor(_template())
    elif sys.stdin.isatty():
        drafts = [_prompt_story(title, question)]
    else:
        raise InputError("Give the story with --from FILE, or use --editor, or run in a terminal.")
    if title and len(drafts) > 1:
        raise InputError(f"The file holds {len(drafts)} stories; --title names only one.")
    overrides: dict[str, object] = {}
    if company:
        overrides["company"] = company
    if role:
        overrides["role"] = role
    stories: list[Story] = []
    for draft in drafts:
        changes = dict(overrides)
        if title:
            changes["title"] = title
        if question:
            changes["question"] = question
        changes["principles"] = tuple(dict.fromkeys((*draft.principles, *(principles or ()))))
        changes["tags"] = tuple(dict.fromkeys((*draft.tags, *(tags or ()))))
        stories.append(draft.with_changes(**changes))
    with open_bank() as bank:
        saved = [bank.add(story) for story in stories]
    if as_json:
        for story in saved:
            print_json(story.to_dict(with_critique=True))
        return
    for story in saved:
        console().print(f"[green]Saved story {story.id}[/green]: {story.title}")
        _render_story(story)


@story_app.command("list")
def list_command(
    trash: Annotated[bool, typer.Option("--trash", help="List deleted stories.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List your stories with their score and principles."""
    with open_bank() as bank:
        stories = bank.store.list(deleted=trash)
    if as_json:
        print_json({"stories": [s.to_dict() for s in stories]})
        return
    out = console()
    if not stories:
        if trash:
            out.print("The trash is empty.")
        else:
            out.print(
                "No stories yet. Add one with `starcoach story add`, or import your notes "
                "with `starcoach import NOTES.md`."
            )
        return
    from rich.table import Table

    table = Table(title="Deleted stories" if trash else "Your stories", title_justify="left")
    table.add_column("id", justify="right")
    table.add_column("title")
    table.add_column("score", justify="right")
    table.add_column("principles")
    table.add_column("version", justify="right")
    for story in stories:
        table.add_row(
            str(story.id),
            story.title,
            "–" if story.score is None else str(story.score),
            ", ".join(story.all_principles[:3]),
            str(story.version),
        )
    out.print(table)


@story_app.command("show")
def show_command(story_id: StoryId, as_json: JsonOption = False) -> None:
    """Show a story and its critique."""
    with open_bank() as bank:
        story = bank.store.get(story_id, include_deleted=True)
    if as_json:
        print_json(story.to_dict(with_critique=True))
        return
    _render_story(story)


@story_app.command("edit")
def edit_command(
    story_id: StoryId,
    from_file: Annotated[
        Path | None, typer.Option("--from", help="A notes file with the new text of the story.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="A new title.")] = None,
    question: Annotated[
        str | None, typer.Option("--question", "-q", help="The question it answers.")
    ] = None,
    principles: Annotated[
        list[str] | None,
        typer.Option("--principle", "-p", help="Set the confirmed principles (repeatable)."),
    ] = None,
    company: Annotated[str | None, typer.Option("--company")] = None,
    role: Annotated[str | None, typer.Option("--role")] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="Set the tags.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Edit a story (in $EDITOR, from a file, or by options); the old version is kept."""
    from starcoach.stories.export import stories_to_markdown

    with open_bank() as bank:
        current = bank.store.get(story_id)
        changes: dict[str, object] = {}
        if from_file is not None:
            (draft,) = _one_story(
                _stories_from_text(read_text_source(str(from_file), "story"), str(from_file))
            )
            changes.update(_content_of(draft))
        options = {
            "title": title,
            "question": question,
            "company": company,
            "role": role,
            "principles": tuple(principles) if principles else None,
            "tags": tuple(tags) if tags else None,
        }
        changes.update({k: v for k, v in options.items() if v is not None})
        if not changes:
            if not sys.stdin.isatty():
                raise InputError("Nothing to change: give --from FILE or options such as --title.")
            (draft,) = _one_story(_stories_from_editor(stories_to_markdown([current])))
            changes.update(_content_of(draft))
        updated = current.with_changes(**changes)
        if _content_of(updated) == _content_of(current):
            console(stderr=True).print("No changes; nothing saved.")
            return
        saved = bank.edit(updated)
    if as_json:
        print_json(saved.to_dict(with_critique=True))
        return
    console().print(f"[green]Saved story {saved.id}[/green] as version {saved.version}.")
    _render_story(saved)


@story_app.command("rm")
def rm_command(story_id: StoryId, as_json: JsonOption = False) -> None:
    """Move a story to the trash (`story restore` brings it back)."""
    with open_bank() as bank:
        story = bank.delete(story_id)
    if as_json:
        print_json({"id": story.id, "title": story.title, "deleted": True})
        return
    console().print(
        f"Moved story {story.id} ({story.title}) to the trash; "
        f"`starcoach story restore {story.id}` brings it back."
    )


@story_app.command("restore")
def restore_command(story_id: StoryId, as_json: JsonOption = False) -> None:
    """Bring a story back from the trash."""
    with open_bank() as bank:
        story = bank.restore(story_id)
    if as_json:
        print_json(story.to_dict())
        return
    console().print(f"Restored story {story.id}: {story.title}")


@story_app.command("history")
def history_command(story_id: StoryId, as_json: JsonOption = False) -> None:
    """Every saved version of a story, oldest first, with its score."""
    with open_bank() as bank:
        versions = bank.store.history(story_id)
    if as_json:
        print_json(
            {
                "id": story_id,
                "versions": [
                    {
                        "version": v.version,
                        "saved_at": v.saved_at.isoformat(),
                        "story": v.story.to_dict(),
                    }
                    for v in versions
                ],
            }
        )
        return
    from rich.table import Table

    table = Table(title=f"History of story {story_id}", title_justify="left")
    for column in ("version", "saved", "title", "score", "words"):
        table.add_column(column)
    for v in versions:
        words = (v.story.critique or {}).get("words", "–")
        score = "–" if v.story.score is None else str(v.story.score)
        table.add_row(
            str(v.version), v.saved_at.strftime("%Y-%m-%d %H:%M"), v.story.title, score, str(words)
        )
    console().print(table)


# -- helpers shared with the import and export commands --------------------------------
def _render_story(story: Story) -> None:
    from starcoach.cli.critique import render_critique

    out = console()
    details = [f"story {story.id}", f"version {story.version}"]
    details += [x for x in (story.company, story.role) if x]
    out.print(f"\n[bold]{story.title}[/bold]  [dim]{' · '.join(details)}[/dim]")
    if story.question:
        out.print(f"[dim]Question:[/dim] {story.question}")
    if story.principles:
        out.print(f"[dim]Principles you confirmed:[/dim] {', '.join(story.principles)}")
    if story.tags:
        out.print(f"[dim]Tags:[/dim] {', '.join(story.tags)}")
    out.print()
    if story.critique:
        render_critique(story.critique)
    else:
        out.print("[dim]Not critiqued yet.[/dim]")


def _stories_from_text(text: str, source: str) -> list[Story]:
    from starcoach.stories.notes import parse_notes

    notes = parse_notes(text)
    if notes.problems:
        for problem in notes.problems:
            console(stderr=True).print(f"{source}:{problem.line}: {problem.message}")
    if not notes.stories:
        raise InputError(f"No story found in {source}.")
    return list(notes.stories)


def _stories_from_editor(template: str) -> list[Story]:
    import click

    edited = click.edit(template, extension=".md", require_save=True)
    if edited is None or not edited.strip():
        raise InputError("Nothing was saved in the editor; no story added.")
    return _stories_from_text(edited, "the editor")


def _one_story(stories: list[Story]) -> list[Story]:
    if len(stories) != 1:
        raise InputError(f"Expected one story, found {len(stories)}.")
    return stories


def _content_of(story: Story) -> dict[str, object]:
    """What the user can change in a story, as keyword arguments for Story.with_changes."""
    return {
        "title": story.title,
        "sections": dict(story.sections),
        "question": story.question,
        "principles": story.principles,
        "company": story.company,
        "role": story.role,
        "started": story.started,
        "ended": story.ended,
        "tags": story.tags,
        "notes": story.notes,
    }


def _template() -> str:
    from starcoach.stories.export import story_template

    return story_template()


def _prompt_story(title: str | None, question: str | None) -> Story:
    from starcoach.stories.model import Story

    out = console()
    out.print(
        "Tell the story in STAR parts, one line each (use --editor for longer text). "
        "Leave a part empty to skip it."
    )
    title = title or typer.prompt("Title")
    if question is None:
        question = typer.prompt("Question it answers (optional)", default="", show_default=False)
    sections = {
        name: typer.prompt(name.capitalize(), default="", show_default=False)
        for name in PROMPTED_SECTIONS
    }
    return Story(
        title=title,
        question=question or None,
        sections={k: v for k, v in sections.items() if v.strip()},
    )
