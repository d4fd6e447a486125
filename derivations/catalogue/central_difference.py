"""The central difference (f(x+h) − f(x−h))/2h is f'(x) + (h²/6) f'''(x) + O(h⁴): second order."""

from derivations.base import Chain, Derivation, Probe, Step
from derivations.expr import BigO, Expr, fn, num, scalar, summ
from derivations.notation import h

x = scalar("x", "x")


def f(d: int = 0) -> Expr:
    """f^{(d)}(x), the d-th derivative of the smooth function f at x."""
    return fn("f", x, d)


def taylor(sign: int) -> Expr:
    """f(x ± h) to fourth order: f ± h f' + h²/2 f'' ± h³/6 f''' + h⁴/24 f'''' + O(h⁵)."""
    odd1, odd3 = h * f(1), num("1/6") * h**3 * f(3)
    even2, even4 = num("1/2") * h**2 * f(2), num("1/24") * h**4 * f(4)
    if sign > 0:
        return summ(f(), odd1, even2, odd3, even4, BigO(h**5))
    return summ(f(), -odd1, even2, -odd3, even4, BigO(h**5))


DERIVATION = Derivation(
    id="central-difference",
    title="Error of the central difference",
    topic="jacobians and numerics",
    context=(
        r"A gradient check compares backpropagation with finite differences. For a smooth scalar "
        r"function $f$ (one entry of the loss as a function of one weight) and a step $h$, the "
        r"central difference $\frac{f(x + h) - f(x - h)}{2h}$ approximates $f'(x)$ with an error of "
        r"order $h^2$, against order $h$ for the one-sided $\frac{f(x + h) - f(x)}{h}$: with "
        r"$h = 10^{-5}$ that is about $10^{-10}$ instead of $10^{-5}$, before rounding error, which "
        r"grows like $\unchecked{\varepsilon/h}$."
    ),
    symbols=(x, h),
    chains=(
        Chain(
            start=(fn("f", x + h) - fn("f", x - h)) / (2 * h),
            steps=(
                Step(
                    (taylor(+1) - taylor(-1)) / (2 * h),
                    r"Taylor expansion of $\unchecked{f(x \pm h)}$ about $x$ to fourth order",
                ),
                Step(
                    (2 * h * f(1) + num("1/3") * h**3 * f(3) + BigO(h**5)) / (2 * h),
                    r"the even-order terms $f(x)$, $\frac{h^2}{2} f''(x)$, "
                    r"$\frac{h^4}{24} f''''(x)$ cancel; "
                    r"the odd ones double",
                ),
                Step(
                    f(1) + num("1/6") * h**2 * f(3) + BigO(h**4),
                    r"divide by $2h$: the error is $\frac{h^2}{6} f'''(x) + O(h^4)$",
                ),
            ),
        ),
    ),
    sizes=({},),
    probe=Probe(kind="series", bind={"x": "x", "h": "h"}),
    mistakes=(
        r"$f'(x) + \frac{h}{2} f''(x) + O(h^2)$, an error of order $h$: that is the one-sided difference "
        r"$\frac{f(x + h) - f(x)}{h}$, whose $\frac{h}{2} f''(x)$ term cancels only in the central form "
        r"(tag `one-sided-difference`).",
        r"$f'(x) + \frac{h^2}{3} f'''(x) + O(h^4)$ (or $\frac{h^2}{2}$): the $\frac{h^3}{6}$ terms add "
        r"up to $\frac{h^3}{3}$, which the division by $2h$ halves to $\frac{h^2}{6}$ (tag `wrong-scale`).",
        r"$2 f'(x) + \frac{h^2}{3} f'''(x) + O(h^4)$: dividing by $h$ instead of $2h$ doubles the "
        r"estimate (tag `wrong-scale`).",
        r"$f'(x) + O(h^2)$: true, but it stops before the leading error term $\frac{h^2}{6} f'''(x)$, "
        r"which is what makes the difference second order (tag `missing-term`).",
        r"Taking $h$ as small as possible: below about $10^{-5}$ in float64 the rounding error "
        r"$\unchecked{\sim \varepsilon |f| / h}$ dominates the $h^2$ truncation error.",
    ),
)
