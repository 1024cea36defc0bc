"""Steps that ask a language model: judge, distill, augment."""
