"""Judging an answer by its meaning, and naming its mistakes.

An answer is read into the expression tree (``checker.grading.readers``). An answer that contains
the quantity asked for, unevaluated (σ'(z) for "give σ'(z)", ∂L/∂W for "give ∂L/∂W"), restates
the question: it is incorrect, tag ``restates-question``, whatever its value. Otherwise its shape
is inferred symbolically and it is compared with the reference answer on the question's random
instances (:mod:`checker.grading.sampling`). A scalar question's "correct" is then confirmed
exactly by sympy (:mod:`checker.grading.exact`); when that cannot finish, the numbers decide and
the feedback says so. A wrong answer is compared with the single and double mutants of the
reference (:mod:`checker.grading.diagnosis`): a match names one mistake or two.

Budgets (:mod:`checker.grading.budget`) count CPU time and work, never the wall clock, so the
same answer gets the same verdict on a quiet machine and a busy one. Only a last-resort wall-clock
guard exists, and it gives no verdict: the result says "not judged" (``judged`` false) and
``grade-batch`` grades such a row again. Any failure on hostile input becomes an ``invalid``
verdict with a message, never an exception.

Scoring: ``correct`` scores 1.0; ``incorrect`` and ``invalid`` score 0.0 and there is no partial
credit (a formula is right or it is not). ``invalid`` means "could not be read": it is not a
wrong answer, and the batch report counts it apart so the student can resubmit.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import cache

from checker.grading.budget import CPU_LIMIT, NotJudged, OutOfBudget, cpu_limit, wall_guard
from checker.grading.diagnosis import (
    EVAL_ERRORS,
    MutantSet,
    answer_shape,
    match,
    match_square,
    prepare_mutants,
)
from checker.grading.exact import confirm
from checker.grading.index_forms import vectorised
from checker.grading.mistakes import Mutant, repairs, sigmoid_specific_message
from checker.grading.readers import Vocabulary, vocabulary_from_spellings
from checker.grading.sampling import (
    GENERIC_ACTIVATIONS,
    SCALAR_DRAWS,
    Draw,
    Instances,
    Values,
    agreement,
    distance,
    first_difference,
    instances,
    seed_of,
    values_of,
)
from checker.grading.series import has_order_term, is_series_question, judge_expansion, setting
from checker.grading.wording import clause, sentence, uncapital
from derivations.expr import (
    ELEMENTWISE,
    SCALAR,
    Expr,
    Fn,
    Shape,
    ShapeError,
    Sym,
    children,
    depth,
    shape_of,
    shape_tex,
    symbols_of,
    tex,
    to_latex,
)
from derivations.questions import Question, get_question

__all__ = [
    "CPU_LIMIT", "FORMATS", "GENERIC_ACTIVATIONS", "SCALAR_DRAWS", "VERDICTS", "Draw", "GradeResult", "grade",
    "grade_expr", "invalid", "judge_expr", "prepare", "seed_of", "vocabulary_for", "vocabulary_of", "warm",
]

VERDICTS = ("correct", "incorrect", "invalid")
FORMATS = ("auto", "latex", "text", "numpy")
MAX_LENGTH = 2000
MAX_DEPTH = 100
NUMERIC_CORRECT = "Correct: equal to the verified result at every value tried."


@dataclass
class GradeResult:
    """The verdict on one answer; ``to_json`` is the object of ``gradproof grade --json``.

    ``mistakes`` lists every mistake named (two for a double mistake); ``mistake`` is its first.
    ``judged`` is False only when the answer was not judged at all (the wall-clock guard fired on
    a machine that did not run the grader): the verdict is then ``invalid`` and the row should be
    graded again.
    """

    question: str
    verdict: str
    score: float
    mistake: str | None
    feedback: str
    interpreted: str = ""
    mistakes: list[str] = field(default_factory=list)
    judged: bool = True

    def to_json(self) -> dict:
        """The public JSON object (QUESTIONS.md section 4, plus ``mistakes`` and ``judged``)."""
        return {
            "question": self.question,
            "verdict": self.verdict,
            "score": self.score,
            "mistake": self.mistake,
            "mistakes": list(self.mistakes),
            "feedback": self.feedback,
            "interpreted": self.interpreted,
            "judged": self.judged,
        }


@dataclass(frozen=True)
class Judgement:
    """What the judge decided about a tree: verdict, the mistakes named (first first), feedback."""

    verdict: str
    mistakes: tuple[str, ...]
    feedback: str

    @property
    def mistake(self) -> str | None:
        """The first mistake, or None."""
        return self.mistakes[0] if self.mistakes else None


def invalid(question: str, feedback: str, interpreted: str = "") -> GradeResult:
    """An answer that could not be read or judged: it scores nothing and counts as no attempt."""
    return GradeResult(question, "invalid", 0.0, None, feedback, interpreted)


def _wrong(mistakes: tuple[str, ...] | str | None, feedback: str) -> Judgement:
    tags = (mistakes,) if isinstance(mistakes, str) else tuple(mistakes or ())
    return Judgement("incorrect", tuple(dict.fromkeys(tags)), feedback)


def _named(m: Mutant, lead: str = "") -> Judgement:
    return _wrong(m.all_tags, f"{lead}{sentence(m.message)}")


# ------------------------------------------------------------------------------ preparation


@dataclass
class Prepared:
    """Everything about a question that does not depend on the answer, computed once."""

    question: Question
    reference: Expr
    ref_shape: Shape
    inst: Instances
    ref_values: Values
    ref_square: Values
    mutant_set: MutantSet

    @property
    def activations(self) -> tuple[str, ...]:
        """The readings of σ."""
        return self.inst.activations

    @property
    def draws(self) -> list[Draw]:
        """The draws at distinct sizes."""
        return self.inst.draws

    @property
    def mutants(self) -> list:
        """The single mutants kept (distinct from the reference and from each other)."""
        return self.mutant_set.singles


@cache
def prepare(question_id: str) -> Prepared:
    """Draws, reference values and mutants of a question (done once per process)."""
    from checker.grading.mistakes import mutants

    q = get_question(question_id)
    ref = q.reference
    definitions = dict(q.definitions)
    exprs = [ref, *(m.expr for m in mutants(q, ref)), *(d for _, d in q.definitions)]
    symbols: set[Sym] = set(q.all_symbols)
    for e in exprs:
        symbols |= {s for s in symbols_of(e) if not s.depends}
    inst = instances(q, symbols, exprs)
    ref_values = values_of(ref, inst.draws, inst.activations, definitions)
    ref_square = values_of(ref, inst.square, inst.activations, definitions)
    if shape_of(ref) == SCALAR and q.scalar:
        confirm(q, ref, ref)  # loads sympy's machinery now, not inside an answer's budget
    mutant_set = prepare_mutants(q, ref, inst, ref_values, ref_square)
    return Prepared(q, ref, shape_of(ref), inst, ref_values, ref_square, mutant_set)


def vocabulary_for(question: Question) -> Vocabulary:
    """The parser's vocabulary for a question: its spellings, code names, named quantities, and
    the spellings of the quantity it asks for (read, so that a restatement can be named)."""
    return vocabulary_from_spellings(
        question.symbols + question.extra + question.asks,
        code_names=dict(question.code_names),
        named=question.named,
        row_convention=question.convention == "row",
        listed=[s for s, _ in question.symbols],
        functions=_named_functions(question.activation) | frozenset(question.functions),
        independent=question.independent,
        **({} if question.index_notation else {"index_letters": ()}),
    )


def _named_functions(activation: Expr | None) -> frozenset[str]:
    """The functions a question's activation calls by name (softplus): an answer may call them too,
    so that the activation written instead of its derivative is read and named, not refused."""
    found: set[str] = set()
    stack = [activation] if activation is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Fn) and node.name in ELEMENTWISE:
            found.add(node.name)
        stack.extend(children(node))
    return frozenset(found)


@cache
def vocabulary_of(question_id: str) -> Vocabulary:
    """The parser's vocabulary of a question, built once."""
    return vocabulary_for(get_question(question_id))


