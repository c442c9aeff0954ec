"""Accuracy measurements on the project's own labelled data (``starcoach eval``)."""
