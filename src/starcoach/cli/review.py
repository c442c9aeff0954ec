"""``starcoach history``, ``progress`` and ``review``: looking back, and practising what is due.

The commands read the saved practice (``store.practice``) and review cards
(``store.reviews``), hand them to the pure logic of :mod:`starcoach.practice.progress`
and :mod:`starcoach.practice.review`, and print. ``review`` runs its drills through the
same flow as ``starcoach drill`` (:func:`starcoach.cli.practice.run_drill`), so every
answer is saved and moves its question's card.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from starcoach.cli.output import console, print_json, report_path
from starcoach.cli.practice import AnswerFileOption, JsonOption, LevelOption, PrincipleOption
from starcoach.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.practice.progress import Progress, Trend
    from starcoach.practice.review import ReviewItem

LimitOption = Annotated[
    int | None, typer.Option("--limit", "-n", help="Show at most this many answers.")
]


def _principle_id(knowledge: KnowledgeBase, principle: str | None) -> str | None:
    return None if principle is None else knowledge.principle(principle).id


def _checked_limit(limit: int | None) -> int | None:
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}.")
    return limit


# -- history ----------------------------------------------------------------------------


def history_command(
    principle: PrincipleOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
) -> None:
    """Your practice answers, newest first: score, principle, findings, follow-ups."""
    from starcoach.knowledge import load_knowledge
    from starcoach.practice.progress import history
    from starcoach.storage import open_store

    knowledge = load_knowledge()
    pid = _principle_id(knowledge, principle)
    limit = _checked_limit(limit)
    with open_store() as store:
        attempts = store.practice.attempts()
    entries = history(attempts, pid, limit if as_json or limit else 20)
    if as_json:
        print_json({"principle": pid, "count": len(entries), "attempts": entries})
        return
    out = console()
    if not entries:
        scope = f" for {knowledge.principle(pid).name}" if pid else ""
        out.print(f"No practice saved yet{scope}. Start with `starcoach drill`.")
        return
    from rich.table import Table

    table = Table(title="Practice history (newest first)", title_justify="left")
    table.add_column("when")
    table.add_column("kind")
    table.add_column("principle")
    table.add_column("score", justify="right")
    table.add_column("question")
    table.add_column("findings")
    for entry in entries:
        when = datetime.fromisoformat(entry["created_at"]).astimezone()
        name = knowledge.principle(entry["principles"][0]).name if entry["principles"] else "–"
        speech = entry.get("speech")
        kind = entry["kind"] + (" 🎤" if speech else "")
        findings = entry["findings"]
        table.add_row(
            f"{when:%Y-%m-%d %H:%M}",
            kind,
            name,
            "–" if entry["score"] is None else str(entry["score"]),
            _short(entry["question"], 60),
            ", ".join(findings[:3]) + (" …" if len(findings) > 3 else ""),
        )
    out.print(table)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# -- progress ---------------------------------------------------------------------------


def progress_command(
    principle: PrincipleOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the PNG chart (default: HOME/reports/progress.png).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Score trends per principle and per critique dimension: a terminal chart and a PNG."""
    from starcoach.knowledge import load_knowledge
    from starcoach.practice.progress import progress, render_png
    from starcoach.storage import open_store

    knowledge = load_knowledge()
    pid = _principle_id(knowledge, principle)
    path = _png_path(output)
    with open_store() as store:
        attempts = store.practice.attempts(follow_ups=False)
    report = progress(attempts, pid)
    png: Path | None = None
    if report.overall is not None:
        names = {p.id: p.name for p in knowledge.principles}
        png = _write_png(path, render_png(report, names))
    if as_json:
        print_json({**report.to_dict(), "png": None if png is None else str(png)})
        return
    out = console()
    if report.overall is None:
        scope = f" for {knowledge.principle(pid).name}" if pid else ""
        out.print(f"No scored answers yet{scope}. Start with `starcoach drill`.")
        return
    render_progress(out, knowledge, report)
    out.print(f"\nChart: {png}")


