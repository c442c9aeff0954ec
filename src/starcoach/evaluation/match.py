"""How well question → story matching finds the story a question should be answered with.

Two sets, both written by the project:

* ``eval/data/match_stories.yaml`` — 40 invented stories, each with three questions it
  should answer and, where another story answers equally well, the extra acceptable
  stories (``also``). The matcher sees what a user's bank holds: each story's title,
  STAR sections, confirmed principles and the question it was written for (a generic
  question worded unlike the three test questions); never the test questions, ``also``,
  domain or level. The stories are split in two by a stable hash of their id: the
  weights of :class:`~starcoach.matching.stories.MatchWeights` are fitted on the questions
  of the *tune* half and reported on the questions of the *report* half (every question is
  ranked against all 40 stories). Swapping the halves gives a second, cross-validated
  figure.
* the 210 labelled answers (``analysis/data/answers``) — a secondary, larger bank never
  used for tuning: each answer's question should find that answer (or another answer
  written for the same question) among all 210.

A question is a *top-k hit* when an acceptable story is among the k best; MRR is the mean
of 1 / rank of the first acceptable story.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from starcoach.analysis.critique import Critic, CritiqueRequest
from starcoach.errors import DataFileError, StarcoachError
from starcoach.knowledge.loader import read_yaml
from starcoach.knowledge.models import PRINCIPLE_IDS
from starcoach.matching.stories import (
    COMPONENTS,
    WEIGHTS,
    IndexedStory,
    MatchWeights,
    Parts,
    StoryIndex,
)
from starcoach.splits import in_holdout
from starcoach.stories.model import SECTIONS, Story

MATCH_SET = Path(__file__).resolve().parents[3] / "eval" / "data" / "match_stories.yaml"
SECOND_JUDGE = MATCH_SET.with_name("match_second_judge.jsonl")
"""A blind second judgement of which stories answer each question (made without seeing the
author's ``also`` lists or any ranking; ``scripts/compare_match_judgements.py``)."""
SPLIT_MODULO = 2
"""Stories whose id hashes into the held-out half are the *report* half."""
L2 = 0.3
"""Ridge penalty of the weight fit (0.1, 0.3 and 1.0 gave the same held-out figures within
one question; 0.3 is the middle)."""
FIT_STEPS = 500
FIT_RATE = 0.05


@dataclass(frozen=True)
class MatchCase:
    """One question and the stories (positions in the index) that answer it."""

    question: str
    accepted: frozenset[int]
    principle: str
    """The first principle of the story the question was written for."""
    group: str
    """Id of the story the question was written for (the unit of the tune/report split)."""


@dataclass(frozen=True)
class MatchSet:
    items: list[IndexedStory]
    cases: list[MatchCase]
    ids: list[str]

    def report_half(self) -> list[MatchCase]:
        return [c for c in self.cases if in_holdout(c.group, SPLIT_MODULO)]

    def tune_half(self) -> list[MatchCase]:
        return [c for c in self.cases if not in_holdout(c.group, SPLIT_MODULO)]


@dataclass
class MatchReport:
    name: str
    n: int
    top1: float
    top3: float
    mrr: float
    per_principle: dict[str, dict[str, float]] = field(default_factory=dict)
    """For each principle: questions, top-1 misses, top-3 misses."""
    misses: list[dict[str, object]] = field(default_factory=list)
    """The top-1 misses: question, expected story, story ranked first."""

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "n": self.n,
            "top1": round(self.top1, 4),
            "top3": round(self.top3, 4),
            "mrr": round(self.mrr, 4),
            "per_principle": self.per_principle,
            "misses": self.misses,
        }


def load_match_stories(
    path: Path = MATCH_SET,
) -> tuple[list[Story], list[tuple[str, str, list[str]]]]:
    """Stories (id = position + 1, the set's id as the only tag) and (story id, question,
    also-acceptable ids) triples; a malformed file raises DataFileError naming the story."""
    raw = read_yaml(path)
    if not isinstance(raw, list) or not raw:
        raise DataFileError(f"{path}: expected a list of stories")
    stories: list[Story] = []
    questions: list[tuple[str, str, list[str]]] = []
    known = {str(item.get("id")) for item in raw if isinstance(item, dict)}
    for number, item in enumerate(raw, start=1):
        where = f"{path}: story #{number}"
        if not isinstance(item, dict) or not item.get("id") or not item.get("title"):
            raise DataFileError(f"{where}: needs an id and a title")
        sid = str(item["id"])
        principles = tuple(item.get("principles") or ())
        for pid in principles:
            if pid not in PRINCIPLE_IDS:
                raise DataFileError(f"{where}: unknown principle '{pid}'")
        sections = {name: str(item.get(name, "")).strip() for name in SECTIONS}
        written_for = str(item.get("question") or "").strip() or None
        stories.append(
            Story(
                title=str(item["title"]),
                sections=sections,
                question=written_for,
                principles=principles,
                tags=(sid,),
                id=number,
            )
        )
        for question in item.get("questions") or ():
            if isinstance(question, str):
                questions.append((sid, question, []))
            elif isinstance(question, dict) and isinstance(question.get("text"), str):
                also = [str(x) for x in question.get("also") or ()]
                unknown = [x for x in also if x not in known]
                if unknown:
                    raise DataFileError(f"{where}: 'also' names unknown stories {unknown}")
                questions.append((sid, question["text"], also))
            else:
                raise DataFileError(f"{where}: a question must be text or {{text, also}}")
    return stories, questions


