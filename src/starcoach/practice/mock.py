"""A mock interview: 6–8 questions over distinct principles, follow-ups, a clock, a report.

An Amazon behavioral interview lasts about an hour: 6–8 questions, each probing one or two
principles, with follow-ups (DESIGN §1). :func:`plan_mock` picks the questions,
:class:`MockSession` is the state machine a shell drives (it keeps time, pauses, decides
how many follow-ups fit, and never cuts an answer short — when time runs out the current
answer is finished and the interview wraps up), and :func:`mock_report` turns a finished
session into per-answer scores, timings, principle coverage and the patterns across
answers that a single critique cannot show ("no numbers in 4 of 6 results").
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starcoach.errors import InputError
from starcoach.practice.drill import TARGET_SECONDS, FollowUpAnswer, now
from starcoach.practice.followup_assessment import assess_follow_up
from starcoach.practice.followups import MAX_FOLLOW_UPS, FollowUp, FollowUpEngine

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critic
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.knowledge.models import Question

MIN_MINUTES, MAX_MINUTES = 20, 180
MIN_QUESTIONS, MAX_QUESTIONS = 6, 8
SECONDS_PER_QUESTION = 7 * 60
"""A 2–3 minute answer plus one or two follow-ups and the interviewer's notes."""
MIN_SECONDS_TO_ASK = 150
"""With less time than this left, a new question would be cut short: wrap up instead."""
FOLLOW_UP_SLACK = (45, 120)
"""Seconds ahead of schedule needed for one, and for two, follow-ups."""
WORDS_PER_MINUTE = 150


@dataclass(frozen=True)
class MockQuestion:
    """A planned question: which principle it covers and the time it may take."""

    index: int
    question: Question
    principle: str
    budget_seconds: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.question.id,
            "text": self.question.text,
            "principle": self.principle,
            "principles": list(self.question.principles),
            "budget_seconds": self.budget_seconds,
        }


def plan_mock(
    knowledge: KnowledgeBase,
    company: str = "amazon",
    minutes: int = 60,
    level: str | None = None,
    seed: int | None = None,
) -> list[MockQuestion]:
    """6–8 questions, each on a different principle, the company's principles first.

    About a sixth of the time (at most 10 minutes) is kept for the introduction and the
    candidate's own questions; the rest is split evenly between the questions. Questions
    come from the company's share of the bank when it has one for the principle, suit the
    level when one is given, and repeat no topic when that can be avoided.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InputError(f"--minutes must be a whole number, not {minutes!r}.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InputError(
            f"A mock interview takes {MIN_MINUTES} to {MAX_MINUTES} minutes "
            f"(6–8 questions); {minutes} is outside that."
        )
    firm = knowledge.company(company)
    level_id = knowledge.level(level).id if level else None
    total = minutes * 60
    usable = total - min(600, total // 6)
    count = max(MIN_QUESTIONS, min(MAX_QUESTIONS, usable // SECONDS_PER_QUESTION))
    budget = usable // count
    rng = random.Random(seed)
    preferred = list(firm.principles)
    rng.shuffle(preferred)
    others = [p.id for p in knowledge.principles if p.id not in firm.principles]
    rng.shuffle(others)
    pool = knowledge.questions_for(level=level_id) if level_id else list(knowledge.questions)
    used_topics: set[str] = set()
    plan: list[MockQuestion] = []
    for principle in preferred + others:
        if len(plan) == count:
            break
        candidates = sorted((q for q in pool if q.primary == principle), key=lambda q: q.id)
        if not candidates:
            continue
        for narrow in (
            lambda q: firm.id in q.companies and not used_topics & set(q.topics),
            lambda q: firm.id in q.companies,
            lambda q: not used_topics & set(q.topics),
            lambda q: True,
        ):
            fitting = [q for q in candidates if narrow(q)]
            if fitting:
                break
        chosen = rng.choice(fitting)
        used_topics.update(chosen.topics)
        plan.append(MockQuestion(len(plan) + 1, chosen, principle, budget))
    if len(plan) < MIN_QUESTIONS:
        raise InputError(f"The bank has too few questions for a {firm.name} mock at this level.")
    return plan


class ManualClock:
    """A clock that moves only when told: scripted mocks and tests run in no real time."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise InputError("Time cannot go backwards.")
        self.now += seconds


