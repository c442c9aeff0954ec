"""Errors the shells turn into a one-line message and a non-zero exit.

Every failure a user can cause (bad input, a broken data file, a tampered model) is
raised as a :class:`StarcoachError` so that no shell ever shows a traceback for it.
"""


class StarcoachError(Exception):
    """A problem the user can understand and act on."""

    exit_code: int = 1


class InputError(StarcoachError):
    """The text or arguments the user gave cannot be processed."""

    exit_code = 2


class DataFileError(StarcoachError):
    """A shipped or user data file is missing or does not follow its schema."""

    exit_code = 3


class ModelError(StarcoachError):
    """The embedding model or tokenizer cannot be loaded or fails verification."""

    exit_code = 4


class StorageError(StarcoachError):
    """The story database cannot be opened, reached or written (busy, unreachable, damaged)."""

    exit_code = 5
