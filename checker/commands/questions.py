"""``gradproof questions [--json]``: the question bank, with symbols, shapes and accepted answers."""

from __future__ import annotations

import argparse
import json

from derivations.expr import Expr, shape_of, to_latex
from derivations.prose import plain
from derivations.questions import QUESTIONS, Question


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's options."""
    parser.add_argument("--json", action="store_true", help="print the bank as JSON")


def _shape(e: Expr) -> str:
    r, c = shape_of(e)
    return f"{r}×{c}"


def question_json(q: Question) -> dict:
    """The public description of one question (also used by the site)."""
    return {
        "id": q.id,
        "title": q.title,
        "prompt": plain(q.prompt),  # a formula's "not machine-checked" mark is for the site only
        "derivation": q.derivation + (f"#{q.chain}" if q.chain else ""),
        "symbols": [
            {"latex": s.tex or s.key, "shape": _shape(s), "spellings": list(spellings)}
            for s, spellings in q.symbols
        ],
        "code_names": {name: s.tex or s.key for name, s in q.code_names},
        "named": {spelling: to_latex(e) for spelling, e in q.named},
        "sigma": q.sigma,
        "index_notation": q.index_notation,
        "accepted": list(q.accepted),
        "reference": to_latex(q.reference),
        "answer_shape": _shape(q.reference),
    }


def run(args: argparse.Namespace) -> int:
    """Print every question."""
    items = [question_json(q) for q in QUESTIONS.values()]
    if args.json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return 0
    for item in items:
        print(f"{item['id']} — {item['title']}")
        print(f"  {item['prompt']}")
        symbols = ", ".join(f"{s['latex']} ({s['shape']})" for s in item["symbols"])
        print(f"  symbols: {symbols}; the answer is {item['answer_shape']}")
        if item["code_names"]:
            print("  code names: " + ", ".join(f"{k} = {v}" for k, v in item["code_names"].items()))
        print(f"  σ: {item['sigma']}; index notation: {'yes' if item['index_notation'] else 'no'}")
        print("  accepted answers:")
        for a in item["accepted"]:
            print(f"    {a}")
        print()
    return 0
