"""The project's labelled answers (``analysis/data/answers/*.yaml``), validated.

Each answer is rebuilt from its labelled segments, so every character of the answer text
carries the STAR label a person gave it; that is what labelling accuracy is measured on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starcoach.analysis.findings import FINDING_CODES
from starcoach.errors import DataFileError
from starcoach.knowledge.loader import read_yaml
from starcoach.knowledge.models import LEVEL_IDS, PRINCIPLE_IDS
from starcoach.splits import in_holdout

ANSWERS_DIR = Path(__file__).parent / "data" / "answers"
SECTIONS: tuple[str, ...] = ("situation", "task", "action", "result", "reflection", "other")
STYLES = ("typed", "transcript", "bullets", "out-of-order", "run-on")
QUALITIES = ("strong", "adequate", "weak", "poor")
HOLDOUT_MODULO = 5


@dataclass(frozen=True)
class LabelledAnswer:
    id: str
    question: str
    principles: tuple[str, ...]
    shows_level: str
    style: str
    quality: str
    flaws: tuple[str, ...]
    text: str
    char_labels: tuple[str | None, ...]
    """The section of every character of ``text`` (None for the joins between segments)."""

    @property
    def is_holdout(self) -> bool:
        """A stable fifth of the answers is never trained on."""
        return in_holdout(self.id, HOLDOUT_MODULO)


def load_labelled_answers(directory: Path = ANSWERS_DIR) -> list[LabelledAnswer]:
    answers: list[LabelledAnswer] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        raw = read_yaml(path)
        if not isinstance(raw, list):
            raise DataFileError(f"{path}: expected a list of answers")
        for number, item in enumerate(raw, start=1):
            where = f"{path}: answer #{number}"
            if not isinstance(item, dict):
                raise DataFileError(f"{where}: expected a mapping")
            answer_id = str(item.get("id", ""))
            if not answer_id or answer_id in seen:
                raise DataFileError(f"{where}: missing or repeated id '{answer_id}'")
            seen.add(answer_id)
            _check_choice(where, "shows_level", item.get("shows_level"), LEVEL_IDS)
            _check_choice(where, "style", item.get("style"), STYLES)
            _check_choice(where, "quality", item.get("quality"), QUALITIES)
            principles = tuple(item.get("principles") or ())
            flaws = tuple(item.get("flaws") or ())
            for pid in principles:
                _check_choice(where, "principles", pid, PRINCIPLE_IDS)
            for code in flaws:
                _check_choice(where, "flaws", code, FINDING_CODES)
            separator = "\n" if item.get("layout") == "lines" else " "
            text, labels = _join(where, item.get("segments"), separator)
            answers.append(
                LabelledAnswer(
                    id=answer_id,
                    question=str(item.get("question", "")).strip(),
                    principles=principles,
                    shows_level=item["shows_level"],
                    style=item["style"],
                    quality=item["quality"],
                    flaws=flaws,
                    text=text,
                    char_labels=tuple(labels),
                )
            )
    if not answers:
        raise DataFileError(f"{directory}: no labelled answers found")
    return answers


def _check_choice(
    where: str, field: str, value: object, allowed: tuple[str, ...] | frozenset[str]
) -> None:
    if value not in allowed:
        raise DataFileError(f"{where}: '{field}' has unknown value {value!r}")


def _join(where: str, segments: object, separator: str) -> tuple[str, list[str | None]]:
    if not isinstance(segments, list) or not segments:
        raise DataFileError(f"{where}: 'segments' must be a non-empty list")
    text_parts: list[str] = []
    labels: list[str | None] = []
    for index, segment in enumerate(segments):
        if (
            not isinstance(segment, list)
            or len(segment) != 2
            or segment[0] not in SECTIONS
            or not isinstance(segment[1], str)
        ):
            raise DataFileError(f"{where}: segment #{index + 1} must be [section, text]")
        if index:
            text_parts.append(separator)
            labels.append(None)
        text_parts.append(segment[1])
        labels.extend([segment[0]] * len(segment[1]))
    return "".join(text_parts), labels
