"""The registry of answer checks, in the manner of a linter.

Each check is a small function registered with :func:`check` under a stable finding code
(DESIGN §5), a severity, a dimension of the score it weighs on, and a one-paragraph
explanation; ``docs/checks.md`` is generated from this registry
(``python scripts/write_checks_doc.py``). A check returns its findings, each with the
evidence that triggered it (the span of the answer, or what is missing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starcoach.analysis.context import AnswerContext
from starcoach.analysis.findings import FINDING_CODES, Finding

SEVERITIES = ("error", "warning", "info")
CheckFunction = Callable[[AnswerContext], list[Finding]]


@dataclass(frozen=True)
class Check:
    code: str
    severity: str
    dimension: str
    summary: str
    explanation: str
    run: CheckFunction


REGISTRY: dict[str, Check] = {}


def check(
    code: str, *, severity: str, dimension: str, summary: str
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check; its docstring becomes the explanation in docs/checks.md."""
    if code not in FINDING_CODES:
        raise ValueError(f"unknown finding code {code!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")

    def register(function: CheckFunction) -> CheckFunction:
        if code in REGISTRY:
            raise ValueError(f"finding code {code!r} registered twice")
        explanation = " ".join((function.__doc__ or "").split())
        REGISTRY[code] = Check(code, severity, dimension, summary, explanation, function)
        return function

    return register


def finding(code: str, message: str, evidence: str) -> Finding:
    return Finding(code, REGISTRY[code].severity, message, evidence)


def run_checks(context: AnswerContext) -> list[Finding]:
    """Every registered check, in registry order."""
    _load_all()
    findings: list[Finding] = []
    for registered in REGISTRY.values():
        findings.extend(registered.run(context))
    return findings


def _load_all() -> None:
    # Importing the modules registers their checks.
    from starcoach.analysis.checks import (  # noqa: F401
        answer,
        delivery,
        impact,
        ownership,
        plausibility,
        relevance,
        scope,
        structure,
    )


def render_markdown() -> str:
    """The table of every check, for docs/checks.md (generated, never edited by hand)."""
    _load_all()
    lines = [
        "# Answer checks",
        "",
        "Generated from the registry in `src/starcoach/analysis/checks/` by",
        "`python scripts/write_checks_doc.py`; a test fails when this page is stale.",
        "Finding codes are stable (DESIGN §5). The score and its caps are described in",
        "`src/starcoach/analysis/scoring.py`.",
        "",
        "| code | severity | dimension | what it means |",
        "|---|---|---|---|",
    ]
    for code in FINDING_CODES:
        if code in REGISTRY:
            c = REGISTRY[code]
            lines.append(f"| `{c.code}` | {c.severity} | {c.dimension} | {c.explanation} |")
    return "\n".join(lines) + "\n"
