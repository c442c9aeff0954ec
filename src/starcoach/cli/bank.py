"""Commands over the whole bank: import, export, match, coverage, plan, backup.

Each parses its arguments, calls the core (:mod:`starcoach.stories.bank`,
:mod:`starcoach.matching`) and prints a table or JSON; none holds logic of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from starcoach.cli.output import console, print_json, read_text_source
from starcoach.cli.stories import open_bank
from starcoach.errors import InputError

if TYPE_CHECKING:
    from starcoach.stories.bank import ImportOutcome

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
EXPORT_FORMATS = ("markdown", "json", "anki")


def import_command(
    files: Annotated[
        list[Path], typer.Argument(help="Markdown or text note files.", show_default=False)
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be saved; save nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import stories from your notes; the same story is never saved twice."""
    from starcoach.stories.notes import parse_notes

    parsed = [(str(path), parse_notes(read_text_source(str(path), "notes"))) for path in files]
    with open_bank() as bank:
        outcome = bank.import_stories(parsed, dry_run=dry_run)
    if as_json:
        print_json(outcome.to_dict())
    else:
        _render_import(outcome)
    if not outcome.stories and not outcome.duplicates and outcome.problems:
        raise typer.Exit(1)


def _render_import(outcome: ImportOutcome) -> None:
    out = console()
    verb = "Would save" if outcome.dry_run else "Saved"
    out.print(f"[bold]{verb} {len(outcome.stories)} new stories[/bold]")
    for story in outcome.stories:
        ident = "" if story.id is None else f"{story.id:>4}  "
        score = "–" if story.score is None else f"{story.score:>3}"
        principles = ", ".join(story.all_principles[:3])
        out.print(f"  {ident}{score}  {story.title}  [dim]{principles}[/dim]")
    if outcome.duplicates:
        out.print(f"[dim]Already in the bank, not saved again: {len(outcome.duplicates)}[/dim]")
        for story in outcome.duplicates:
            ident = f"story {story.id}" if story.id is not None else "repeated in the notes"
            out.print(f"  [dim]{story.title} ({ident})[/dim]")
    if outcome.questions:
        out.print(f"Questions without an answer yet: {len(outcome.questions)}")
        for question in outcome.questions:
            out.print(f"  ? {question}")
    for source, problem in outcome.problems:
        out.print(f"[yellow]{source}:{problem.line}[/yellow]: {problem.message}")


def export_command(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: print to stdout)."),
    ] = None,
    export_format: Annotated[
        str, typer.Option("--format", "-f", help="markdown, json or anki (.apkg).")
    ] = "markdown",
) -> None:
    """Export your stories to Markdown (re-importable), JSON or an Anki deck."""
    from starcoach.stories import export

    if export_format not in EXPORT_FORMATS:
        raise InputError(f"Unknown format {export_format!r}; use {', '.join(EXPORT_FORMATS)}.")
    with open_bank() as bank:
        stories = bank.store.list()
    if export_format == "anki":
        if output is None:
            raise InputError("An Anki deck is a file: give --output DECK.apkg.")
        export.write_anki_deck(stories, output)
    elif export_format == "json":
        text = export.stories_to_json(stories)
        _write_or_print(text, output)
    else:
        _write_or_print(export.stories_to_markdown(stories), output)
    if output is not None:
        console(stderr=True).print(f"Wrote {len(stories)} stories to {output}")


def _write_or_print(text: str, output: Path | None) -> None:
    from starcoach.stories.export import write_text_atomic

    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        write_text_atomic(output, text)


def match_command(
    question: Annotated[str, typer.Argument(help="Any interview question.", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many stories.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Your best stories for a question, with the reasons they fit."""
    from starcoach.nlp.text import clean_question

    if limit < 1:
        raise InputError("--limit must be at least 1.")
    text = clean_question(question)
    with open_bank() as bank:
        if not bank.store.list():
            raise InputError("Your story bank is empty: add stories first (`starcoach story add`).")
        result = bank.match(text, limit=limit)
    data = result.to_dict()
    if as_json:
        print_json(data)
        return
    out = console()
    principles = ", ".join(p["name"] for p in data["principles"][:3])
    out.print(f"[bold]{data['question']}[/bold]\n[dim]probes: {principles}[/dim]\n")
    for rank, story in enumerate(data["stories"], start=1):
        out.print(f"{rank}. [bold]{story['title']}[/bold]  [dim](story {story['id']})[/dim]")
        out.print(f"   fit {story['score']:.2f}")
        for reason in story["reasons"]:
            out.print(f"   • {reason}")


def coverage_command(
    company: Annotated[
        str | None, typer.Option("--company", "-c", help="amazon, meta, google or generic.")
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", "-l", help="Target level (junior…principal, L4–L7).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Which principles your stories cover, the gaps, and how ready you are."""
    with open_bank() as bank:
        report = bank.coverage(company=company, level=level)
    data = report.to_dict()
    if as_json:
        print_json(data)
        return
    from starcoach.cli.coverage_view import render_coverage

    render_coverage(data)


def plan_command(
    company: Annotated[str, typer.Option("--company", "-c", help="The company.")] = "amazon",
    interviewers: Annotated[
        int, typer.Option("--interviewers", "-i", help="Interviewers in the loop.")
    ] = 4,
    level: Annotated[str | None, typer.Option("--level", "-l", help="Target level.")] = None,
    as_json: JsonOption = False,
) -> None:
    """A loop plan: principles per interviewer and a different story for each."""
    with open_bank() as bank:
        plan = bank.plan(company=company, interviewers=interviewers, level=level)
    data = plan.to_dict()
    if as_json:
        print_json(data)
        return
    from starcoach.cli.coverage_view import render_plan

    render_plan(data)


def backup_command(
    output: Annotated[
        Path | None,
        typer.Argument(help="Backup file (default: backups/ in your data folder)."),
    ] = None,
) -> None:
    """Write every story, version and deleted story to one backup file."""
    from datetime import UTC, datetime

    from starcoach.paths import home_dir
    from starcoach.storage import write_backup

    if output is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        output = home_dir() / "backups" / f"starcoach-{stamp}.json.gz"
    with open_bank() as bank:
        path = write_backup(bank.store, output)
        count = len(bank.store.list()) + len(bank.store.list(deleted=True))
    console().print(f"Backed up {count} stories to {path}")


def restore_backup_command(
    source: Annotated[Path, typer.Argument(help="A file written by `starcoach backup`.")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Replace the current bank without asking.")
    ] = False,
) -> None:
    """Replace the bank with a backup; the current bank is backed up first."""
    import sys
    from datetime import UTC, datetime

    from starcoach.paths import home_dir
    from starcoach.storage import read_backup, write_backup

    document = read_backup(source)
    if not yes:
        if not sys.stdin.isatty():
            raise InputError("Restoring replaces your bank: add --yes to confirm.")
        typer.confirm("Replace your story bank with this backup?", abort=True)
    with open_bank() as bank:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        safety = write_backup(
            bank.store, home_dir() / "backups" / f"before-restore-{stamp}.json.gz"
        )
        bank.store.import_all(document)
        count = len(bank.store.list())
    console().print(f"Restored {count} stories from {source}; the bank before it is in {safety}")