def render_progress(out: Console, knowledge: KnowledgeBase, report: Progress) -> None:
    """The terminal chart: one sparkline row per principle, dimension and measure."""
    from rich.table import Table

    from starcoach.practice.progress import DELIVERY, sparkline

    overall = report.overall
    assert overall is not None
    first = report.first.astimezone().date() if report.first else "?"
    last = report.last.astimezone().date() if report.last else "?"
    out.print(
        f"[bold]Progress[/bold] · {report.answers} scored answers · {first} to {last}\n"
        f"average {overall.mean:.0f} · recent {overall.recent_mean:.0f} · "
        f"change {_change(overall)}  {sparkline(overall.values)}"
    )

    def table(title: str, first_column: str) -> Table:
        found = Table(title=title, title_justify="left")
        found.add_column(first_column)
        found.add_column("n", justify="right")
        found.add_column("trend (oldest → newest)")
        found.add_column("first", justify="right")
        found.add_column("last", justify="right")
        found.add_column("recent", justify="right")
        found.add_column("change", justify="right")
        return found

    principles = table("Score per principle (weakest first)", "principle")
    for trend in report.principles:
        _row(principles, knowledge.principle(trend.id).name, trend)
    out.print(principles)
    if report.dimensions:
        dimensions = table("Critique dimensions", "dimension")
        for trend in report.dimensions:
            _row(dimensions, trend.id, trend)
        out.print(dimensions)
    if report.delivery:
        delivery = table("Spoken delivery (per minute)", "measure")
        for trend in report.delivery:
            high = 240.0 if trend.id == "words_per_minute" else 20.0
            _row(delivery, DELIVERY.get(trend.id, trend.id), trend, high=high)
        out.print(delivery)


def _row(table: Any, name: str, trend: Trend, high: float = 100.0) -> None:
    from starcoach.practice.progress import sparkline

    table.add_row(
        name,
        str(trend.count),
        sparkline(trend.values, high=high),
        f"{trend.values[0]:.0f}",
        f"{trend.values[-1]:.0f}",
        f"{trend.recent_mean:.0f}",
        _change(trend),
    )


def _change(trend: Trend) -> str:
    change = trend.change
    if change is None:
        return "[dim]–[/dim]"
    if abs(change) < 0.5:
        return "±0"
    style = "green" if change > 0 else "red"
    return f"[{style}]{change:+.0f}[/{style}]"


def _png_path(given: Path | None) -> Path:
    """The chart's path (HOME/reports/progress.png unless given); it must be a .png."""
    if given is not None and not given.is_dir() and given.suffix.lower() != ".png":
        raise InputError(f"The chart is a PNG image; give --output a .png name, not {given.name}.")
    return report_path(given, "progress.png", "chart")


def _write_png(path: Path, data: bytes) -> Path:
    from starcoach.storage.backup import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise InputError(f"Cannot write the chart to {path}: {exc.strerror or exc}") from None
    return path


# -- review -----------------------------------------------------------------------------


def review_command(
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="At most this many drills (default 5).")
    ] = 5,
    list_only: Annotated[
        bool, typer.Option("--list", help="Only list what is due; do not run the drills.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="List what is due as JSON (implies --list).")
    ] = False,
    on: Annotated[
        str | None,
        typer.Option("--on", help="Plan for another day (YYYY-MM-DD) instead of today."),
    ] = None,
    new: Annotated[
        bool,
        typer.Option(
            "--new/--no-new", help="Fill up with questions for principles never practised."
        ),
    ] = True,
    answer_file: AnswerFileOption = None,
    level: LevelOption = None,
    company: Annotated[
        str | None, typer.Option("--company", "-c", help="amazon, meta, google, bank…")
    ] = None,
) -> None:
    """Today's review: due questions, weakest principles first, then principles never tried.

    A .jsonl --answer-file holds one answer per drill, in order.
    """
    from starcoach.knowledge import load_knowledge
    from starcoach.practice.review import due_cutoff, todays_review
    from starcoach.storage import open_store

    if limit < 1:
        raise InputError(f"--limit must be at least 1, not {limit}.")
    knowledge = load_knowledge()
    cutoff = due_cutoff(_day(on))
    with open_store() as store:
        cards = store.reviews.cards()
        attempts = store.practice.attempts(follow_ups=False)
    plan = todays_review(knowledge, cards, attempts, cutoff, limit, include_new=new)
    items = plan.items
    if as_json or list_only:
        if as_json:
            print_json(plan.to_dict(knowledge))
        else:
            render_plan(console(), knowledge, items, plan.due_count, plan.next_due)
        return
    out = console()
    if not items:
        render_plan(out, knowledge, items, plan.due_count, plan.next_due)
        return
    _run_review(out, knowledge, items, answer_file, level, company)


