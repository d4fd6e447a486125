"""The whole catalogue verified three ways, each check able to fail, and ``gradproof verify``.

``test_derivation[ID]`` runs all three checks for one derivation (every step exactly, start =
result by sympy's own differentiation, the result against central differences of the reference
MLP); the selected ids are verified once per session on two processes. The other tests build
mutated copies of derivations (``dataclasses.replace``) and show that each check rejects them.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator

import pytest

from checker.commands.main import main
from checker.proof.numeric import check_probe
from checker.proof.sizes import sizes_for
from checker.proof.verify import VerifyResult, verify, verify_all, verify_symbolic
from derivations import all_derivations
from derivations.base import Chain, Derivation, Step
from derivations.expr import Diag, Expr, Fn, Hadamard, Mul, Num, Ones, Sym, T

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

IDS = list(all_derivations())
PART2 = [
    "weight-gradient", "bias-gradient", "batch-weight-gradient", "batch-bias-gradient", "row-backprop",
    "l2-update", "l1-update", "l2-weight-decay", "input-gradient",
]
JSON_KEYS = {"id", "title", "steps", "steps_verified", "symbolic", "numeric_max_rel_error", "status"}


# ------------------------------------------------------------------------------- helpers


def sym(d: Derivation, key: str) -> Sym:
    """The symbol of ``d`` called ``key`` (listed, or used in a definition)."""
    for s in d.symbols:
        if s.key == key:
            return s
    for s, _ in d.definitions:
        if s.key == key:
            return s
    raise KeyError(key)


def with_result(d: Derivation, result: Expr, chain: str | None = None) -> Derivation:
    """``d`` with the last step of one chain (the first, or the one named) replaced by ``result``."""
    chains = list(d.chains)
    k = next((i for i, c in enumerate(chains) if c.name == chain), 0) if chain else 0
    c = chains[k]
    chains[k] = Chain(c.start, c.steps[:-1] + (Step(result, "mutated"),), c.name)
    return dataclasses.replace(d, chains=tuple(chains))


def with_step(d: Derivation, index: int, expr: Expr) -> Derivation:
    """``d`` with step ``index`` of its first chain replaced by ``expr``."""
    c = d.chains[0]
    steps = list(c.steps)
    steps[index] = Step(expr, steps[index].reason)
    return dataclasses.replace(d, chains=(Chain(c.start, tuple(steps), c.name), *d.chains[1:]))


def symbolic(d: Derivation) -> tuple[list[bool], bool]:
    """Check 1 (each step) and check 2 (start = result) of ``d``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checks, result_ok, _ = verify_symbolic(d)
    return [c.ok for c in checks], result_ok


def _row_tanh_prime_of_z(d: Derivation) -> Expr:
    delta3, W2, Z1 = sym(d, "delta3"), sym(d, "W2"), sym(d, "Z1")
    return Hadamard(Mul(delta3, T(W2)), Num(1) - Hadamard(Z1, Z1))


def _step_with_penalty_gradient(d: Derivation, penalty_gradient: Expr) -> Expr:
    W, eta, G, lam = sym(d, "W_l"), sym(d, "eta"), sym(d, "G"), sym(d, "lambda")
    return W - Mul(eta, G + Mul(lam, penalty_gradient))


def _input_gradient_sigma_not_prime(d: Derivation) -> Expr:
    z1, z2 = sym(d, "z_1"), sym(d, "z_2")
    return Diag(Fn("sigma", z2, 1)) @ sym(d, "W_2") @ Diag(Fn("sigma", z1)) @ sym(d, "W_1")


# A named mistake of each part-2 derivation (from its ``mistakes``) as its wrong result, with the
# chain it belongs to (None: the main chain).
MISTAKES: dict[str, tuple[str | None, Callable[[Derivation], Expr]]] = {
    "weight-gradient": (None, lambda d: Mul(sym(d, "a_prev"), T(sym(d, "delta_l")))),  # transposed
    "bias-gradient": (None, lambda d: Mul(T(Ones("n_l")), sym(d, "delta_l"))),  # summed over units
    "batch-weight-gradient": (None, lambda d: Mul(sym(d, "Delta_l"), T(sym(d, "A_prev")))),  # no 1/m
    "batch-bias-gradient": (None, lambda d: Mul(sym(d, "Delta_l"), Ones("m"))),  # no 1/m
    "row-backprop": ("delta2", _row_tanh_prime_of_z),  # tanh' written with Z_1 in place of A_1
    "l2-update": (None, lambda d: _step_with_penalty_gradient(d, Fn("sign", sym(d, "W_l")))),  # L1 rule
    "l1-update": (None, lambda d: _step_with_penalty_gradient(d, sym(d, "W_l"))),  # L2 rule
    "l2-weight-decay": (  # 1 − λ in place of 1 − ηλ
        None,
        lambda d: Mul(Num(1) - sym(d, "lambda"), sym(d, "W_l")) - Mul(sym(d, "eta"), sym(d, "G")),
    ),
    "input-gradient": (None, _input_gradient_sigma_not_prime),  # σ for σ' in the hidden factor
}


