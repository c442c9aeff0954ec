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
from typing import TYPE_CHECKING, NamedTuple

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
    r"what i learned|i learned|next time|anyway|um so|uh so|and i|and we|"
    r"and um|and uh|and yeah|and my|and what|"
    r"(?<!\bor )(?<!\bthink )so(?!\s+(?:that|much|many|far|long|well|on|to speak|called)\b))\b",
    re.IGNORECASE,
)
"""Where a long unit may be cut. Spoken answers start almost every new step with "so" or
"and" + a filler or pronoun ("so the fix went out", "and um my manager…"), so any "so"
that is not part of a phrase ("so that", "so much", "or so") is a cut point: in the
labelled transcripts outside the held-out fifth, units then mix two STAR sections for
3% of the characters instead of 7%."""
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


@cache
def _segmenter() -> pysbd.Segmenter:
    """pysbd's English segmenter made quick where it is known to be slow (same splits)."""
    import pysbd

    if pysbd.__version__ != QUICK_PASS_PYSBD_VERSION:
        return pysbd.Segmenter(language="en", clean=False)

    class QuickSegmenter(pysbd.Segmenter):  # type: ignore[misc, name-defined]
        def sentences_with_char_spans(self, sentences: list[str]) -> list[_TextSpan]:
            return _sentence_spans(sentences, self.original_text)

    segmenter = QuickSegmenter(language="en", clean=False)
    segmenter.language_module = _quick_english()
    return segmenter


QUICK_PASS_PYSBD_VERSION = "0.3.4"
"""The pysbd whose code the quick passes repeat; another version runs as is."""


_CASELESS_LOOKALIKES = re.compile("[\u0130\u0131\u017f\u212a]")
"""The only non-ASCII letters that a case-insensitive regex equates with ASCII letters
(İ ı ſ K); a line holding one gets pysbd's own abbreviation pass, unshortened."""


def has_caseless_lookalikes(text: str) -> bool:
    """Whether ``text`` holds one of the four letters above. Everywhere else, matching
    lower-case ASCII patterns against the lower-cased text finds what matching them
    case-insensitively finds (no other non-ASCII letter lower-cases to, or matches, an
    ASCII one), which is much faster."""
    return _CASELESS_LOOKALIKES.search(text) is not None


class _TextSpan(NamedTuple):
    sent: str
    start: int
    end: int


def _sentence_spans(sentences: list[str], text: str) -> list[_TextSpan]:
    r"""pysbd 0.3.4's ``sentences_with_char_spans``, by string search instead of a regex.

    pysbd finds each sentence with ``re.finditer(re.escape(sentence) + r"\s*", text)``
    and keeps the first match that ends past the previous sentence. That is one new
    pattern per sentence: it fills Python's regex cache (512 patterns) and evicts every
    other module's patterns, which are then compiled again and again — over half the
    time of splitting a typed answer. A literal pattern matches where ``str.find`` finds
    it, non-overlapping matches resume at the previous end, and ``\s`` is
    ``str.isspace``, so the spans are the same.
    """
    spans: list[_TextSpan] = []
    prior_end = 0
    for sentence in sentences:
        if not sentence:  # an empty pattern matches everywhere: leave it to the regex
            for match in re.finditer(r"\s*", text):
                if match.end() > prior_end:
                    spans.append(_TextSpan(match.group(), match.start(), match.end()))
                    prior_end = match.end()
                    break
            continue
        position = 0
        while (start := text.find(sentence, position)) >= 0:
            end = start + len(sentence)
            while end < len(text) and text[end].isspace():
                end += 1
            if end > prior_end:
                spans.append(_TextSpan(text[start:end], start, end))
                prior_end = end
                break
            position = end
    return spans


def _quick_english() -> type:
    """pysbd's English language with a faster, output-identical abbreviation pass.

    pysbd runs two regex searches over each line for every one of its ~190 abbreviations
    whose letters occur anywhere in it ("no" is in "not"), and one substitution per hit;
    that is two thirds of its time on a typed answer. Every substitution it makes turns
    the period right after the abbreviation into a placeholder, so an abbreviation made
    of letters only cannot change a line that never holds it followed by a period; this
    pass skips those and runs pysbd's own code on the rest. Dotted abbreviations ("e.g")
    are used unescaped as patterns by pysbd, so they always take pysbd's path.
    """
    from pysbd.lang.english import English

    plain = frozenset(a.strip() for a in English.Abbreviation.ABBREVIATIONS if a.strip().isalnum())

    class QuickAbbreviationReplacer(English.AbbreviationReplacer):  # type: ignore[misc, name-defined]
        def search_for_abbreviations_in_string(self, text: str) -> str:
            if _CASELESS_LOOKALIKES.search(text):
                return super().search_for_abbreviations_in_string(text)
            # What follows is pysbd 0.3.4's loop with one more reason to skip.
            lowered = text.lower()
            for abbr in self.lang.Abbreviation.ABBREVIATIONS:
                stripped = abbr.strip()
                if stripped not in lowered:
                    continue
                if stripped in plain and f"{stripped}." not in lowered:
                    continue
                abbrev_match = re.findall(rf"(?:^|\s|\r|\n){stripped}", text, flags=re.IGNORECASE)
                if not abbrev_match:
                    continue
                next_word_start = r"(?<={" + str(re.escape(stripped)) + "} ).{1}"
                char_array = re.findall(next_word_start, text)
                for index, match in enumerate(abbrev_match):
                    text = self.scan_for_replacements(text, match, index, char_array)
            return text

    class QuickEnglish(English):  # type: ignore[misc, valid-type]
        AbbreviationReplacer = QuickAbbreviationReplacer

    return QuickEnglish


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
