"""Terminal views of the coverage report and the loop plan, drawn from their JSON."""

from __future__ import annotations

from typing import Any

from starcoach.cli.output import bar, console

SHADES = (" ", "░", "▒", "▓", "█")
"""Cell shades for strength 0..1 in the stories × principles matrix."""


def _shade(strength: float, strong: float) -> tuple[str, str]:
    index = min(len(SHADES) - 1, int(strength * (len(SHADES) - 1) + 0.5))
    style = "green" if strength >= strong else ("yellow" if strength >= strong / 2 else "dim")
    return SHADES[index] * 2, style


def render_coverage(data: dict[str, Any]) -> None:
    """Readiness, the matrix (one row per story, one column per principle), gaps, overuse."""
    from rich.table import Table

    out = console()
    stories = data["stories"]
    if not stories:
        out.print("No stories yet: add some with `starcoach story add` or `starcoach import`.")
        return
    strong = float(data["strong_threshold"])
    readiness = data["readiness"]
    focus = [data["company"]] if data["company"] else list(readiness)
    out.print("[bold]Readiness[/bold]")
    for company in focus:
        entry = readiness[company]
        out.print(f"  {entry['name']:<10} {bar(entry['score'] / 100)} {entry['score']:3d}/100")

    principles = data["principles"]
    table = Table(
        title=f"Stories × principles (█ strong ≥ {strong:.2f})",
        title_justify="left",
        show_lines=False,
    )
    table.add_column("#", justify="right")
    table.add_column("story", max_width=34, no_wrap=True)
    for number, _principle in enumerate(principles, start=1):
        table.add_column(f"{number:>2}", justify="center")
    for story, row in zip(stories, data["matrix"], strict=True):
        cells = []
        for value in row:
            text, style = _shade(value, strong)
            cells.append(f"[{style}]{text}[/{style}]")
        table.add_row(str(story["id"]), story["title"], *cells)
    out.print(table)
    legend = "  ".join(f"{n}={p['name']}" for n, p in enumerate(principles, start=1))
    out.print(f"[dim]{legend}[/dim]")

    if data["gaps"]:
        out.print("\n[bold]Gaps to fill next[/bold]")
        for gap in data["gaps"]:
            out.print(f"  • {gap['message']}")
    if data["overused"]:
        out.print("\n[bold]Stories you lean on[/bold]")
        for story in data["overused"]:
            out.print(f"  • {story['message']}")
    if data.get("scope"):
        out.print(f"\n[bold]Scope against {data['level']}[/bold]")
        for row in data["scope"]:
            out.print(
                f"  • story {row['id']} ({row['title']}): reads as {row['shows_level']}"
                + (f", {row['gap']} level(s) short" if row["gap"] > 0 else "")
            )


def render_plan(data: dict[str, Any]) -> None:
    """Interviewer by interviewer: principles, the story for each, a sample question."""
    out = console()
    out.print(
        f"[bold]Loop plan for {data['company']}[/bold]"
        + (f" at {data['level']}" if data["level"] else "")
        + f": {len(data['interviewers'])} interviewers, {data['stories_used']} stories"
    )
    for interviewer in data["interviewers"]:
        out.print(f"\n[bold]Interviewer {interviewer['number']}[/bold]")
        for slot in interviewer["principles"]:
            story = slot["story"]
            told = (
                f"story {story['id']}: {story['title']} ({story['strength']:.2f})"
                if story
                else "[red]no story yet[/red]"
            )
            weak = " [yellow](weak)[/yellow]" if slot.get("weak") else ""
            out.print(f"  {slot['name']:<38} {told}{weak}")
            if slot.get("question"):
                out.print(f"    [dim]e.g. {slot['question']}[/dim]")
    if data["uncovered"]:
        out.print("\n[bold]Left uncovered[/bold]")
        for item in data["uncovered"]:
            out.print(f"  • {item.get('name', item.get('principle'))}: {item.get('reason', '')}")
    if data["unscheduled"]:
        out.print(
            f"\n[dim]Not in this loop (too few interviewers): {', '.join(data['unscheduled'])}"
        )
    for note in data["notes"]:
        out.print(f"[dim]{note}[/dim]")