@dataclass
class MockAnswer:
    """One question as it went: the answer, its critique, time taken, and the follow-ups."""

    item: MockQuestion
    answer: str
    seconds: float
    critique: dict[str, Any]
    asked_at: float
    """Interview time (seconds, pauses excluded) when the question was asked."""
    answered_at: datetime
    interrupted: bool = False
    follow_ups: list[FollowUpAnswer] = field(default_factory=list)
    follow_up_source: str = "rules"
    follow_up_note: str | None = None

    @property
    def score(self) -> int:
        return int(self.critique["score"])

    @property
    def codes(self) -> list[str]:
        return [str(f["code"]) for f in self.critique.get("findings", ())]

    @property
    def total_seconds(self) -> float:
        return self.seconds + sum(f.seconds or 0.0 for f in self.follow_ups)


class MockSession:
    """The interview's state machine; a shell drives it and shows what it says.

    ``next_question`` → ``record_answer`` → (``next_follow_up`` → ``record_follow_up``)* →
    ``next_question`` … until it returns None; ``pause``/``resume`` at any time stop the
    clock. Time is read from ``clock`` (real seconds by default, a :class:`ManualClock`
    for scripted runs). The session never refuses an answer because time ran out: it
    declines to *start* anything new instead.
    """

    def __init__(
        self,
        plan: Sequence[MockQuestion],
        critic: Critic,
        engine: FollowUpEngine,
        *,
        company: str,
        minutes: int,
        level: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not plan:
            raise InputError("A mock interview needs at least one question.")
        self.plan = list(plan)
        self.critic = critic
        self.engine = engine
        self.company = critic.knowledge.company(company).id
        self.level = critic.knowledge.level(level).id if level else None
        self.minutes = minutes
        self.clock = clock
        self.answers: list[MockAnswer] = []
        self.state = "not-started"
        self.end_reason: str | None = None
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self._start = 0.0
        self._paused_total = 0.0
        self._paused_since: float | None = None
        self._current: MockQuestion | None = None
        self._asked_at = 0.0
        self._follow_up_asked_at = 0.0
        self._pending: list[FollowUpAnswer] = []
        self._next = 0
        self._end_elapsed: float | None = None

    # -- time ----------------------------------------------------------------------

    @property
    def total_seconds(self) -> int:
        return self.minutes * 60

    @property
    def elapsed(self) -> float:
        """Interview time so far, pauses excluded."""
        if self.state == "not-started":
            return 0.0
        end = self._paused_since if self._paused_since is not None else self.clock()
        return max(0.0, end - self._start - self._paused_total)

    @property
    def time_left(self) -> float:
        """Seconds left; negative once the interview runs over."""
        return self.total_seconds - self.elapsed

    @property
    def paused(self) -> bool:
        return self._paused_since is not None

    @property
    def paused_seconds(self) -> float:
        extra = self.clock() - self._paused_since if self._paused_since is not None else 0.0
        return self._paused_total + extra

    def ahead(self) -> float:
        """Seconds ahead of the plan (negative: behind), counting the open question's budget."""
        planned = sum(q.budget_seconds for q in self.plan[: self._next])
        return planned - self.elapsed

    def pause(self) -> None:
        self._require_running()
        if self._paused_since is None:
            self._paused_since = self.clock()

    def resume(self) -> None:
        if self._paused_since is not None:
            self._paused_total += self.clock() - self._paused_since
            self._paused_since = None

    # -- the interview -------------------------------------------------------------

    def start(self) -> None:
        if self.state != "not-started":
            raise InputError("The mock interview has started already.")
        self._start = self.clock()
        self.started_at = now()
        self.state = "between"

    @property
    def current(self) -> MockQuestion | None:
        return self._current

    def next_question(self) -> MockQuestion | None:
        """The next question, or None when the interview is over (then it is finished).

        Follow-ups not asked yet are dropped. No new question starts with less than
        :data:`MIN_SECONDS_TO_ASK` left: the interview wraps up on time instead.
        """
        if self.state == "not-started":
            self.start()
        if self.state == "finished":
            return None
        if self.state == "answering":
            raise InputError("Finish the current answer before the next question.")
        self.resume()
        self._pending = []
        if self._next >= len(self.plan):
            self.finish("all questions asked")
            return None
        if self.time_left < MIN_SECONDS_TO_ASK:
            self.finish("time is up")
            return None
        self._current = self.plan[self._next]
        self._next += 1
        self._asked_at = self.elapsed
        self.state = "answering"
        return self._current

    def record_answer(self, text: str, interrupted: bool = False) -> MockAnswer:
        """Critique the answer to the open question and choose the follow-ups time allows."""
        if self.state != "answering" or self._current is None:
            raise InputError("No question is waiting for an answer.")
        seconds = self.elapsed - self._asked_at
        item = self._current
        critique = self.critic.critique(text, item.question.text, self.level).to_dict()
        limit = self.follow_up_allowance()
        choice = self.engine.choose(critique, item.question, limit) if limit else None
        answer = MockAnswer(
            item=item,
            answer=text,
            seconds=seconds,
            critique=critique,
            asked_at=self._asked_at,
            answered_at=now(),
            interrupted=interrupted,
            follow_ups=[FollowUpAnswer(f) for f in choice.followups] if choice else [],
            follow_up_source=choice.source if choice else "rules",
            follow_up_note=choice.note if choice else None,
        )
        self.answers.append(answer)
        self._pending = list(answer.follow_ups)
        self.state = "between"
        self._follow_up_asked_at = self.elapsed
        return answer

    def follow_up_allowance(self) -> int:
        """How many follow-ups fit: none once time is up, else by the slack on the plan."""
        if self.time_left <= MIN_SECONDS_TO_ASK / 2:
            return 0
        slack = self.ahead()
        if slack >= FOLLOW_UP_SLACK[1]:
            return MAX_FOLLOW_UPS
        return 1 if slack >= FOLLOW_UP_SLACK[0] else 0

    def next_follow_up(self) -> FollowUp | None:
        """The next follow-up of the last answer, or None (none left, or no time for it)."""
        if self.state != "between" or not self._pending:
            return None
        if self.time_left <= 0:
            self._pending = []
            return None
        self.resume()
        self.state = "following-up"
        self._follow_up_asked_at = self.elapsed
        return self._pending[0].followup

    def record_follow_up(self, text: str, interrupted: bool = False) -> FollowUpAnswer:
        """Record (and critique, unless blank) the answer to the follow-up just asked."""
        if self.state != "following-up" or not self._pending:
            raise InputError("No follow-up is waiting for an answer.")
        item = self._pending.pop(0)
        item.answer = text
        item.seconds = self.elapsed - self._follow_up_asked_at
        item.answered_at = now()
        item.interrupted = interrupted
        if text.strip() and self.answers:
            first = self.answers[-1]
            item.critique = assess_follow_up(
                self.critic,
                first.item.question.text,
                first.answer,
                first.critique,
                item.followup,
                text,
                self.level,
            ).critique
        self.state = "between"
        return item

    def finish(self, reason: str = "ended early") -> None:
        """End the interview (idempotent); the first reason given is kept."""
        if self.state == "finished":
            return
        if self.state == "not-started":
            self.start()
        self.resume()
        self._end_elapsed = self.elapsed
        self.state = "finished"
        self._current = None
        self._pending = []
        self.end_reason = reason
        self.ended_at = now()

    def _require_running(self) -> None:
        if self.state in ("not-started", "finished"):
            raise InputError("The mock interview is not running.")

    @property
    def final_elapsed(self) -> float:
        """Interview time at the end (or so far, while it runs)."""
        return self._end_elapsed if self._end_elapsed is not None else self.elapsed

    @property
    def questions_left(self) -> int:
        return len(self.plan) - self._next


# -- scripted runs ----------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptedAnswer:
    """One line of an ``--answers`` file: the answer, its seconds, follow-up answers."""

    answer: str
    seconds: float | None = None
    follow_ups: tuple[tuple[str, float | None], ...] = ()


def estimate_seconds(text: str) -> float:
    """Speaking time of a text at 150 words a minute (at least 5 s to collect one's thoughts)."""
    return max(5.0, round(len(text.split()) * 60 / WORDS_PER_MINUTE, 1))


def parse_scripted_answers(text: str, source: str = "the answers file") -> list[ScriptedAnswer]:
    """Parse JSON lines ``{"answer", "seconds"?, "follow_ups"?: [text | {answer, seconds?}]}``.

    Every problem names its line; blank lines are skipped.
    """
    from starcoach.analysis.critique import check_answer_text

    answers: list[ScriptedAnswer] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg}).") from None
        if not isinstance(item, dict) or not isinstance(item.get("answer"), str):
            raise InputError(f'{where}: expected an object with an "answer" text.')
        unknown = sorted(set(item) - {"answer", "seconds", "follow_ups"})
        if unknown:
            raise InputError(f"{where}: unknown field {unknown[0]!r}.")
        try:
            check_answer_text(item["answer"])
        except InputError as exc:
            raise InputError(f"{where}: {exc}") from None
        seconds = _scripted_seconds(item.get("seconds"), where)
        raw_follow_ups = item.get("follow_ups") or []
        if not isinstance(raw_follow_ups, list):
            raise InputError(f'{where}: "follow_ups" must be a list of answers.')
        follow_ups: list[tuple[str, float | None]] = []
        for entry in raw_follow_ups:
            if isinstance(entry, str):
                follow_ups.append((entry, None))
            elif isinstance(entry, dict) and isinstance(entry.get("answer"), str):
                follow_ups.append((entry["answer"], _scripted_seconds(entry.get("seconds"), where)))
            else:
                raise InputError(
                    f'{where}: each follow-up answer is a text or {{"answer", "seconds"?}}.'
                )
            try:
                check_answer_text(follow_ups[-1][0])
            except InputError as exc:
                raise InputError(f"{where}: {exc}") from None
        answers.append(ScriptedAnswer(item["answer"], seconds, tuple(follow_ups)))
    if not answers:
        raise InputError(f"{source} holds no answers (one JSON object per line).")
    return answers


