"""Judging an answer by its meaning, and naming its mistake.

An answer is read into the expression tree (``checker.grading.readers``), its shape is inferred
symbolically, and it is compared with the reference answer by random instantiation: several
draws with *distinct* dimension sizes (so a missing transpose cannot hide), values away from
kinks and inside domains, and a generic σ read as several concrete activations (so a
sigmoid-only form is caught). A scalar question's "correct" is then confirmed exactly by sympy.
A wrong answer is compared, at the same values, with the mutants of ``checker.grading.mistakes``;
the first that matches names the mistake. An answer whose products do not fit is compared with
the mutants at *equal* sizes, where every product fits, to find which mistake made it.

The random values are drawn once per question from a seed derived from its id, so the same
answer always gets the same verdict. Grading one answer has a hard wall-clock limit
(``TIME_LIMIT`` seconds, enforced with a timer signal in the main thread), and any failure on
hostile input becomes an ``invalid`` verdict with a message, never an exception.

Scoring: ``correct`` scores 1.0; ``incorrect`` and ``invalid`` score 0.0 and there is no partial
credit (a formula is right or it is not). ``invalid`` means "could not be read": it is not a
wrong answer, and the batch report counts it apart so the student can resubmit.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import threading
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from checker.grading.indexed import concrete_index_sizes, evaluate_indexed, has_indices, index_shape
from checker.grading.mistakes import Mutant, mutants, repairs, sigmoid_specific_message
from checker.grading.readers import Vocabulary, vocabulary_from_spellings
from checker.proof.evaluate import EvaluationError, NumEnv, evaluate
from derivations.expr import (
    SCALAR,
    Entry,
    Expr,
    Fn,
    IndexSum,
    KDelta,
    Ones,
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

VERDICTS = ("correct", "incorrect", "invalid")
FORMATS = ("auto", "latex", "text", "numpy")
TIME_LIMIT = 2.0
"""Seconds of wall-clock time one answer may take, whatever it is."""
MAX_LENGTH = 2000
MAX_DEPTH = 100
GENERIC_ACTIVATIONS = ("sigmoid", "tanh", "softplus")
RTOL, ATOL = 1e-6, 1e-9
DISTINCT_DRAWS, SCALAR_DRAWS, SQUARE_SIZES = 3, 10, (3, 4)


@dataclass
class GradeResult:
    """The verdict on one answer; ``to_json`` is the object of ``gradproof grade --json``."""

    question: str
    verdict: str
    score: float
    mistake: str | None
    feedback: str
    interpreted: str = ""

    def to_json(self) -> dict:
        """The public JSON object (keys fixed by QUESTIONS.md section 4)."""
        return {
            "question": self.question,
            "verdict": self.verdict,
            "score": self.score,
            "mistake": self.mistake,
            "feedback": self.feedback,
            "interpreted": self.interpreted,
        }


def invalid(question: str, feedback: str, interpreted: str = "") -> GradeResult:
    """An answer that could not be read or judged: it scores nothing and counts as no attempt."""
    return GradeResult(question, "invalid", 0.0, None, feedback, interpreted)


# ----------------------------------------------------------------------------- time limits


class AnswerTimeout(BaseException):  # noqa: N818 - a BaseException so that no library swallows it
    """Raised by the timer signal when a block runs out of time."""


@contextmanager
def time_limit(seconds: float, exc: type[BaseException] = AnswerTimeout) -> Iterator[None]:
    """Raise ``exc`` inside the block after ``seconds`` of wall-clock time.

    Uses ``signal.setitimer`` and so works in the main thread only (elsewhere the block runs
    without a limit; the batch grader runs every answer in a worker process's main thread).
    Nests: an outer limit is restored, with the time it has left, when the block ends.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise exc(f"time limit of {seconds:g} s reached")

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer_left, outer_interval = signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3))
    if outer_left and outer_left < seconds:
        signal.setitimer(signal.ITIMER_REAL, outer_left)  # the outer limit comes first
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left:
            left = max(outer_left - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


class _SympyTimeout(BaseException):  # noqa: N818
    """The exact confirmation ran out of its share of the time."""


# ------------------------------------------------------------------------------ instantiation


@dataclass
class Draw:
    """One instantiation: concrete sizes, and an environment per reading of σ."""

    sizes: dict[str, int]
    envs: dict[str, NumEnv]


Values = list[dict[str, np.ndarray]]
"""Values of one expression: per draw, per activation."""


@dataclass
class PreparedMutant:
    """A mutant with its symbolic shape (None: its products do not fit) and its values."""

    mutant: Mutant
    shape: Shape | None
    values: Values | None
    square: Values | None


@dataclass
class Prepared:
    """Everything about a question that does not depend on the answer, computed once."""

    question: Question
    reference: Expr
    ref_shape: Shape
    activations: tuple[str, ...]
    draws: list[Draw]
    square: list[Draw]
    ref_values: Values
    mutants: list[PreparedMutant] = field(default_factory=list)

    @property
    def mutant_shapes(self) -> set[Shape]:
        """The shapes of the mutants that fit, to skip repairs no mutant could match."""
        return {pm.shape for pm in self.mutants if pm.shape is not None}


def seed_of(question_id: str) -> int:
    """A fixed seed per question, so the same answer always gets the same verdict."""
    return int.from_bytes(hashlib.sha256(question_id.encode()).digest()[:8], "big")


def _dims(symbols: set[Sym], extra: Iterator[Expr]) -> list[str]:
    found = {d for s in symbols for d in (s.rows, s.cols) if isinstance(d, str)}
    for e in extra:
        stack = [e]
        while stack:
            node = stack.pop()
            if isinstance(node, Ones) and isinstance(node.n, str):
                found.add(node.n)
            stack.extend(children(node))
    return sorted(found)


def _sample(q: Question, symbols: list[Sym], sizes: Mapping[str, int], rng: np.random.Generator,
            k: int) -> dict[str, np.ndarray]:
    """Random values: away from kinks (|v| ≥ 0.2), positive/simplex/one-hot where declared."""
    defined = {s for s, _ in q.definitions}
    values: dict[str, np.ndarray] = {}
    for s in symbols:
        if s in defined:
            continue
        r = s.rows if isinstance(s.rows, int) else sizes[s.rows]
        c = s.cols if isinstance(s.cols, int) else sizes[s.cols]
        if (r, c) == (1, 1) and s.key in sizes:  # a count such as m is the size it counts
            v = np.array([[float(sizes[s.key])]])
        elif s.key in q.positive:
            v = rng.uniform(0.2, 1.5, (r, c))
        elif s.key in q.simplex:
            x = rng.uniform(0.1, 1.0, (r, c))
            v = x / x.sum(axis=0, keepdims=True)
        elif s.key in q.one_hot:
            v = np.zeros((r, c))
            v[np.arange(r), rng.integers(0, c, r)] = 1.0
        else:
            sign = rng.choice([-1.0, 1.0], (r, c))
            if (r, c) == (1, 1):  # scalars alternate in sign, so both sides of a kink are tried
                sign = np.array([[1.0 if k % 2 == 0 else -1.0]])
            v = sign * rng.uniform(0.2, 2.0, (r, c))
        values[s.key] = v
    return values


def _draw(q: Question, symbols: list[Sym], sizes: dict[str, int], rng: np.random.Generator, k: int,
          activations: tuple[str, ...]) -> Draw:
    free = _sample(q, symbols, sizes, rng, k)
    envs: dict[str, NumEnv] = {}
    for act in activations:
        generic = {"sigma": act, "f": act}
        env = NumEnv(dict(free), dict(q.definitions), generic, sizes)
        values = dict(free)
        for s, definition in q.definitions:
            values[s.key] = evaluate(definition, env)
            env = NumEnv(dict(values), dict(q.definitions), generic, sizes)
        envs[act] = env
    return Draw(sizes, envs)


def _uses_generic(e: Expr, definitions: Mapping[Sym, Expr]) -> bool:
    stack, seen = [e], set()
    while stack:
        node = stack.pop()
        if isinstance(node, Fn) and node.name in ("sigma", "f"):
            return True
        if isinstance(node, Sym) and node in definitions and node not in seen:
            seen.add(node)
            stack.append(definitions[node])
        stack.extend(children(node))
    return False


def _index_letters(e: Expr) -> set[str]:
    out, stack = set(), [e]
    while stack:
        node = stack.pop()
        match node:
            case Entry(_, row, col):
                out |= {row} | ({col} if col else set())
            case KDelta(i, j):
                out |= {i, j}
            case IndexSum(index, _):
                out.add(index)
        stack.extend(children(node))
    return out


def values_of(e: Expr, draws: list[Draw], activations: tuple[str, ...],
              definitions: Mapping[Sym, Expr], letters: Mapping[str, str | int] | None = None) -> Values:
    """``e`` evaluated at every draw under every reading of σ.

    ``letters`` maps index letters to dimensions (from the symbolic shape check); without it
    (an answer whose shapes do not fit, evaluated at equal sizes) every letter takes the size
    shared by all dimensions.
    """
    indexed = has_indices(e)
    readings = activations if _uses_generic(e, definitions) else activations[:1]
    out: Values = []
    with np.errstate(all="ignore"):  # an answer may overflow; the comparison sees inf or nan
        for draw in draws:
            out.append(_values_at(e, draw, readings, activations, indexed, letters))
    return out


def _values_at(e: Expr, draw: Draw, readings: tuple[str, ...], activations: tuple[str, ...],
               indexed: bool, letters: Mapping[str, str | int] | None) -> dict[str, np.ndarray]:
    row: dict[str, np.ndarray] = {}
    for act in readings:
        env = draw.envs[act]
        if indexed:
            if letters is not None:
                sizes = concrete_index_sizes(letters, draw.sizes)
            else:
                shared = next(iter(draw.sizes.values()), 1)
                sizes = dict.fromkeys(_index_letters(e), shared)
            row[act] = evaluate_indexed(e, env, sizes)
        else:
            row[act] = evaluate(e, env)
    for act in activations[len(readings):]:
        row[act] = row[readings[0]]
    return row


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape or not np.all(np.isfinite(a)) or not np.all(np.isfinite(b)):
        return False
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    return bool(np.all(np.abs(a - b) <= RTOL * np.abs(b) + ATOL * scale))


def agreement(a: Values, b: Values) -> dict[str, bool]:
    """Per reading of σ: whether ``a`` and ``b`` agree at every draw."""
    return {act: all(_close(ra[act], rb[act]) for ra, rb in zip(a, b, strict=True)) for act in a[0]}


def _same(a: Values | None, b: Values | None) -> bool:
    if a is None or b is None:
        return a is b
    return all(agreement(a, b).values())


def _first_difference(a: Values, b: Values, act: str, draws: list[Draw],
                      scalars: list[Sym] | None = None) -> str:
    """Where ``a`` and ``b`` first differ: an entry at named sizes, or for a scalar question the
    value of its symbols (``at z = -0.53``), which a student can check by hand."""
    for ra, rb, draw in zip(a, b, draws, strict=True):
        x, y = ra[act], rb[act]
        if x.shape == y.shape == SCALAR and scalars:
            if not _close(x, y):
                values = draw.envs[act].values
                at = ", ".join(f"${s.tex or s.key} = {float(values[s.key][0, 0]):.4g}$"
                               for s in scalars if s.key in values)
                return f"at {at} it is {x[0, 0]:.4g} where {y[0, 0]:.4g} is expected"
            continue
        if x.shape == y.shape:
            with np.errstate(all="ignore"):
                bad = np.argwhere(~(np.abs(x - y) <= RTOL * np.abs(y) + ATOL * max(1.0, np.max(np.abs(y)))))
            if len(bad):
                i, j = (int(v) for v in bad[0])
                where = ", ".join(f"{k}={v}" for k, v in sorted(draw.sizes.items()))
                at = f" at sizes {where}" if where else ""
                return f"entry ({i + 1}, {j + 1}){at} is {x[i, j]:.4g} where {y[i, j]:.4g} is expected"
    return "it differs at some of the values tried"


@cache
def prepare(question_id: str) -> Prepared:
    """Draws, reference values and mutant values of a question (done once per process)."""
    q = get_question(question_id)
    ref = q.reference
    definitions = dict(q.definitions)
    muts = mutants(q, ref)
    exprs = [ref, *(m.expr for m in muts), *(d for _, d in q.definitions)]
    symbols: set[Sym] = set(q.all_symbols)
    for e in exprs:
        symbols |= {s for s in symbols_of(e) if not s.depends}
    ordered = sorted(symbols, key=lambda s: s.key)
    dims = _dims(symbols, iter(exprs))
    activations = GENERIC_ACTIVATIONS if q.sigma == "generic" else ("sigmoid",)
    rng = np.random.default_rng(seed_of(q.id))
    pool = list(range(2, 2 + max(len(dims), 1) + 3))
    count = SCALAR_DRAWS if not dims else DISTINCT_DRAWS
    draws = []
    for k in range(count):
        sizes = dict(zip(dims, (int(v) for v in rng.choice(pool, len(dims), replace=False)), strict=True))
        draws.append(_draw(q, ordered, sizes, rng, k, activations))
    square = [_draw(q, ordered, dict.fromkeys(dims, n), rng, k, activations)
              for k, n in enumerate(SQUARE_SIZES)]
    ref_values = values_of(ref, draws, activations, definitions)
    ref_square = values_of(ref, square, activations, definitions)
    prep = Prepared(q, ref, shape_of(ref), activations, draws, square, ref_values)
    if prep.ref_shape == SCALAR and q.scalar:
        _exact(q, ref, ref)  # loads sympy's machinery now, not inside an answer's time limit
    for m in muts:
        try:
            shape: Shape | None = shape_of(m.expr)
        except ShapeError:
            shape = None
        try:
            vals = values_of(m.expr, draws, activations, definitions) if shape is not None else None
            sq = values_of(m.expr, square, activations, definitions)
        except (EvaluationError, ValueError, IndexError):
            continue
        if shape == prep.ref_shape and vals is not None and all(agreement(vals, ref_values).values()):
            continue  # equal to the reference: not a mistake
        if shape is None and all(agreement(sq, ref_square).values()):
            continue
        if any(pm.shape == shape and _same(pm.values, vals) and _same(pm.square, sq) for pm in prep.mutants):
            continue  # the same values as an earlier (more specific) mutant
        prep.mutants.append(PreparedMutant(m, shape, vals, sq))
    return prep


def vocabulary_for(question: Question) -> Vocabulary:
    """The parser's vocabulary for a question: its spellings, code names and named quantities."""
    return vocabulary_from_spellings(
        question.symbols + question.extra,
        code_names=dict(question.code_names),
        named=question.named,
        row_convention=question.convention == "row",
        listed=[s for s, _ in question.symbols],
        **({} if question.index_notation else {"index_letters": ()}),
    )


@cache
def vocabulary_of(question_id: str) -> Vocabulary:
    """The parser's vocabulary of a question, built once."""
    return vocabulary_for(get_question(question_id))


# ------------------------------------------------------------------------------------ judging


def _answer_shape(e: Expr) -> tuple[Shape, dict | None]:
    if has_indices(e):
        shape, letters = index_shape(e)
        return shape, letters
    return shape_of(e), None


def judge_expr(question_id: str, e: Expr) -> tuple[str, str | None, str]:
    """(verdict, mistake, feedback) for an answer already read into a tree."""
    prep = prepare(question_id)
    q = prep.question
    definitions = dict(q.definitions)
    if depth(e) > MAX_DEPTH:
        return "invalid", None, f"the answer is nested more than {MAX_DEPTH} levels deep"
    asked = _asked_derivative(q, e)
    if asked is not None:
        return "incorrect", None, (
            f"Your answer uses {tex(asked)}, the derivative the question asks for: write it "
            f"through $z$ and the function itself."
        )
    try:
        shape, letters = _answer_shape(e)
    except ShapeError as err:
        return _diagnose_misfit(prep, e, err)
    try:
        vals = values_of(e, prep.draws, prep.activations, definitions, letters)
    except (EvaluationError, ValueError, IndexError, KeyError) as err:
        return "invalid", None, f"the answer reads, but it cannot be evaluated: {err}"
    if shape == prep.ref_shape:
        agree = agreement(vals, prep.ref_values)
        if all(agree.values()):
            return _confirm(prep, e)
    else:
        agree = {}
    for pm in prep.mutants:
        if pm.shape == shape and pm.values is not None and all(agreement(vals, pm.values).values()):
            return "incorrect", pm.mutant.tag, _sentence(pm.mutant.message)
    if shape != prep.ref_shape:
        return "incorrect", None, (
            f"Your answer is {shape_tex(shape)}, but the result must be {shape_tex(prep.ref_shape)}."
        )
    right = [a for a, ok in agree.items() if ok]
    wrong = [a for a, ok in agree.items() if not ok]
    if right == ["sigmoid"] and q.sigma == "generic":
        return "incorrect", "sigmoid-specific", _sentence(sigmoid_specific_message())
    if right:
        return "incorrect", None, (
            f"Your answer holds when $\\sigma$ is {', '.join(right)} but not when $\\sigma$ is "
            f"{', '.join(wrong)}: here $\\sigma$ is a generic activation."
        )
    if q.scalar and shape == SCALAR:
        scalars = [s for s, _ in q.symbols]
        where = _first_difference(vals, prep.ref_values, wrong[0], prep.draws, scalars)
        return "incorrect", None, f"Your answer has a different value: {where}."
    where = _first_difference(vals, prep.ref_values, wrong[0], prep.draws)
    return "incorrect", None, (
        f"Your answer has the right shape ({shape_tex(shape)}) but a different value: {where}."
    )


def _asked_derivative(q: Question, e: Expr) -> Fn | None:
    r"""In a question that asks for an activation's derivative, a derivative in the answer
    (``\sigma'(z)``, ``\tanh'(z)``, ``\operatorname{ReLU}'(z)``) restates the question: the
    first one found, or None."""
    if q.activation is None:
        return None
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, Fn) and node.d >= 1 and (node.name not in ("sigma", "f") or q.sigma == "sigmoid"):
            return node  # a generic σ' is another function, judged by its values
        stack.extend(children(node))
    return None


