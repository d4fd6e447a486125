"""How we know: the proof of derivations, the reference network, training, experiments, grading and the CLI.

``checker`` is a house of rooms, each a sub-package whose docstring says what it holds and what it
may import. A room imports only the rooms below it in :data:`ROOMS` (and ``derivations``, the
mathematics as data, below them all); nothing imports the CLI; there are no import circles.
``tests/test_layering.py`` keeps it so.

Where to look first: the MLP is :mod:`checker.network.mlp`, the grader :mod:`checker.grading.judge`,
an experiment :mod:`checker.experiments`, a command :mod:`checker.commands`.
"""

# Lowest first. derivations is the floor; checker.commands is the roof.
ROOMS: tuple[str, ...] = (
    "derivations",
    "checker.files",
    "checker.sources",
    "checker.network",
    "checker.proof",
    "checker.grading",
    "checker.training",
    "checker.experiments",
    "checker.commands",
)
