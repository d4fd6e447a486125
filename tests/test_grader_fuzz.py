"""Hostile and random input: ``grade`` always answers, with one of the three verdicts and a
message, within its CPU-time budget, and never raises."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.grading.judge import CPU_LIMIT, FORMATS, VERDICTS, grade
from derivations.questions import QUESTIONS

QUESTION_IDS = sorted(QUESTIONS)
SLACK = 0.5  # CPU seconds beyond the budget for setting up and tearing down the timer

ATOMS = [
    "z", "p", "y", "W", "G", r"\eta", r"\lambda", r"\alpha", "m", "x", "X", "P", "Y", "A_1", "W_2",
    r"\delta_3", r"\delta_2", "W^{(l+1)}", r"\delta^{(l+1)}", "z^{(l)}", "a^{(l)}", r"\delta^{(l)}",
    "a^{(l-1)}", r"\Delta^{(l)}", "A^{(l-1)}", "z^{(L)}", "a^{(L)}", r"\hat{y}", r"\mathbf{1}", "1", "2",
    "0.1", "q", r"\frac{\partial J}{\partial W}", "W^{(1)}", "W^{(2)}", "z^{(1)}", "z^{(2)}",
]
UNARY = [
    r"\sigma({})", r"\sigma'({})", r"\tanh({})", r"\exp({})", r"\log({})", r"\operatorname{{diag}}({})",
    r"\operatorname{{sign}}({})", r"\mathbb{{1}}[{} > 0]", r"\left({}\right)", "({})^T", "{{{}}}^{{\\top}}",
    "({})^2", "-{}", r"\sum_j {}", "{}_i", "{}_{{ij}}", r"\max(0, {})", "e^{{{}}}", r"\sqrt{{{}}}",
]
BINARY = ["{} + {}", "{} - {}", "{} {}", r"{} \odot {}", r"{} \cdot {}", r"\frac{{{}}}{{{}}}", "{} * {}",
          r"{} \times {}", r"\begin{{cases}} {} & z > 0 \\ {} & z < 0 \end{{cases}}", "{}^{{{}}}"]

latex = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0].format(t[1])),
        st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: t[0].format(t[1], t[2])),
    ),
    max_leaves=25,
)
junk = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(list("\\{}()[]^_'&$%#~ +-*/=<>.,;:abczWy0123456789")), max_size=400),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(qid: str, answer: str, fmt: str = "auto") -> None:
    start = time.process_time()
    result = grade(qid, answer, fmt)
    elapsed = time.process_time() - start
    assert result.verdict in VERDICTS
    assert result.feedback.strip()
    assert result.question == qid
    assert result.judged
    assert elapsed < CPU_LIMIT + SLACK, f"{answer!r} took {elapsed:.2f} s of CPU time"


@FUZZ
@given(qid=st.sampled_from(QUESTION_IDS), answer=latex)
def test_grammar_built_latex(qid, answer):
    check(qid, answer, "latex")


@FUZZ
@given(qid=st.sampled_from(QUESTION_IDS), answer=junk, fmt=st.sampled_from(FORMATS))
def test_random_text(qid, answer, fmt):
    check(qid, answer, fmt)


def test_known_hostile_inputs():
    for answer in [
        "10^{10^{10}}", "(" * 5000, "{" * 101 + "z" + "}" * 101, r"\def\a{\a}\a", r"\input{/etc/passwd}",
        "z" * 2001, "\x00\x01\x02", "e^{e^{e^{e^{e^{z}}}}}", "z^{z^{z^{z^{z^{z^{z}}}}}}",
        r"\sum_i \sum_j \sum_k \sum_l \sigma_i", "9" * 1999, "__import__('os')", "1/0", "0^{-1}",
        r"\mathbb{1}[z>0.1]\cdot(((3^{64})^{64})^{64})^{0}",
        r"((((((9^{64})^{64})^{64})^{64})^{64})^{64})^{0}",
        "-z", r"-\sigma'(z)",
    ]:
        for qid in ("sigmoid-derivative", "hidden-delta", "row-grad-b2"):
            check(qid, answer)
