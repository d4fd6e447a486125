"""Questions on numerical checks: the error of the central difference behind every gradient check."""

from __future__ import annotations

from derivations import notation as n
from derivations.catalogue.central_difference import x as X_POINT
from derivations.expr import fn
from derivations.questions.question import Question, spelled

X = spelled(X_POINT, "x")
H = spelled(n.h, "h")
H_X = fn("f", X_POINT + n.h)

QUESTIONS: tuple[Question, ...] = (
    Question(
        id="central-difference",
        title="Error of the central difference",
        prompt=r"$f$ is a smooth scalar function and $h$ a small step. Expand the central difference "
        r"$\frac{f(x + h) - f(x - h)}{2h}$ in powers of $h$, up to and including its leading error "
        r"term, and give the order of the rest as $\unchecked{O(h^k)}$. Write the derivatives of $f$ at "
        r"$x$ as $f'(x)$, $f''(x)$, $f'''(x)$ or $\unchecked{f^{(k)}(x)}$.",
        derivation="central-difference",
        symbols=(X, H),
        functions=("f", "O"),
        expansion_mistakes=(
            ("one-sided-difference", (H_X - fn("f", X_POINT)) / n.h,
             r"this is the expansion of the one-sided difference $\frac{f(x + h) - f(x)}{h}$, whose "
             r"error is of order $h$. In the central difference the $\frac{h^2}{2} f''(x)$ terms of "
             r"$f(x + h)$ and $f(x - h)$ cancel, and the error is of order $h^2$."),
            ("wrong-scale", (H_X - fn("f", X_POINT - n.h)) / n.h,
             r"it is twice the central difference: $f(x + h) - f(x - h)$ spans $2h$, so it is divided "
             r"by $2h$, not by $h$."),
            ("sign-error", (fn("f", X_POINT - n.h) - H_X) / (2 * n.h),
             r"the sign is flipped: that is $\frac{f(x - h) - f(x + h)}{2h}$."),
        ),
        accepted=(
            r"f'(x) + \frac{h^2}{6} f'''(x) + O(h^4)",
            r"f'(x) + \frac{h^2}{6} f^{(3)}(x) + \mathcal{O}(h^4)",
            "f'(x) + h^2/6 f'''(x) + O(h^4)",
        ),
    ),
)
