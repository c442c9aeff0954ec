"""Export the question bank for a blind second annotation.

Writes build/annotation/bank_questions.txt, one line per bank question as
"<key>\\t<question text>", with NO principle labels and in a shuffled (seeded) order,
so neither the id prefix nor the neighbouring questions hint at the first
annotator's principle. Keys are neutral (q0001, q0002, ...); the key -> question id
mapping goes to build/annotation/key.json, which the annotator must not read until
the labels are finished.

Usage: python scripts/export_bank_for_annotation.py [--seed N] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from starcoach.knowledge.base import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "annotation"
DEFAULT_SEED = 20240611


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    questions = list(load_knowledge().questions)
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise SystemExit("duplicate question ids in the bank")

    order = sorted(questions, key=lambda q: q.id)  # independent of loader order
    random.Random(args.seed).shuffle(order)

    width = max(4, len(str(len(order))))
    key: dict[str, str] = {}
    lines: list[str] = []
    for n, q in enumerate(order, start=1):
        k = f"q{n:0{width}d}"
        key[k] = q.id
        text = " ".join(q.text.split())  # one line, no tabs
        lines.append(f"{k}\t{text}")

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bank_questions.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (args.out / "key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} questions to {args.out / 'bank_questions.txt'} (seed {args.seed})")
    print(f"wrote key mapping to {args.out / 'key.json'} (do not read while annotating)")


if __name__ == "__main__":
    main()