# ------------------------------------------------------------------------------------ judging


def judge_expr(question_id: str, e: Expr) -> Judgement:
    """The judgement on an answer already read into a tree."""
    if depth(e) > MAX_DEPTH:
        return Judgement("invalid", (), f"the answer is nested more than {MAX_DEPTH} levels deep")
    if is_series_question(get_question(question_id)) or has_order_term(e):
        return _judge_expansion(get_question(question_id), e)
    prep = prepare(question_id)
    q = prep.question
    restated = restatement(q, e)
    if restated is not None:
        # never credited; but a known mistake that uses the quantity (δ_2 for δ_3) keeps its name
        judged = _judge_read(prep, e)
        return judged if judged.verdict == "incorrect" and judged.mistakes else _wrong(
            "restates-question", restated)
    return _judge_read(prep, e)


def _judge_expansion(q: Question, e: Expr) -> Judgement:
    """An asymptotic expansion is compared as a series (:mod:`checker.grading.series`), never by
    values: where the reference has no O-term, an answer's O-term is refused, not read as 0."""
    if not is_series_question(q):
        return Judgement("invalid", (), "an O-term is not read in this question: give the exact formula")
    found = judge_expansion(q, e)
    return Judgement(found.verdict, found.mistakes, found.feedback)


def _judge_read(prep: Prepared, e: Expr) -> Judgement:
    q = prep.question
    note = ""
    try:
        shape, letters = answer_shape(e)
        vals = values_of(e, prep.draws, prep.activations, dict(q.definitions), letters)
    except (ShapeError, *EVAL_ERRORS) as err:
        reread = vectorised(e)
        if reread is None:
            return _misfit(prep, e, err) if isinstance(err, ShapeError) else Judgement(
                "invalid", (), f"the answer reads, but it cannot be evaluated: {err}")
        try:
            shape, letters = answer_shape(reread)
            vals = values_of(reread, prep.draws, prep.activations, dict(q.definitions), letters)
        except (ShapeError, *EVAL_ERRORS):
            return _misfit(prep, e, err) if isinstance(err, ShapeError) else Judgement(
                "invalid", (), f"the answer reads, but it cannot be evaluated: {err}")
        e, note = reread, f"Read as {tex(reread)}: the sum over the index and the vector beside it. "
    judged = _judge_values(prep, e, shape, vals)
    return Judgement(judged.verdict, judged.mistakes, note + judged.feedback) if note else judged