# ------------------------------------------------------------------- the whole catalogue


@pytest.fixture(scope="session")
def verified(request: pytest.FixtureRequest) -> dict[str, VerifyResult]:
    """The selected derivations of this session, verified once on two processes."""
    wanted = [
        item.callspec.params["derivation_id"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_derivation" and hasattr(item, "callspec")
    ]
    results = verify_all(list(dict.fromkeys(wanted)) or IDS, workers=2)
    return {r.id: r for r in results}


@pytest.mark.parametrize("derivation_id", IDS)
def test_derivation(derivation_id: str, verified: dict[str, VerifyResult]) -> None:
    r = verified[derivation_id]
    failed = [(c.chain, c.index, c.reason, c.detail) for c in r.step_checks if not c.ok]
    assert not failed, failed
    assert r.result_check, "start = result does not hold by sympy's own differentiation"
    assert r.numeric and all(n.ok for n in r.numeric), [n for n in r.numeric if not n.ok]
    assert r.status == "verified" and r.steps_verified == r.steps, r.error


@pytest.mark.parametrize("derivation_id", IDS)
def test_derivation_reads_like_a_solution_sheet(derivation_id: str) -> None:
    d = all_derivations()[derivation_id]
    assert d.title and "$" in d.context and d.probe is not None
    assert all(2 <= len(c.steps) <= 6 for c in d.chains)
    assert all(s.reason.strip() for c in d.chains for s in c.steps)
    assert 2 <= len(d.mistakes) <= 5
    assert len(d.chains) == 1 or all(c.name for c in d.chains), "several chains need names"


def test_part2_ids_are_in_the_catalogue() -> None:
    assert set(PART2) <= set(IDS), sorted(set(PART2) - set(IDS))


@pytest.mark.parametrize("derivation_id", PART2)
def test_sizes_keep_every_dimension_apart(derivation_id: str) -> None:
    """Two or more size combinations, each with distinct sizes: a missing transpose cannot hide."""
    combos = sizes_for(all_derivations()[derivation_id])
    assert len(combos) >= 2
    for combo in combos:
        assert len(set(combo.values())) == len(combo), combo
        assert min(combo.values()) >= 2, combo


def test_row_backprop_has_one_chain_per_gradient() -> None:
    d = all_derivations()["row-backprop"]
    assert [c.name for c in d.chains] == ["delta3", "delta2", "dW2", "db2", "dW1", "db1"]
    assert d.convention == "row"


# ----------------------------------------------------------------- every check can fail


def test_check1_rejects_a_wrong_step() -> None:
    """σ(z) for σ'(z) in the Jacobian step of hidden-delta: that step and the next are flagged."""
    d = all_derivations()["hidden-delta"]
    z_l, W_next, delta_next = sym(d, "z_l"), sym(d, "W_next"), sym(d, "delta_next")
    wrong = Mul(T(Mul(W_next, Diag(Fn("sigma", z_l)))), delta_next)
    steps_ok, result_ok = symbolic(with_step(d, 2, wrong))
    assert steps_ok == [True, True, False, False, True]
    assert result_ok  # the result itself is untouched: only the step check sees this mistake
    assert verify(with_step(d, 2, wrong), numeric=False).status == "failed"


def test_check2_rejects_a_wrong_result() -> None:
    """The batch weight gradient without 1/m: start = result fails by sympy's own derivative."""
    d = all_derivations()["batch-weight-gradient"]
    _, mutate = MISTAKES["batch-weight-gradient"]
    steps_ok, result_ok = symbolic(with_result(d, mutate(d)))
    assert not result_ok
    assert steps_ok[:-1] == [True] * (len(steps_ok) - 1) and steps_ok[-1] is False


def test_check3_rejects_a_wrong_formula_that_sympy_never_sees() -> None:
    """The numeric check evaluates the result on the MLP's own values: 2 δ aᵀ is caught there."""
    d = all_derivations()["weight-gradient"]
    wrong = with_result(d, Mul(Num(2), d.result))
    checks = check_probe(wrong)
    assert checks and not any(c.ok for c in checks)
    assert all(c.max_rel_error > 0.1 for c in checks)  # |2g − g| / (|2g| + |g|) = 1/3
    assert all(c.ok for c in check_probe(d))


@pytest.mark.parametrize("derivation_id", PART2)
def test_named_mistake_is_rejected_numerically(derivation_id: str) -> None:
    d = all_derivations()[derivation_id]
    chain, mutate = MISTAKES[derivation_id]
    try:
        checks = check_probe(with_result(d, mutate(d), chain))
    except Exception:  # a result that cannot even be evaluated (shapes) is rejected too
        return
    assert checks and not all(c.ok for c in checks), [(c.network, c.max_rel_error) for c in checks]


@pytest.mark.parametrize("derivation_id", [i for i in PART2 if i != "row-backprop"])
def test_named_mistake_is_rejected_exactly(derivation_id: str) -> None:
    d = all_derivations()[derivation_id]
    chain, mutate = MISTAKES[derivation_id]
    steps_ok, result_ok = symbolic(with_result(d, mutate(d), chain))
    assert not result_ok and not steps_ok[-1]


def test_row_backprop_mistake_is_rejected_exactly() -> None:
    """The row network expanded in full: a wrong δ_2 is still rejected in seconds."""
    from checker.proof.symbolic import SympyEnv, equal

    d = all_derivations()["row-backprop"]
    _, mutate = MISTAKES["row-backprop"]
    start = next(c.start for c in d.chains if c.name == "delta2")
    combo = sizes_for(d)[0]
    ok, detail = equal(start, mutate(d), SympyEnv(combo, dict(d.definitions)), [sym(d, "Y")])
    assert not ok and "differs" in detail


# ----------------------------------------------------------------------------- discovery

NEW_MODULE = """
import dataclasses
from derivations.catalogue.bias_gradient import DERIVATION as BASE
from derivations.base import Chain, Step
from derivations.expr import Mul, Num

DERIVATION = dataclasses.replace(BASE, id={id!r}, title="A derivation dropped into the catalogue")
if {broken!r}:
    chain = DERIVATION.chains[0]
    wrong = Step(Mul(Num(3), chain.steps[-1].expr), "a wrong last step")
    DERIVATION = dataclasses.replace(
        DERIVATION, chains=(Chain(chain.start, chain.steps[:-1] + (wrong,)),)
    )
"""


@pytest.fixture
def dropped_in(tmp_path, monkeypatch) -> Iterator[Callable[[str, bool], str]]:  # noqa: ANN001
    """Drop a module into the catalogue package for one test (a temporary directory on its path)."""
    import derivations.catalogue as catalogue

    monkeypatch.setattr(catalogue, "__path__", [*catalogue.__path__, str(tmp_path)])
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path / "cache"))
    names: list[str] = []

    def drop(derivation_id: str, broken: bool = False) -> str:
        name = "zz_" + derivation_id.replace("-", "_")
        source = NEW_MODULE.format(id=derivation_id, broken=broken)
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        names.append(name)
        all_derivations.cache_clear()
        return derivation_id

    yield drop
    for name in names:
        sys.modules.pop(f"derivations.catalogue.{name}", None)
    all_derivations.cache_clear()


