"""Training the reference MLP: data sets (bundled or from a directory the user names, never
downloaded), the training loop with its configuration checks, saved models and metrics, and the
grid search over mini-batch size and learning rate.

This room may import ``checker.network`` (and ``derivations``), nothing above it.
"""
