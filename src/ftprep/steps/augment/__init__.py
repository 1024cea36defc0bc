"""Steps that make new training examples from existing ones (each says what it was made from)."""
