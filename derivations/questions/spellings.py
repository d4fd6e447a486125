"""Spellings shared by several topics of the bank: the column convention's layer l, its output
layer L, the scalar pre-activation z and the step sizes.

Each constant is a symbol of ``derivations.notation`` with the LaTeX spellings a class writes for
it; the layer's definitions say what every quantity of layer l and l+1 is.
"""

from __future__ import annotations

from derivations import notation as n
from derivations.expr import dsigma, sigma, vec
from derivations.questions.question import gradient_names, spelled

Z = spelled(n.z, "z")
ALPHA = spelled(n.alpha, r"\alpha")
ETA = spelled(n.eta, r"\eta")
LAMBDA = spelled(n.lam, r"\lambda")

# ---- the output layer L
ZL = spelled(n.z_L, "z^{(L)}", "z^{L}", "z^L", "z")
Y_COL = spelled(n.y, "y")
P_VEC = spelled(n.p, "p", r"\hat{y}", "a", "a^{(L)}", "a^{L}")
P_CE = spelled(n.p, "p", r"\hat{y}", "a^{(L)}", "a^{L}", "a^L", "a")  # a_k for p_k, as seed 003 writes
DELTA_L_OUT = spelled(n.delta_L, r"\delta^{(L)}", r"\delta^{L}", r"\delta^L")

# ---- layer l and the next one, column convention
W_L = spelled(n.W_l, "W^{(l)}", "W^{l}", "W^l")
B_L = spelled(n.b_l, "b^{(l)}", "b^{l}", "b^l")
Z_LL = spelled(n.z_l, "z^{(l)}", "z^{l}", "z^l")
A_LL = spelled(n.a_l, "a^{(l)}", "a^{l}", "a^l")
D_LL = spelled(n.delta_l, r"\delta^{(l)}", r"\delta^{l}", r"\delta^l")
A_PREV = spelled(n.a_prev, "a^{(l-1)}", "a^{l-1}")
W_NEXT = spelled(n.W_next, "W^{(l+1)}", "W^{l+1}")
B_NEXT = spelled(n.b_next, "b^{(l+1)}", "b^{l+1}")
Z_NEXT = spelled(n.z_next, "z^{(l+1)}", "z^{l+1}")
D_NEXT = spelled(n.delta_next, r"\delta^{(l+1)}", r"\delta^{l+1}")
A_NEXT_SYM = vec("a_next", n.N_NEXT, "a^{(l+1)}")
A_NEXT = spelled(A_NEXT_SYM, "a^{(l+1)}", "a^{l+1}")
# Every quantity defined but the inputs a^{(l-1)}, W, b and δ^{(l+1)} (the loss beyond layer l+1
# is unknown).
LAYER_DEFINITIONS = (
    (n.z_l, n.W_l @ n.a_prev + n.b_l),
    (n.a_l, sigma(n.z_l)),
    (n.z_next, n.W_next @ n.a_l + n.b_next),
    (A_NEXT_SYM, sigma(n.z_next)),
    (n.delta_l, (n.W_next.T @ n.delta_next).odot(dsigma(n.z_l))),
)
LAYER_NAMES = gradient_names((n.delta_l, "z^{(l)}"), (n.delta_next, "z^{(l+1)}"))
