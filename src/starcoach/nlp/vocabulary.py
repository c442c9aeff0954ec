"""Is this text made of English words? Used to tell gibberish from a real answer.

The vendored tokenizer's vocabulary (30,522 word pieces of an uncased English BERT) is a
ready word list: a word it holds whole is a known English word or name.
"""

from __future__ import annotations

import json
import re
from functools import cache

from starcoach.nlp.embedding import TOKENIZER_PATH

_WORD = re.compile(r"[a-z]+")


@cache
def _vocabulary() -> frozenset[str]:
    data = json.loads(TOKENIZER_PATH.read_text(encoding="utf-8"))
    return frozenset(token for token in data["model"]["vocab"] if token.isalpha())


def known_word_share(text: str) -> float:
    """Share of the alphabetic words of ``text`` that are whole English words (1.0 if none)."""
    words = _WORD.findall(text.lower())
    if not words:
        return 1.0
    vocabulary = _vocabulary()
    return sum(word in vocabulary for word in words) / len(words)
