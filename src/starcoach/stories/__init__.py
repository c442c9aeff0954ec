"""Stories: the model of a story, and reading and writing them as notes."""
