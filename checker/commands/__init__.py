"""One module per ``gradproof`` sub-command; each defines ``add_arguments(parser)`` and ``run(args) -> int``."""