def _judge_values(prep: Prepared, e: Expr, shape: Shape, vals: Values) -> Judgement:
    q = prep.question
    if shape == prep.ref_shape:
        agree = agreement(vals, prep.ref_values)
        if all(agree.values()):
            return _confirm(prep, e)
    else:
        agree = {}
    found = match(prep.mutant_set, shape, vals, prep.inst, dict(q.definitions))
    if found is not None:
        return _named(found)
    if shape != prep.ref_shape:
        want = shape_tex(prep.ref_shape)
        return _wrong(None, f"Your answer is {shape_tex(shape)}, but the result must be {want}.")
    right = [a for a, ok in agree.items() if ok]
    wrong = [a for a, ok in agree.items() if not ok]
    if right == ["sigmoid"] and q.sigma == "generic":
        return _wrong("sigmoid-specific", sentence(sigmoid_specific_message()))
    if right:
        return _wrong(None, (
            f"Your answer holds when $\\sigma$ is {', '.join(right)} but not when $\\sigma$ is "
            f"{', '.join(wrong)}: here $\\sigma$ is a generic activation."
        ))
    if q.scalar and shape == SCALAR:
        where = first_difference(vals, prep.ref_values, wrong[0], prep.draws, [s for s, _ in q.symbols])
        return _wrong(None, f"Your answer has a different value: {where}.")
    where = first_difference(vals, prep.ref_values, wrong[0], prep.draws)
    return _wrong(None, f"Your answer has the right shape ({shape_tex(shape)}) but a different value: "
                        f"{where}.")


