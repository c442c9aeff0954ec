"""Export the story-matching set for a blind second judgement.

Reads eval/data/match_stories.yaml and writes, under build/judging/:

  stories.md     each story under a neutral key (S01..S40), in a seeded shuffled order,
                 with its title and its situation / task / action / result / reflection
                 text only -- NOT its id, domain, level, principles, written-for question
                 or its interview questions;
  questions.txt  all interview questions, one per line as "<key>\\t<text>" (Q001..),
                 in a seeded shuffled order, with no hint of the story each was written for;
  key.json       {"stories": {S-key: story id}, "questions": {Q-key: [story id, text]}}
                 -- the judge must not read it until the judgements are finished.

Usage: python scripts/export_match_for_judging.py [--seed N] [--data PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "eval" / "data" / "match_stories.yaml"
DEFAULT_OUT = ROOT / "build" / "judging"
DEFAULT_SEED = 20240917
SECTIONS = ("situation", "task", "action", "result", "reflection")


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def question_text(q: object) -> str:
    """A story's question is either a plain string or a mapping with a ``text`` key."""
    if isinstance(q, str):
        return one_line(q)
    if isinstance(q, dict) and "text" in q:
        return one_line(q["text"])
    raise SystemExit(f"unexpected question entry: {q!r}")


def load_stories(path: Path) -> list[dict]:
    stories = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(stories, list):
        raise SystemExit(f"{path}: expected a list of stories")
    ids = [s["id"] for s in stories]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{path}: duplicate story ids")
    return stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    stories = sorted(load_stories(args.data), key=lambda s: s["id"])  # independent of file order
    rng = random.Random(args.seed)

    story_order = list(stories)
    rng.shuffle(story_order)
    s_width = max(2, len(str(len(story_order))))
    story_key: dict[str, str] = {}
    md: list[str] = [
        "# Stories for blind judging",
        "",
        "Each story is given under a neutral key; the order is random.",
        "",
    ]
    for n, s in enumerate(story_order, start=1):
        k = f"S{n:0{s_width}d}"
        story_key[k] = s["id"]
        md.append(f"## {k}: {one_line(s['title'])}")
        md.append("")
        for section in SECTIONS:
            md.append(f"**{section.capitalize()}.** {one_line(s.get(section, ''))}")
            md.append("")

    questions: list[tuple[str, str]] = [
        (s["id"], question_text(q)) for s in stories for q in s.get("questions") or []
    ]
    rng.shuffle(questions)
    q_width = max(3, len(str(len(questions))))
    question_key: dict[str, list[str]] = {}
    lines: list[str] = []
    for n, (story_id, text) in enumerate(questions, start=1):
        k = f"Q{n:0{q_width}d}"
        question_key[k] = [story_id, text]
        lines.append(f"{k}\t{text}")

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "stories.md").write_text("\n".join(md).rstrip() + "\n", encoding="utf-8")
    (args.out / "questions.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    key = {"seed": args.seed, "stories": story_key, "questions": question_key}
    (args.out / "key.json").write_text(json.dumps(key, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(story_key)} stories to {args.out / 'stories.md'} (seed {args.seed})")
    print(f"wrote {len(lines)} questions to {args.out / 'questions.txt'}")
    print(f"wrote key mapping to {args.out / 'key.json'} (do not read while judging)")


if __name__ == "__main__":
    main()
