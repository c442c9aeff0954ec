"""Building answer contexts by hand for the check tests (sections given explicitly)."""

from starcoach.analysis.context import AnswerContext
from starcoach.analysis.star import LabelledSentence


def make_context(*parts: tuple[str, str], **kwargs) -> AnswerContext:
    """One sentence per (section, text) part, joined by single spaces."""
    sentences, text, position = [], "", 0
    for section, sentence in parts:
        if text:
            text += " "
            position += 1
        sentences.append(
            LabelledSentence(sentence, position, position + len(sentence), section, 0.9)
        )
        text += sentence
        position += len(sentence)
    return AnswerContext(text, sentences, **kwargs)
