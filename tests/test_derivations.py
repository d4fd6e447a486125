"""The whole catalogue verified three ways, each check able to fail, and ``gradproof verify``.

``test_derivation[ID]`` runs all three checks for one derivation (every step exactly, start =
result by sympy's own differentiation, the result against central differences of the reference
MLP); the selected ids are verified once per session on two processes. The other tests build
mutated copies of derivations (``dataclasses.replace``) and show that each check rejects them;
``test_derivations_reject_mistakes.py`` does so with a named mistake of every derivation.
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
from derivations.expr import Diag, Expr, Sym, sigma, symbols_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

IDS = list(all_derivations())
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
    assert len(d.matrix_chains) == 1 or all(c.name for c in d.matrix_chains), "several chains need names"
    assert all(c.name for c in d.index_chains), "an index chain needs a name"


# The row network is expanded in full: its two combinations share m and d (about 4 s of sympy each).
SHARED_SIZES = {"row-backprop"}
# Sizes tied by the operation (o = h − k + 1, padding 1): only the free ones are kept apart.
FREE_SIZES = {"conv2d-backward": ("h", "w", "k_h", "k_w")}


@pytest.mark.parametrize("derivation_id", IDS)
def test_sizes_keep_every_dimension_apart(derivation_id: str) -> None:
    """Two or more size combinations, each with distinct sizes: a missing transpose cannot hide."""
    d = all_derivations()[derivation_id]
    dims = {dim for s in d.symbols for dim in s.shape if isinstance(dim, str)}
    combos = sizes_for(d)
    if not dims:  # a scalar derivation: one combination, nothing to keep apart
        assert combos == [{}]
        return
    assert len(combos) >= 2
    if derivation_id in FREE_SIZES:
        dims = set(FREE_SIZES[derivation_id])
        combos = [{k: combo[k] for k in dims} for combo in combos]
    for combo in combos:
        assert len(set(combo.values())) == len(combo), combo
        assert min(combo.values()) >= 2, combo
    if derivation_id not in SHARED_SIZES:
        assert all(len({combo[dim] for combo in combos}) >= 2 for dim in dims), combos


def test_every_symbol_of_a_result_is_declared() -> None:
    for d in all_derivations().values():
        for chain in d.chains:
            assert symbols_of(chain.result) <= set(d.symbols), (d.id, chain.name)


def test_row_backprop_has_one_chain_per_gradient() -> None:
    d = all_derivations()["row-backprop"]
    assert [c.name for c in d.matrix_chains] == ["delta3", "delta2", "dW2", "db2", "dW1", "db1"]
    assert d.convention == "row"


# ----------------------------------------------------------------- every check can fail


def test_check1_rejects_a_wrong_step() -> None:
    """σ(z) for σ'(z) in the Jacobian step of hidden-delta: that step and the next are flagged."""
    d = all_derivations()["hidden-delta"]
    z_l, W_next, delta_next = sym(d, "z_l"), sym(d, "W_next"), sym(d, "delta_next")
    wrong = (W_next @ Diag(sigma(z_l))).T @ delta_next
    steps_ok, result_ok = symbolic(with_step(d, 2, wrong))
    assert steps_ok[:len(d.chains[0].steps)] == [True, True, False, False, True]
    assert result_ok  # the result itself is untouched: only the step check sees this mistake
    assert verify(with_step(d, 2, wrong), numeric=False).status == "failed"


def test_check2_rejects_a_wrong_result() -> None:
    """The batch weight gradient without 1/m: start = result fails by sympy's own derivative."""
    d = all_derivations()["batch-weight-gradient"]
    steps_ok, result_ok = symbolic(with_result(d, sym(d, "Delta_l") @ sym(d, "A_prev").T))
    assert not result_ok
    steps_ok = steps_ok[:len(d.chains[0].steps)]  # the matrix chain's steps
    assert steps_ok[:-1] == [True] * (len(steps_ok) - 1) and steps_ok[-1] is False


def test_check3_rejects_a_wrong_formula_that_sympy_never_sees() -> None:
    """The numeric check evaluates the result on the MLP's own values: 2 δ aᵀ is caught there."""
    d = all_derivations()["weight-gradient"]
    wrong = with_result(d, 2 * d.result)
    checks = check_probe(wrong)
    assert checks and not any(c.ok for c in checks)
    assert all(c.max_rel_error > 0.1 for c in checks)  # |2g − g| / (|2g| + |g|) = 1/3
    assert all(c.ok for c in check_probe(d))


# ----------------------------------------------------------------------------- discovery

NEW_MODULE = """
import dataclasses
from derivations.catalogue.bias_gradient import DERIVATION as BASE
from derivations.base import Chain, Step
from derivations.expr import num

DERIVATION = dataclasses.replace(BASE, id={id!r}, title="A derivation dropped into the catalogue")
if {broken!r}:
    chain = DERIVATION.chains[0]
    wrong = Step(num(3) * chain.steps[-1].expr, "a wrong last step")
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
    assert main(["verify", "--jobs", "0"]) == 2  # a usage error: exit 2 with one line
    assert "positive whole number" in capsys.readouterr().err
