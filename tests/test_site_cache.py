"""What a site build reuses from the previous one, and what makes it compute again.

A warm build must be fast (a reader of ``mkdocs serve`` waits for it after every save), but a reused
result is only right if its key names everything the result depends on: these tests change one
thing at a time and watch which keys move.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "site" / "_hooks"))

import gp_jobs  # noqa: E402 - the hook's modules live in site/_hooks, not in a package
import gp_math  # noqa: E402
import gp_measure  # noqa: E402


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GRADPROOF_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_editing_a_derivation_moves_the_keys_of_its_questions_and_no_others(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import derivations

    code = gp_measure.grader_code(REPO)
    before = gp_measure.question_keys(REPO, code, "source")
    assert gp_measure.question_keys(REPO, code, "source") == before  # same input, same keys
    items = dict(derivations.all_derivations())
    items["hidden-delta"] = dataclasses.replace(items["hidden-delta"], title="Edited hidden delta")
    monkeypatch.setattr(derivations, "all_derivations", lambda: items)
    after = gp_measure.question_keys(REPO, code, "source")
    from derivations.questions import QUESTIONS

    moved = {q for q in before if before[q] != after[q]}
    assert moved == {q for q, question in QUESTIONS.items() if question.derivation == "hidden-delta"}
    assert moved  # the catalogue's hidden delta has a question


def test_a_change_to_the_code_that_grades_moves_every_key(cache: Path) -> None:
    code = gp_measure.grader_code(REPO)
    one = gp_measure.question_keys(REPO, code, "def produce(): return 1")
    two = gp_measure.question_keys(REPO, code, "def produce(): return 2")
    assert all(one[q] != two[q] for q in one)


def test_the_example_class_is_keyed_by_the_questions_it_answers() -> None:
    asked = gp_measure._csv_questions(REPO / gp_measure.EXAMPLE_CSV)
    assert "hidden-delta" in asked
    assert gp_measure.meaning_of(asked) != gp_measure.meaning_of(asked - {"hidden-delta"})


def test_a_formula_that_passed_is_not_converted_again_and_one_that_failed_always_is(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gp_math, "_PASSED", {"file": None, "hashes": set(), "new": False})
    page = ('<span class="arithmatex">\\(a^{(l)} + 1\\)</span>'
            '<span class="arithmatex">\\(\\frobnicate{x}\\)</span>')
    problems: list[gp_math.Problem] = []
    gp_math.render_math(page, problems.append)
    assert [p.latex for p in problems] == ["\\frobnicate{x}"]
    gp_math.save_passed()
    stored = json.loads(gp_math._PASSED["file"].read_text())
    assert len(stored) == 1  # only the formula that passed

    # the next build, in a new process: the good formula is not converted, the bad one is again
    monkeypatch.setattr(gp_math, "_PASSED", {"file": None, "hashes": set(), "new": False})
    converted: list[str] = []
    real = gp_math.check.__wrapped__
    monkeypatch.setattr(gp_math, "check", lambda latex: (converted.append(latex), real(latex)))
    problems.clear()
    gp_math.render_math(page, problems.append)
    assert converted == ["\\frobnicate{x}"]
    assert [p.latex for p in problems] == ["\\frobnicate{x}"]


def test_imports_are_reparsed_when_a_file_changes(tmp_path: Path, cache: Path) -> None:
    pkg = tmp_path / "checker"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("X = 1\n")
    (pkg / "b.py").write_text("Y = 2\n")
    assert gp_jobs.import_closure(tmp_path, ("checker.a",)) == ("checker/__init__.py", "checker/a.py")
    (pkg / "a.py").write_text("from checker import b\n")
    os.utime(pkg / "a.py", ns=(1, 1))  # even a file whose time went backwards is read again
    assert gp_jobs.import_closure(tmp_path, ("checker.a",)) == (
        "checker/__init__.py", "checker/a.py", "checker/b.py")


def test_asking_whether_a_verdict_is_stored_imports_no_checker() -> None:
    code = (
        "import sys, derivations\n"
        "from checker.proof.verdicts import load_stored, stored_path\n"
        "d = derivations.get('hidden-delta')\n"
        "stored_path(d); load_stored(d)\n"
        "sys.path.insert(0, 'site/_hooks'); import gp_jobs\n"
        "assert gp_jobs.available('checker.grading.derivation.examples')\n"
        "assert not gp_jobs.available('checker.grading.nothing_here')\n"
        "import json\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sympy', 'checker'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert not any(m.startswith("sympy") for m in loaded)
    assert "checker.grading" not in loaded


def test_the_verdict_key_moves_with_the_derivation_and_with_the_checkers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import derivations
    from checker.proof import verdicts

    d = derivations.get("hidden-delta")
    key = verdicts.content_key(d)
    assert key == verdicts.content_key(d)
    assert key != verdicts.content_key(derivations.get("weight-gradient"))
    real = verdicts._source_digest
    edited = "checker.proof.symbolic.equality"
    monkeypatch.setattr(verdicts, "_source_digest",
                        lambda name: real(name) + (b"edited" if name == edited else b""))
    assert verdicts.content_key(d) != key


def _loaded_by_verifying() -> set[str]:
    """The project modules a process has loaded once it has verified a derivation (checked by running)."""
    code = ("import json, sys, derivations\n"
            "from checker.proof.verify import verify\n"
            "verify(derivations.get('hidden-delta'))\n"
            "mine = [m for m in sys.modules if m.split('.')[0] in ('checker', 'derivations')]\n"
            "print(json.dumps(sorted(mine)))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_every_module_verifying_loads_is_in_the_verdict_key(monkeypatch: pytest.MonkeyPatch) -> None:
    import derivations
    from checker.proof import verdicts

    d = derivations.get("hidden-delta")
    module = verdicts._catalogue_module(d.id)
    in_key = set(verdicts.checking_modules(module))
    # the catalogue is loaded whole to look a derivation up; only this derivation's module is its verdict's
    loaded = {m for m in _loaded_by_verifying()
              if not m.startswith("derivations.catalogue.") or m == module or m == "derivations.catalogue"}
    assert loaded <= in_key, f"a verdict depends on these but its key does not hash them: {loaded - in_key}"
    assert {"checker.proof.symbolic.equality", "checker.network.mlp", "derivations.expr.nodes"} <= in_key
    key = verdicts.content_key(d)
    real = verdicts._source_digest
    for name in sorted(in_key):
        monkeypatch.setattr(verdicts, "_source_digest",
                            lambda n, name=name: real(n) + (b"#" if n == name else b""))
        assert verdicts.content_key(d) != key, f"editing {name} does not move the verdict key"


def test_a_module_the_checkers_start_to_import_joins_the_key(tmp_path: Path) -> None:
    from checker import sources

    pkg = tmp_path / "checker" / "proof"
    pkg.mkdir(parents=True)
    (tmp_path / "checker" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "verify.py").write_text("def verify():\n    from . import numeric\n")
    (pkg / "numeric.py").write_text("X = 1\n")
    (pkg / "newcheck.py").write_text("Y = 2\n")
    assert "checker.proof.newcheck" not in sources.closure_files(tmp_path, ("checker.proof.verify",))
    (pkg / "numeric.py").write_text("from checker.proof.newcheck import Y\n")
    os.utime(pkg / "numeric.py", ns=(2, 2))
    assert "checker.proof.newcheck" in sources.closure_files(tmp_path, ("checker.proof.verify",))
    # a module named by an import before its file existed joins once the file is written
    (pkg / "newcheck.py").write_text("from checker.proof import later\n")
    assert "checker.proof.later" not in sources.closure_files(tmp_path, ("checker.proof.verify",))
    (pkg / "later.py").write_text("Z = 3\n")
    assert "checker.proof.later" in sources.closure_files(tmp_path, ("checker.proof.verify",))


def test_a_pages_formula_errors_are_stored_and_follow_its_text_and_filled_values(
        cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gp_prose

    from checker.grading import prose_pages

    page = "The pre-activation: $z^{(l)} = W^{(l)} a^{(l-1)} {{ bias }}$."
    without_bias = gp_prose.page_errors(page, "a test page", lambda latex: latex.replace("{{ bias }}", ""))
    assert len(without_bias) == 1 and "a test page" in without_bias[0]

    def no_checking(*args: object, **kwargs: object) -> None:
        raise AssertionError("checked again")

    real = prose_pages.check_page
    monkeypatch.setattr(prose_pages, "check_page", no_checking)
    assert gp_prose.page_errors(page, "a test page",
                                lambda latex: latex.replace("{{ bias }}", "")) == without_bias  # read back
    monkeypatch.setattr(prose_pages, "check_page", real)
    # the same text with another value filled in is checked again, and now holds
    with_bias = lambda latex: latex.replace("{{ bias }}", "+ b^{(l)}")  # noqa: E731
    assert gp_prose.page_errors(page, "a test page", with_bias) == []
    assert gp_prose.page_errors(page.replace("(l-1)", "(l)"), "a test page", with_bias) != []