def critique_stories(stories: Sequence[Story], critic: Critic) -> list[IndexedStory]:
    """Critique every story with the question it was written for (as the story bank does on
    save) and keep the sentence vectors."""
    results = critic.critique_many([CritiqueRequest(s.answer_text(), s.question) for s in stories])
    items: list[IndexedStory] = []
    for story, result in zip(stories, results, strict=True):
        if isinstance(result, StarcoachError):
            raise result
        critique = result.to_dict()
        suggested = tuple(str(p["id"]) for p in critique["principles"])  # type: ignore[index, union-attr]
        assert result.vectors is not None
        items.append(
            IndexedStory(
                story.with_changes(critique=critique, suggested_principles=suggested),
                result.vectors,
            )
        )
    return items


def match_story_set(critic: Critic, path: Path = MATCH_SET) -> MatchSet:
    stories, questions = load_match_stories(path)
    items = critique_stories(stories, critic)
    ids = [s.tags[0] for s in stories]
    position = {sid: i for i, sid in enumerate(ids)}
    first = {s.tags[0]: (s.principles[0] if s.principles else "") for s in stories}
    cases = [
        MatchCase(text, frozenset(position[x] for x in (sid, *also)), first[sid], sid)
        for sid, text, also in questions
    ]
    return MatchSet(items, cases, ids)


def answer_bank_set(critic: Critic) -> MatchSet:
    """The labelled answers as a bank of 210 stories; each question should find its answer
    (or any answer written for the very same question)."""
    from starcoach.analysis.dataset import load_labelled_answers

    answers = load_labelled_answers()
    stories = [
        Story(title=a.id, sections={"action": a.text}, principles=a.principles, id=i + 1)
        for i, a in enumerate(answers)
    ]
    items = critique_stories(stories, critic)
    by_question: dict[str, set[int]] = defaultdict(set)
    for i, a in enumerate(answers):
        by_question[" ".join(a.question.lower().split())].add(i)
    cases = [
        MatchCase(
            a.question,
            frozenset(by_question[" ".join(a.question.lower().split())]),
            a.principles[0],
            a.id,
        )
        for a in answers
        if a.question
    ]
    return MatchSet(items, cases, [a.id for a in answers])


