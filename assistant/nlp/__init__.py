"""spaCy pipeline: tokenizer tweaks, lemmatizer, token matcher, match context and the checker components."""
