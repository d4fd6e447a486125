"""The grader: read an answer in LaTeX, plain text or NumPy, then judge it against a question.

``parse_answer(text, fmt, vocab)`` reads an answer into the expression tree of
``derivations.expr`` (see :mod:`checker.grading.parse`); ``Vocabulary`` says which names a
question's answers may use.

This room may import ``derivations`` and ``checker.proof`` (the evaluator and sympy translation),
nothing above it.
"""
