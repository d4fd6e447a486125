"""What a derivation is: plain data that reads like a solution sheet.

A derivation has a context (which network, which convention), definitions (``a := σ(z)``,
``L := ...``), one or more *chains* of steps and a probe saying how the reference MLP checks the
result numerically. A chain starts from the quantity asked for (usually a derivative) and each
step is an equality with a one-line reason; the last right-hand side is the result.

``derivations`` imports nothing from ``checker``: checking is done there, from this data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from derivations.expr import Expr, Sym, to_latex


@dataclass(frozen=True)
class Step:
    """One equality of a chain: the previous expression equals ``expr`` because ``reason``."""

    expr: Expr
    reason: str


LEVELS = ("matrix", "index")
"""The two levels a chain is written at: whole matrices and vectors, or one entry at a time."""


@dataclass(frozen=True)
class Chain:
    """``start = steps[0].expr = steps[1].expr = ...``; the last expression is the result.

    ``level`` is ``"matrix"`` (whole vectors and matrices) or ``"index"`` (one entry, written with
    ``Entry``, ``IndexSum`` and ``KDelta``). An index chain is the entry-by-entry reading of the
    matrix chain named ``of`` (``""``: the derivation's first chain): it starts from the entry of
    that chain's start and ends in the same entry of its result, which ``gradproof verify`` checks.
    """

    start: Expr
    steps: tuple[Step, ...]
    name: str = ""
    level: str = "matrix"
    of: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"chain {self.name!r}: level {self.level!r} is not one of {LEVELS}")

    @property
    def result(self) -> Expr:
        """The final right-hand side."""
        return self.steps[-1].expr if self.steps else self.start

    def pairs(self) -> list[tuple[Expr, Expr, str]]:
        """Each step as (left, right, reason), left being the previous expression."""
        out, left = [], self.start
        for step in self.steps:
            out.append((left, step.expr, step.reason))
            left = step.expr
        return out


@dataclass(frozen=True)
class Probe:
    """How the reference MLP checks a derivation numerically (interpreted by ``checker.proof.numeric``).

    ``kind`` names what is differentiated by central differences:

    - ``"activation"``: the activation ``activation`` itself (its derivative is the result);
    - ``"softmax"``: the softmax map (the result is its Jacobian);
    - ``"loss-output"``: the loss with respect to the output pre-activation z^{(L)};
    - ``"dz"``, ``"dW"``, ``"db"``: the cost with respect to z^{(l)}, W^{(l)}, b^{(l)} at ``layer``;
    - ``"input"``: the network output with respect to its input;
    - ``"update"``: one regularised gradient step (the result is the updated W^{(l)});
    - ``"row"``: the slides' row-convention network (``checker.network.rownet``);
    - ``"series"``: the error of a central difference as h shrinks;
    - ``"optimiser"``, ``"dropout"``, ``"batchnorm"``, ``"init"``, ``"bound"``, ``"vanishing"``:
      the reference optimisers and layers, sampled variances and maximised bounds
      (``checker.proof.numeric_training``).

    ``targets`` maps a chain's name (``""`` for an unnamed chain) to the quantity of the reference
    run its result is compared with, as ``"run:quantity"`` (``"adam:W_next"``) where a probe runs
    several reference objects. In the network kinds a chain named there is instead compared with
    the gradient of the cost with respect to that quantity of the run (``"a[L]"``: ∂J/∂a^{(L)},
    the loss's gradient with respect to the network's output).

    ``bind`` maps symbol keys to quantities of the run: ``"z[l]"``, ``"a[l-1]"``, ``"W[l+1]"``,
    ``"delta[l+1]"``, ``"Y"``, ``"X"``, ``"P"``, ``"eta"``, ``"lambda"``, ``"G"``, ...
    ``networks`` are the configurations tried: dicts with ``sizes``, ``activation``, ``loss``,
    ``batch`` and optional ``l1``/``l2``.
    """

    kind: str
    bind: dict[str, str] = field(default_factory=dict)
    networks: tuple[dict, ...] = ()
    layer: int = 1
    activation: str = ""
    targets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Derivation:
    """A verified derivation of the catalogue; one module in ``derivations/catalogue`` each."""

    id: str
    title: str
    topic: str
    context: str
    symbols: tuple[Sym, ...]
    chains: tuple[Chain, ...]
    definitions: tuple[tuple[Sym, Expr], ...] = ()
    sizes: tuple[dict[str, int], ...] = ()
    activations: tuple[str, ...] = ("sigmoid", "tanh", "softplus")
    simplex: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    unit_interval: tuple[str, ...] = ()  # scalars strictly between 0 and 1: a decay rate β, ρ
    probe: Probe | None = None
    mistakes: tuple[str, ...] = ()
    notes: str = ""
    convention: str = "column"

    @property
    def result(self) -> Expr:
        """The result of the first (main) chain."""
        return self.chains[0].result

    @property
    def matrix_chains(self) -> tuple[Chain, ...]:
        """The chains written with whole matrices (the ones the numerical checks evaluate)."""
        return tuple(c for c in self.chains if c.level == "matrix")

    @property
    def index_chains(self) -> tuple[Chain, ...]:
        """The chains written entry by entry."""
        return tuple(c for c in self.chains if c.level == "index")

    def refined(self, chain: Chain) -> Chain:
        """The matrix chain an index chain reads entry by entry."""
        matrices = self.matrix_chains
        if not chain.of:
            return matrices[0]
        for c in matrices:
            if c.name == chain.of:
                return c
        raise KeyError(
            f"{self.id}: the index chain {chain.name!r} refines {chain.of!r}, which is no matrix chain"
        )

    def result_of(self, name: str) -> Expr:
        """The result of the chain called ``name``."""
        for chain in self.chains:
            if chain.name == name:
                return chain.result
        raise KeyError(f"{self.id} has no chain named {name!r}")

    def equation_latex(self, chain: Chain | None = None) -> str:
        """``start = result`` in LaTeX, for tables and the boxed result."""
        chain = chain or self.chains[0]
        return f"{to_latex(chain.start)} = {to_latex(chain.result)}"

    @property
    def step_count(self) -> int:
        """The number of equalities that are checked."""
        return sum(len(c.steps) for c in self.chains)


TOPICS = (
    "activations",
    "outputs and losses",
    "backprop",
    "regularization",
    "optimization",
    "initialization and depth",
    "jacobians and numerics",
    "convolution",
)
