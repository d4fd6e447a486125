"""Backpropagation in the row convention of the slides' code: δ_3, δ_2 and the four gradients."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import Deriv, Diag, Entry, IndexSum, KDelta, Ones, Softmax, exp, fn, log, mat, scalar
from derivations.notation import (
    A1,
    W1,
    W2,
    Z1,
    Z2,
    C,
    D,
    H,
    M,
    P,
    X,
    Y,
    b1,
    b2,
    delta2,
    delta3,
)

L = scalar("L_rows", "L")
# log P row by row, in the form that never takes the log of a quotient (the code's log-softmax)
log_P = mat("log_P", M, C, r"\log P")
ones_m, ones_c = Ones(M), Ones(C)

# the index level of dW2: entry (j, c), n an example and k a class
dW2_INDEX = Chain(
    name="dW2-index",
    level="index",
    of="dW2",
    start=Entry(Deriv(L, W2), "j", "c"),
    steps=(
        Step(
            IndexSum("n", IndexSum("k", Entry(Deriv(L, Z2), "n", "k")
                                   * Entry(Deriv(Entry(Z2, "n", "k"), W2), "j", "c"))),
            r"chain rule through every entry $\unchecked{Z_{2,nk}}$: example $n$, class $k$",
        ),
        Step(
            IndexSum("n", IndexSum("k", Entry(Deriv(L, Z2), "n", "k")
                                   * (KDelta("k", "c") * Entry(A1, "n", "j")))),
            r"$\unchecked{Z_{2,nk} = \sum_j A_{1,nj} W_{2,jk} + b_{2,k}}$ contains $\unchecked{W_{2,jc}}$ "
            r"only when $k = c$, with the factor $\unchecked{A_{1,nj}}$ (Kronecker's $\delta_{kc}$), in "
            r"every example $n$",
        ),
        Step(
            IndexSum("n", Entry(A1, "n", "j") * Entry(delta3, "n", "c")),
            r"$\delta_{kc}$ keeps $k = c$, and $\partial L / \partial Z_2 = \delta_3$: a sum over the "
            r"examples",
        ),
        Step(
            Entry(A1.T @ delta3, "j", "c"),
            r"a sum over the rows $n$ of $A_1$ and $\delta_3$ is the product $A_1^\top \delta_3$: "
            r"the matrix form's result",
        ),
    ),
)

DERIVATION = Derivation(
    id="row-backprop",
    title="Backpropagation in the row convention",
    topic="backprop",
    convention="row",
    context=(
        r"The slides' code: a batch $X$ of $m$ examples as *rows* ($m \times d$), "
        r"$Z_1 = X W_1 + \mathbf{1}_m b_1$, $A_1 = \tanh(Z_1)$, $Z_2 = A_1 W_2 + \mathbf{1}_m b_2$, "
        r"$P = \operatorname{softmax}(Z_2)$ applied to each row, $Y$ the one-hot labels as rows, and "
        r"the loss summed over the batch, $L = -\sum_n \sum_c Y_{nc} \log P_{nc} = "
        r"-\mathbf{1}_m^\top (Y \odot \log P) \mathbf{1}_c$, where "
        r"$\unchecked{\log P_{nc} = Z_{2,nc} - \log \sum_k e^{Z_{2,nk}}}$. Biases are rows ($b_1$ is "
        r"$1 \times h$, "
        r"$b_2$ is $1 \times c$) added to every example, as NumPy broadcasting does. "
        r"$\delta_3 = \partial L / \partial Z_2$ and $\delta_2 = \partial L / \partial Z_1$; "
        r"$\mathbf{1}^\top$ without a size is $\mathbf{1}_m^\top$, a sum over the examples."
    ),
    symbols=(X, W1, b1, Z1, A1, W2, b2, Z2, P, Y, delta3, delta2),
    simplex=("Y",),
    definitions=(
        (Z1, X @ W1 + ones_m @ b1),
        (A1, fn("tanh", Z1)),
        (Z2, A1 @ W2 + ones_m @ b2),
        (P, Softmax(Z2, axis=1)),
        (log_P, Z2 - log(exp(Z2) @ ones_c) @ ones_c.T),
        (L, -(ones_m.T @ Y.odot(log_P) @ ones_c)),
        (delta3, Deriv(L, Z2)),
        (delta2, Deriv(L, Z1)),
    ),
    # four distinct sizes in each combination; the network is expanded in full, so the smallest
    # that keep every pair of dimensions apart (measured: about 4 s of sympy each)
    sizes=({M: 4, D: 5, H: 3, C: 2}, {M: 4, D: 5, H: 2, C: 3}),
    chains=(
        Chain(
            name="delta3",
            start=Deriv(L, Z2),
            steps=(
                Step(
                    Deriv(
                        -(ones_m.T @ Y.odot(Z2) @ ones_c) + (Y @ ones_c).T @ log(exp(Z2) @ ones_c),
                        Z2,
                    ),
                    r"substitute $\unchecked{\log P_{nk} = Z_{2,nk} - \log \sum_j e^{Z_{2,nj}}}$: row "
                    r"$n$ "
                    r"contributes $\unchecked{-\sum_k Y_{nk} Z_{2,nk} + (\sum_k Y_{nk}) \log \sum_j "
                    r"e^{Z_{2,nj}}}$",
                ),
                Step(
                    -Y + Diag(Y @ ones_c) @ P,
                    r"differentiate in $\unchecked{Z_{2,nj}}$: the first term gives $-Y_{nj}$, the second "
                    r"$\unchecked{(\sum_k Y_{nk})\, e^{Z_{2,nj}} / \sum_j e^{Z_{2,nj}} = (\sum_k Y_{nk}) "
                    r"P_{nj}}$; "
                    r"rows do not interact",
                ),
                Step(
                    -Y + Diag(ones_m) @ P,
                    r"each row of $Y$ is one-hot, so its entries sum to 1: $\unchecked{Y \mathbf{1}_c = "
                    r"\mathbf{1}_m}$",
                ),
                Step(P - Y, r"$\unchecked{\operatorname{diag}(\mathbf{1}_m) = I}$"),
            ),
        ),
        Chain(
            name="delta2",
            start=Deriv(L, Z1),
            steps=(
                Step(
                    Deriv(L, A1).odot(fn("tanh", Z1, 1)),
                    r"$A_1 = \tanh(Z_1)$ entry by entry: $\unchecked{A_{1,nj}}$ depends on "
                    r"$\unchecked{Z_{1,nj}}$ alone",
                ),
                Step(
                    (Deriv(L, Z2) @ W2.T).odot(fn("tanh", Z1, 1)),
                    r"$Z_2 = A_1 W_2 + \mathbf{1}_m b_2$: $\unchecked{\partial "
                    r"Z_{2,nc} / \partial A_{1,nj} = W_{2,jc}}$, "
                    r"so $\partial L / \partial A_1 = (\partial L / \partial Z_2) W_2^\top$",
                ),
                Step(
                    (delta3 @ W2.T).odot(1 - A1.odot(A1)),
                    r"$\delta_3 = \partial L / \partial Z_2$ and $\unchecked{\tanh' = 1 "
                    r"- \tanh^2}$, with $\tanh(Z_1) = A_1$",
                ),
            ),
        ),
        Chain(
            name="dW2",
            start=Deriv(L, W2),
            steps=(
                Step(
                    A1.T @ Deriv(L, Z2),
                    r"$\unchecked{\partial Z_{2,nc} / \partial W_{2,jc} = A_{1,nj}}$ for every example "
                    r"$n$: "
                    r"entry $(j, c)$ is $\unchecked{\sum_n A_{1,nj} \, \partial L / \partial "
                    r"Z_{2,nc}}$",
                ),
                Step(A1.T @ delta3, r"$\delta_3 = \partial L / \partial Z_2$"),
            ),
        ),
        Chain(
            name="db2",
            start=Deriv(L, b2),
            steps=(
                Step(
                    ones_m.T @ Deriv(L, Z2),
                    r"$b_2$ is added to every row: $\unchecked{\partial Z_{2,nc} / \partial b_{2,c} = 1}$ "
                    r"for every $n$, "
                    r"so the gradient is the sum of the rows",
                ),
                Step(
                    ones_m.T @ delta3,
                    r"$\delta_3 = \partial L / \partial Z_2$: the column sums of $\delta_3$",
                ),
            ),
        ),
        Chain(
            name="dW1",
            start=Deriv(L, W1),
            steps=(
                Step(
                    X.T @ Deriv(L, Z1),
                    r"$Z_1 = X W_1 + \mathbf{1}_m b_1$, the same pattern as for $W_2$ one layer down",
                ),
                Step(X.T @ delta2, r"$\delta_2 = \partial L / \partial Z_1$"),
            ),
        ),
        Chain(
            name="db1",
            start=Deriv(L, b1),
            steps=(
                Step(
                    ones_m.T @ Deriv(L, Z1),
                    r"$b_1$ is added to every row of $Z_1$",
                ),
                Step(
                    ones_m.T @ delta2,
                    r"$\delta_2 = \partial L / \partial Z_1$: the column sums of $\delta_2$",
                ),
            ),
        ),
        dW2_INDEX,
    ),
    probe=Probe(
        kind="row",
        bind={
            "X": "X", "W1": "W1", "b1": "b1", "Z1": "Z1", "A1": "A1", "W2": "W2", "b2": "b2",
            "Z2": "Z2", "P": "P", "Y": "Y", "delta3": "delta3", "delta2": "delta2",
        },
        networks=(
            {"sizes": (2, 4, 3), "activation": "tanh", "loss": "softmax-ce", "batch": 5},
            {"sizes": (3, 5, 2), "activation": "tanh", "loss": "softmax-ce", "batch": 4},
        ),
    ),
    mistakes=(
        r"$\delta_3 W_2^\top \odot (1 - Z_1 \odot Z_1)$ for $\delta_2$: the derivative of tanh is "
        r"$1 - \tanh^2(Z_1) = 1 - A_1 \odot A_1$, written with the *activations* "
        r"(tag `derivative-wrong-argument`); with $\tanh(Z_1)$ itself it is the activation in place "
        r"of its derivative.",
        r"$\unchecked{\delta_3 A_1^\top}$ for $\partial L/\partial W_2$: the column convention's order "
        r"carried "
        r"into the row convention; with examples as rows the gradient is $A_1^\top \delta_3$ "
        r"($h \times c$, like $W_2$) (tag `wrong-order`).",
        r"$\unchecked{\delta_3 W_2 \odot (1 - A_1 \odot A_1)}$ for $\delta_2$: $\delta_3$ is $m "
        r"\times c$ and "
        r"$W_2$ is $h \times c$, so $W_2$ needs its transpose (tag `missing-transpose`).",
        r"$\delta_3$ for $\partial L / \partial b_2$ (as a slide writes it): an $m \times c$ "
        r"matrix "
        r"for a $1 \times c$ bias; the bias is shared by all rows, so its gradient sums them, "
        r"$\mathbf{1}^\top \delta_3$, `np.sum(delta3, axis=0, keepdims=True)`.",
        r"Dividing by $m$ here: this $L$ is the *sum* over the batch, as in the slides' code.",
    ),
)
