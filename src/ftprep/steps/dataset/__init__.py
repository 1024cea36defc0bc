"""Steps over the whole dataset's shape: train/validation/test splits, and balance."""
