"""Finding codes (DESIGN §5) and the record every check returns.

Codes are a public contract: scripts filter on them, so they are never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass

FINDING_CODES: tuple[str, ...] = (
    "missing-situation",
    "missing-task",
    "missing-action",
    "missing-result",
    "thin-action",
    "long-setup",
    "we-heavy",
    "no-metrics",
    "no-reflection",
    "too-long",
    "too-short",
    "vague",
    "hedging",
    "filler-words",
    "hypothetical",
    "blame",
    "off-topic",
    "not-an-answer",
    "implausible-claim",
    "principle-mismatch",
    "scope-below-level",
)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    evidence: str
