"""The course's symbols, with their shapes, shared by derivations and questions.

Column convention (one example is a column): z^{(l)} = W^{(l)} a^{(l-1)} + b^{(l)},
a^{(l)} = σ(z^{(l)}), δ^{(l)} = ∂L/∂z^{(l)}; W^{(l)} is n_l × n_{l-1}.
Row convention (the slides' code): X is m × d, rows are examples; Z_1 = X W_1 + b_1.
"""

from __future__ import annotations

from derivations.expr import mat, scalar, vec

# dimensions
N_PREV, N_L, N_NEXT, N_OUT, M = "n_{l-1}", "n_l", "n_{l+1}", "n_L", "m"

# ---- one layer l of the column convention
a_prev = vec("a_prev", N_PREV, "a^{(l-1)}")
W_l = mat("W_l", N_L, N_PREV, "W^{(l)}")
b_l = vec("b_l", N_L, "b^{(l)}")
z_l = vec("z_l", N_L, "z^{(l)}")
a_l = vec("a_l", N_L, "a^{(l)}")
delta_l = vec("delta_l", N_L, r"\delta^{(l)}")
W_next = mat("W_next", N_NEXT, N_L, "W^{(l+1)}")
b_next = vec("b_next", N_NEXT, "b^{(l+1)}")
z_next = vec("z_next", N_NEXT, "z^{(l+1)}")
delta_next = vec("delta_next", N_NEXT, r"\delta^{(l+1)}")

# ---- the output layer L
z_L = vec("z_L", N_OUT, "z^{(L)}")
a_L = vec("a_L", N_OUT, "a^{(L)}")
y = vec("y", N_OUT, "y")
delta_L = vec("delta_L", N_OUT, r"\delta^{(L)}")

# ---- a batch of m examples as columns
A_prev = mat("A_prev", N_PREV, M, "A^{(l-1)}")
Z_l = mat("Z_l", N_L, M, "Z^{(l)}")
Delta_l = mat("Delta_l", N_L, M, r"\Delta^{(l)}")
m = scalar("m", "m")

# ---- scalars
eta = scalar("eta", r"\eta")
lam = scalar("lambda", r"\lambda")
alpha = scalar("alpha", r"\alpha")
h = scalar("h", "h")

# ---- the row convention of the slides' code (subscripts are layer numbers)
D, H, C = "d", "h", "c"
X = mat("X", M, D, "X")
W1 = mat("W1", D, H, "W_1")
b1 = mat("b1", 1, H, "b_1")
Z1 = mat("Z1", M, H, "Z_1")
A1 = mat("A1", M, H, "A_1")
W2 = mat("W2", H, C, "W_2")
b2 = mat("b2", 1, C, "b_2")
Z2 = mat("Z2", M, C, "Z_2")
P = mat("P", M, C, "P")
Y = mat("Y", M, C, "Y")
delta3 = mat("delta3", M, C, r"\delta_3")
delta2 = mat("delta2", M, H, r"\delta_2")

# ---- regularisation: an unregularised cost $J$, an unknown scalar function of $W^{(l)}$
J = scalar("J", "J", depends=(W_l,))
G = mat("G", N_L, N_PREV, "G")

# ---- a two-layer network: $y = \sigma(W^{(2)} \sigma(W^{(1)} x + b^{(1)}) + b^{(2)})$, input $x$
N0, N1, N2 = "n_0", "n_1", "n_2"
x_in = vec("x", N0, "x")
W_1 = mat("W_1", N1, N0, "W^{(1)}")
b_1 = vec("b_1", N1, "b^{(1)}")
z_1 = vec("z_1", N1, "z^{(1)}")
a_1 = vec("a_1", N1, "a^{(1)}")
W_2 = mat("W_2", N2, N1, "W^{(2)}")
b_2 = vec("b_2", N2, "b^{(2)}")
z_2 = vec("z_2", N2, "z^{(2)}")
y_out = vec("y_out", N2, "y")

# ---- one unit (the activation derivations are scalar) and the output distribution
z = scalar("z", "z")
p = vec("p", N_OUT, "p")

# ---- optimisers: one parameter array W of layer l, its gradient G = ∂J/∂W at step t, and the
# optimiser's state (a velocity v, running means m, s of G and G ⊙ G); t+1 after the step
W_t = mat("W_t", N_L, N_PREV, "W_t")
W_t1 = mat("W_t1", N_L, N_PREV, "W_{t+1}")
v_t = mat("v_t", N_L, N_PREV, "v_t")
v_t1 = mat("v_t1", N_L, N_PREV, "v_{t+1}")
s_t = mat("s_t", N_L, N_PREV, "s_t")
s_t1 = mat("s_t1", N_L, N_PREV, "s_{t+1}")
m_t = mat("m_t", N_L, N_PREV, "m_t")
m_t1 = mat("m_t1", N_L, N_PREV, "m_{t+1}")
mu = scalar("mu", r"\mu")
rho = scalar("rho", r"\rho")
beta1 = scalar("beta1", r"\beta_1")
beta2 = scalar("beta2", r"\beta_2")
eps = scalar("epsilon", r"\epsilon")
t = scalar("t", "t")