def restatement(q: Question, e: Expr) -> str | None:
    """Feedback if ``e`` contains the quantity asked for, unevaluated; else None.

    The quantity asked for is a symbol of ``q.asks`` (δ^{(l)}, ∂L/∂W^{(l)} read as a stand-in),
    or, in a question about an activation's derivative, any derivative of a function (σ', f',
    tanh', ReLU'; a generic σ' in other questions is a function of its own, judged by value).
    """
    asked = {s for s, _ in q.asks}
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Sym) and node in asked:
            return (f"Your answer contains {tex(node)}, the quantity the question asks for: it restates "
                    f"the question. Write it in terms of {_givens(q)}.")
        if (isinstance(node, Fn) and node.d >= 1 and q.activation is not None
                and (node.name not in ("sigma", "f") or q.sigma == "sigmoid")):
            return (f"Your answer uses {tex(node)}, the derivative the question asks for: it restates "
                    f"the question. Write the derivative through $z$ and the function itself.")
        stack.extend(children(node))
    return None


def _givens(q: Question) -> str:
    names = [f"${s.tex or s.key}$" for s, _ in q.symbols]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] if names else "the givens"


def _misfit(prep: Prepared, e: Expr, err: ShapeError) -> Judgement:
    """An answer whose shapes do not fit: which mistake, at sizes where everything fits?

    First single repairs of the answer (a transpose added, factors swapped or regrouped, ⊙ for
    a product): one that gives the right answer names the mistake; one that gives a known wrong
    answer names that answer's mistakes as well. Then the answer itself at square sizes, where
    it fits. A "did you mean" is offered only when it is closer to the right answer than the
    answer is.
    """
    q = prep.question
    definitions = dict(q.definitions)
    why = sentence(err.reason)
    near: Judgement | None = None
    closest: tuple[float, Expr] | None = None
    for tag, repaired, message in repairs(e):
        try:
            shape, letters = answer_shape(repaired)
            if shape != prep.ref_shape and (near is not None or shape not in prep.mutant_set.shapes):
                continue
            vals = values_of(repaired, prep.draws, prep.activations, definitions, letters)
        except EVAL_ERRORS:
            continue
        if shape == prep.ref_shape and all(agreement(vals, prep.ref_values).values()):
            return _wrong(tag, f"{why} {sentence(message)}")
        if shape == prep.ref_shape:
            gap = distance(vals, prep.ref_values)
            closest = min(closest, (gap, repaired), key=lambda c: c[0]) if closest else (gap, repaired)
        if near is None:
            found = match(prep.mutant_set, shape, vals, prep.inst, definitions)
            if found is not None:
                near = _wrong((*found.all_tags, tag),
                              f"{why} {sentence(message)} Even then, {uncapital(sentence(found.message))}")
    if near is not None:
        return near
    try:
        square = values_of(e, prep.inst.square, prep.activations, definitions)
    except EVAL_ERRORS:
        square = None
    if square is not None:
        found = match_square(prep.mutant_set, square, prep.inst, definitions)
        if found is not None:
            return _named(found, f"{why} ")
    return _wrong(None, f"The shapes do not fit: {clause(err.reason)}.{_suggestion(prep, square, closest)}")


def _suggestion(prep: Prepared, square: Values | None, closest: tuple[float, Expr] | None) -> str:
    """"Did you mean …?" for the repair closest to the right answer, if closer than the answer."""
    if closest is None:
        return ""
    gap, repaired = closest
    if square is not None:
        own = distance(square, prep.ref_square)
        try:
            fixed = distance(values_of(repaired, prep.inst.square, prep.activations,
                                       dict(prep.question.definitions)), prep.ref_square)
        except EVAL_ERRORS:
            return ""
        if not fixed < own:
            return ""
    return f" Did you mean {tex(repaired)}?" if gap < float("inf") else ""


def _confirm(prep: Prepared, e: Expr) -> Judgement:
    """Numerically equal: for a scalar question, confirm exactly with sympy (failing closed)."""
    q = prep.question
    if prep.ref_shape != SCALAR or not q.scalar:
        return Judgement("correct", (), NUMERIC_CORRECT)
    exact = confirm(q, e, prep.reference)
    if not exact.finished:
        return Judgement("correct", (), (
            f"Correct by the numbers: equal to the verified result at every value tried. The exact "
            f"check did not finish ({exact.why}), so the verdict rests on those values alone."
        ))
    if exact.equal:
        return Judgement("correct", (), (
            "Correct: equal to the verified result, exactly (sympy) and at every value tried."
        ))
    return _wrong(None, f"Your answer agrees at the values tried but not everywhere: {exact.why}.")