def _capital(text: str) -> str:
    """Capitalise a sentence that starts with an English word, never one that starts with math
    (``$…$``) or a symbol (``σ'``, ``z is``): only a lowercase ASCII word of two or more letters,
    or the article "a", is capitalised."""
    word = text.split(" ", 1)[0]
    if word.isascii() and word.isalpha() and word.islower() and (len(word) > 1 or word == "a"):
        return text[:1].upper() + text[1:]
    return text


def _diagnose_misfit(prep: Prepared, e: Expr, err: ShapeError) -> tuple[str, str | None, str]:
    """An answer whose shapes do not fit: which mistake, at sizes where everything fits?

    First single repairs of the answer (a transpose added, factors swapped, ⊙ for a product):
    one that gives the right answer names the mistake; one that gives a known wrong answer names
    that answer's mistake as well. Then the answer itself at square sizes, where it fits.
    The repair's message replaces the shape error's own "did you mean" hint, never repeats it.
    """
    definitions = dict(prep.question.definitions)
    why = _sentence(err.reason)
    near: tuple[str, str] | None = None
    for tag, repaired, message in repairs(e):
        try:
            shape, letters = _answer_shape(repaired)
            if shape != prep.ref_shape and (near is not None or shape not in prep.mutant_shapes):
                continue
            vals = values_of(repaired, prep.draws, prep.activations, definitions, letters)
        except (ShapeError, EvaluationError, ValueError, IndexError, KeyError):
            continue
        if shape == prep.ref_shape and all(agreement(vals, prep.ref_values).values()):
            return "incorrect", tag, f"{why} {_sentence(message)}"
        if near is None:
            for pm in prep.mutants:
                if pm.shape == shape and pm.values is not None and all(agreement(vals, pm.values).values()):
                    near = pm.mutant.tag, (
                        f"{why} {_sentence(message)} Even then, {_uncapital(pm.mutant.message)}"
                    )
                    break
    if near is not None:
        return "incorrect", near[0], _sentence(near[1])
    try:
        square = values_of(e, prep.square, prep.activations, definitions)
    except (EvaluationError, ValueError, IndexError, KeyError):
        square = None
    if square is not None:
        ranked = sorted(prep.mutants, key=lambda pm: pm.shape is not None)  # misfits first
        for pm in ranked:
            if pm.square is not None and all(agreement(square, pm.square).values()):
                return "incorrect", pm.mutant.tag, f"{why} {_sentence(pm.mutant.message)}"
    hint = f" {_sentence(err.hint)}" if err.hint else ""
    return "incorrect", None, f"The shapes do not fit: {err.reason.rstrip('.')}.{hint}"