def _scripted_seconds(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= 4 * 3600
    ):
        raise InputError(f'{where}: "seconds" must be a number from 0 to 14400.')
    return float(value)


def run_scripted(
    session: MockSession, answers: Sequence[ScriptedAnswer], clock: ManualClock
) -> MockSession:
    """Run a whole mock from prepared answers, advancing ``clock`` by each answer's seconds.

    Answers without seconds take their speaking time. When the answers run out before the
    questions, the interview ends there; follow-ups without a prepared answer are skipped.
    """
    for scripted in answers:
        if session.next_question() is None:
            break
        clock.advance(
            scripted.seconds if scripted.seconds is not None else estimate_seconds(scripted.answer)
        )
        session.record_answer(scripted.answer)
        for text, seconds in scripted.follow_ups:
            if session.next_follow_up() is None:
                break
            clock.advance(seconds if seconds is not None else estimate_seconds(text))
            session.record_follow_up(text)
    if session.state != "finished":
        if session.questions_left and session.time_left >= MIN_SECONDS_TO_ASK:
            session.finish("the prepared answers ran out")
        else:
            session.next_question()  # finishes with the reason: all asked, or time is up
    return session


# -- the report -----------------------------------------------------------------------


@dataclass(frozen=True)
class PatternRule:
    code: str
    message: str
    """With ``{k}`` and ``{n}``: "no numbers in {k} of {n} results"."""
    advice: str


