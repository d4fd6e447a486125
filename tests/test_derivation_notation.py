"""Notation of homework as a class writes it: Unicode scripts, ``=>``, boxed answers, cases."""

from __future__ import annotations

from checker.grading.derivation import grade_derivation
from checker.grading.derivation.segment import relations
from checker.grading.readers.unicode_scripts import spell_out


def test_unicode_superscripts_and_subscripts_are_spelled_out() -> None:
    assert spell_out("δ⁽ᴸ⁾ (a⁽ˡ⁻¹⁾)ᵀ", latex=False) == "δ^(L) (a^(l-1))ᵀ"
    assert spell_out("1 − tanh²(z)", latex=True) == "1 − tanh^{2}(z)"
    assert spell_out("Wₖⱼ", latex=False) == "W_{kj}"
    assert spell_out("no scripts", latex=False) == "no scripts"


def test_a_unicode_derivation_is_read_and_its_wrong_step_found() -> None:
    right = grade_derivation("weight-gradient", "∂L/∂W⁽ˡ⁾ = δ⁽ˡ⁾ (a⁽ˡ⁻¹⁾)ᵀ")
    wrong = grade_derivation("weight-gradient", "∂L/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ (δ⁽ˡ⁾)ᵀ")
    assert right["verdict"] == "correct", right
    assert (wrong["first_wrong_step"], wrong["steps"][1]["mistake"]) == (2, "transposed"), wrong


def test_plain_arrow_joins_two_relations_and_a_box_is_unwrapped() -> None:
    rels = relations("∂L/∂W_ij = δ_i a_j\n=> ∂L/∂W = δ a^T")
    assert [r.sides[0] for r in rels] == ["∂L/∂W_ij", "∂L/∂W"]
    boxed = relations(r"So $\boxed{\sigma'(z) = \sigma(z)^2 - \sigma(z)}$.")
    assert boxed[0].sides == (r"\sigma'(z)", r"\sigma(z)^2 - \sigma(z)")
    r = grade_derivation(
        "sigmoid-derivative",
        r"$$\sigma'(z) = \sigma(z)(1-\sigma(z))$$ so $\boxed{\sigma'(z) = \sigma(z) - 1}$",
    )
    assert r["verdict"] == "incorrect" and r["first_wrong_step"] == 3, r


def test_a_case_is_a_lemma_checked_on_its_entries_only() -> None:
    text = (
        r"For $i = j$: $\frac{\partial p_i}{\partial z_i} = p_i(1-p_i)$. "
        r"For $i \neq j$: $\frac{\partial p_i}{\partial z_j} = {SIGN}p_i p_j$. Hence"
        "\n\n"
        r"$$\frac{\partial p}{\partial z} = \operatorname{diag}(p) - p p^T$$"
    )
    right = grade_derivation("softmax-jacobian", text.replace("{SIGN}", "-"))
    wrong = grade_derivation("softmax-jacobian", text.replace("{SIGN}", ""))
    assert right["verdict"] == "correct", right
    lemmas = [s["verdict"] for s in wrong["steps"] if s["kind"] == "lemma"]
    assert lemmas == ["follows", "does-not-follow"], wrong


def test_a_condition_in_an_earlier_sentence_is_not_a_case() -> None:
    rels = relations(
        r"$\delta_{ki}$ is 1 when $k = i$ and 0 otherwise."
        + "\n\n"
        + r"$$\frac{\partial L}{\partial z_i} = p_i - y_i$$"
    )
    assert all(r.condition is None for r in rels)


def test_a_sign_lost_in_one_term_of_a_new_sum_is_named() -> None:
    r = grade_derivation(
        "softmax-ce-gradient",
        r"$$\frac{\partial L}{\partial z_i} = -\sum_k \frac{y_k}{p_k}\frac{\partial p_k}{\partial z_i}"
        r" = -y_i(1 - p_i) - \sum_{k \neq i} y_k\, p_i$$",
    )
    assert (r["first_wrong_step"], r["steps"][2]["mistake"]) == (3, "sign-error"), r


