"""The grader: read an answer in LaTeX, plain text or NumPy, then judge it against a question.

The readers live in :mod:`checker.grading.readers` (``from checker.grading.readers import
parse_answer, AnswerError, Parsed``): they read an answer into the expression tree of
``derivations.expr``; a ``Vocabulary`` says which names a question's answers may use. The judge
(:mod:`checker.grading.judge`) decides a verdict, :mod:`checker.grading.mistakes` names mistakes,
:mod:`checker.grading.batch` grades a class.

This room may import ``derivations`` and ``checker.proof`` (the evaluator and sympy translation),
nothing above it.
"""