PATTERN_RULES: tuple[PatternRule, ...] = (
    PatternRule(
        "no-metrics",
        "no numbers in {k} of {n} results",
        "End every story with a measured result: a percentage, money, time or users.",
    ),
    PatternRule(
        "we-heavy",
        "“we” outweighs “I” in {k} of {n} answers",
        "Tell the actions in the first person: what did you decide, build, say?",
    ),
    PatternRule(
        "no-reflection",
        "no lesson or reflection in {k} of {n} answers",
        "Close each story with one sentence on what you learned or would change.",
    ),
    PatternRule(
        "long-answer",
        "{k} of {n} answers ran long (over about 3.5 minutes spoken)",
        "Aim for 2–3 minutes: shorten the setup and let the follow-ups bring out detail.",
    ),
    PatternRule(
        "missing-result",
        "no clear result in {k} of {n} answers",
        "Say how each story ended before the interviewer has to ask.",
    ),
    PatternRule(
        "thin-action",
        "too little about your own actions in {k} of {n} answers",
        "Spend about half of each answer on the steps you took and why.",
    ),
    PatternRule(
        "long-setup",
        "a long setup in {k} of {n} answers",
        "Keep the situation and task to two or three sentences.",
    ),
    PatternRule(
        "vague",
        "vague claims in {k} of {n} answers",
        "Replace stock phrases with what exactly happened.",
    ),
    PatternRule(
        "relevance",
        "{k} of {n} answers missed the principle asked about",
        "Before answering, name the quality the question probes and pick a story that shows it.",
    ),
    PatternRule(
        "scope-below-level",
        "scope below the target level in {k} of {n} answers",
        "Bring out team size, the teams involved, who you influenced and what was at stake.",
    ),
    PatternRule(
        "hedging",
        "hedging in {k} of {n} answers",
        "Drop “I think” and “maybe” when telling what you did.",
    ),
    PatternRule(
        "filler-words",
        "filler words in {k} of {n} answers",
        "Pause instead of saying “um” or “you know”.",
    ),
    PatternRule(
        "too-short",
        "{k} of {n} answers were too short to tell a whole story (under about a minute spoken)",
        "Tell the whole story: context, your task, your steps and a measured result.",
    ),
    PatternRule(
        "hypothetical",
        "{k} of {n} answers described what you would do, not what you did",
        "Answer with one real past event every time.",
    ),
    PatternRule(
        "blame",
        "blame on others in {k} of {n} answers",
        "Describe what was in your control and what you did about it.",
    ),
)