def test_the_updated_weight_may_be_written_with_a_prime() -> None:
    r = grade_derivation(
        "l2-update", r"$$W' = W - \eta\left(\frac{\partial J}{\partial W} + \lambda W\right)$$"
    )
    assert r["verdict"] == "correct", r


def test_a_chain_of_times_that_fits_no_other_way_reads_columns_as_diagonals() -> None:
    from checker.grading.judge import grade

    right = grade("input-gradient", r"\sigma'(z^{(2)}) \times W^{(2)} \times \sigma'(z^{(1)}) \times W^{(1)}")
    wrong = grade("input-gradient", r"\sigma'(z^{(2)}) \times W^{(2)} \times \sigma(z^{(1)}) \times W^{(1)}")
    assert right.verdict == "correct" and "diagonal" in right.feedback, right
    assert wrong.verdict == "incorrect", wrong


def test_otimes_of_two_columns_is_the_outer_product_with_a_note_and_oslash_divides() -> None:
    r = grade_derivation(
        "weight-gradient", r"$$\frac{\partial L}{\partial W^{(l)}} = \delta^{(l)} \otimes a^{(l-1)}$$"
    )
    assert r["verdict"] == "correct" and "outer product" in r["steps"][1]["feedback"], r
    flipped = grade_derivation(
        "weight-gradient", r"$$\frac{\partial L}{\partial W^{(l)}} = a^{(l-1)} \otimes \delta^{(l)}$$"
    )
    assert flipped["steps"][1]["mistake"] == "transposed", flipped
    r = grade_derivation(
        "softmax-ce-gradient", r"$$\nabla_{z} L = (\operatorname{diag}(p) - p p^{T})(-y \oslash p) = p - y$$"
    )
    assert r["verdict"] == "correct", r


def test_a_reason_after_quad_is_not_part_of_the_step() -> None:
    rels = relations(r"$$\delta = u \odot v \quad \text{(chain rule through } z^{(l+1)}\text{)}$$")
    assert rels[0].sides == (r"\delta", r"u \odot v")
    kept = relations(r"$$W - \eta\lambda\,\mathrm{sign}(W) = V$$")
    assert kept[0].sides[0] == r"W - \eta\lambda\,\mathrm{sign}(W)"


def test_a_derivative_that_is_a_three_way_array_is_refused_with_its_reason() -> None:
    r = grade_derivation(
        "weight-gradient",
        r"$$\frac{\partial L}{\partial W^{(l)}} = \frac{\partial L}{\partial z^{(l)}}"
        r"\frac{\partial z^{(l)}}{\partial W^{(l)}} = \delta^{(l)} (a^{(l-1)})^T$$",
    )
    assert r["verdict"] == "incorrect" and r["first_wrong_step"] is None, r
    assert "three-way array" in r["steps"][1]["feedback"], r


def test_plain_text_operators_fractions_and_reasons_read() -> None:
    for question, text in (
        ("tanh-derivative", "d/dz tanh(z) = sech²(z) = 1 − tanh²(z)"),
        ("tanh-derivative", "d(tanh(z))/dz = 1 − tanh(z)^2"),
        ("mse-output-delta", "δ^(L) = ∂/∂z^(L) ½‖a^(L) − y‖² = (a^(L) − y) ⊙ σ'(z^(L))"),
        ("weight-gradient", "dL/dW^(l) = dL/dz^(l) * a^(l-1)^T    (chain rule)\n = delta^(l) a^(l-1)^T"),
    ):
        r = grade_derivation(question, text)
        assert r["verdict"] == "correct", (text, r)
    wrong = grade_derivation("tanh-derivative", "d/dz tanh(z) = 1 + tanh²(z)")
    assert wrong["first_wrong_step"] == 2, wrong


