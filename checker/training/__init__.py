"""Training the reference MLP: data sets (bundled or from a directory the user names, never
downloaded), the readers of their files, the training configuration and its checks, the training
loop with its divergence guard, model files, and the grid search over mini-batch size and η.

Modules: ``datasets`` (the data sets), ``formats`` (IDX and CIFAR-10 files), ``config``
(:class:`~checker.training.config.TrainConfig` and its checks), ``loop`` (one run), ``models``
(saved models), ``grid`` (the grid search and its heatmap).

This room may import ``checker.network`` and ``checker.files`` (and ``derivations``), nothing above it.
"""