def _pattern_hits(answer: MockAnswer) -> set[str]:
    codes = set(answer.codes)
    hits = codes & {rule.code for rule in PATTERN_RULES}
    if "too-long" in codes:
        hits.add("long-answer")
    if codes & {"off-topic", "principle-mismatch"}:
        hits.add("relevance")
    return hits


@dataclass(frozen=True)
class Pattern:
    code: str
    count: int
    total: int
    message: str
    advice: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "count": self.count,
            "total": self.total,
            "message": self.message,
            "advice": self.advice,
        }


GAPS_LEFT_OPEN = PatternRule(
    "gaps-left-open",
    "{k} of {n} replies to follow-ups left open the gap they asked about",
    "When a follow-up asks for a number or for your own part, lead the reply with exactly that.",
)
"""Counted over replies to gap follow-ups (see :mod:`.followup_assessment`), not answers."""


def find_patterns(answers: Sequence[MockAnswer]) -> list[Pattern]:
    """Weaknesses that recur: in at least two answers and at least a third of them."""
    total = len(answers)
    hits = [_pattern_hits(a) for a in answers]
    found = []
    for rule in PATTERN_RULES:
        count = sum(rule.code in h for h in hits)
        if count >= 2 and count * 3 >= total:
            message = rule.message.format(k=count, n=total)
            found.append(Pattern(rule.code, count, total, message, rule.advice))
    judged = [
        f.critique["follow_up"]
        for a in answers
        for f in a.follow_ups
        if f.critique and (f.critique.get("follow_up") or {}).get("gap")
    ]
    left_open = sum(1 for j in judged if not j["closed"])
    if left_open >= 2 and left_open * 3 >= len(judged):
        rule = GAPS_LEFT_OPEN
        message = rule.message.format(k=left_open, n=len(judged))
        found.append(Pattern(rule.code, left_open, len(judged), message, rule.advice))
    order = {rule.code: i for i, rule in enumerate((*PATTERN_RULES, GAPS_LEFT_OPEN))}
    return sorted(found, key=lambda p: (-p.count, order[p.code]))


@dataclass(frozen=True)
class AnswerSummary:
    index: int
    question: str
    question_id: str
    principle: str
    principle_name: str
    answer: str
    score: int
    seconds: float
    budget_seconds: int
    words: int
    findings: tuple[str, ...]
    next_steps: tuple[str, ...]
    follow_ups: tuple[dict[str, Any], ...]
    interrupted: bool

    @property
    def over_budget(self) -> bool:
        return self.seconds > TARGET_SECONDS[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "question": self.question,
            "question_id": self.question_id,
            "principle": self.principle,
            "principle_name": self.principle_name,
            "answer": self.answer,
            "score": self.score,
            "seconds": round(self.seconds, 1),
            "budget_seconds": self.budget_seconds,
            "words": self.words,
            "findings": list(self.findings),
            "next_steps": list(self.next_steps),
            "follow_ups": list(self.follow_ups),
            "interrupted": self.interrupted,
            "over_target": self.over_budget,
        }


