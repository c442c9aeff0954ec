"""Check (and with --drop, clean) training/question-encoder/extra_questions.jsonl.

Checks: valid JSON rows, 1-2 known principle ids without repeats, non-empty text; no
exact or near duplicates (cosine >= 0.92 under the base embedder, all-MiniLM-L6-v2)
among the rows, nor of any bank training question; stricter (>= 0.85) against every
question anything is measured on (validation fifth, held-out tenth, independent sets),
so no close paraphrase flatters a figure. The bank's held-out tenth and the independent
sets (eval/data/*.jsonl) are compared programmatically and never printed: a row near one
of them is dropped and only counted, so nothing of them leaks into training or into this
output. Near pairs with bank *training* questions outside the internal validation fifth
are printed (those are readable training data); pairs with validation-fifth questions
are only counted.

    python training/question-encoder/validate_extra.py          # report, exit 1 on problems
    python training/question-encoder/validate_extra.py --drop   # rewrite the file without them
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXTRA = HERE / "extra_questions.jsonl"
NEAR = 0.92
"""Too near a bank training question or another row."""
NEAR_EVALUATED = 0.85
"""Stricter for questions anything is measured on (the validation fifth, the held-out
tenth, the independent sets): a close paraphrase there would flatter the figures."""
FOLDS = 5


def fold_of(question_id: str) -> int:
    """The internal fold of scripts/train_question_encoder.py (fold 0 = validation fifth)."""
    digest = hashlib.sha256(f"question-encoder-fold:{question_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % FOLDS


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", type=Path, default=EXTRA)
    parser.add_argument("--drop", action="store_true", help="rewrite the file without problems")
    args = parser.parse_args()

    from starcoach.knowledge import PRINCIPLE_IDS, load_knowledge
    from starcoach.nlp.embedding import get_embedder
    from starcoach.splits import in_holdout

    rows: list[dict] = []
    problems: dict[int, str] = {}
    for number, line in enumerate(args.file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        labels = item.get("principles")
        text = item.get("question")
        index = len(rows)
        rows.append(item)
        if not isinstance(text, str) or not text.strip():
            problems[index] = f"line {number}: empty question"
        elif (
            not isinstance(labels, list)
            or not 1 <= len(labels) <= 2
            or len(set(labels)) != len(labels)
            or any(p not in PRINCIPLE_IDS for p in labels)
        ):
            problems[index] = f"line {number}: bad principles {labels}"

    kb = load_knowledge()
    train_visible = [q for q in kb.questions if not in_holdout(q.id, 10) and fold_of(q.id) != 0]
    train_validation = [q for q in kb.questions if not in_holdout(q.id, 10) and fold_of(q.id) == 0]
    holdout = [q.text for q in kb.questions if in_holdout(q.id, 10)]
    independent: list[str] = []
    for path in sorted((REPO / "eval" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if "question" in record:  # bank_second_annotator.jsonl holds ids only
                independent.append(record["question"])

    embedder = get_embedder()

    def encode(items: list[str]) -> np.ndarray:
        """One text per call: a vector must not depend on the file's other rows (batches
        of similar length shift vectors slightly, enough to flip a 0.85 boundary)."""
        return np.vstack([embedder.encode([item]) for item in items])

    texts = [str(r.get("question", "")) for r in rows]
    mine = encode(texts)
    groups = {
        "bank training (visible)": [q.text for q in train_visible],
        "bank validation fifth": [q.text for q in train_validation],
        "bank held-out tenth": holdout,
        "independent sets (eval/data)": independent,
    }
    counts: dict[str, int] = {}
    nearest_stats: dict[str, dict[str, float]] = {}
    for name, others in groups.items():
        sims = mine @ encode(others).T
        exact = np.array(
            [[normalise(a) == normalise(b) for b in others] for a in texts], dtype=bool
        )
        best = sims.max(axis=1)
        limit = NEAR if name == "bank training (visible)" else NEAR_EVALUATED
        hit = (best >= limit) | exact.any(axis=1)
        counts[name] = int(hit.sum())
        nearest_stats[name] = {
            "median nearest cosine": round(float(np.median(best)), 3),
            "rows with nearest >= 0.85": int((best >= 0.85).sum()),
        }
        for i in np.flatnonzero(hit):
            if name == "bank training (visible)":
                j = int(sims[i].argmax())
                print(f"near bank ({sims[i, j]:.3f}): {texts[i]!r} ~ {others[j]!r}")
            problems.setdefault(int(i), f"near {name}")

    # Near duplicates among the rows: keep the first of each pair.
    sims = mine @ mine.T
    seen: set[str] = set()
    internal = 0
    for i in range(len(rows)):
        key = normalise(texts[i])
        earlier = sims[i, :i]
        if key in seen or (i and earlier.max() >= NEAR):
            j = int(earlier.argmax()) if i else i
            print(f"near duplicate ({sims[i, j]:.3f}): {texts[i]!r} ~ {texts[j]!r}")
            problems.setdefault(i, "near another row")
            internal += 1
        seen.add(key)

    per_primary: dict[str, int] = {}
    for i, r in enumerate(rows):
        if i not in problems:
            per_primary[r["principles"][0]] = per_primary.get(r["principles"][0], 0) + 1
    report = {
        "rows": len(rows),
        "problems": len(problems),
        f"near (>= {NEAR} training, >= {NEAR_EVALUATED} evaluated) or exact, by group": counts,
        "near duplicates among rows": internal,
        "nearest-neighbour similarity by group": nearest_stats,
        "kept per primary principle": dict(sorted(per_primary.items())),
        "kept with two principles": sum(
            1 for i, r in enumerate(rows) if i not in problems and len(r["principles"]) == 2
        ),
    }
    print(json.dumps(report, indent=1))
    if args.drop and problems:
        kept = [r for i, r in enumerate(rows) if i not in problems]
        args.file.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept), encoding="utf-8"
        )
        print(f"dropped {len(problems)}; {len(kept)} rows left in {args.file}")
    elif problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
