"""The question encoder's training-only questions stay well-formed and apart from the bank."""

from __future__ import annotations

import json
from pathlib import Path

from starcoach.knowledge import PRINCIPLE_IDS, load_knowledge

EXTRA = (
    Path(__file__).resolve().parents[1] / "training" / "question-encoder" / "extra_questions.jsonl"
)


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def test_extra_training_questions_are_tagged_and_not_bank_questions():
    rows = [json.loads(line) for line in EXTRA.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 500
    for row in rows:
        assert set(row) == {"question", "principles"}, row
        assert row["question"].strip() and 1 <= len(row["principles"]) <= 2, row
        assert all(p in PRINCIPLE_IDS for p in row["principles"]), row
        assert len(set(row["principles"])) == len(row["principles"]), row
    texts = [normalised(r["question"]) for r in rows]
    assert len(set(texts)) == len(texts)
    bank = {normalised(q.text) for q in load_knowledge().questions}
    assert not bank & set(texts)
    primaries = {r["principles"][0] for r in rows}
    assert primaries == set(PRINCIPLE_IDS)
