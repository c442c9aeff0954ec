"""Text processing: input checks, sentences and sentence embeddings."""
