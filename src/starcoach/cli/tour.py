"""``starcoach tour``: a short interactive walk through what starcoach knows.

It is what ``make run`` starts until the web app exists. Without a terminal (in CI or a
pipe) it prints one worked example and exits, so it never waits for input that cannot come.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from starcoach.cli.classify import render_analysis
from starcoach.cli.output import console
from starcoach.errors import StarcoachError


def tour_command(
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for the sample question.")
    ] = None,
) -> None:
    """Show a sample question analysed, then classify questions you type."""
    from starcoach.knowledge import load_knowledge
    from starcoach.matching.understanding import get_understanding

    out = console()
    kb = load_knowledge()
    out.print(
        f"[bold]starcoach[/bold] knows {len(kb.principles)} Leadership Principles and "
        f"{len(kb.questions)} interview questions. Everything runs on this machine.\n"
    )
    understanding = get_understanding()
    sample = kb.sample(list(kb.questions), 1, seed)[0]
    out.print("[dim]A question from the bank:[/dim]")
    render_analysis(understanding.analyse(sample.text), top=3)
    out.print(f"[dim]Follow-ups an interviewer may ask:[/dim] {' / '.join(sample.follow_ups)}\n")
    if not sys.stdin.isatty():
        out.print('Try: starcoach classify "Tell me about a time you disagreed with your manager."')
        return
    out.print("Type any interview question to see what it probes (empty line to quit).")
    while True:
        try:
            line = input("question> ").strip()
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if not line:
            return
        try:
            render_analysis(understanding.analyse(line), top=3)
        except StarcoachError as exc:
            out.print(f"[red]error:[/red] {exc}")