def _day(on: str | None) -> date | None:
    if on is None:
        return None
    try:
        return date.fromisoformat(on.strip())
    except ValueError:
        raise InputError(f"--on takes a date like 2026-06-30, not {on!r}.") from None


def render_plan(
    out: Console, knowledge: KnowledgeBase, items: list[ReviewItem], due_total: int, next_due: Any
) -> None:
    """The review list: what is due and why."""
    if not items:
        when = (
            f" The next question is due {next_due.due.astimezone():%Y-%m-%d}."
            if next_due is not None
            else ""
        )
        out.print(f"Nothing to review today.{when}")
        return
    from rich.table import Table

    table = Table(
        title=f"Review · {due_total} due question(s), weakest principles first",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("")
    table.add_column("principle")
    table.add_column("last", justify="right")
    table.add_column("question")
    table.add_column("why")
    for number, item in enumerate(items, start=1):
        table.add_row(
            str(number),
            item.kind,
            knowledge.principle(item.principle).name,
            "–" if item.last_score is None else str(item.last_score),
            _short(item.question, 56),
            item.reason,
        )
    out.print(table)


def _run_review(
    out: Console,
    knowledge: KnowledgeBase,
    items: list[ReviewItem],
    answer_file: Path | None,
    level: str | None,
    company: str | None,
) -> None:
    """Run the planned drills one after another; each is saved as it ends."""
    from starcoach.cli.practice import (
        _critic,
        _engine,
        _open_store,
        answer_source,
        run_drill,
    )

    source = answer_source(answer_file, many=True)
    engine = _engine(knowledge)
    done = 0
    with _open_store() as store:
        critic = _critic(out, source.interactive)
        for number, item in enumerate(items, start=1):
            if not source.interactive and not source.scripted:
                break  # the prepared answers ran out
            try:
                question = knowledge.question(item.question_id or "")
            except InputError:
                _warn(f"Question {item.question_id!r} is no longer in the bank; skipped.")
                continue
            why = item.reason if item.kind == "new" else f"due · {item.reason}"
            out.print(
                f"\n[bold]Review {number} of {len(items)}[/bold] [dim]· "
                f"{knowledge.principle(item.principle).name} · {why}[/dim]"
            )
            outcome = run_drill(
                out, knowledge, question, critic, engine, source, level=level, company=company
            )
            session_id = store.practice.save_drill(outcome.result)
            done += 1
            card = store.reviews.card(question.id, question.text)
            if card is not None:
                days = card.days_until_due()
                out.print(
                    f"[green]Saved as practice session {session_id}.[/green] "
                    f"Next review of this question: {card.due.astimezone():%Y-%m-%d} "
                    f"(in {days} day{'s' if days != 1 else ''}, rated {card.rating})."
                )
            if outcome.result.interrupted:
                break
    left = len(items) - done
    tail = f"; {left} left for later" if left else ""
    out.print(f"\n[bold]Review done: {done} drill(s){tail}.[/bold]")


def _warn(message: str) -> None:
    console(stderr=True).print(f"[yellow]warning:[/yellow] {message}")
