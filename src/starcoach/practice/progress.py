"""History and progress: what was practised, and how the scores move over time.

Pure logic over saved attempts (anything shaped like ``practice_store.Attempt``): no
database, no terminal. :func:`history` lists answers with their follow-ups,
:func:`progress` computes score trends per principle, per critique dimension and, for
spoken answers, per delivery measure; :func:`sparkline` draws a trend in one line of
text and :func:`render_png` draws the chart (matplotlib, imported only there, on the
Agg canvas, so no display is ever needed).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import fmean
from typing import Any, Protocol

WINDOW = 3
"""Change = mean of the last three answers minus the mean of the first three."""
SPARK = "▁▂▃▄▅▆▇█"
DELIVERY = {
    "words_per_minute": "words per minute",
    "filler_words_per_minute": "filler words per minute",
}
"""Speech measures that the critique of a spoken answer carries in its ``speech`` field."""


class SavedAnswer(Protocol):
    """What history and progress read of a saved attempt."""

    @property
    def id(self) -> int: ...
    @property
    def session_id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def question(self) -> str: ...
    @property
    def question_id(self) -> str | None: ...
    @property
    def principles(self) -> tuple[str, ...]: ...
    @property
    def answer(self) -> str: ...
    @property
    def seconds(self) -> float | None: ...
    @property
    def score(self) -> int | None: ...
    @property
    def critique(self) -> dict[str, Any] | None: ...
    @property
    def follow_up_of(self) -> int | None: ...
    @property
    def created_at(self) -> datetime: ...


# --------------------------------------------------------------------------- history


def history(
    attempts: Iterable[SavedAnswer], principle: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Main answers newest first, each with its follow-ups, as JSON-able dicts."""
    items = list(attempts)
    follow_ups: dict[int, list[SavedAnswer]] = {}
    for attempt in items:
        if attempt.follow_up_of is not None:
            follow_ups.setdefault(attempt.follow_up_of, []).append(attempt)
    mains = [
        a
        for a in items
        if a.follow_up_of is None and (principle is None or principle in a.principles)
    ]
    mains.sort(key=lambda a: (a.created_at, a.id), reverse=True)
    if limit is not None:
        mains = mains[:limit]
    # by id, the order they were asked in (an unanswered one carries the main answer's time)
    return [_entry(a, sorted(follow_ups.get(a.id, []), key=lambda f: f.id)) for a in mains]


def _entry(attempt: SavedAnswer, follow_ups: Sequence[SavedAnswer]) -> dict[str, Any]:
    critique = attempt.critique or {}
    entry: dict[str, Any] = {
        "id": attempt.id,
        "session_id": attempt.session_id,
        "kind": attempt.kind,
        "created_at": attempt.created_at.astimezone(UTC).isoformat(),
        "question": attempt.question,
        "question_id": attempt.question_id,
        "principles": list(attempt.principles),
        "score": attempt.score,
        "seconds": attempt.seconds,
        "answer": attempt.answer,
        "dimensions": dict(critique.get("dimensions") or {}),
        "findings": [str(f.get("code")) for f in critique.get("findings") or ()],
        "speech": critique.get("speech"),
        "follow_ups": [
            {"question": f.question, "answer": f.answer, "score": f.score} for f in follow_ups
        ],
    }
    return entry


# --------------------------------------------------------------------------- trends


@dataclass(frozen=True)
class Trend:
    """One series: an id (principle, dimension, measure) and its values in answer order.

    ``points`` pairs the answer's number in the whole history (1 = first ever) with its
    value, so that several series share one x axis.
    """

    id: str
    points: tuple[tuple[int, datetime, float], ...]

    @property
    def values(self) -> list[float]:
        return [value for _, _, value in self.points]

    @property
    def count(self) -> int:
        return len(self.points)

    @property
    def mean(self) -> float:
        return fmean(self.values)

    @property
    def recent_mean(self) -> float:
        return fmean(self.values[-WINDOW:])

    @property
    def change(self) -> float | None:
        """Last answers' mean minus the first answers' mean; None with one answer."""
        if self.count < 2:
            return None
        window = min(WINDOW, self.count // 2) or 1
        return fmean(self.values[-window:]) - fmean(self.values[:window])

    def to_dict(self) -> dict[str, Any]:
        change = self.change
        return {
            "id": self.id,
            "answers": self.count,
            "first": round(self.values[0], 1),
            "last": round(self.values[-1], 1),
            "mean": round(self.mean, 1),
            "recent_mean": round(self.recent_mean, 1),
            "best": round(max(self.values), 1),
            "change": None if change is None else round(change, 1),
            "points": [
                {"n": n, "at": at.astimezone(UTC).isoformat(), "value": round(value, 2)}
                for n, at, value in self.points
            ],
        }


@dataclass(frozen=True)
class Progress:
    """Score trends over the scored main answers (follow-ups are not whole stories)."""

    answers: int
    overall: Trend | None
    principles: tuple[Trend, ...] = ()
    """Weakest recent mean first: the order the review schedule works in."""
    dimensions: tuple[Trend, ...] = ()
    delivery: tuple[Trend, ...] = ()
    principle: str | None = None
    first: datetime | None = None
    last: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "principle": self.principle,
            "answers": self.answers,
            "first": self.first.astimezone(UTC).isoformat() if self.first else None,
            "last": self.last.astimezone(UTC).isoformat() if self.last else None,
            "overall": self.overall.to_dict() if self.overall else None,
            "principles": [t.to_dict() for t in self.principles],
            "dimensions": [t.to_dict() for t in self.dimensions],
            "delivery": [t.to_dict() for t in self.delivery],
        }