def test_code_names_in_text_and_gradient_shorthand_are_read_with_a_note() -> None:
    r = grade_derivation(
        "row-output-delta",
        r"$$\delta_3 = \frac{\partial L}{\partial Z_2} = \text{probs} - \text{y\_onehot}$$",
    )
    assert r["verdict"] == "correct", r
    r = grade_derivation("weight-gradient", r"$$dW^{[l]} = dz^{[l]}\, a^{[l-1]T}$$")
    assert r["verdict"] == "correct" and "shorthand" in r["steps"][1]["feedback"], r
    mean_lost = grade_derivation(
        "batch-weight-gradient", r"$$\frac{\partial J}{\partial W^{[l]}} = dZ^{[l]} A^{[l-1]T}$$"
    )
    assert (mean_lost["first_wrong_step"], mean_lost["steps"][1]["mistake"]) == (2, "wrong-scale"), mean_lost


def test_an_input_written_by_its_definition_is_worked_out() -> None:
    start = r"$$\frac{\partial J}{\partial W^{(l)}} = "
    right = start + r"\frac{1}{m} \frac{\partial \sum_i L_i}{\partial Z^{(l)}} (A^{(l-1)})^T$$"
    assert grade_derivation("batch-weight-gradient", right)["verdict"] == "correct"
    unworked = start + r"\frac{\partial J}{\partial Z^{(l)}} (A^{(l-1)})^T$$"  # right, but ∂J/∂Z is no input
    assert grade_derivation("batch-weight-gradient", unworked)["verdict"] == "incorrect"


def test_a_display_that_begins_with_equals_after_a_remark_in_prose_goes_on_with_the_chain() -> None:
    text = (
        r"By definition \(\delta^{(l)} = \frac{\partial L}{\partial z^{(l)}}\). Through \(a^{(l)}\),"
        "\n\n"
        r"$$= \frac{\partial L}{\partial a^{(l)}} \odot \sigma'(z^{(l)})$$"
        "\n\nwhere "
        r"\(\frac{\partial L}{\partial a^{(l)}} = W^{(l+1)T}\delta^{(l+1)}\), so"
        "\n\n"
        r"$$= \left(W^{(l+1)T}\delta^{(l+1)}\right) \odot \sigma'(z^{(l)})$$"
    )
    r = grade_derivation("hidden-delta", text)
    assert r["verdict"] == "correct", r


def test_the_identity_in_a_product_is_its_other_factor_and_alone_is_refused() -> None:
    from checker.grading.judge import grade

    assert grade("bias-gradient", r"I \delta^{(l)}").verdict == "correct"
    alone = grade("bias-gradient", r"\delta^{(l)} - I")
    assert alone.verdict == "invalid" and "size of the identity" in alone.feedback


def test_a_layer_off_by_one_that_breaks_the_shapes_is_named() -> None:
    r = grade_derivation("hidden-delta", "δ^(l) = (W^(l))ᵀ δ^(l+1) ⊙ σ'(z^(l))")
    assert (r["first_wrong_step"], r["steps"][1]["mistake"]) == (2, "wrong-layer"), r


def test_the_index_letters_of_other_books_and_numbered_plain_lines_read() -> None:
    r = grade_derivation(
        "weight-gradient", r"$$\frac{\partial C}{\partial w^{(l)}_{ti}} = \delta^{(l)}_t a^{(l-1)}_i$$"
    )
    assert r["verdict"] == "correct", r
    flipped = grade_derivation(
        "weight-gradient", r"$$\frac{\partial C}{\partial w^{(l)}_{ti}} = \delta^{(l)}_i a^{(l-1)}_t$$"
    )
    assert flipped["first_wrong_step"] == 2, flipped
    rels = relations("Step 1: dL/dz_i = p_i - y_i\n(2) = p_i - y_i\n3. = p_i - y_i")
    assert [r.sides for r in rels] == [("dL/dz_i", "p_i - y_i"), ("p_i - y_i",), ("p_i - y_i",)]
