r"""Function names and their application: ``\sigma'(z)``, ``\tanh^2 z``, ``\max(0, z)``."""

from __future__ import annotations

import re
from fractions import Fraction

from lark import Tree

import checker.grading.readers.limits as limits
from checker.grading.readers.limits import AnswerError
from checker.grading.readers.syntax import (
    GREEK,
    GROUPS,
    STANDARD_FUNCTIONS,
    STRUCTURAL,
    FnHead,
    Node,
    PendingOnes,
    group_body,
    is_tok,
    is_tree,
    item_view,
    norm_word,
    unbrace,
    word_of,
)
from derivations.expr import (
    ELEMENTWISE,
    BigO,
    Cond,
    Diag,
    Div,
    Expr,
    Fn,
    Indicator,
    Max,
    Norm,
    Num,
    Piecewise,
    ShapeError,
    Softmax,
    shape_of,
)

GENERIC_NAMES = ("f", "g")
"""Letters a student uses for the generic activation σ (``f'(z)``, Andrew Ng's ``g'(z)``)."""
LANDAU_O = "O"
"""The name of Landau's O in a question's ``functions`` (and as a student writes it)."""

class FunctionsMixin:
    """Which words are functions, their derivative order and power, and calling them."""

    # ---- functions

    def function_word(self, word: str) -> str | None:
        w = norm_word(word)
        if w in STANDARD_FUNCTIONS:
            return STANDARD_FUNCTIONS[w]
        if self.vocab is not None:
            for name in self.vocab.functions:
                if norm_word(name) == w and name in ELEMENTWISE:
                    return name
        return None

    def function_head(self, atom: Node, scripts: list[Tree]) -> FnHead | None:
        name: str | None = None
        dots = 0
        if is_tree(atom, "accent") and atom.children[0].value == r"\dot":  # Newton's \dot\sigma is σ'
            dots, atom = 1, unbrace(atom.children[1])
        if is_tok(atom, "LANDAU") or is_tok(atom, "NAME", "IDENT") and atom.value == LANDAU_O:
            return self.landau_head(atom, scripts)
        if is_tok(atom, "CMD"):
            word = atom.value[1:]
            name = self.function_word(word) if word not in GREEK or word == "sigma" else None
        elif is_tok(atom, "WORDCMD"):
            name = self.function_word(word_of(atom))
        elif is_tok(atom, "NAME", "IDENT"):
            word = atom.value
            if self.vocab is not None and (word in self.vocab.code_names or self.lookup(word) is not None):
                return None
            if self.vocab is not None and word in self.vocab.bases:
                return None
            name = self.function_word(word)
            if name is None and word in GENERIC_NAMES:
                name = "sigma"
                self.options.marks.add(word)
        if name is None:
            return None
        d, power, base = dots, None, None
        for s in scripts:
            if s.data == "prime":
                d += 1
            elif s.data == "sup":
                info = self.split_sup(s.children[0])
                d += info.primes
                if info.transposes:
                    raise self.error(
                        s, f"a transpose on the function name `{self.spelled(atom)}` is not read"
                    )
                if info.layer is not None:
                    text = self.script_text(info.layer)
                    if info.paren and text.isdigit() and int(text) <= limits.MAX_DERIVATIVE:
                        d += int(text)  # \sigma^{(2)}, f^{(4)}: a derivative of that order
                    elif info.paren and name == "sigma" and re.fullmatch(r"[lL][+-]?\d?", text):
                        pass  # g^{[l]}: layer l's activation, the one generic σ
                    elif text.lstrip("-").isdigit() and int(text) < 0:
                        raise self.error(s, "inverse functions are not read")
                    else:
                        power = info.layer
            elif s.data == "power":
                power = s.children[0]
            elif s.data == "sub" and name == "log" and not dots and self.script_text(s.children[0]).isdigit():
                base = s.children[0]  # \log_{10} x, read as \log x / \log 10
            else:
                raise self.error(s, f"`{self.spelled(s)}` is not read on a function name")
        if d > limits.MAX_DERIVATIVE:
            raise self.error(atom, f"a derivative of order {d} is not read (at most {limits.MAX_DERIVATIVE})")
        return FnHead(name, d, power, atom, base)

    def landau_head(self, atom: Node, scripts: list[Tree]) -> FnHead | None:
        """Landau's ``O`` (``O(h^4)``, ``\\mathcal{O}(h^4)``), where the question allows it: elsewhere
        an O-term would read as 0 and hide a wrong answer, so O stays an unknown name."""
        if self.vocab is None or LANDAU_O not in self.vocab.functions or self.lookup(LANDAU_O) is not None:
            if is_tok(atom, "LANDAU"):
                raise self.error(atom, "an O-term is not read in this question: give the exact formula")
            return None
        if scripts:
            raise self.error(scripts[0], "write the order inside the O: O(h^4)")
        return FnHead(LANDAU_O, 0, None, atom)

    @staticmethod
    def example(head: FnHead) -> str:
        return {
            "max": r"\max(0, z)",
            "softmax": r"\operatorname{softmax}(z)",
            "diag": r"\operatorname{diag}(p)",
            "where": "where(z > 0, 1, 0)",
        }.get(
            head.name,
            rf"\{head.name}(z)" if head.name in ("sigma", "tanh", "exp", "log") else f"{head.name}(z)",
        )

    def is_head(self, node: Node) -> bool:
        """Whether an item is a function name or a sum, which take what follows."""
        atom, scripts = item_view(node)
        try:
            return self.function_head(atom, scripts) is not None or self.sum_head(atom, scripts) is not None
        except AnswerError:
            return False

    def apply_function(self, head: FnHead, arg_node: Node, arg: Expr | None = None) -> Expr | PendingOnes:
        atom, scripts = item_view(arg_node)
        if arg is not None:
            args, post = [arg], []
        elif is_tree(atom, *GROUPS):
            body = group_body(atom)
            if body is None:
                raise self.error(atom, f"`{self.spelled(head.node)}` needs an argument inside the brackets")
            parts = body.children if is_tree(body, "arglist") else [body]
            args: list[Expr | Cond] = []
            for p in parts:
                args.append(self.condition(p) if is_tree(p, "cond") else self.value(p))
            post = scripts
        else:
            args, post = [self.value(arg_node)], []
        result = self.call(head, args, arg_node)
        if head.base is not None:
            result = Div(result, Fn("log", self.value(head.base)))
        if head.power is not None:
            result = self.power(result, head.power)
        return self.apply_scripts(result, post)

    def call(self, head: FnHead, args: list, node: Node) -> Expr:  # noqa: C901
        name = head.name
        arity = STRUCTURAL.get(name, 1)
        if len(args) != arity:
            raise self.error(
                node,
                f"`{self.spelled(head.node)}` takes {arity} argument{'s' * (arity > 1)}, not {len(args)}",
            )
        if name != "where":  # a comparison as an argument is 1 where it holds: \sigma(z > 0)
            args = [Indicator(a) if isinstance(a, Cond) else a for a in args]
        if head.d and name in STRUCTURAL:
            raise self.error(head.node, f"the derivative of {name} is not read; write it out")
        if name == "max":
            return Max(args[0], args[1])
        if name == "softmax":
            axis = 1 if self.vocab is not None and self.vocab.row_convention else 0
            return Softmax(args[0], axis)
        if name == "diag":
            return Diag(args[0])
        if name == LANDAU_O:
            return BigO(args[0])
        if name == "where":
            cond, a, b = args
            if not isinstance(cond, Cond) or isinstance(a, Cond) or isinstance(b, Cond):
                raise self.error(
                    node, "the first argument of where(...) is a comparison, as in where(z > 0, 1, 0)"
                )
            if a == Num(Fraction(1)) and b == Num(Fraction(0)):
                return Indicator(cond)
            return Piecewise(((a, cond), (b, None)))
        if name in ("cosh", "sinh"):
            return self.hyperbolic(head, args[0])
        return Fn(name, args[0], head.d)

    # ---- norms and absolute values

    def norm_item(self, atom: Tree, scripts: list[Tree]) -> Expr:
        r"""``\|W\|_1`` (entrywise), ``\|W\|_F``, ``\|w\|_2``, ``\|w\|`` (Euclidean, entrywise for a
        matrix as in weight decay); squared (``\|W\|_F^2``) it is the sum of squares itself."""
        arg = self.value(atom.children[1])
        sub = next((s for s in scripts if s.data == "sub"), None)
        rest = [s for s in scripts if s is not sub]
        kind = self.script_text(sub.children[0]) if sub is not None else ""
        if kind == "1":
            return self.apply_scripts(Norm(arg, "l1"), rest)  # type: ignore[return-value]
        if kind not in ("", "2", "F"):
            raise self.error(sub, r"a norm is read as \|W\|_1, \|W\|_2 or \|W\|_F (also squared)")
        if kind == "2" and _is_matrix(arg):
            self.options.note(r"$\|W\|_2$ of a matrix is read entrywise, as the Frobenius norm $\|W\|_F$.")
        power = rest[0] if rest and rest[0].data in ("sup", "power") else None
        if power is not None and self.script_text(power.children[0]) == "2":
            return self.apply_scripts(Norm(arg, "fro2"), rest[1:])  # type: ignore[return-value]
        return self.apply_scripts(Fn("sqrt", Norm(arg, "fro2")), rest)  # type: ignore[return-value]

    def hyperbolic(self, head: FnHead, x: Expr) -> Expr:
        """cosh x = 1/sech x and sinh x = tanh x / sech x, in the functions the evaluators know."""
        order = head.d % 2 if head.name == "cosh" else (head.d + 1) % 2  # cosh' = sinh, sinh' = cosh
        one = Num(Fraction(1))
        return Div(one, Fn("sech", x)) if order == 0 else Div(Fn("tanh", x), Fn("sech", x))


def _is_matrix(e: Expr) -> bool:
    try:
        rows, cols = shape_of(e)
    except ShapeError:
        return False
    return rows != 1 and cols != 1
