"""The ``gradproof`` command line: one module per sub-command, and :mod:`~checker.commands.main`
dispatching to them.

Each command module defines ``add_arguments(parser)`` and ``run(args) -> int``. This is the top
room: it may import every room of ``checker`` and ``derivations``, and nothing imports it.
"""