@dataclass(frozen=True)
class Coverage:
    principle: str
    name: str
    asked: bool
    score: int | None
    shown: int
    """How many answers' stories show this principle among their top three."""
    company_principle: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "principle": self.principle,
            "name": self.name,
            "asked": self.asked,
            "score": self.score,
            "shown": self.shown,
            "company_principle": self.company_principle,
        }


@dataclass(frozen=True)
class MockReport:
    company: str
    company_name: str
    level: str | None
    minutes: int
    questions_planned: int
    answers: tuple[AnswerSummary, ...]
    average_score: int | None
    interview_seconds: float
    paused_seconds: float
    end_reason: str | None
    coverage: tuple[Coverage, ...]
    patterns: tuple[Pattern, ...]
    started_at: datetime | None
    ended_at: datetime | None
    follow_up_notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "mock",
            "company": self.company,
            "company_name": self.company_name,
            "level": self.level,
            "minutes": self.minutes,
            "questions_planned": self.questions_planned,
            "questions_asked": len(self.answers),
            "average_score": self.average_score,
            "interview_seconds": round(self.interview_seconds, 1),
            "paused_seconds": round(self.paused_seconds, 1),
            "end_reason": self.end_reason,
            "answers": [a.to_dict() for a in self.answers],
            "coverage": [c.to_dict() for c in self.coverage],
            "patterns": [p.to_dict() for p in self.patterns],
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "follow_up_notes": list(self.follow_up_notes),
        }


def mock_report(session: MockSession) -> MockReport:
    """The report of a session (finished or not): scores, times, coverage, patterns."""
    knowledge = session.critic.knowledge
    names = {p.id: p.name for p in knowledge.principles}
    firm = knowledge.company(session.company)
    summaries = []
    for answer in session.answers:
        summaries.append(
            AnswerSummary(
                index=answer.item.index,
                question=answer.item.question.text,
                question_id=answer.item.question.id,
                principle=answer.item.principle,
                principle_name=names.get(answer.item.principle, answer.item.principle),
                answer=answer.answer,
                score=answer.score,
                seconds=answer.seconds,
                budget_seconds=answer.item.budget_seconds,
                words=int(answer.critique.get("words", 0)),
                findings=tuple(answer.codes),
                next_steps=tuple(answer.critique.get("next_steps", ())),
                follow_ups=tuple(f.to_dict() | {"critique": None} for f in answer.follow_ups),
                interrupted=answer.interrupted,
            )
        )
    asked = {a.item.principle: a.score for a in session.answers}
    shown: dict[str, int] = {}
    for answer in session.answers:
        for p in answer.critique.get("principles", ())[:3]:
            shown[p["id"]] = shown.get(p["id"], 0) + 1
    order = list(firm.principles) + [
        q.principle for q in session.plan if q.principle not in firm.principles
    ]
    coverage = tuple(
        Coverage(
            pid,
            names.get(pid, pid),
            pid in asked,
            asked.get(pid),
            shown.get(pid, 0),
            pid in firm.principles,
        )
        for pid in dict.fromkeys(order)
    )
    scores = [a.score for a in session.answers]
    notes = tuple(dict.fromkeys(a.follow_up_note for a in session.answers if a.follow_up_note))
    return MockReport(
        company=firm.id,
        company_name=firm.name,
        level=session.level,
        minutes=session.minutes,
        questions_planned=len(session.plan),
        answers=tuple(summaries),
        average_score=round(sum(scores) / len(scores)) if scores else None,
        interview_seconds=session.final_elapsed,
        paused_seconds=session.paused_seconds,
        end_reason=session.end_reason,
        coverage=coverage,
        patterns=tuple(find_patterns(session.answers)),
        started_at=session.started_at,
        ended_at=session.ended_at,
        follow_up_notes=notes,
    )


TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_report_html(report: MockReport) -> str:
    """One self-contained HTML page (inline CSS, no scripts, no network); text is escaped."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = format_seconds
    template = env.get_template("mock_report.html.j2")
    return template.render(report=report, data=report.to_dict())


def format_seconds(seconds: float | None) -> str:
    """``m:ss``, with a minus sign when negative (time over)."""
    if seconds is None:
        return "–"
    sign = "-" if seconds < 0 else ""
    minutes, secs = divmod(round(abs(seconds)), 60)
    return f"{sign}{minutes}:{secs:02d}"


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
