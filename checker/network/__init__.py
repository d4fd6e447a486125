"""The reference network: the NumPy MLP, its activations and losses, the slides' row network, and
the gradient checker that holds its backward pass against central differences.

The MLP's backward pass is written from the catalogue's formulas and cites their ids. The one
central-difference module (step, relative error, tolerance) lives here, because the gradient
checker and the proof of derivations both use it. This room may import numpy only: nothing from
``derivations`` or any other room of ``checker``.
"""
