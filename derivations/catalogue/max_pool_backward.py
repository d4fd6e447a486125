"""Max pooling routes the gradient of each window to the entry that won it."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Cond, Deriv, Indicator, MaxOf, mat, scalar

S = 2  # a 2×2 window, as in a pooling layer of size 2 and stride 2
X = mat("X", S, S, "X")
y = scalar("y", "y")
delta = scalar("delta", r"\delta")
L = scalar("L", "L")

DERIVATION = Derivation(
    id="max-pool-backward",
    title="Backward pass of max pooling",
    topic="convolution",
    context=(
        r"A max-pooling layer of size 2 and stride 2 splits its input into $2 \times 2$ windows "
        r"and outputs the largest entry of each: for one window $X$, $\unchecked{y = \max_{ij} X_{ij}}$. The "
        r"backward pass has $\delta = \partial L / \partial y$; by the chain rule only that "
        r"gradient at the point matters, so $L$ is written $\delta\,y$. The derivative exists "
        r"wherever the largest entry is unique (a tie is a kink, like ReLU's 0); $\mathbb{1}[X = y]$ "
        r"is 1 at the largest entry and 0 elsewhere. Windows do not overlap, so each input entry "
        r"receives the gradient of its own window only."
    ),
    symbols=(X, y, delta),
    definitions=((y, MaxOf(X)), (L, delta * y)),
    chains=(
        Chain(
            start=Deriv(L, X),
            steps=(
                Step(
                    delta * Deriv(y, X),
                    r"chain rule: $L$ depends on the window only through its maximum $y$",
                ),
                Step(
                    delta * Indicator(Cond(X, "==", y)),
                    r"away from ties the maximum *is* one entry, $\unchecked{y = X_{i^* j^*}}$: its "
                    r"derivative "
                    r"is 1 with respect to that entry and 0 with respect to the others, which do "
                    r"not change $y$ when they move a little",
                ),
            ),
        ),
    ),
    sizes=({},),  # one window of fixed size: nothing to vary
    probe=Probe(kind="pool"),
    mistakes=(
        r"$\frac{\delta}{4}$ in every entry: the rule of *average* pooling, "
        r"$\unchecked{y = \frac{1}{4}\sum_{ij} X_{ij}}$; the max depends on one entry only.",
        r"$\delta$ in every entry: as if each entry were the maximum; the gradient would be counted "
        r"four times.",
        r"$\delta\,X$ or $\delta\,\mathbb{1}[X > 0]$: the ReLU rule carried over; max pooling "
        r"compares the entries of a window with each other, not with 0.",
        r"$\mathbb{1}[X = y]$: the mask of the winner alone; the incoming gradient $\delta$ is what "
        r"it routes (tag `wrong-scale`).",
    ),
    notes=(
        r"Checked exactly over every ordering of the four entries (the sign regions of their six "
        r"differences, the ones that cannot occur skipped), and numerically against the max-pooling "
        r"layer of the reference code (``checker.network.conv``), whose backward pass keeps a mask "
        r"of each window's winner."
    ),
)
