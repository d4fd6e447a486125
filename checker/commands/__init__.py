"""One module per ``gradproof`` sub-command.

Each defines ``add_arguments(parser)`` and ``run(args) -> int``.
"""
