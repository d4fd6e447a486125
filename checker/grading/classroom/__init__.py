"""Grading a class: the submissions CSV read strictly, an assignment's points, and what a teacher takes away.

This package holds the parts of ``gradproof grade-batch`` and ``gradproof gradescope`` that are
about a class rather than one answer: :mod:`.csvin` (a submissions CSV decoded and split strictly,
every problem named by its line), :mod:`.csvout` (CSV cells neutralised against formula
injection), :mod:`.assignment` (the assignment file: questions, points, partial credit, roster),
:mod:`.gradebook` (Canvas and Moodle import files), :mod:`.feedback` (a Markdown and an HTML file
per student), :mod:`.gradescope` (the autograder's results.json) and :mod:`.report` (the
instructor's report.html). It may import the standard library, ``checker.files``, the grader's own
modules in ``checker.grading`` and ``derivations``; nothing in it imports a command.
"""