def _uncapital(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2].isalpha() and text[1:2].islower() else text


def _sentence(text: str) -> str:
    text = _capital(text.strip())
    return text if text.endswith((".", "?", "!")) else text + "."


def _confirm(prep: Prepared, e: Expr) -> tuple[str, str | None, str]:
    """Numerically equal: for a scalar question, confirm exactly with sympy."""
    q = prep.question
    if prep.ref_shape != SCALAR or not q.scalar:
        return "correct", None, "Correct: equal to the verified result at every value tried."
    try:
        with time_limit(1.0, _SympyTimeout):
            same, why = _exact(q, e, prep.reference)
    except _SympyTimeout:
        return "correct", None, "Correct: equal to the verified result at every value tried."
    except Exception:  # noqa: BLE001 - a form sympy cannot handle keeps its numeric verdict
        return "correct", None, "Correct: equal to the verified result at every value tried."
    if same:
        return "correct", None, (
            "Correct: equal to the verified result, exactly (sympy) and at every value tried."
        )
    return "incorrect", None, f"Your answer agrees at the values tried but not everywhere: {why}."


def _exact(q: Question, a: Expr, b: Expr) -> tuple[bool, str]:
    """sympy's exact verdict on ``a == b`` for a scalar question."""
    from checker.proof.symbolic import SympyEnv, equal

    generic = {"sigma": "sigmoid", "f": "sigmoid"} if q.sigma == "sigmoid" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return equal(a, b, SympyEnv({}, dict(q.definitions), generic))


