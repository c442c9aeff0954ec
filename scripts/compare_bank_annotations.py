"""Compare the question bank's principle labels with a blind second annotation.

Annotator 1 is the bank itself (src/starcoach/knowledge/data/questions/*.yaml);
annotator 2 is eval/data/bank_second_annotator.jsonl, one {"id", "principles"} line per
bank question. Figures are given for the whole bank and for the classifier's held-out
tenth (``in_holdout(question.id, 10)``):

  (a) annotator 2's primary is among annotator 1's labels
  (b) same primary
  (c) the two label sets overlap
  (d) among questions annotator 1 gave ONE label: how many where annotator 2's primary
      differs from it

Usage: python scripts/compare_bank_annotations.py [--second PATH] [--json] [--examples N]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from starcoach.errors import InputError
from starcoach.evaluation.classify import load_bank_annotation
from starcoach.knowledge.base import load_knowledge
from starcoach.matching.understanding import HOLDOUT_MODULO, is_holdout

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECOND = ROOT / "eval" / "data" / "bank_second_annotator.jsonl"


def figures(pairs: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> dict[str, float | int]:
    """pairs: (annotator 1 labels, annotator 2 labels), primary first in each."""
    n = len(pairs)
    a = sum(b[0] in a1 for a1, b in pairs)
    same = sum(a1[0] == b[0] for a1, b in pairs)
    overlap = sum(bool(set(a1) & set(b)) for a1, b in pairs)
    single = [(a1, b) for a1, b in pairs if len(a1) == 1]
    single_differs = sum(b[0] != a1[0] for a1, b in single)
    return {
        "n": n,
        "a2_primary_in_a1_labels": a / n if n else 0.0,
        "same_primary": same / n if n else 0.0,
        "label_sets_overlap": overlap / n if n else 0.0,
        "a1_single_label": len(single),
        "a1_single_label_a2_primary_differs": single_differs,
        "a1_single_label_a2_primary_differs_share": single_differs / len(single) if single else 0.0,
        "a2_two_labels": sum(len(b) == 2 for _, b in pairs),
        "a1_two_labels": sum(len(a1) == 2 for a1, _ in pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--second", type=Path, default=DEFAULT_SECOND)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--examples", type=int, default=0, help="also list N disagreements (different primary)"
    )
    args = parser.parse_args()

    kb = load_knowledge()
    try:
        second = load_bank_annotation(args.second, kb)
    except InputError as exc:
        raise SystemExit(str(exc)) from exc

    groups: dict[str, list] = {"all": [], "holdout": []}
    disagreements = []
    for q in kb.questions:
        pair = (tuple(q.principles), second[q.id])
        groups["all"].append(pair)
        if is_holdout(q.id):
            groups["holdout"].append(pair)
        if pair[0][0] != pair[1][0]:
            disagreements.append((q, pair[1]))

    result = {name: figures(pairs) for name, pairs in groups.items()}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, f in result.items():
            label = (
                "all bank questions"
                if name == "all"
                else f"held-out tenth (in_holdout(id, {HOLDOUT_MODULO}))"
            )
            print(f"{label}: n={f['n']}")
            print(
                f"  (a) annotator 2 primary among annotator 1 labels: {f['a2_primary_in_a1_labels']:.3f}"
            )
            print(f"  (b) same primary:                                 {f['same_primary']:.3f}")
            print(
                f"  (c) label sets overlap:                           {f['label_sets_overlap']:.3f}"
            )
            print(
                f"  (d) annotator 1 gave one label: {f['a1_single_label']};"
                f" annotator 2 primary differs on {f['a1_single_label_a2_primary_differs']}"
                f" ({f['a1_single_label_a2_primary_differs_share']:.3f})"
            )
            print(
                f"      two-label questions: annotator 1 {f['a1_two_labels']}, annotator 2 {f['a2_two_labels']}"
            )
    if args.examples:
        print()
        for q, labels in disagreements[: args.examples]:
            print(
                f"{q.id}\t{q.text}\n\tannotator 1: {list(q.principles)}\n\tannotator 2: {list(labels)}"
            )


if __name__ == "__main__":
    main()
