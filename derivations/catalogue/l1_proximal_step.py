"""The proximal L1 step: soft-thresholding, which sets small weights to exactly 0 (L2 never does)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Cond as If
from derivations.expr import Deriv, Fn, Max, Norm, Piecewise, mat, num, scalar
from derivations.notation import N_L, N_PREV, G, W_l, eta, lam

U = mat("U", N_L, N_PREV, "U")
V = mat("V", N_L, N_PREV, "V")
t = scalar("t", "t")
F1 = scalar("F_1", "F_1")
F2 = scalar("F_2", "F_2")
half = num("1/2")
zero = num(0)

u = scalar("u", "u")  # one entry of U: F_1 is minimised entry by entry

# The minimiser of one entry's term, from the three cases of the subgradient condition.
CASES = Piecewise(((u - t, If(u, ">", t)), (u + t, If(u, "<", -t)), (zero, None)))
SOFT = Max(u - t, zero) - Max(-u - t, zero)  # = sign(u) max(|u| − t, 0)

DERIVATION = Derivation(
    id="l1-proximal-step",
    title="Proximal step for L1: soft-thresholding",
    topic="regularization",
    context=(
        r"The L1-regularised cost $\unchecked{J(W) + \lambda \lVert W \rVert_1}$ of one layer's weights, "
        r"gradient $\unchecked{G = \partial J / \partial W}$, learning rate $\eta$. The plain subgradient "
        r"step "
        r"(l1-update) moves every weight by $\eta\lambda$ towards 0 and overshoots: a weight "
        r"near 0 flips sign back and forth and is never exactly 0. The proximal step takes the "
        r"gradient step on $\unchecked{J}$ alone, $U = W - \eta G$, and then solves the penalty exactly: "
        r"$\unchecked{W^{+} = \arg\min_V F_1(V)}$ with $\unchecked{F_1(V) = \frac{1}{2} \lVert V - U "
        r"\rVert_F^2 + "
        r"t \lVert V \rVert_1}$ and $t = \eta\lambda$. For comparison $\unchecked{F_2(V) = \frac{1}{2} "
        r"\lVert V - U \rVert_F^2 + \frac{t}{2} \lVert V \rVert_F^2}$ is the same with the L2 "
        r"penalty. Both are sums of one term per entry, so each entry is minimised on its own: the "
        r"soft-threshold chain starts from the three cases that the subgradient chain below "
        r"derives for one entry $u$ of $U$."
    ),
    symbols=(W_l, G, eta, lam, U, t, V, u),
    definitions=(
        (U, W_l - eta * G),
        (t, eta * lam),
        (F1, half * Norm(V - U, "fro2") + t * Norm(V, "l1")),
        (F2, half * Norm(V - U, "fro2") + half * t * Norm(V, "fro2")),
    ),
    chains=(
        Chain(
            name="soft-threshold",
            start=CASES,
            steps=(
                Step(
                    Max(u, t) - Max(-u, t),
                    r"the three regions one by one: for $\unchecked{u > t}$ this is $u - t$, for "
                    r"$\unchecked{u < -t}$ it is "
                    r"$t - (-u) = u + t$, and in between $t - t = 0$ ($t > 0$, so $\unchecked{u > t}$ and "
                    r"$\unchecked{u < -t}$ never hold together)",
                ),
                Step(
                    SOFT,
                    r"$\unchecked{\max(a, t) = t + \max(a - t, 0)}$ in both terms, and the two $t$ cancel. "
                    r"This "
                    r"is soft-thresholding by $t$, applied to every entry $\unchecked{u = U_{ij}}$, also "
                    r"written "
                    r"$\operatorname{sign}(U) \odot \max(\lvert U \rvert - t, 0)$; "
                    r"every $\unchecked{\lvert U_{ij} \rvert \le \eta\lambda}$ becomes exactly 0",
                ),
            ),
        ),
        Chain(
            name="subgradient",
            start=Deriv(F1, V),
            steps=(
                Step(
                    half * Deriv(Norm(V - U, "fro2"), V) + t * Deriv(Norm(V, "l1"), V),
                    r"the derivative of a sum, constants out; valid where no entry of $V$ is 0",
                ),
                Step(
                    V - U + t * Fn("sign", V),
                    r"$\unchecked{\partial \frac{1}{2}(v - u)^2 / \partial v = v - u}$ and "
                    r"$\unchecked{\partial \lvert v \rvert / \partial v = \operatorname{sign}(v)}$ for "
                    r"$v \ne 0$. At $v = 0$, $\lvert v \rvert$ has every slope in "
                    r"$\unchecked{[-1, 1]}$, so "
                    r"$v = 0$ is the minimum when $\unchecked{0 \in -u + t[-1, 1]}$, that is "
                    r"$\lvert u \rvert "
                    r"\le t$; otherwise $\unchecked{v - u + t \operatorname{sign}(v) = 0}$ gives "
                    r"$\unchecked{v = u - t}$ (for $\unchecked{u > t}$) or $\unchecked{v = u + t}$ (for "
                    r"$\unchecked{u < -t}$)",
                ),
            ),
        ),
        Chain(
            name="l2",
            start=Deriv(F2, V),
            steps=(
                Step(
                    half * Deriv(Norm(V - U, "fro2"), V) + half * t * Deriv(Norm(V, "fro2"), V),
                    r"the derivative of a sum, constants out (no kink anywhere this time)",
                ),
                Step(
                    (1 + t) * V - U,
                    r"$\unchecked{\partial \frac{1}{2} \lVert V \rVert_F^2 / \partial V = V}$; it is 0 at "
                    r"$\unchecked{V = U / (1 + t)}$, a shrinking of every entry by the same factor, which is "
                    r"0 "
                    r"only where $U$ already was",
                ),
            ),
        ),
    ),
    positive=("t", "eta", "lambda"),
    probe=Probe(kind="prox", bind={"W_l": "W", "G": "G", "eta": "eta", "lambda": "lambda", "V": "V",
                                   "u": "U"}),
    mistakes=(
        r"$\max(u - t, 0)$: right for positive entries only; an entry below $-t$ must keep its "
        r"sign and shrink towards 0, not be set to 0.",
        r"$u - t \operatorname{sign}(u)$: the subgradient step (l1-update); an entry with "
        r"$\lvert u \rvert < t$ overshoots to the other side instead of stopping at 0.",
        r"$\frac{u}{1 + t}$: the proximal step of the L2 penalty, which shrinks every entry by the "
        r"same factor and never produces a 0.",
        r"$\max(u - t, 0) + \max(-u - t, 0)$, which is $\max(\lvert u \rvert - t, 0)$: the sign "
        r"of $u$ is lost, and negative weights come out positive (tag `sign-error`).",
    ),
    notes=(
        r"Why L1 gives zeros and L2 does not, in seed 002's example: $\unchecked{[1, 0, 0, 0]}$ and "
        r"$\unchecked{[\frac14, \frac14, \frac14, \frac14]}$ have the same L1 norm 1, but squared L2 norms 1 "
        r"and $\frac14$: L2 prefers the spread-out vector, L1 is indifferent and, once the loss "
        r"has a preference, settles on a corner of its diamond-shaped level set, where entries "
        r"are 0. The steps above show the same thing for one update: soft-thresholding maps the "
        r"whole interval $\lvert u \rvert \le t$ to 0, while $u / (1 + t)$ is 0 only at $u = 0$. "
        r"Checked by machine: both chains of derivatives exactly, the three cases against the "
        r"closed form exactly (each region of $u$), and numerically that the closed form is the "
        r"minimum of $F_1$ — zero slope at every nonzero entry, no descent in either direction at "
        r"every zero entry — and equals the reference code's proximal step. Not checked by "
        r"machine: that the three cases are *all* the minima (the subgradient argument in the "
        r"reason, which is a case analysis, not an equality)."
    ),
)