def load_second_judgement(path: Path, known: set[str]) -> dict[tuple[str, str], list[str]]:
    """The second judge's acceptable stories (best first) by (written-for story id,
    question); errors name the line, a duplicate question, or an unknown story."""
    rows: dict[tuple[str, str], list[str]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read the second judgement ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            key = (str(row["story"]), str(row["question"]))
            acceptable = [str(x) for x in row["acceptable"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise DataFileError(
                f"{path}:{number}: cannot read the second judgement ({exc})"
            ) from exc
        if key in rows:
            raise DataFileError(f"{path}:{number}: duplicate question {key[1]!r}")
        if unknown := [x for x in acceptable if x not in known]:
            raise DataFileError(f"{path}:{number}: unknown stories {unknown}")
        if len(set(acceptable)) != len(acceptable):
            raise DataFileError(f"{path}:{number}: a story is listed twice")
        rows[key] = acceptable
    return rows


def second_judge_cases(match_set: MatchSet, path: Path = SECOND_JUDGE) -> list[MatchCase]:
    """The same questions with the second judge's acceptable stories instead of the
    author's: a check that the figures do not hinge on one person's ``also`` lists."""
    position = {sid: i for i, sid in enumerate(match_set.ids)}
    judged = load_second_judgement(path, set(position))
    missing = [c for c in match_set.cases if (c.group, c.question) not in judged]
    if missing:
        raise DataFileError(
            f"{path}: no judgement for {len(missing)} questions, e.g. {missing[0].question!r}"
        )
    return [
        MatchCase(
            c.question,
            frozenset(position[x] for x in judged[(c.group, c.question)]),
            c.principle,
            c.group,
        )
        for c in match_set.cases
    ]


def without_confirmed(items: Iterable[IndexedStory]) -> list[IndexedStory]:
    """The same bank as a user who never confirmed a principle would have it."""
    return [
        IndexedStory(i.story.with_changes(principles=()), i.vectors, i.question_vector)
        for i in items
    ]


def without_question(items: Iterable[IndexedStory]) -> list[IndexedStory]:
    """The same bank as a user who never named the question a story was written for."""
    return [IndexedStory(i.story.with_changes(question=None), i.vectors) for i in items]


def case_parts(index: StoryIndex, cases: Sequence[MatchCase]) -> Parts:
    """Embed the questions once and compute every part of the score for them."""
    return index.parts(index.embed([c.question for c in cases]))


def accepted_mask(cases: Sequence[MatchCase], n: int) -> np.ndarray:
    mask = np.zeros((len(cases), n), dtype=bool)
    for row, case in enumerate(cases):
        mask[row, list(case.accepted)] = True
    return mask


def ranks(scores: np.ndarray, cases: Sequence[MatchCase]) -> np.ndarray:
    """1-based rank of the best-placed acceptable story for every case. Ties count
    against the matcher: a wrong story with an equal score is placed first."""
    mask = accepted_mask(cases, scores.shape[1])
    best = np.where(mask, scores, -np.inf).max(axis=1)
    return 1 + ((scores >= best[:, None]) & ~mask).sum(axis=1)


def evaluate_match(
    name: str,
    cases: Sequence[MatchCase],
    parts: Parts,
    weights: MatchWeights = WEIGHTS,
    ids: Sequence[str] | None = None,
) -> MatchReport:
    """Top-1, top-3 and MRR of ``weights`` on ``cases`` (rows of ``parts``), with the
    misses per principle of the story each question was written for."""
    scores = parts.combine(weights)
    r = ranks(scores, cases)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[dict[str, object]] = []
    for row, (case, rank) in enumerate(zip(cases, r, strict=True)):
        per[case.principle]["questions"] += 1
        per[case.principle]["top1_misses"] += int(rank > 1)
        per[case.principle]["top3_misses"] += int(rank > 3)
        if rank > 1:
            first = int(np.argmax(scores[row]))
            misses.append(
                {
                    "question": case.question,
                    "expected": case.group,
                    "ranked_first": ids[first] if ids else first,
                    "rank": int(rank),
                }
            )
    return MatchReport(
        name=name,
        n=len(cases),
        top1=float(np.mean(r <= 1)),
        top3=float(np.mean(r <= 3)),
        mrr=float(np.mean(1.0 / r)),
        per_principle={p: dict(c) for p, c in sorted(per.items())},
        misses=misses,
    )


def fit_weights(
    cases: Sequence[MatchCase], parts: Parts, l2: float = L2, steps: int = FIT_STEPS
) -> np.ndarray:
    """Non-negative weights of a listwise logistic re-ranker, numpy only.

    For each question the stories' weighted parts go through a softmax; the fit maximises
    the probability given to the acceptable stories (minus ``l2`` × |w|²), by Adam steps
    projected onto w ≥ 0 so every part keeps its meaning ("more fit is better"). Returns
    the raw weights; their scale sets how sharp the softmax is, not the order."""
    x = np.moveaxis(parts.values, 0, -1).astype(np.float64)  # (k, n, parts)
    mask = accepted_mask(cases, x.shape[1])
    w = np.full(x.shape[2], 0.1)
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        s = x @ w
        e = np.exp(s - s.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
        target = np.where(mask, p, 0.0)
        target /= target.sum(axis=1, keepdims=True)
        grad = ((p - target)[..., None] * x).sum(axis=(0, 1)) / len(cases) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        update = (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        w = np.maximum(w - FIT_RATE * update, 0.0)
    return w


def choose_weights(cases: Sequence[MatchCase], parts: Parts) -> tuple[MatchWeights, float]:
    """Weights fitted on ``cases`` (:func:`fit_weights`), normalised, and their MRR there.

    The grid search used before (mean of the 20 best points by MRR) gave the same held-out
    figures within noise; the fit is deterministic, takes a second, and scales to more
    parts."""
    w = fit_weights(cases, parts)
    if float(w.sum()) <= 0:
        w = WEIGHTS.as_array().astype(np.float64)
    chosen = MatchWeights(*(round(float(x), 4) for x in w)).normalised()
    r = ranks(parts.combine(chosen), cases)
    return chosen, float(np.mean(1.0 / r))


def held_out_reports(match_set: MatchSet, index: StoryIndex) -> dict[str, object]:
    """Choose weights on the tune half, report the other half; then the swap."""
    parts = case_parts(index, match_set.cases)
    report_rows = [i for i, c in enumerate(match_set.cases) if in_holdout(c.group, SPLIT_MODULO)]
    tune_rows = [i for i in range(len(match_set.cases)) if i not in set(report_rows)]
    tune_cases = [match_set.cases[i] for i in tune_rows]
    report_cases = [match_set.cases[i] for i in report_rows]
    tuned, tune_mrr = choose_weights(tune_cases, parts.rows(tune_rows))
    swapped, _ = choose_weights(report_cases, parts.rows(report_rows))
    return {
        "tuned_on_tune_half": tuned,
        "tuned_on_report_half": swapped,
        "tune_half_mrr": tune_mrr,
        "report": evaluate_match(
            "report half, weights from tune half",
            report_cases,
            parts.rows(report_rows),
            tuned,
            match_set.ids,
        ),
        "swap": evaluate_match(
            "tune half, weights from report half",
            tune_cases,
            parts.rows(tune_rows),
            swapped,
            match_set.ids,
        ),
        "shipped_report": evaluate_match(
            "report half, shipped weights",
            report_cases,
            parts.rows(report_rows),
            WEIGHTS,
            match_set.ids,
        ),
        "shipped_all": evaluate_match(
            "all questions, shipped weights", match_set.cases, parts, WEIGHTS, match_set.ids
        ),
    }


def match_evaluation(critic: Critic | None = None) -> dict[str, object]:
    """Every figure for docs/evaluation.md, as JSON: the held-out half of the project's
    set (weights from the other half), the swap, the set without confirmed principles,
    and the answer bank with and without them."""
    critic = critic or Critic()
    understanding = critic.understanding
    stories = match_story_set(critic)
    index = StoryIndex.build(stories.items, understanding)
    held = held_out_reports(stories, index)
    report_rows = [i for i, c in enumerate(stories.cases) if in_holdout(c.group, SPLIT_MODULO)]
    report_cases = [stories.cases[i] for i in report_rows]
    bank = answer_bank_set(critic)
    results: dict[str, object] = {
        "weights_from_tune_half": {
            k: round(float(v), 4)
            for k, v in zip(COMPONENTS, held["tuned_on_tune_half"].as_array(), strict=True)  # type: ignore[union-attr]
        },
        "weights_from_report_half": {
            k: round(float(v), 4)
            for k, v in zip(COMPONENTS, held["tuned_on_report_half"].as_array(), strict=True)  # type: ignore[union-attr]
        },
        "shipped_weights": {
            k: round(float(v), 4) for k, v in zip(COMPONENTS, WEIGHTS.as_array(), strict=True)
        },
    }
    for key in ("report", "swap", "shipped_report", "shipped_all"):
        results[key] = held[key].to_dict()  # type: ignore[union-attr]
    judged = second_judge_cases(stories)
    parts = case_parts(index, stories.cases)
    tune_rows = [i for i in range(len(judged)) if i not in set(report_rows)]
    for key, rows, weights in (
        ("report_judge", report_rows, held["tuned_on_tune_half"]),
        ("swap_judge", tune_rows, held["tuned_on_report_half"]),
    ):
        results[key] = evaluate_match(
            f"{key}, second judge's acceptable stories",
            [judged[i] for i in rows],
            parts.rows(rows),
            weights,  # type: ignore[arg-type]
            stories.ids,
        ).to_dict()
    for key, name, items in (
        ("report_no_question", "no written-for questions", without_question(stories.items)),
        ("report_untagged", "no confirmed principles", without_confirmed(stories.items)),
        (
            "report_bare",
            "neither",
            without_confirmed(without_question(stories.items)),
        ),
    ):
        variant = StoryIndex.build(items, understanding)
        results[key] = evaluate_match(
            f"report half, {name}",
            report_cases,
            case_parts(variant, stories.cases).rows(report_rows),
            held["tuned_on_tune_half"],  # type: ignore[arg-type]
            ids=stories.ids,
        ).to_dict()
    for name, items in (
        ("answers", bank.items),
        ("answers_untagged", without_confirmed(bank.items)),
    ):
        bank_index = StoryIndex.build(items, understanding)
        results[name] = evaluate_match(
            f"answer bank ({len(items)} stories)"
            + (", no confirmed principles" if "untagged" in name else ""),
            bank.cases,
            case_parts(bank_index, bank.cases),
            held["tuned_on_tune_half"],  # type: ignore[arg-type]
            ids=bank.ids,
        ).to_dict()
    return results


if __name__ == "__main__":
    import sys

    figures = match_evaluation()
    if len(sys.argv) > 1:  # also keep the JSON, e.g. for scripts/write_evaluation.py
        Path(sys.argv[1]).write_text(json.dumps(figures, indent=1, default=str), "utf-8")
    for key, value in figures.items():
        if isinstance(value, dict) and "top1" in value:
            print(
                f"{key:16} n={value['n']:3}  top-1 {value['top1']:.3f}  top-3 {value['top3']:.3f}  MRR {value['mrr']:.3f}"
            )
        else:
            print(key, json.dumps(value))
