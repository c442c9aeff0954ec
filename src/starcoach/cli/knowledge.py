"""``starcoach principles`` and ``starcoach questions``: browse the knowledge base."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from starcoach.cli.output import console, print_json
from starcoach.errors import InputError


def principles_command(
    action: Annotated[
        str | None, typer.Argument(help="'show' to see one principle in full.")
    ] = None,
    principle_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="Principle id, e.g. dive-deep.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the 16 Amazon Leadership Principles, or 'show ID' for one in full."""
    from starcoach.knowledge import load_knowledge

    kb = load_knowledge()
    if action is None:
        if as_json:
            print_json([asdict(p) for p in kb.principles])
            return
        from rich.table import Table

        table = Table("id", "name", "中文", "questions", box=None, pad_edge=False)
        for p in kb.principles:
            count = len(kb.questions_for(principle=p.id))
            table.add_row(p.id, p.name, p.name_zh, str(count))
        console().print(table)
        return
    if action != "show" or principle_id is None:
        raise InputError("Usage: starcoach principles [show ID] [--json]")
    principle = kb.principle(principle_id)
    categories = [c.name for c in kb.categories if principle.id in c.principles]
    topics = [t.name for t in kb.topics if principle.id in t.principles]
    if as_json:
        print_json(asdict(principle) | {"categories": categories, "topics": topics})
        return
    out = console()
    out.print(f"[bold]{principle.name}[/bold]  {principle.name_zh}  [dim]({principle.id})[/dim]\n")
    out.print(principle.summary + "\n")
    out.print(f"[bold]How to tell it:[/bold] {principle.angle}\n")
    for title, items in (
        ("A story that shows it", principle.shows),
        ("A story that fails it", principle.fails),
        ("Interviewers dig with", principle.probes),
    ):
        out.print(f"[bold]{title}[/bold]")
        for item in items:
            out.print(f"  • {item}")
        out.print()
    out.print(f"[bold]Words to listen for:[/bold] {', '.join(principle.telltale_words)}")
    out.print(f"[bold]Categories:[/bold] {', '.join(categories) or '—'}")
    out.print(f"[bold]Topics:[/bold] {', '.join(topics) or '—'}")


def questions_command(
    principle: Annotated[
        str | None, typer.Option("--principle", "-p", help="Principle id.")
    ] = None,
    company: Annotated[
        str | None, typer.Option("--company", "-c", help="amazon, meta, google, bank, generic.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Category id, e.g. teamwork.")
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Topic id, e.g. conflict-peer.")
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", "-l", help="junior…principal, or L4–L7 / E3–E7.")
    ] = None,
    primary: Annotated[
        bool, typer.Option("--primary", help="Only questions whose first principle matches.")
    ] = False,
    random_count: Annotated[
        int | None, typer.Option("--random", metavar="N", help="Pick N at random.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for --random (repeatable picks).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List questions from the bank, filtered by principle, company, category, topic or level."""
    from starcoach.knowledge import load_knowledge

    kb = load_knowledge()
    selected = kb.questions_for(
        principle=principle,
        company=company,
        category=category,
        topic=topic,
        level=level,
        primary_only=primary,
    )
    if random_count is not None:
        selected = kb.sample(selected, random_count, seed)
    if as_json:
        print_json([asdict(q) for q in selected])
        return
    out = console()
    if not selected:
        out.print("No questions match these filters.")
        return
    for q in selected:
        tags = ", ".join(q.principles)
        out.print(f"[dim]{q.id:>8}[/dim]  {q.text}  [cyan]{tags}[/cyan]")
        for follow_up in q.follow_ups:
            out.print(f"{'':>10}  [dim]↳ {follow_up}[/dim]")
    out.print(f"\n{len(selected)} question(s)")
