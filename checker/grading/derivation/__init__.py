r"""Grading a whole derivation step by step (QUESTIONS.md §6).

Homework is cut into relations (:mod:`.segment`), sorted into the chain's steps, definitions
and lemmas, each side read by the answer readers with a vocabulary that knows every quantity of
the question's network and every ∂-fraction of them (:mod:`.names`, :mod:`.model`, read off the
question and its catalogue derivation by :mod:`.network`); steps are evaluated on random
instances of the network, derivatives by central differences (:mod:`.values`); the first step
that does not follow is found and its mistake named relative to the step before
(:mod:`.mistake`, :mod:`.grade`).

## Notation that has one fitting reading, and notation that has none

Homework is read as a class writes it; where a reading is a choice, the step's feedback says
which was taken (never silently):

- Unicode scripts typed on a phone (``δ⁽ᴸ⁾``, ``a⁽ˡ⁻¹⁾ᵀ``, ``tanh²``, ``Wₖⱼ``) are the scripts
  they show; ``=>``/``⇒``/``\implies`` join two relations; ``\boxed{…}`` is its content; a
  ``\quad \text{…}`` after a step is a reason, not part of it.
- A condition alone before a relation (``For $i \neq j$:``, ``当 $i=j$ 时``) makes it a case:
  a lemma checked on those entries only, never the chain's start.
- Read with a note, because only one reading fits the shapes: ``\cdot`` or juxtaposition of two
  same-shape columns (⊙, as for single answers); a chain of ``×`` whose columns stand beside
  matrices of as many rows (``σ'(z) × W``: diag(σ'(z)) W); ``x \otimes y`` of two columns (the
  outer product x yᵀ; some books mean the Kronecker product); ``p \sum_k y_k`` (the sum beside
  the whole vector); ``δ_{ij}`` beside a declared δ (two subscripts: Kronecker's delta); ``W'``
  alone in an update question (the updated weight, not Wᵀ); ``I`` in a product, where the question
  has no I (the identity); ``dW^{[l]}``, ``dz^{[l]}``, ``dZ^{[l]}`` where d is no symbol (Andrew
  Ng's gradients: a quantity with one column per example takes the summed loss's, his dZ being Δ).
- Refused with a message that says why, the step being unreadable (so the derivation is never
  ``correct``): a derivative that is a three- or four-way array (``\frac{\partial z}{\partial W}``,
  ``\frac{\partial z_i}{\partial W_{jk}}``), which no matrix product holds; a name the question
  does not have and the student does not define (``H(z)``), ``I`` outside a product.

    is_derivation(text) -> bool
    grade_derivation(question_id, text, fmt="auto", strict_notation=False) -> dict  # the §6 JSON
"""

from checker.grading.derivation.grade import grade_derivation, is_derivation

__all__ = ["grade_derivation", "is_derivation"]