@cache
def warm(question_id: str) -> None:
    """Prepare a question and read one accepted answer, so that one-time set-up (draws, mutants,
    sympy, the reader's grammar) is never charged to a student's time limit."""
    prepare(question_id)
    q = get_question(question_id)
    with contextlib.suppress(Exception):
        from checker.grading.readers import parse_answer

        parse_answer(q.accepted[0], "auto", vocabulary_of(question_id))


def grade_expr(question_id: str, e: Expr, interpreted: str | None = None) -> GradeResult:
    """Grade an answer that is already a tree (the reader's output, or a test's)."""
    shown = to_latex(e) if interpreted is None else interpreted
    verdict, mistake, feedback = judge_expr(question_id, e)
    return GradeResult(question_id, verdict, 1.0 if verdict == "correct" else 0.0, mistake, feedback, shown)


def grade(question_id: str, answer: str, fmt: str = "auto", strict_notation: bool = False) -> GradeResult:
    """Grade one answer to one question (``strict_notation``: see the readers' ``ReadOptions``).

    The reader's notes on what it guessed (a dropped layer index, a product read as ⊙) follow
    the feedback.

    Raises ``KeyError`` (listing the ids) for an unknown question; any answer at all gets a
    verdict, within ``TIME_LIMIT`` seconds.
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
        from checker.grading.readers import AnswerError, parse_answer

        warm(q.id)
    except Exception as exc:  # noqa: BLE001 - no reader or no reference: nothing can be judged
        return invalid(q.id, f"the grader is not available for this question ({type(exc).__name__}: {exc})")
    interpreted = ""
    try:
        with time_limit(TIME_LIMIT):
            try:
                parsed = parse_answer(answer, fmt, vocab, strict_notation)
            except AnswerError as err:
                return invalid(q.id, getattr(err, "message", str(err)))
            interpreted = parsed.interpreted
            result = grade_expr(q.id, parsed.expr, interpreted)
            if parsed.notes:
                result.feedback = " ".join((result.feedback, *parsed.notes))
            return result
    except AnswerTimeout:
        return invalid(q.id, f"judging this answer took longer than {TIME_LIMIT:g} s", interpreted)
    except RecursionError:
        return invalid(q.id, "the answer is nested too deeply to read", interpreted)
    except MemoryError:
        return invalid(q.id, "the answer needs too much memory to judge", interpreted)
    except Exception as exc:  # noqa: BLE001 - never lose an answer: report what went wrong
        reason = f"{type(exc).__name__}: {exc}"
        return invalid(q.id, f"the grader could not judge this answer ({reason})", interpreted)
