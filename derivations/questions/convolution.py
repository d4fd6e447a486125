"""Questions on convolution layers and pooling."""

from __future__ import annotations

from derivations.catalogue import conv2d_backward as conv
from derivations.catalogue import max_pool_backward as pool
from derivations.expr import MaxOf
from derivations.questions.question import LOSSES, Question, asked, derivatives, spelled

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="conv2d-backward",
        title="Convolution layer: the kernel gradient, as im2col computes it",
        prompt=r"A convolution layer computed by im2col: row $\unchecked{r}$ of $X_{\mathrm{col}}$ ($o "
        r"\times k$) "
        r"holds the input window under output $\unchecked{r}$, $\mathbf{k}$ ($k \times 1$) is the kernel "
        r"read "
        r"row by row, and $y = X_{\mathrm{col}} \mathbf{k} + b \mathbf{1}$ is the output map as a "
        r"column. The backward pass has $\unchecked{\delta_y = \partial L / \partial y}$. Give "
        r"$\partial L / \partial \mathbf{k}$.",
        derivation="conv2d-backward",
        chain="dK-im2col",
        asks=(asked("dL_dk", conv.kvec, derivatives(LOSSES, r"\mathbf{k}", "k")),),
        symbols=(spelled(conv.X_col, r"X_{\mathrm{col}}", "X_{col}", r"X_{\text{col}}"),
                 spelled(conv.delta_y, r"\delta_{y}", r"\delta_y", r"\delta")),
        extra=(spelled(conv.kvec, r"\mathbf{k}", "k"),),
        index_notation=True,
        accepted=(r"X_{\mathrm{col}}^T \delta_y", r"(\delta_y^T X_{col})^T"),
    ),
    Question(
        id="conv2d-bias-gradient",
        title="Convolution layer: the bias gradient",
        prompt=r"A convolution layer computes $\unchecked{Y = X \star K + b}$ with one bias $b$ shared by "
        r"every "
        r"position of its $o_h \times o_w$ output map, and the backward pass has "
        r"$\unchecked{\delta = \partial L / \partial Y}$ ($o_h \times o_w$). Give $\partial L / \partial b$ "
        r"($\mathbf{1}$ is a column of ones). Index notation is accepted.",
        derivation="conv2d-backward",
        asks=(asked("dL_db", conv.b, derivatives(LOSSES, "b")),),
        chain="db",
        symbols=(spelled(conv.delta, r"\delta"),),
        index_notation=True,
        accepted=(
            r"\mathbf{1}^T \delta \mathbf{1}",
            r"\sum_i \sum_j \delta_{ij}",
        ),
    ),
    Question(
        id="max-pool-backward",
        title="Max pooling: the backward pass",
        prompt=r"A max-pooling window $X$ ($2 \times 2$) outputs $\unchecked{y = \max_{ij} X_{ij}}$, and the "
        r"backward pass has $\delta = \partial L / \partial y$. Give $\partial L / \partial X$ "
        r"where the largest entry is unique ($\unchecked{\mathbb{1}[\cdot]}$ is 1 where the condition "
        r"holds).",
        derivation="max-pool-backward",
        symbols=(spelled(pool.X, "X"), spelled(pool.y, "y"), spelled(pool.delta, r"\delta")),
        definitions=((pool.y, MaxOf(pool.X)),),
        asks=(asked("dL_dX", pool.X, derivatives(LOSSES, "X")),),
        accepted=(r"\delta \mathbb{1}[X = y]", r"\delta \, \mathbb{1}[X \ge y]"),
    ),
)
