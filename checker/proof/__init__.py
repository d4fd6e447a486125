"""The proof of derivations: every step proved exactly by sympy on explicit matrices of symbols,
the result re-derived by sympy, and checked numerically against the reference network.

:mod:`~checker.proof.evaluate` (NumPy) and :mod:`~checker.proof.symbolic` (sympy) are the two
meanings of the expression language; :mod:`~checker.proof.numeric` runs the reference MLP against
central differences; :mod:`~checker.proof.verify` puts the three checks together and caches them.
This room may import ``derivations`` and ``checker.network``.
"""
