"""The blind second annotation of the bank: read by one loader, which names bad lines."""

from __future__ import annotations

from pathlib import Path

from starcoach.knowledge import load_knowledge


def test_bank_second_annotation_covers_the_bank_and_bad_files_name_the_problem(tmp_path):
    import pytest

    from starcoach.errors import InputError
    from starcoach.evaluation.classify import load_bank_annotation

    kb = load_knowledge()
    path = Path(__file__).resolve().parents[1] / "eval" / "data" / "bank_second_annotator.jsonl"
    labels = load_bank_annotation(path, kb)
    assert set(labels) == {q.id for q in kb.questions}
    first = path.read_text("utf-8").splitlines()[0]
    cases = {
        "duplicate id": first + "\n" + first + "\n",
        "no label": first + "\n",
        "unknown principle": '{"id": "x", "principles": ["kindness"]}\n',
        "expected": "not json\n",
    }
    for message, text in cases.items():
        bad = tmp_path / "bad.jsonl"
        bad.write_text(text, "utf-8")
        with pytest.raises(InputError, match=message):
            load_bank_annotation(bad, kb)