def test_a_new_module_is_discovered(dropped_in) -> None:  # noqa: ANN001
    new_id = dropped_in("dropped-in-derivation")
    found = all_derivations()
    assert new_id in found and found[new_id].title == "A derivation dropped into the catalogue"
    assert list(found).index(new_id) < list(found).index("l2-update")  # in its topic, "backprop"
    assert verify(found[new_id]).status == "verified"


def test_the_new_module_leaves_nothing_behind() -> None:
    assert not any("dropped" in i for i in all_derivations())


# ----------------------------------------------------------------------------------- CLI


def test_cli_json_keys_and_exit_0(capsys, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path))
    code = main(["verify", "--only", "bias-gradient", "weight-gradient", "--json", "--no-cache"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [o["id"] for o in out] == ["bias-gradient", "weight-gradient"]  # the order asked for
    for o in out:
        assert set(o) >= JSON_KEYS
        assert o["status"] == "verified" and o["symbolic"] is True
        assert o["steps"] == o["steps_verified"] >= 2
        assert 0 <= o["numeric_max_rel_error"] < 1e-6


def test_cli_exit_1_when_a_derivation_fails(dropped_in, capsys) -> None:  # noqa: ANN001
    broken = dropped_in("broken-derivation", broken=True)
    code = main(["verify", "--only", broken, "bias-gradient", "--json", "--jobs", "1"])
    out = {o["id"]: o for o in json.loads(capsys.readouterr().out)}
    assert code == 1
    assert out[broken]["status"] == "failed" and out[broken]["symbolic"] is False
    assert out[broken]["steps_verified"] == out[broken]["steps"] - 1
    assert out["bias-gradient"]["status"] == "verified"


def test_cli_table_names_the_failure(dropped_in, capsys) -> None:  # noqa: ANN001
    broken = dropped_in("broken-derivation", broken=True)
    code = main(["verify", "--only", broken, "--jobs", "1", "--no-cache"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0].split() == ["id", "steps", "symbolic", "numeric", "max", "rel.", "error",
                                           "seconds", "status"]
    assert f"{broken}: failed" in out and "step 3 (a wrong last step)" in out
    assert "1 derivation: 0 verified, 1 failed" in out


def test_cli_unknown_id_exit_2(capsys) -> None:  # noqa: ANN001
    code = main(["verify", "--only", "no-such-derivation"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown derivation id no-such-derivation" in err
    assert "hidden-delta" in err and "row-backprop" in err  # the known ids are listed


def test_cli_rejects_zero_jobs(capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit) as exc:
        main(["verify", "--jobs", "0"])
    assert exc.value.code == 2
    assert "positive whole number" in capsys.readouterr().err
