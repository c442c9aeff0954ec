"""Typed records of the knowledge base; the loader builds them from the YAML files."""

from __future__ import annotations

from dataclasses import dataclass, field

PRINCIPLE_IDS: tuple[str, ...] = (
    "customer-obsession",
    "ownership",
    "invent-and-simplify",
    "are-right-a-lot",
    "learn-and-be-curious",
    "hire-and-develop-the-best",
    "insist-on-the-highest-standards",
    "think-big",
    "bias-for-action",
    "frugality",
    "earn-trust",
    "dive-deep",
    "have-backbone-disagree-and-commit",
    "deliver-results",
    "strive-to-be-earths-best-employer",
    "success-and-scale-bring-broad-responsibility",
)
"""The fixed principle ids of DESIGN §1, in Amazon's order. Scripts rely on them."""

LEVEL_IDS: tuple[str, ...] = ("junior", "mid", "senior", "staff", "principal")


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    name_zh: str
    summary: str
    angle: str
    shows: tuple[str, ...]
    fails: tuple[str, ...]
    telltale_words: tuple[str, ...]
    probes: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    principles: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    principles: tuple[str, ...]
    angles: tuple[str, ...]
    clarify: tuple[str, ...]


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    looks_for: str
    principles: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    id: str
    name: str
    aliases: tuple[str, ...]
    rank: int
    scope: str
    expects: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    principles: tuple[str, ...]
    categories: tuple[str, ...]
    topics: tuple[str, ...]
    companies: tuple[str, ...]
    follow_ups: tuple[str, ...]
    level: str | None = None

    @property
    def primary(self) -> str:
        return self.principles[0]
