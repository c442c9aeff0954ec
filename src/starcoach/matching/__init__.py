"""Question → principles, question → stories, loop planning."""
