"""Split an answer into sentence-like units with character offsets into the input.

Answers arrive as typed prose, bullet notes, or speech transcripts with no punctuation
at all. Typed text is split by ``pysbd``; lines that look like bullets are units of
their own; any unit that is still too long to carry one idea (a run-on sentence, a whole
transcript) is cut before discourse markers such as "and then" or "so". Offsets always
index the original text, so shells can highlight exactly what the user wrote.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pysbd

MAX_WORDS = 32
"""Units longer than this are cut at discourse markers (a spoken sentence is ~15-25 words)."""
MIN_WORDS = 5
"""No cut leaves a piece shorter than this."""

_BULLET = re.compile(r"^\s*(?:[-*•+]|\d{1,2}[.)]|[a-zA-Z][.)]|#{1,6})\s+")
_MARKERS = re.compile(
    r"\b(?:and then|and so|so then|so what i did|so i|so we|so um|so yeah|after that|"
    r"afterwards|which meant|which means|but then|but|because|in the end|eventually|"
    r"finally|at the end|as a result|the result was|overall|looking back|"
    r"what i learned|i learned|next time|anyway|um so|uh so|and i|and we)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


@cache
def _segmenter() -> pysbd.Segmenter:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[Span]:
    """Sentence-like units of ``text`` in order, each with [start, end) offsets."""
    spans: list[Span] = []
    for block_start, wrapped in _blocks(text):
        block = _unwrap(wrapped)
        for sentence in _segmenter().segment(block):
            stripped = sentence.strip()
            if not stripped:
                continue
            offset = block.find(stripped, _cursor(spans, block_start) - block_start)
            if offset < 0:  # pysbd changed the text; fall back to the whole block
                offset = block.find(stripped)
            start = block_start + max(offset, 0)
            spans.extend(_cut_long(text, start, start + len(stripped)))
    return spans


SOFT_WRAP_MIN_CHARS = 60
"""A line this long that ends mid-sentence was wrapped by an editor, not by the writer."""
_SENTENCE_END = frozenset('.!?:;"”)')


def _unwrap(block: str) -> str:
    """Join hard-wrapped lines (a newline becomes a space, so offsets stay the same)."""
    lines = block.split("\n")
    joins = [
        len(line.strip()) >= SOFT_WRAP_MIN_CHARS and line.rstrip()[-1:] not in _SENTENCE_END
        for line in lines[:-1]
    ]
    return "".join(
        line + (" " if join else "\n") for line, join in zip(lines, [*joins, None], strict=True)
    )[: len(block)]


def _cursor(spans: list[Span], block_start: int) -> int:
    return max(block_start, spans[-1].end if spans else 0)


def _blocks(text: str) -> list[tuple[int, str]]:
    """Paragraphs, with each bullet or numbered line a block of its own."""
    blocks: list[tuple[int, str]] = []
    current_start, current_lines = -1, []
    position = 0
    for line in text.splitlines(keepends=True):
        is_break = not line.strip()
        is_bullet = bool(_BULLET.match(line))
        if (is_break or is_bullet) and current_lines:
            blocks.append((current_start, "".join(current_lines)))
            current_start, current_lines = -1, []
        if not is_break:
            if current_start < 0:
                current_start = position
            current_lines.append(line)
        position += len(line)
    if current_lines:
        blocks.append((current_start, "".join(current_lines)))
    return blocks


def _cut_long(text: str, start: int, end: int) -> list[Span]:
    """Cut [start, end) before discourse markers until each piece is short enough."""
    words = list(_WORD.finditer(text, start, end))
    if len(words) <= MAX_WORDS:
        return [Span(text[start:end], start, end)]
    cuts: list[int] = []
    last_cut_word = 0
    for marker in _MARKERS.finditer(text, start, end):
        index = next((i for i, w in enumerate(words) if w.start() >= marker.start()), None)
        if index is None or index - last_cut_word < MIN_WORDS or len(words) - index < MIN_WORDS:
            continue
        cuts.append(words[index].start())
        last_cut_word = index
    # Where markers are too sparse, cut evenly so no piece runs far past MAX_WORDS.
    bounds = [start, *cuts, end]
    pieces: list[Span] = []
    for piece_start, piece_end in itertools.pairwise(bounds):
        piece_words = [w for w in words if piece_start <= w.start() < piece_end]
        parts = max(1, round(len(piece_words) / MAX_WORDS))
        size = math.ceil(len(piece_words) / parts)
        for i in range(0, len(piece_words), size):
            chunk = piece_words[i : i + size]
            pieces.append(
                Span(text[chunk[0].start() : chunk[-1].end()], chunk[0].start(), chunk[-1].end())
            )
    return pieces