def progress(attempts: Iterable[SavedAnswer], principle: str | None = None) -> Progress:
    """Trends per principle, per critique dimension and per delivery measure."""
    scored = sorted(
        (
            a
            for a in attempts
            if a.follow_up_of is None
            and a.score is not None
            and (principle is None or principle in a.principles)
        ),
        key=lambda a: (a.created_at, a.id),
    )
    if not scored:
        return Progress(answers=0, overall=None, principle=principle)
    by_principle: dict[str, list[tuple[int, datetime, float]]] = {}
    by_dimension: dict[str, list[tuple[int, datetime, float]]] = {}
    by_measure: dict[str, list[tuple[int, datetime, float]]] = {}
    overall: list[tuple[int, datetime, float]] = []
    for number, attempt in enumerate(scored, start=1):
        when = attempt.created_at
        score = float(attempt.score or 0)
        overall.append((number, when, score))
        for pid in dict.fromkeys(attempt.principles):
            by_principle.setdefault(pid, []).append((number, when, score))
        critique = attempt.critique or {}
        for name, value in (critique.get("dimensions") or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                by_dimension.setdefault(str(name), []).append((number, when, float(value)))
        speech = critique.get("speech")
        if isinstance(speech, Mapping):
            for name in DELIVERY:
                value = speech.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    by_measure.setdefault(name, []).append((number, when, float(value)))
    principles = sorted(
        (Trend(pid, tuple(points)) for pid, points in by_principle.items()),
        key=lambda t: (t.recent_mean, t.id),
    )
    return Progress(
        answers=len(scored),
        overall=Trend("overall", tuple(overall)),
        principles=tuple(principles),
        dimensions=tuple(Trend(n, tuple(p)) for n, p in by_dimension.items()),
        delivery=tuple(Trend(n, tuple(p)) for n, p in by_measure.items()),
        principle=principle,
        first=scored[0].created_at,
        last=scored[-1].created_at,
    )


def sparkline(values: Sequence[float], width: int = 24, low: float = 0, high: float = 100) -> str:
    """The last ``width`` values as block characters on a fixed ``low``–``high`` scale.

    A fixed scale (0–100 for scores) keeps lines comparable between rows: a row of
    tall blocks is a strong principle, not just a flat one.
    """
    shown = list(values)[-width:]
    if not shown:
        return ""
    span = (high - low) or 1.0
    top = len(SPARK) - 1
    return "".join(SPARK[max(0, min(top, round((value - low) / span * top)))] for value in shown)


# --------------------------------------------------------------------------- the chart


def render_png(report: Progress, names: Mapping[str, str] | None = None, dpi: int = 110) -> bytes:
    """The progress chart as PNG bytes: scores per principle above, dimensions below.

    Matplotlib is imported here only, and drawn on the Agg canvas directly (no pyplot,
    no global state, no display).
    """
    if report.overall is None:
        raise ValueError("no scored answers to plot")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = names or {}
    rows = 3 if report.delivery else 2
    fig = Figure(figsize=(10, 3.4 * rows), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, sharex=True, squeeze=False)[:, 0]
    span = _span(report)
    fig.suptitle(f"starcoach progress · {report.answers} answers{span}", fontsize=12)

    top = axes[0]
    overall = report.overall
    top.plot(
        [n for n, _, _ in overall.points],
        overall.values,
        color="black",
        linewidth=2.2,
        marker="o",
        label="all answers",
    )
    for trend in report.principles:
        top.plot(
            [n for n, _, _ in trend.points],
            trend.values,
            marker=".",
            linewidth=1,
            alpha=0.8,
            label=names.get(trend.id, trend.id),
        )
    top.set_ylabel("score")
    top.set_ylim(-3, 103)
    top.set_title("Score per principle", loc="left", fontsize=10)
    top.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, frameon=False)
    top.grid(alpha=0.3)

    middle = axes[1]
    for trend in report.dimensions:
        middle.plot([n for n, _, _ in trend.points], trend.values, marker=".", label=trend.id)
    middle.set_ylabel("dimension score")
    middle.set_ylim(-3, 103)
    middle.set_title("Critique dimensions", loc="left", fontsize=10)
    if report.dimensions:
        middle.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, frameon=False)
    middle.grid(alpha=0.3)

    if report.delivery:
        bottom = axes[2]
        for trend in report.delivery:
            bottom.plot(
                [n for n, _, _ in trend.points],
                trend.values,
                marker="o",
                label=DELIVERY.get(trend.id, trend.id),
            )
        bottom.set_ylabel("per minute")
        bottom.set_title("Spoken delivery", loc="left", fontsize=10)
        bottom.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7, frameon=False)
        bottom.grid(alpha=0.3)
    from matplotlib.ticker import MaxNLocator

    axes[-1].set_xlabel("answer number (oldest first)")
    axes[-1].set_xlim(0.5, report.answers + 0.5)
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _span(report: Progress) -> str:
    if report.first is None or report.last is None:
        return ""
    first, last = report.first.astimezone().date(), report.last.astimezone().date()
    return f" · {first}" if first == last else f" · {first} to {last}"


__all__ = [
    "DELIVERY",
    "Progress",
    "Trend",
    "history",
    "progress",
    "render_png",
    "sparkline",
]
