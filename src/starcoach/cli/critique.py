"""``starcoach critique``: STAR sections, findings, principles and an honest score."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from starcoach.cli.output import bar, console, print_json, read_text_source
from starcoach.errors import InputError, StarcoachError

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic, Critique, CritiqueRequest

    BatchItem = tuple[int, CritiqueRequest | InputError]

BATCH_CHUNK = 32
"""Answers embedded together in --batch: one model call per chunk keeps memory flat."""
SECTION_STYLES = {
    "situation": "blue",
    "task": "magenta",
    "action": "green",
    "result": "yellow",
    "reflection": "cyan",
    "other": "dim",
}
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def critique_command(
    source: Annotated[
        str | None,
        typer.Argument(
            help="File with the answer, or '-' for stdin (JSON lines with --batch).",
            show_default=False,
        ),
    ] = None,
    question: Annotated[
        str | None,
        typer.Option("--question", "-q", help="The question answered; enables relevance checks."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", "-l", help="Target level: junior…principal, or L4–L7 / E3–E7."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch",
            help='Read JSON lines {"answer", "question"?, "level"?}; write one result per line.',
        ),
    ] = False,
) -> None:
    """Critique an answer: STAR parts, mistakes with evidence, scope and a 0–100 score."""
    if source is None:
        if sys.stdin.isatty():
            raise InputError("Give a file with the answer, or '-' to read it from stdin.")
        source = "-"
    from starcoach.analysis.critique import Critic, CritiqueRequest

    if batch:
        if question is not None or level is not None:
            raise InputError("With --batch, put 'question' and 'level' in each JSON line.")
        requests = _batch_requests(read_text_source(source))
        critic = Critic()
        if _run_batch(critic, requests):
            raise typer.Exit(1)
        return
    text = read_text_source(source, "answer")
    if not text.strip():
        raise InputError("The answer is empty.")
    critic = Critic()
    result = critic.critique_many([CritiqueRequest(text, question, level)])[0]
    if isinstance(result, StarcoachError):
        raise result
    if as_json:
        print_json(result.to_dict())
    else:
        render_critique(result)


def _batch_requests(text: str) -> list[BatchItem]:
    """Parse JSON lines (numbered); a bad line becomes its own error, the rest carry on."""
    from starcoach.analysis.critique import CritiqueRequest

    requests: list[BatchItem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            requests.append((number, InputError(f"line {number}: not valid JSON ({exc.msg})")))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("answer"), str):
            requests.append(
                (number, InputError(f'line {number}: expected an object with an "answer" text'))
            )
            continue
        optional = {key: item.get(key) for key in ("question", "level")}
        bad = [
            key
            for key, value in optional.items()
            if value is not None and not isinstance(value, str)
        ]
        if bad:
            requests.append((number, InputError(f'line {number}: "{bad[0]}" must be a text')))
            continue
        request = CritiqueRequest(item["answer"], optional["question"], optional["level"])
        requests.append((number, request))
    if not requests:
        raise InputError("No JSON lines to critique on the input.")
    return requests


def _run_batch(critic: Critic, requests: list[BatchItem]) -> int:
    """Critique in chunks, printing one JSON line per input line; returns the failures."""
    from starcoach.analysis.critique import CritiqueRequest

    failures = 0
    for start in range(0, len(requests), BATCH_CHUNK):
        chunk = requests[start : start + BATCH_CHUNK]
        valid = [r for _, r in chunk if isinstance(r, CritiqueRequest)]
        results = iter(critic.critique_many(valid))
        for number, request in chunk:
            result = next(results) if isinstance(request, CritiqueRequest) else request
            if isinstance(result, StarcoachError):
                failures += 1
                print_json({"line": number, "error": str(result)})
            else:
                print_json(result.to_dict())
    return failures


def render_critique(critique: Critique) -> None:
    """The readable report: score, dimensions, the answer coloured by section, findings."""
    from rich.text import Text

    out = console()
    minutes, seconds = divmod(critique.speaking_seconds, 60)
    out.print(
        f"[bold]Score {critique.score.total}/100[/bold]  {bar(critique.score.total / 100)}  "
        f"[dim]{critique.words} words, about {minutes}:{seconds:02d} spoken[/dim]"
    )
    if critique.score.caps:
        out.print(f"[dim]capped by: {', '.join(critique.score.caps)}[/dim]")
    out.print()
    for name, value in critique.score.dimensions.items():
        out.print(f"  {name:<11} {bar(value / 100, 20)} {value:3d}")

    out.print("\n[bold]Your answer, by STAR section[/bold]")
    legend = Text("  ")
    for section, style in SECTION_STYLES.items():
        legend.append(f"■ {section}  ", style=style)
    out.print(legend)
    for sentence in critique.sentences:
        line = Text(f"  {sentence.section[:4].upper():<5}", style=SECTION_STYLES[sentence.section])
        line.append(sentence.text, style=SECTION_STYLES[sentence.section])
        out.print(line)

    if critique.findings:
        out.print("\n[bold]Findings[/bold]")
        for f in critique.findings:
            style = SEVERITY_STYLES.get(f.severity, "")
            out.print(Text.assemble(("  ", ""), (f"{f.severity:<8}", style), (f"{f.code}", "bold")))
            out.print(f"    {f.message}")
            out.print(Text(f"    evidence: {f.evidence}", style="dim"))

    if critique.fit is not None:
        shown = ", ".join(f"{p.name} ({p.score:.0%})" for p in critique.fit.shown)
        out.print(f"\n[bold]Principles the story shows:[/bold] {shown}")
        if critique.fit.question is not None:
            targets = ", ".join(p.name for p in critique.fit.targets)
            out.print(
                f"[bold]The question probes:[/bold] {targets}  "
                f"[dim](fit {critique.fit.relevance:.2f})[/dim]"
            )
    if critique.scope is not None:
        scope = critique.scope
        out.print(
            f"\n[bold]Scope:[/bold] reads as {scope.shown_level}; target {scope.target_level}"
        )
        for signal in scope.signals:
            out.print(f"  • {signal.kind}: [dim]{signal.evidence}[/dim]")

    if critique.score.strengths:
        out.print("\n[bold green]What works[/bold green]")
        for line in critique.score.strengths:
            out.print(f"  + {line}")
    if critique.score.fixes:
        out.print("\n[bold]Next steps[/bold]")
        for number, line in enumerate(critique.score.fixes, start=1):
            out.print(f"  {number}. {line}")
    out.print()
