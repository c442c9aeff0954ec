"""Helpers shared by the storage tests: a sample story, a free port."""

from __future__ import annotations

import socket

from starcoach.stories.model import Story


def make_story(n: int = 1, **changes) -> Story:
    story = Story(
        title=f"Cut checkout p99 latency ({n})",
        sections={
            "situation": "Checkout p99 latency at Acme had doubled to 1.8 s before Black Friday.",
            "task": "I owned the checkout service and had three weeks to fix it.",
            "action": "I profiled the hot path, found N+1 queries and batched them.",
            "result": "p99 fell 62% to 0.7 s and conversion rose 3%.",
            "reflection": "I now add latency budgets to every design review.",
        },
        question="Tell me about a time you dove deep into a problem.",
        principles=("dive-deep", "deliver-results"),
        suggested_principles=("dive-deep", "ownership"),
        company="Acme",
        role="Senior SWE",
        started="2023-09",
        ended="2023-11",
        tags=("latency", "backend"),
        notes="Told at the Meta onsite; ask about the rollout.",
        critique={"score": 81, "dimensions": {"structure": 0.9}, "findings": []},
    )
    return story.with_changes(**changes)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
