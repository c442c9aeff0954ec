"""``starcoach classify``: which principles a question probes, and how to answer it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from starcoach.cli.output import bar, console, print_json, read_text_source
from starcoach.errors import InputError, StarcoachError

if TYPE_CHECKING:
    from starcoach.matching.understanding import QuestionAnalysis

MAX_STDIN_LINES = 100_000


def classify_command(
    question: Annotated[
        str, typer.Argument(help="The interview question, or '-' to read one per line from stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (one object per line for '-').")
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, max=16, help="Principles to show in the text report.")
    ] = 5,
) -> None:
    """Rank the 16 Leadership Principles for a question; name its categories and angles."""
    from starcoach.matching.understanding import get_understanding

    understanding = get_understanding()
    if question != "-":
        analysis = understanding.analyse(question)
        if as_json:
            print_json(analysis.to_dict())
        else:
            render_analysis(analysis, top)
        return

    failures = 0
    lines = _stdin_lines()
    for line, result in zip(lines, understanding.analyse_lines(lines), strict=True):
        if isinstance(result, StarcoachError):
            failures += 1
            if as_json:
                print_json({"question": line.strip(), "error": str(result)})
            else:
                sys.stderr.write(f"error: {result}\n")
        elif as_json:
            print_json(result.to_dict())
        else:
            render_analysis(result, top)
    if failures:
        raise typer.Exit(1)


def _stdin_lines() -> list[str]:
    lines = read_text_source("-").splitlines()
    if len(lines) > MAX_STDIN_LINES:
        raise InputError(
            f"Standard input has {len(lines):,} lines; the limit is {MAX_STDIN_LINES:,}."
        )
    return lines


def render_analysis(analysis: QuestionAnalysis, top: int = 5) -> None:
    out = console()
    out.print(f"[bold]{analysis.question}[/bold]")
    out.print(f"confidence: {analysis.confidence}")
    for warning in analysis.warnings:
        out.print(f"[yellow]! {warning}[/yellow]")
    out.print("\n[bold]Principles[/bold]")
    for p in analysis.principles[:top]:
        out.print(f"  {bar(p.score)} {p.score:5.0%}  {p.name} [dim]({p.id})[/dim]")
    tags = [c.name for c in analysis.categories] + [t.name for t in analysis.topics]
    if tags:
        out.print(f"\n[bold]Categories and topics:[/bold] {', '.join(tags)}")
    if analysis.angles:
        out.print("\n[bold]Angles you could take[/bold]")
        for angle in analysis.angles:
            out.print(f"  • [cyan]{angle.name}[/cyan] — {angle.advice} [dim]({angle.reason})[/dim]")
    if analysis.clarify:
        out.print("\n[bold]Clarify first[/bold]")
        for line in analysis.clarify:
            out.print(f"  ? {line}")
    out.print()
