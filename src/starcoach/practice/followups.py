"""Follow-up questions: what an interviewer asks next, chosen from what the answer lacks.

Interviewers dig where an answer is thin (DESIGN §1, "Follow-ups"): no number in the
result → "how did you measure it?", a story told with "we" → "what exactly did you do?",
no lesson → "what would you do differently?". This module holds those rules in one
registry keyed by finding code (like the checks), a set of deep-dive probes for every
principle, and :func:`choose_followups`, which mixes them with the question's own chain
from the bank. Everything here is deterministic: the same answer always gets the same
follow-ups, so tests and scripted mocks are reproducible. An optional LLM can propose
follow-ups instead (:mod:`starcoach.practice.llm`); :class:`FollowUpEngine` falls back to
these rules whenever it fails.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from starcoach.analysis.findings import FINDING_CODES
from starcoach.knowledge.models import PRINCIPLE_IDS

if TYPE_CHECKING:
    from starcoach.analysis.critique import Critique
    from starcoach.knowledge.base import KnowledgeBase
    from starcoach.knowledge.models import Question

MAX_FOLLOW_UPS = 2
"""One or two follow-ups per answer: more turns a drill into an interrogation."""


@dataclass(frozen=True)
class FollowUp:
    """One follow-up question and why it is asked (shown to the user, saved with it)."""

    text: str
    reason: str
    """Why: a finding code (``no-metrics``), ``question`` (the bank's own chain),
    ``probe:<principle-id>`` (a deep-dive probe) or ``llm``."""

    def to_dict(self) -> dict[str, str]:
        return {"text": self.text, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FollowUp:
        return cls(str(data["text"]), str(data.get("reason", "")))


@dataclass(frozen=True)
class FollowUpRule:
    """The follow-ups a finding calls for; ``{principle}`` is the target principle's name."""

    code: str
    texts: tuple[str, ...]


FOLLOW_UP_RULES: dict[str, FollowUpRule] = {}
"""Finding code → its follow-ups. Order of registration is priority: earlier gaps matter more."""

NO_FOLLOW_UP: frozenset[str] = frozenset({"filler-words"})
"""Findings about delivery only: an interviewer would not ask about them."""

BLOCKING = frozenset({"not-an-answer", "off-topic", "hypothetical"})
"""Findings after which deeper follow-ups make no sense: the one ask is for a real story."""


def _rule(code: str, *texts: str) -> None:
    if code not in FINDING_CODES:
        raise ValueError(f"unknown finding code {code!r}")
    FOLLOW_UP_RULES[code] = FollowUpRule(code, texts)


_rule(
    "not-an-answer",
    "Take a moment: can you think of one specific time from your own work, even a small one?",
)
_rule(
    "off-topic",
    "Let me ask that again: can you give me one specific example that fits the question?",
)
_rule(
    "hypothetical",
    "That sounds like what you would do. Can you tell me about a time you actually did it?",
    "Has this really happened to you? Walk me through what you actually did then.",
)
_rule(
    "no-metrics",
    "How did you measure it? What number moved, and by how much?",
    "How did you know it worked? What did the numbers say before and after?",
)
_rule(
    "we-heavy",
    "You said “we” a lot. What exactly did you do yourself?",
    "Which of those steps would not have happened without you personally?",
)
_rule(
    "no-reflection",
    "What would you do differently if you faced the same situation again?",
    "What did you learn from it that you still use today?",
)
_rule(
    "missing-result",
    "How did it end? What was the outcome, and how did you know?",
)
_rule(
    "missing-action",
    "Walk me through the specific steps you took yourself, one by one.",
)
_rule(
    "thin-action",
    "What was the first thing you did, and why that first?",
    "What was the hardest step for you, and how did you handle it?",
)
_rule(
    "vague",
    "Can you give me one concrete example of what you mean?",
    "What exactly changed? Describe it as specifically as you can.",
)
_rule(
    "implausible-claim",
    "How did you arrive at that figure? Walk me through the calculation.",
)
_rule(
    "blame",
    "What part of the problem was within your control, and what did you do about it?",
    "How do you think the other side saw it?",
)
_rule(
    "scope-below-level",
    "How many people or teams did this affect, and whom did you have to convince?",
    "What was the hardest trade-off you had to make, and who else did it touch?",
)
_rule(
    "principle-mismatch",
    "What in this story shows {principle}?",
)
_rule(
    "missing-task",
    "What exactly was your responsibility here, and what were you trying to achieve?",
)
_rule(
    "missing-situation",
    "Give me some context first: where was this, and what was at stake?",
)
_rule(
    "too-short",
    "Can you take me through it in more detail? What happened first?",
)
_rule(
    "too-long",
    "If you had to sum it up in two sentences, what did you do and what came of it?",
)
_rule(
    "long-setup",
    "Leaving the background aside, what was the key decision you made?",
)
_rule(
    "hedging",
    "How sure are you about the outcome? What evidence do you have?",
)
PRINCIPLE_PROBES: dict[str, tuple[str, ...]] = {
    "customer-obsession": (
        "Who was the customer here, and how did you find out what they actually needed?",
        "What did you trade away to do right by that customer?",
        "How did you know the customer was better off afterwards?",
    ),
    "ownership": (
        "Which part of this was not strictly your job, and why did you take it on anyway?",
        "What happened after it shipped? Who kept looking after it?",
        "What long-term cost did you accept to fix it properly rather than quickly?",
    ),
    "invent-and-simplify": (
        "What was the simplest option you considered, and why did you build this one instead?",
        "Where did the idea come from, and who doubted it?",
        "What did you remove or stop doing as part of the change?",
    ),
    "are-right-a-lot": (
        "What did you not know when you made the call, and how did you decide anyway?",
        "Whose view differed from yours, and what did you take from it?",
        "How did you check afterwards whether the decision was right?",
    ),
    "learn-and-be-curious": (
        "What did you have to learn from scratch, and how did you learn it so quickly?",
        "What surprised you most along the way?",
        "What have you changed in how you work since then?",
    ),
    "hire-and-develop-the-best": (
        "How did you work out what this person needed in order to grow?",
        "What feedback did you give that was hard to give, and how did you give it?",
        "What could they do afterwards that they could not do before?",
    ),
    "insist-on-the-highest-standards": (
        "What standard did you hold that others thought was too high?",
        "What did you refuse to ship, and what did that cost?",
        "How did you make sure the quality stayed high after you moved on?",
    ),
    "think-big": (
        "What bigger goal were you aiming at beyond the immediate problem?",
        "How did you get people to buy into an idea that large?",
        "What would the next step have been with twice the people?",
    ),
    "bias-for-action": (
        "What did you decide without having all the data, and why was that risk acceptable?",
        "Which parts of that decision could be undone later, and which could not?",
        "What would waiting another week have cost?",
    ),
    "frugality": (
        "What did you not have, and how did you work around it?",
        "What did you cut, and how did you decide it was safe to cut?",
        "How much did your approach cost compared with the usual one?",
    ),
    "earn-trust": (
        "How did the other person see the situation, in their own words?",
        "What did you admit or give up to rebuild the relationship?",
        "How do you know the trust was really restored?",
    ),
    "dive-deep": (
        "What did the data show that the dashboards or summaries did not?",
        "How far down did you dig yourself, and what did you find there?",
        "How did you know the root cause was really the root cause?",
    ),
    "have-backbone-disagree-and-commit": (
        "How exactly did you voice the disagreement, and to whom?",
        "Once the decision went the other way, what did you do to make it succeed?",
        "Looking back now, who was right?",
    ),
    "deliver-results": (
        "What was the biggest obstacle, and how did you get past it?",
        "What did you drop or cut from the scope to hit the date?",
        "How did the result compare with the goal you were given?",
    ),
    "strive-to-be-earths-best-employer": (
        "How did you notice that people on the team were struggling?",
        "What did you change so that the work got better for people, not just the output?",
        "How did the team's experience change, and how do you know?",
    ),
    "success-and-scale-bring-broad-responsibility": (
        "Who outside your team could this have affected, and how did you take them into account?",
        "What side effects did you look for before you scaled it up?",
        "What would you have done if it had hurt people you were not aiming at?",
    ),
}
"""2–3 deep-dive probes per principle: what an interviewer asks to test that quality."""


def rule_followups(codes: Iterable[str], principle_name: str | None = None) -> list[FollowUp]:
    """The finding rules that apply to ``codes``, most important gap first (one per code)."""
    present = set(codes)
    out = []
    for code, rule in FOLLOW_UP_RULES.items():
        if code in present:
            text = rule.texts[0].replace("{principle}", principle_name or "the quality asked about")
            out.append(FollowUp(text, code))
    return out


def choose_followups(
    critique: Critique | Mapping[str, Any],
    question: Question | str | None,
    knowledge: KnowledgeBase,
    limit: int = MAX_FOLLOW_UPS,
    asked: Iterable[str] = (),
) -> list[FollowUp]:
    """One or two follow-ups for an answer: its biggest gap first, then the question's chain.

    Order: the highest-priority finding that has a rule; then the question's own
    follow-ups from the bank; then the deep-dive probes of the principle the question
    targets (or, without a question, the one the story shows best); then further gaps.
    A blocking finding (gibberish, off-topic, hypothetical) yields only the one request
    for a real story. Texts in ``asked`` (case-insensitive) are never repeated. Which of a
    rule's phrasings is used depends on the answer's text, so it is stable per answer.
    """
    if limit < 1:
        return []
    data = critique if isinstance(critique, Mapping) else critique.to_dict()
    codes = [str(f["code"]) for f in data.get("findings", ()) if isinstance(f, Mapping)]
    seed = zlib.crc32(" ".join(str(s.get("text", "")) for s in data.get("sentences", ())).encode())
    principle = _target_principle(data, question)
    principle_name = _principle_name(knowledge, principle)
    seen = {text.casefold() for text in asked}
    chosen: list[FollowUp] = []

    def add(text: str, reason: str) -> bool:
        key = text.casefold()
        if key in seen or len(chosen) >= limit:
            return False
        seen.add(key)
        chosen.append(FollowUp(text, reason))
        return True

    gaps = [
        (code, rule)
        for code, rule in FOLLOW_UP_RULES.items()
        if code in codes and code not in NO_FOLLOW_UP
    ]
    for code, rule in gaps:
        if _add_from(add, rule.texts, code, seed, principle_name):
            if code in BLOCKING:
                return chosen
            break
    if isinstance(question, str) or question is None:
        chain: Sequence[str] = ()
    else:
        chain = question.follow_ups
    for text in chain:
        if add(text, "question"):
            break
    if principle in PRINCIPLE_PROBES:
        _add_from(add, PRINCIPLE_PROBES[principle], f"probe:{principle}", seed, principle_name)
    for code, rule in gaps:
        if code not in BLOCKING:
            _add_from(add, rule.texts, code, seed, principle_name)
    for text in chain:
        add(text, "question")
    return chosen


def _add_from(
    add: Any, texts: Sequence[str], reason: str, seed: int, principle_name: str | None
) -> bool:
    """Add the first unasked of ``texts``, starting at a per-answer offset."""
    for i in range(len(texts)):
        text = texts[(seed + i) % len(texts)]
        text = text.replace("{principle}", principle_name or "the quality asked about")
        if add(text, reason):
            return True
    return False


def _target_principle(data: Mapping[str, Any], question: Question | str | None) -> str | None:
    if question is not None and not isinstance(question, str) and question.principles:
        return question.principles[0]
    for key in ("question_principles", "principles"):
        items = data.get(key) or ()
        for item in items:
            if isinstance(item, Mapping) and item.get("id") in PRINCIPLE_IDS:
                return str(item["id"])
    return None


def _principle_name(knowledge: KnowledgeBase, principle: str | None) -> str | None:
    if principle is None:
        return None
    for p in knowledge.principles:
        if p.id == principle:
            return p.name
    return None


class FollowUpProvider(Protocol):
    """Something that proposes follow-ups (an LLM); it raises to make the engine fall back."""

    def suggest(
        self,
        question: str | None,
        answer: str,
        critique: Mapping[str, Any],
        rules: Sequence[FollowUp],
        limit: int,
    ) -> list[FollowUp]: ...


class ProviderUnavailable(Exception):
    """The provider cannot be reached at all: stop asking it for the rest of the session."""


@dataclass(frozen=True)
class FollowUpChoice:
    """The follow-ups for one answer, and where they came from."""

    followups: tuple[FollowUp, ...]
    source: str
    """``rules`` or ``llm``."""
    note: str | None = None
    """Why the rules were used although an LLM is configured (shown once, saved)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "follow_ups": [f.to_dict() for f in self.followups],
            "source": self.source,
            "note": self.note,
        }


class FollowUpEngine:
    """Chooses follow-ups for a session: the rules, or an LLM with the rules as fallback.

    After the provider proves unreachable it is not asked again in this session, so an
    endpoint that is down costs one timeout, not one per question.
    """

    def __init__(self, knowledge: KnowledgeBase, provider: FollowUpProvider | None = None) -> None:
        self.knowledge = knowledge
        self.provider = provider
        self.disabled: str | None = None
        """Why the provider is no longer asked, if it failed to connect."""
        self.asked: list[str] = []

    def choose(
        self,
        critique: Critique | Mapping[str, Any],
        question: Question | str | None,
        limit: int = MAX_FOLLOW_UPS,
    ) -> FollowUpChoice:
        data = critique if isinstance(critique, Mapping) else critique.to_dict()
        rules = choose_followups(data, question, self.knowledge, limit, asked=self.asked)
        choice = FollowUpChoice(tuple(rules), "rules")
        if limit >= 1 and self.provider is not None and self.disabled is None:
            choice = self._ask_provider(data, question, rules, limit)
        self.asked.extend(f.text for f in choice.followups)
        return choice

    def _ask_provider(
        self,
        data: Mapping[str, Any],
        question: Question | str | None,
        rules: list[FollowUp],
        limit: int,
    ) -> FollowUpChoice:
        assert self.provider is not None
        text = question if isinstance(question, str) or question is None else question.text
        answer = "".join(str(s.get("text", "")) + " " for s in data.get("sentences", ()))
        try:
            proposed = self.provider.suggest(text, answer.strip(), data, rules, limit)
        except ProviderUnavailable as exc:
            self.disabled = str(exc)
            return FollowUpChoice(tuple(rules), "rules", str(exc))
        except Exception as exc:  # any failure of an optional helper falls back to the rules
            return FollowUpChoice(tuple(rules), "rules", str(exc) or type(exc).__name__)
        repeats = {t.casefold() for t in self.asked}
        if any(f.text.casefold() in repeats for f in proposed):
            return FollowUpChoice(
                tuple(rules), "rules", "the LLM repeated a follow-up asked before"
            )
        return FollowUpChoice(tuple(proposed), "llm")
