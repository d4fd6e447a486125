"""The backward pass of a convolution layer: ∂L/∂K = X ⋆ δ and ∂L/∂X = pad(δ) ⋆ rot180(K)."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Corr, Deriv, Expr, Flip, Ones, Pad, Sym, mat, scalar, vec

# One input channel, one output channel, one example; stride 1. Dimension names carry no
# arithmetic: o_h = h − k_h + 1 is the height of the output, q_h = h + 2p − k_h + 1 that of the
# output with padding p, and "h + k_h - 1" the height of δ padded by k_h − 1 on either side.
X = mat("X", "h", "w", "X")
K = mat("K", "k_h", "k_w", "K")
b = scalar("b", "b")
Y = mat("Y", "o_h", "o_w", "Y")
delta = mat("delta", "o_h", "o_w", r"\delta")
Xp = Pad(X, "p", "p", "h + 2p", "w + 2p")
Yp = mat("Y_p", "q_h", "q_w", r"Y_{p}")
delta_p = mat("delta_p", "q_h", "q_w", r"\delta_{p}")
# The loss near the point where the gradient is taken: by the chain rule only ∂L/∂Y matters there,
# so L = ⟨G, Y⟩ with an arbitrary G loses nothing, and keeps the exact check to polynomials.
G = mat("G", "o_h", "o_w", "G")
Gp = mat("G_p", "q_h", "q_w", r"G_{p}")
L = scalar("L", "L")
Lp = scalar("L_p", r"L_{p}")

FULL = ("h + k_h - 1", "w + k_w - 1")  # δ padded by k − 1: the full correlation's input

# The same layer as im2col computes it: row r of X_col is the window under output r (o = o_h o_w
# rows, k = k_h k_w columns, rows in reading order), kvec the kernel read row by row.
X_col = mat("X_col", "o", "k", r"X_{\mathrm{col}}")
kvec = vec("kvec", "k", r"\mathbf{k}")
y = vec("y", "o", "y")
delta_y = vec("delta_y", "o", r"\delta_{y}")
G_y = vec("G_y", "o", r"G_{y}")
L_y = scalar("L_y", r"L_{y}")


def sizes(h: int, w: int, kh: int, kw: int, p: int) -> dict[str, int]:
    """Every named dimension for an h×w input, a kh×kw kernel and padding p (p ≤ k − 1)."""
    return {
        "h": h, "w": w, "k_h": kh, "k_w": kw, "p": p,
        "o_h": h - kh + 1, "o_w": w - kw + 1,
        "h + 2p": h + 2 * p, "w + 2p": w + 2 * p,
        "q_h": h + 2 * p - kh + 1, "q_w": w + 2 * p - kw + 1,
        "k_h - 1": kh - 1, "k_w - 1": kw - 1,
        "o": (h - kh + 1) * (w - kw + 1), "k": kh * kw,
        "k_h - 1 - p": kh - 1 - p, "k_w - 1 - p": kw - 1 - p,
        FULL[0]: h + kh - 1, FULL[1]: w + kw - 1,
    }




def through(d: Sym, y: Sym, rows: str, cols: str) -> Expr:
    """Σ_ij d_ij y_ij = 𝟏ᵀ(d ⊙ y)𝟏: with d = ∂L/∂y held fixed, its derivative is the chain rule."""
    return Ones(rows).T @ d.odot(y) @ Ones(cols)


CHAIN_RULE = (
    r"chain rule through every output: $\unchecked{\partial L / \partial \theta = \sum_{i,j} \delta_{ij} "
    r"\, \partial Y_{ij} / \partial \theta}$, the derivative of $\unchecked{\sum_{ij} \delta_{ij} Y_{ij}}$ "
    r"with $\delta$ held fixed"
)

INDEX_K = (
    r"$\unchecked{Y_{ij} = \sum_{u,v} X_{i+u, j+v} K_{uv} + b}$, so $\unchecked{\partial Y_{ij} / \partial "
    r"K_{uv} = "
    r"X_{i+u, j+v}}$ and the chain rule through every output gives $\unchecked{\partial L / \partial K_{uv} "
    r"= "
    r"\sum_{i,j} \delta_{ij} X_{i+u, j+v}}$: the input cross-correlated with $\delta$, which has "
    r"the kernel's size"
)
INDEX_X = (
    r"$\unchecked{X_{rs}}$ meets $\unchecked{K_{uv}}$ in the output $\unchecked{(i, j) = (r - u, s - v)}$ "
    r"wherever that output exists, so "
    r"$\unchecked{\partial L / \partial X_{rs} = \sum_{u,v} \delta_{r-u, s-v} K_{uv}}$ with $\delta$ taken "
    r"as 0 "
    r"outside its $o_h \times o_w$: padding $\delta$ by $k - 1$ zeros supplies those zeros, and "
    r"$\unchecked{u \to k_h - 1 - u}$, $\unchecked{v \to k_w - 1 - v}$ turns the sum into a "
    r"cross-correlation with the "
    r"kernel turned by 180° — a *full* convolution of $\delta$ with $K$"
)

DERIVATION = Derivation(
    id="conv2d-backward",
    title="Backward pass of a convolution layer",
    topic="convolution",
    context=(
        r"One channel in, one channel out, one example, stride 1. A convolution layer computes the "
        r"valid cross-correlation $\unchecked{Y = X \star K + b}$ of its $h \times w$ input $X$ "
        r"with a "
        r"$k_h \times k_w$ kernel $K$: $\unchecked{Y_{ij} = \sum_{u,v} X_{i+u, j+v} K_{uv} + b}$, an "
        r"$o_h \times o_w$ map with $\unchecked{o_h = h - k_h + 1}$, $\unchecked{o_w = w - k_w + 1}$ (what "
        r"deep-learning "
        r"libraries call convolution does not flip the kernel). The loss $L$ depends on $X$, $K$, "
        r"$b$ only through $Y$, and the backward pass has $\unchecked{\delta = \partial L / \partial Y}$. By "
        r"the chain rule only that gradient at the point matters, so $L$ is written "
        r"$\unchecked{\mathbf{1}^\top (G \odot Y) \mathbf{1} = \sum_{ij} G_{ij} Y_{ij}}$ with an arbitrary "
        r"$G$: nothing is lost, and $\delta = G$. "
        r"$\unchecked{\operatorname{pad}_{r,c}}$ adds $\unchecked{r}$ rows of zeros above and below and "
        r"$c$ columns on "
        r"either side; $\unchecked{\operatorname{rot}_{180}}$ reverses rows and columns. With padding "
        r"$\unchecked{p}$ "
        r"(“same” padding is $p = (k - 1)/2$) the layer is $\unchecked{Y_p = \operatorname{pad}_{p,p}(X) "
        r"\star K}$, of size $q_h \times q_w$ with $\unchecked{q_h = h + 2p - k_h + 1}$, and "
        r"$\unchecked{\delta_p = \partial L_p / \partial Y_p}$. Several channels and a batch add sums over "
        r"them "
        r"to each formula; strides other than 1 are not covered here."
    ),
    symbols=(X, K, b, Y, delta, Yp, delta_p, X_col, kvec, y, delta_y),
    definitions=(
        (Y, Corr(X, K, "o_h", "o_w") + b),
        (L, through(G, Y, "o_h", "o_w")),
        (delta, Deriv(L, Y)),
        (Yp, Corr(Xp, K, "q_h", "q_w")),
        (Lp, through(Gp, Yp, "q_h", "q_w")),
        (delta_p, Deriv(Lp, Yp)),
        (y, X_col @ kvec + b * Ones("o")),
        (L_y, G_y.T @ y),
        (delta_y, Deriv(L_y, y)),
    ),
    chains=(
        Chain(
            name="dK",
            start=Deriv(L, K),
            steps=(
                Step(Deriv(through(delta, Y, "o_h", "o_w"), K), CHAIN_RULE),
                Step(Corr(X, delta, "k_h", "k_w"), INDEX_K),
            ),
        ),
        Chain(
            name="dX",
            start=Deriv(L, X),
            steps=(
                Step(Deriv(through(delta, Y, "o_h", "o_w"), X), CHAIN_RULE),
                Step(Corr(Pad(delta, "k_h - 1", "k_w - 1", *FULL), Flip(K), "h", "w"), INDEX_X),
            ),
        ),
        Chain(
            name="db",
            start=Deriv(L, b),
            steps=(
                Step(Deriv(through(delta, Y, "o_h", "o_w"), b), CHAIN_RULE),
                Step(
                    Ones("o_h").T @ delta @ Ones("o_w"),
                    r"$\unchecked{\partial Y_{ij} / \partial b = 1}$ for every output: the bias gradient is "
                    r"the sum of all the entries of $\delta$",
                ),
            ),
        ),
        Chain(
            name="dK-padded",
            start=Deriv(Lp, K),
            steps=(
                Step(Deriv(through(delta_p, Yp, "q_h", "q_w"), K), CHAIN_RULE),
                Step(
                    Corr(Xp, delta_p, "k_h", "k_w"),
                    r"the unpadded argument with $\unchecked{\operatorname{pad}_{p,p}(X)}$ as the input: the "
                    r"padded input cross-correlated with $\delta_p$ (the zeros contribute nothing)",
                ),
            ),
        ),
        Chain(
            name="dX-padded",
            start=Deriv(Lp, X),
            steps=(
                Step(Deriv(through(delta_p, Yp, "q_h", "q_w"), X), CHAIN_RULE),
                Step(
                    Corr(Pad(delta_p, "k_h - 1 - p", "k_w - 1 - p", *FULL), Flip(K), "h", "w"),
                    r"the full correlation gives the gradient of the padded input, "
                    r"$\unchecked{(h + 2p) \times (w + 2p)}$; $X$ is its interior, so the border of width "
                    r"$\unchecked{p}$ "
                    r"is cut off — the same as padding $\delta_p$ by $\unchecked{k - 1 - p}$ instead of "
                    r"$k - 1$ (for $\unchecked{p \le k - 1}$)",
                ),
            ),
        ),
        Chain(
            name="dK-im2col",
            start=Deriv(L_y, kvec),
            steps=(
                Step(Deriv(delta_y.T @ y, kvec), CHAIN_RULE),
                Step(
                    X_col.T @ delta_y,
                    r"$y = X_{\mathrm{col}} \mathbf{k} + b \mathbf{1}$ is a layer $\unchecked{W a + b}$ with "
                    r"the "
                    r"windows as the weights' inputs: weight-gradient's $\unchecked{\delta a^\top}$, "
                    r"transposed "
                    r"because here the variable is on the right; entry $\unchecked{(u, v)}$ is the same sum "
                    r"$\unchecked{\sum_{ij} \delta_{ij} X_{i+u, j+v}}$ as $\unchecked{X \star \delta}$",
                ),
            ),
        ),
        Chain(
            name="dX-im2col",
            start=Deriv(L_y, X_col),
            steps=(
                Step(Deriv(delta_y.T @ y, X_col), CHAIN_RULE),
                Step(
                    delta_y @ kvec.T,
                    r"$\unchecked{\partial y_r / \partial (X_{\mathrm{col}})_{rc} = \mathbf{k}_c}$: row "
                    r"$\unchecked{r}$ of the "
                    r"gradient is $\unchecked{\delta_r \mathbf{k}^\top}$, each window's share. Adding every "
                    r"window's share back onto the pixels it was read from (col2im) gives "
                    r"$\partial L / \partial X$, the full correlation above",
                ),
            ),
        ),
    ),
    sizes=(sizes(4, 5, 2, 3, 1), sizes(5, 4, 3, 2, 1)),
    probe=Probe(kind="conv", bind={"X": "X", "K": "K", "delta": "delta", "delta_p": "delta_p"}),
    mistakes=(
        r"$\unchecked{\delta \star X}$: the arguments swapped; $X$ is the larger map, and the correlation "
        r"that gives a $k_h \times k_w$ result slides $\delta$ over $X$.",
        r"$\unchecked{\operatorname{pad}(\delta) \star K}$: the kernel not turned; output $(i, "
        r"j)$ reads "
        r"$\unchecked{X_{i+u, j+v}}$ with weight $\unchecked{K_{uv}}$, so going back from "
        r"$\unchecked{X_{rs}}$ visits the kernel "
        r"in reverse order.",
        r"$\unchecked{\delta \star \operatorname{rot}_{180}(K)}$ without padding: a valid correlation of "
        r"$\delta$ is smaller than $\delta$, while $\partial L / \partial X$ must have the "
        r"input's size; the border pixels, covered by fewer windows, need the zeros.",
        r"$\unchecked{X_{\mathrm{col}} \delta_y}$ in the im2col form: the windows' matrix needs its "
        r"transpose, "
        r"and the shapes only fit with it, $k \times o$ times $o \times 1$ (tag "
        r"`missing-transpose`).",
        r"$\unchecked{\partial L / \partial b = \delta}$: $b$ is one number shared by every output, so its "
        r"gradient sums $\delta$ over all positions (and over the batch).",
    ),
    notes=(
        r"Checked exactly at two size combinations ($4 \times 5$ input with a $2 \times 3$ kernel, "
        r"$5 \times 4$ with $3 \times 2$, both with $p = 1$), for an arbitrary $G$; and "
        r"numerically against the im2col convolution layer of the reference code, "
        r"``checker.network.conv``, whose backward pass computes the same two correlations as "
        r"matrix products."
    ),
)
