"""Compare the story-matching set's acceptable answers with a blind second judgement.

Judge 1 is the set itself (eval/data/match_stories.yaml): a question's acceptable stories
are the story it was written for plus its `also` list. Judge 2 is
eval/data/match_second_judge.jsonl, one {"story", "question", "acceptable"} line per
question, its acceptable stories best first, made blind by
scripts/export_match_for_judging.py (neutral keys, shuffled, no ids or `also`).

Prints:
  * how often judge 2's acceptable set contains the written-for story, and how often
    judge 2's best story is the written-for story;
  * for each question, judge 1's set vs judge 2's set (``--changed`` shows only the
    questions where they differ);
  * questions where judge 2 added stories, removed `also` stories, or left out the
    written-for story; mean set sizes; exact set agreement;
  * agreement over all question x story pairs: simple agreement, Cohen's kappa, and
    positive agreement, both over all pairs and without each question's written-for
    pair (which judge 1 marks acceptable by construction).

Usage: python scripts/compare_match_judgements.py [--second PATH] [--changed] [--titles] [--json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from starcoach.errors import DataFileError
from starcoach.evaluation.match import MATCH_SET, load_match_stories, load_second_judgement

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECOND = ROOT / "eval" / "data" / "match_second_judge.jsonl"


def kappa_table(pairs: list[tuple[bool, bool]]) -> dict[str, float | int]:
    """Agreement between two binary judges over the given (judge 1, judge 2) pairs."""
    n = len(pairs)
    both = sum(a and b for a, b in pairs)
    only1 = sum(a and not b for a, b in pairs)
    only2 = sum(b and not a for a, b in pairs)
    neither = n - both - only1 - only2
    observed = (both + neither) / n if n else 0.0
    p1 = (both + only1) / n if n else 0.0
    p2 = (both + only2) / n if n else 0.0
    expected = p1 * p2 + (1 - p1) * (1 - p2)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    positive = 2 * both / (2 * both + only1 + only2) if both + only1 + only2 else 1.0
    return {
        "pairs": n,
        "both_acceptable": both,
        "only_judge1": only1,
        "only_judge2": only2,
        "neither": neither,
        "simple_agreement": observed,
        "cohens_kappa": kappa,
        "positive_agreement": positive,
    }


def compare(second_path: Path, data_path: Path = MATCH_SET) -> dict:
    stories, questions = load_match_stories(data_path)
    ids = [s.tags[0] for s in stories]
    titles = {s.tags[0]: s.title for s in stories}
    try:
        second = load_second_judgement(second_path, set(ids))
    except DataFileError as exc:
        raise SystemExit(str(exc)) from exc

    rows = []
    for sid, text, also in questions:
        judge2 = second.pop((sid, text), None)
        if judge2 is None:
            raise SystemExit(f"{second_path}: no judgement for {sid}: {text!r}")
        judge1 = [sid, *also]
        rows.append(
            {
                "story": sid,
                "question": text,
                "judge1": judge1,
                "also": list(also),
                "judge2": judge2,
                "added": [x for x in judge2 if x not in judge1],
                "removed_also": [x for x in also if x not in judge2],
                "written_for_in_judge2": sid in judge2,
                "judge2_best_is_written_for": bool(judge2) and judge2[0] == sid,
            }
        )
    if second:
        extra = next(iter(second))
        raise SystemExit(f"{second_path}: {len(second)} questions not in the set, e.g. {extra}")

    n = len(rows)
    all_pairs = []
    other_pairs = []  # without each question's written-for story
    for r in rows:
        s1, s2 = set(r["judge1"]), set(r["judge2"])
        for story_id in ids:
            pair = (story_id in s1, story_id in s2)
            all_pairs.append(pair)
            if story_id != r["story"]:
                other_pairs.append(pair)

    def share(count: int) -> float:
        return count / n if n else 0.0

    contains = sum(r["written_for_in_judge2"] for r in rows)
    best = sum(r["judge2_best_is_written_for"] for r in rows)
    added = sum(bool(r["added"]) for r in rows)
    with_also = sum(bool(r["also"]) for r in rows)
    removed = sum(bool(r["removed_also"]) for r in rows)
    exact = sum(set(r["judge1"]) == set(r["judge2"]) for r in rows)
    figures = {
        "questions": n,
        "stories": len(ids),
        "judge2_contains_written_for": contains,
        "judge2_contains_written_for_share": share(contains),
        "judge2_best_is_written_for": best,
        "judge2_best_is_written_for_share": share(best),
        "judge2_empty": sum(not r["judge2"] for r in rows),
        "questions_judge2_added_stories": added,
        "stories_added": sum(len(r["added"]) for r in rows),
        "questions_with_also": with_also,
        "also_entries": sum(len(r["also"]) for r in rows),
        "questions_judge2_removed_also": removed,
        "also_entries_removed": sum(len(r["removed_also"]) for r in rows),
        "same_set": exact,
        "same_set_share": share(exact),
        "mean_size_judge1": sum(len(r["judge1"]) for r in rows) / n if n else 0.0,
        "mean_size_judge2": sum(len(r["judge2"]) for r in rows) / n if n else 0.0,
        "pairs_all": kappa_table(all_pairs),
        "pairs_without_written_for": kappa_table(other_pairs),
    }
    return {"figures": figures, "questions": rows, "titles": titles}


def fmt_ids(ids: list[str], titles: dict[str, str] | None) -> str:
    if not ids:
        return "-"
    if titles is None:
        return " ".join(ids)
    return "; ".join(f"{x} ({titles[x]})" for x in ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--second", type=Path, default=DEFAULT_SECOND)
    parser.add_argument("--data", type=Path, default=MATCH_SET)
    parser.add_argument("--json", action="store_true", help="print everything as JSON")
    parser.add_argument(
        "--changed", action="store_true", help="list only questions whose sets differ"
    )
    parser.add_argument("--titles", action="store_true", help="show story titles in the listing")
    args = parser.parse_args()

    result = compare(args.second, args.data)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return

    f = result["figures"]
    titles = result["titles"] if args.titles else None
    print("Per question: judge 1 (written-for + also)  vs  judge 2 (blind, best first)")
    for r in result["questions"]:
        same = set(r["judge1"]) == set(r["judge2"])
        if args.changed and same:
            continue
        mark = "=" if same else "≠"
        print(f"{mark} [{r['story']}] {r['question']}")
        print(f"    judge 1: {fmt_ids(r['judge1'], titles)}")
        print(f"    judge 2: {fmt_ids(r['judge2'], titles)}")
    n = f["questions"]
    print()
    print(f"questions: {n}, stories: {f['stories']}")
    print(
        f"judge 2's set contains the written-for story: {f['judge2_contains_written_for']}/{n}"
        f" ({f['judge2_contains_written_for_share']:.1%})"
    )
    print(
        f"judge 2's best is the written-for story: {f['judge2_best_is_written_for']}/{n}"
        f" ({f['judge2_best_is_written_for_share']:.1%})"
    )
    print(f"judge 2 found no acceptable story: {f['judge2_empty']}")
    print(
        f"judge 2 added stories: {f['questions_judge2_added_stories']} questions"
        f" ({f['stories_added']} stories)"
    )
    print(
        f"judge 2 removed `also` stories: {f['questions_judge2_removed_also']} of the"
        f" {f['questions_with_also']} questions with `also`"
        f" ({f['also_entries_removed']} of {f['also_entries']} entries)"
    )
    print(f"same set: {f['same_set']}/{n} ({f['same_set_share']:.1%})")
    print(
        f"mean set size: judge 1 {f['mean_size_judge1']:.2f}, judge 2 {f['mean_size_judge2']:.2f}"
    )
    for name, label in (
        ("pairs_all", "all question x story pairs"),
        ("pairs_without_written_for", "pairs without the written-for story"),
    ):
        t = f[name]
        print(
            f"{label} ({t['pairs']}): both {t['both_acceptable']}, only judge 1"
            f" {t['only_judge1']}, only judge 2 {t['only_judge2']}; agreement"
            f" {t['simple_agreement']:.3f}, Cohen's kappa {t['cohens_kappa']:.3f},"
            f" positive agreement {t['positive_agreement']:.3f}"
        )


if __name__ == "__main__":
    main()
