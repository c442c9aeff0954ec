"""Checks on raw user text before any model sees it.

Bad input must produce a clear message, never a traceback: binary data, text that is not
UTF-8, empty or oversized pastes are rejected here; text that is merely unusual (another
language, no letters that look like English) is accepted with a warning so the caller can
mark its result as low-confidence.
"""

from __future__ import annotations

import re
import unicodedata

from starcoach.errors import InputError

MAX_QUESTION_CHARS = 2_000

_ENGLISH_FUNCTION_WORDS = frozenset(
    """a about after all an and any are as at be been before being but by can could did do
    does doing done for from had has have how i if in into is it its me my need not of on
    one or our out over should so some than that the their them then there they this time
    to tell us was we were what when where which while who why will with would you your""".split()  # noqa: SIM905 - a word list reads best as prose
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def decode_input(data: bytes, source: str = "input") -> str:
    """Decode bytes read from a file or stdin, refusing binary and non-UTF-8 data."""
    if b"\x00" in data:
        raise InputError(f"The {source} looks like a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"The {source} is not valid UTF-8 text (bad byte at position {exc.start}); "
            "save it as UTF-8 and try again."
        ) from exc
    return text


def clean_text(text: str, *, what: str = "text", max_chars: int) -> str:
    """Normalise whitespace and Unicode; reject empty, control-heavy or oversized text."""
    text = unicodedata.normalize("NFC", text)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    if controls:
        raise InputError(f"The {what} contains {controls} control characters; is it binary?")
    cleaned = " ".join(text.split())
    if not cleaned:
        raise InputError(f"The {what} is empty.")
    if len(cleaned) > max_chars:
        raise InputError(
            f"The {what} is {len(cleaned):,} characters long; the limit is {max_chars:,}. "
            "Paste a single item."
        )
    return cleaned


def clean_question(text: str) -> str:
    return clean_text(text, what="question", max_chars=MAX_QUESTION_CHARS)


def language_warnings(text: str) -> list[str]:
    """Warnings for text the English-only model will understand poorly (empty if fine)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return ["The text has no letters, so it cannot be understood as a question."]
    non_latin = sum(1 for ch in letters if not ("a" <= ch.lower() <= "z"))
    if non_latin / len(letters) > 0.3:
        return [
            "The text is mostly not English; starcoach's model understands English only, "
            "so treat this result as a guess. Translate the question for a reliable answer."
        ]
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) >= 4 and sum(w in _ENGLISH_FUNCTION_WORDS for w in words) / len(words) < 0.12:
        return ["The text does not read like an English sentence; treat this result as a guess."]
    return []
