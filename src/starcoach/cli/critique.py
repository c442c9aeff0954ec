"""``starcoach critique``: STAR sections, findings, principles and an honest score."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

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


def render_critique(critique: Critique | Mapping[str, Any]) -> None:
    """The readable report: score, dimensions, the answer coloured by section, findings.

    Works from the critique's JSON, so a critique stored with a story renders the same way.
    """
    from rich.text import Text

    data: Mapping[str, Any] = critique if isinstance(critique, Mapping) else critique.to_dict()
    out = console()
    score = int(data["score"])
    minutes, seconds = divmod(int(data["speaking_seconds"]), 60)
    out.print(
        f"[bold]Score {score}/100[/bold]  {bar(score / 100)}  "
        f"[dim]{data['words']} words, about {minutes}:{seconds:02d} spoken[/dim]"
    )
    if data.get("capped_by"):
        out.print(f"[dim]capped by: {', '.join(data['capped_by'])}[/dim]")
    out.print()
    for name, value in data["dimensions"].items():
        out.print(f"  {name:<11} {bar(value / 100, 20)} {value:3d}")

    out.print("\n[bold]Your answer, by STAR section[/bold]")
    legend = Text("  ")
    for section, style in SECTION_STYLES.items():
        legend.append(f"■ {section}  ", style=style)
    out.print(legend)
    for sentence in data["sentences"]:
        style = SECTION_STYLES.get(sentence["section"], "")
        line = Text(f"  {sentence['section'][:4].upper():<5}", style=style)
        line.append(" ".join(sentence["text"].split()), style=style)
        out.print(line)

    if data["findings"]:
        out.print("\n[bold]Findings[/bold]")
        for f in data["findings"]:
            style = SEVERITY_STYLES.get(f["severity"], "")
            out.print(
                Text.assemble(("  ", ""), (f"{f['severity']:<8}", style), (f["code"], "bold"))
            )
            out.print(f"    {f['message']}")
            out.print(Text(f"    evidence: {f['evidence']}", style="dim"))

    if data["principles"]:
        shown = ", ".join(f"{p['name']} ({p['score']:.0%})" for p in data["principles"])
        out.print(f"\n[bold]Principles the story shows:[/bold] {shown}")
    if data.get("question_principles"):
        targets = ", ".join(p["name"] for p in data["question_principles"])
        out.print(
            f"[bold]The question probes:[/bold] {targets}  "
            f"[dim](fit {data.get('relevance', 0.0):.2f})[/dim]"
        )
    scope = data.get("scope")
    if scope:
        out.print(
            f"\n[bold]Scope:[/bold] reads as {scope['shown_level']}; target {scope['target_level']}"
        )
        for signal in scope["signals"]:
            out.print(f"  • {signal['kind']}: [dim]{signal['evidence']}[/dim]")

    if data.get("strengths"):
        out.print("\n[bold green]What works[/bold green]")
        for line in data["strengths"]:
            out.print(f"  + {line}")
    if data.get("next_steps"):
        out.print("\n[bold]Next steps[/bold]")
        for number, line in enumerate(data["next_steps"], start=1):
            out.print(f"  {number}. {line}")
    out.print()