# ------------------------------------------------------------------------------------ grading


@cache
def warm(question_id: str) -> None:
    """Prepare a question and read its accepted answers, so that one-time set-up (draws, mutants,
    the reader's grammar, and for a scalar question sympy's caches, by confirming an accepted
    answer exactly) is never charged to a student's budget: a budget then measures the answer's
    own work, far from any limit for an ordinary answer."""
    from checker.grading.readers import parse_answer

    if is_series_question(get_question(question_id)):
        setting(get_question(question_id))  # the truth and the reference, translated once
        for answer in get_question(question_id).accepted:
            with contextlib.suppress(Exception):
                judge_expr(question_id, parse_answer(answer, "auto", vocabulary_of(question_id)).expr)
        return
    prep = prepare(question_id)
    q = prep.question
    for k, answer in enumerate(q.accepted):
        with contextlib.suppress(Exception):
            e = parse_answer(answer, "auto", vocabulary_of(question_id)).expr
            if k == 0 and prep.ref_shape == SCALAR and q.scalar:
                confirm(q, e, prep.reference)


def grade_expr(question_id: str, e: Expr, interpreted: str | None = None) -> GradeResult:
    """Grade an answer that is already a tree (the reader's output, or a test's)."""
    shown = to_latex(e) if interpreted is None else interpreted
    j = judge_expr(question_id, e)
    return GradeResult(question_id, j.verdict, 1.0 if j.verdict == "correct" else 0.0, j.mistake, j.feedback,
                       shown, list(j.mistakes))


def grade(question_id: str, answer: str, fmt: str = "auto", strict_notation: bool = False) -> GradeResult:
    """Grade one answer to one question (``strict_notation``: see the readers' ``ReadOptions``).

    The reader's notes on what it guessed (a dropped layer index, a product read as ⊙) follow
    the feedback.

    Raises ``KeyError`` (listing the ids) for an unknown question; any answer at all gets a
    verdict within :data:`CPU_LIMIT` seconds of CPU time.
    """
    q = get_question(question_id)
    if not isinstance(answer, str):
        return invalid(q.id, "the answer is not text")
    if fmt not in FORMATS:
        return invalid(q.id, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if len(answer) > MAX_LENGTH:
        return invalid(q.id, f"the answer is {len(answer):,} characters long; the limit is {MAX_LENGTH:,}")
    if not answer.strip():
        return invalid(q.id, "the answer is empty")
    try:
        vocab = vocabulary_of(q.id)
        warm(q.id)
    except Exception as exc:  # noqa: BLE001 - no reader or no reference: nothing can be judged
        return invalid(q.id, f"the grader is not available for this question ({type(exc).__name__}: {exc})")
    try:
        with wall_guard():
            return _grade_within_budget(q.id, answer, fmt, vocab, strict_notation)
    except NotJudged:
        result = invalid(q.id, "not judged: the machine did not run the grader in time; "
                               "grade this answer again")
        result.judged = False
        return result


def _grade_within_budget(qid: str, answer: str, fmt: str, vocab: Vocabulary,
                         strict_notation: bool = False) -> GradeResult:
    from checker.grading.readers import AnswerError, parse_answer

    interpreted = ""
    try:
        with cpu_limit(CPU_LIMIT):
            try:
                parsed = parse_answer(answer, fmt, vocab, strict_notation)
            except AnswerError as err:
                return invalid(qid, getattr(err, "message", str(err)))
            interpreted = parsed.interpreted
            result = grade_expr(qid, parsed.expr, interpreted)
            if parsed.notes:
                result.feedback = " ".join((result.feedback, *parsed.notes))
            return result
    except OutOfBudget:
        return invalid(qid, f"judging this answer needs more than {CPU_LIMIT:g} s of CPU time; "
                            "write it more simply", interpreted)
    except RecursionError:
        return invalid(qid, "the answer is nested too deeply to read", interpreted)
    except MemoryError:
        return invalid(qid, "the answer needs too much memory to judge", interpreted)
    except Exception as exc:  # noqa: BLE001 - never lose an answer: report what went wrong
        reason = f"{type(exc).__name__}: {exc}"
        return invalid(qid, f"the grader could not judge this answer ({reason})", interpreted)
