"""History and progress: the pure trend logic, the text sparkline and the PNG chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from starcoach.practice import progress as pg

T0 = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Saved:
    id: int
    score: int | None
    principles: tuple[str, ...] = ("ownership",)
    follow_up_of: int | None = None
    dimensions: dict[str, int] = field(default_factory=dict)
    speech: dict[str, Any] | None = None
    session_id: int = 1
    kind: str = "drill"
    question: str = "Q?"
    question_id: str | None = "own-001"
    answer: str = "A."
    seconds: float | None = 120.0

    @property
    def created_at(self) -> datetime:
        return T0 + timedelta(days=self.id)

    @property
    def critique(self) -> dict[str, Any] | None:
        if self.score is None:
            return None
        data: dict[str, Any] = {
            "score": self.score,
            "dimensions": self.dimensions,
            "findings": [{"code": "no-metrics"}],
        }
        if self.speech is not None:
            data["speech"] = self.speech
        return data


def _history() -> list[Saved]:
    return [
        Saved(1, 40, dimensions={"structure": 30, "impact": 20}),
        Saved(2, None, follow_up_of=1),
        Saved(3, 55, ("dive-deep",), dimensions={"structure": 60, "impact": 50}),
        Saved(4, 60, dimensions={"structure": 70, "impact": 40}),
        Saved(5, 30, ("dive-deep", "ownership"), dimensions={"structure": 40}),
        Saved(
            6,
            80,
            dimensions={"structure": 90, "impact": 80},
            speech={"words_per_minute": 150.0, "filler_words_per_minute": 1.5},
        ),
        Saved(7, 12, follow_up_of=6),
    ]


def test_progress_per_principle_dimension_and_delivery():
    report = pg.progress(_history())
    assert report.answers == 5  # follow-ups and unscored answers are left out
    assert report.overall.values == [40, 55, 60, 30, 80]
    by_id = {t.id: t for t in report.principles}
    assert by_id["ownership"].values == [40, 60, 30, 80]
    assert [n for n, _, _ in by_id["ownership"].points] == [1, 3, 4, 5]
    assert by_id["dive-deep"].values == [55, 30]
    assert report.principles[0].id == "dive-deep"  # weakest recent mean first
    assert by_id["dive-deep"].change == -25
    assert by_id["ownership"].change == pytest.approx((30 + 80) / 2 - (40 + 60) / 2)
    dims = {t.id: t.values for t in report.dimensions}
    assert dims == {"structure": [30, 60, 70, 40, 90], "impact": [20, 50, 40, 80]}
    assert [(t.id, t.values) for t in report.delivery] == [
        ("words_per_minute", [150.0]),
        ("filler_words_per_minute", [1.5]),
    ]
    assert report.first == T0 + timedelta(days=1) and report.last == T0 + timedelta(days=6)
    data = report.to_dict()
    assert data["overall"]["answers"] == 5 and data["overall"]["change"] is not None
    assert data["principles"][0]["points"][0] == {
        "n": 2,
        "at": (T0 + timedelta(days=3)).isoformat(),
        "value": 55,
    }


def test_progress_for_one_principle_and_for_nothing():
    only = pg.progress(_history(), "dive-deep")
    assert only.answers == 2 and only.principle == "dive-deep"
    empty = pg.progress([], None)
    assert empty.answers == 0 and empty.overall is None
    assert empty.to_dict()["principles"] == []
    single = pg.progress([Saved(1, 70)])
    assert single.overall.change is None


def test_history_lists_main_answers_newest_first_with_follow_ups():
    entries = pg.history(_history())
    assert [e["id"] for e in entries] == [6, 5, 4, 3, 1]
    assert entries[-1]["follow_ups"] == [{"question": "Q?", "answer": "A.", "score": None}]
    assert entries[0]["speech"]["words_per_minute"] == 150.0
    assert entries[0]["findings"] == ["no-metrics"]
    assert [e["id"] for e in pg.history(_history(), "dive-deep")] == [5, 3]
    assert [e["id"] for e in pg.history(_history(), limit=2)] == [6, 5]


def test_sparkline_uses_a_fixed_scale():
    assert pg.sparkline([0, 50, 100]) == "▁▅█"
    assert pg.sparkline([]) == ""
    assert pg.sparkline(range(40), width=5) == pg.sparkline([35, 36, 37, 38, 39])
    assert pg.sparkline([-10, 140]) == "▁█"  # clamped


def test_png_chart_is_a_real_png():
    data = pg.render_png(pg.progress(_history()), {"ownership": "Ownership"})
    assert data.startswith(PNG_MAGIC) and len(data) > 20_000
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert width >= 800 and height >= 600  # three panels: delivery is shown
    with pytest.raises(ValueError):
        pg.render_png(pg.progress([]))
