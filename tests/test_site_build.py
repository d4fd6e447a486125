"""The handbook builds in strict mode from the catalogue, and a wrong derivation breaks the build."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "site" / "_hooks"))

import gp_math  # noqa: E402 - the hook's modules live in site/_hooks, not in a package


def test_strict_build_succeeds(site_build: Any) -> None:
    assert site_build.returncode == 0, site_build.log[-4000:]
    assert (site_build.site_dir / "index.html").is_file()


def test_every_derivation_has_a_page(site_build: Any) -> None:
    from derivations import all_derivations

    ids = list(all_derivations())
    assert ids
    missing = [i for i in ids if not (site_build.site_dir / "derivations" / i / "index.html").is_file()]
    assert not missing, f"no page for {missing}"
    page = (site_build.site_dir / "derivations" / ids[0] / "index.html").read_text()
    assert "gp-step" in page and 'class="arithmatex gp-display"' in page


def test_every_question_has_a_page(site_build: Any) -> None:
    from derivations.questions import QUESTIONS

    assert QUESTIONS
    missing = [q for q in QUESTIONS if not (site_build.site_dir / "questions" / q / "index.html").is_file()]
    assert not missing, f"no page for {missing}"


def test_home_lists_every_derivation_with_its_status(site_build: Any) -> None:
    from derivations import all_derivations

    home = (site_build.site_dir / "index.html").read_text()
    for d in all_derivations().values():
        assert f'href="derivations/{d.id}/"' in home, d.id
    assert home.count("gp-status gp-verified") == len(all_derivations())


def test_sources_of_the_site_are_not_published(site_build: Any) -> None:
    out = site_build.site_dir
    assert not (out / "_hooks").exists() and not (out / "_templates").exists()
    assert not list(out.rglob("*.py")) and not list(out.rglob("*.j2"))
    assert (out / "examples" / "class.csv").is_file()  # the example class is a download


def test_search_index_holds_the_generated_pages(site_build: Any) -> None:
    from derivations import all_derivations

    index = json.loads((site_build.site_dir / "search" / "search_index.json").read_text())
    titles = {doc["title"] for doc in index["docs"]}
    assert {d.title for d in all_derivations().values()} <= titles


def test_pages_ask_for_nothing_outside_the_site(site_build: Any) -> None:
    for page in site_build.site_dir.rglob("*.html"):
        html = page.read_text(errors="replace")
        for attr in ('src="http', "src='http", 'href="https://fonts', "@import url(http"):
            assert attr not in html, f"{page}: {attr}"


def test_derivation_and_reference_code_link_both_ways(site_build: Any) -> None:
    page = (site_build.site_dir / "derivations" / "hidden-delta" / "index.html").read_text()
    assert 'href="../../mlp/#code-mlp-hidden-delta"' in page
    assert 'class="linenos"' in page or "linenodiv" in page  # the source is shown with line numbers
    mlp = (site_build.site_dir / "mlp" / "index.html").read_text()
    assert 'id="code-mlp-hidden-delta"' in mlp
    assert 'href="../derivations/hidden-delta/"' in mlp


def test_gradient_checks_are_measured_and_plotted(site_build: Any) -> None:
    from checker.network.activations import ACTIVATIONS
    from checker.network.losses import LOSSES

    page = (site_build.site_dir / "gradcheck" / "index.html").read_text()
    for theme in ("light", "dark"):
        assert (site_build.site_dir / f"gradcheck-{theme}.svg").stat().st_size > 5_000
        assert f'src="../gradcheck-{theme}.svg#only-{theme}"' in page
    for name in [*ACTIVATIONS, *LOSSES]:
        assert f"<td>{name}</td>" in page, name
    assert "gp-bad" not in page


def test_every_experiment_has_a_page_and_its_figures(site_build: Any) -> None:
    import re

    from checker.experiments import EXPERIMENTS

    for exp in EXPERIMENTS:
        folder = site_build.site_dir / "experiments" / exp.id
        page = (folder / "index.html").read_text()
        for src in re.findall(r'<img[^>]+src="([^"]+)"', page):
            assert (folder / src.split("#")[0]).resolve().is_file(), (exp.id, src)  # "#only-dark": a theme


def test_the_example_class_is_graded_at_build_time(site_build: Any) -> None:
    import csv

    rows = list(csv.DictReader((REPO / "site" / "examples" / "class.csv").open()))
    page = (site_build.site_dir / "questions" / "index.html").read_text()
    assert page.count('class="gp-verdict gp-') == len(rows)
    assert (site_build.site_dir / "questions" / "example-report.html").is_file()


def test_pieces_not_written_yet_give_pages_that_say_so() -> None:
    """With only the catalogue (no question bank, grader, gradient checker or experiments)."""
    import gp_measure
    import gp_pages
    from gp_jobs import Outcome

    from checker.proof.verify import verify_cached
    from derivations import get

    d = get("hidden-delta")
    m = gp_measure.Measurements(
        root=REPO, catalogue={d.id: d}, verify={d.id: Outcome("verify", d.id, True, verify_cached(d))},
        numeric_available=True, gradcheck=None, experiments=None, questions=None, grade_batch=None,
    )
    content = gp_pages.build(m)
    pages = {p.path: p.markdown for p in content.pages}
    assert not content.errors
    assert "not part of this build yet" in pages["gradcheck.md"]
    assert "not part of this build yet" in pages["experiments/index.md"]
    assert "not available" in pages["questions/index.md"]
    assert "derivations/hidden-delta.md" in pages


def test_a_piece_that_exists_but_fails_is_an_error() -> None:
    import gp_measure
    import gp_pages
    from gp_jobs import Outcome

    from checker.proof.verify import verify_cached
    from derivations import get

    d = get("hidden-delta")
    m = gp_measure.Measurements(
        root=REPO, catalogue={d.id: d}, verify={d.id: Outcome("verify", d.id, True, verify_cached(d))},
        numeric_available=True, gradcheck=Outcome("gradcheck", "grid", False, error="ValueError: boom"),
        experiments=[Outcome("experiment", "xor", False, error="RuntimeError: diverged")],
        questions=None, grade_batch=None,
    )
    content = gp_pages.build(m)
    assert any("gradient checks failed" in e for e in content.errors)
    assert any("experiment 'xor' failed" in e for e in content.errors)
    pages = {p.path: p.markdown for p in content.pages}
    assert "ValueError: boom" in pages["gradcheck.md"]


def test_cache_keys_follow_the_imports_of_the_code_that_produces_a_result(tmp_path: Path) -> None:
    import gp_jobs

    pkg = tmp_path / "checker"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("import numpy\n\ndef f():\n    from checker.sub import b\n    return b\n")
    (pkg / "sub" / "b.py").write_text("from . import c\n")
    (pkg / "sub" / "c.py").write_text("X = 1\n")
    (pkg / "unrelated.py").write_text("Y = 2\n")
    closure = gp_jobs.import_closure(tmp_path, ("checker.a",))
    assert closure == ("checker/__init__.py", "checker/a.py", "checker/sub/__init__.py", "checker/sub/b.py",
                       "checker/sub/c.py")
    key = gp_jobs.digest(tmp_path, closure)
    (pkg / "unrelated.py").write_text("Y = 3\n")
    assert gp_jobs.digest(tmp_path, closure) == key
    (pkg / "sub" / "c.py").write_text("X = 2\n")
    assert gp_jobs.digest(tmp_path, closure) != key


BROKEN = '''
"""hidden-delta with its last step wrong on purpose (sigma for sigma'), and a formula no one can render."""
from dataclasses import replace

from derivations.base import Chain, Step
from derivations.catalogue.hidden_delta import DERIVATION as GOOD
from derivations.expr import Fn, Hadamard, Mul, T
from derivations.notation import W_next, delta_next, z_l

chain = GOOD.chains[0]
wrong = Step(Hadamard(Mul(T(W_next), delta_next), Fn("sigma", z_l)), "wrong on purpose: sigma for sigma'")
DERIVATION = replace(
    GOOD,
    id="broken-hidden-delta",
    title="Broken hidden delta",
    context=GOOD.context + r" A formula that cannot be shown: $\\frobnicate{x}$.",
    chains=(Chain(chain.start, (*chain.steps[:-1], wrong)),),
    probe=None,
)
'''


@pytest.fixture(scope="module")
def broken_build(tmp_path_factory: pytest.TempPathFactory, site_builder) -> Any:  # noqa: ANN001
    """The site built in strict mode with one extra derivation whose last step is wrong."""
    folder = tmp_path_factory.mktemp("broken")
    module = folder / "broken_hidden_delta.py"
    module.write_text(BROKEN)
    return site_builder(folder / "out", env={"GRADPROOF_SITE_EXTRA_DERIVATIONS": str(module)})


def test_a_failing_derivation_fails_the_strict_build(broken_build: Any) -> None:
    assert broken_build.returncode != 0
    assert "derivation 'broken-hidden-delta' failed its checks" in broken_build.log
    assert "Aborted" in broken_build.log and "strict mode" in broken_build.log


def test_the_failing_derivation_is_shown_in_red(broken_build: Any) -> None:
    page = (broken_build.site_dir / "derivations" / "broken-hidden-delta" / "index.html").read_text()
    assert "FAILED its checks" in page
    assert page.count("gp-step-bad") == 1  # only the wrong step
    assert "gp-status gp-failed" in (broken_build.site_dir / "index.html").read_text()


def test_an_invalid_formula_fails_the_build_naming_page_and_formula(broken_build: Any) -> None:
    expected = "derivations/broken-hidden-delta.md: the formula $\\frobnicate{x}$ is not valid LaTeX"
    assert expected in broken_build.log
    page = (broken_build.site_dir / "derivations" / "broken-hidden-delta" / "index.html").read_text()
    assert 'class="gp-math-error"' in page


@pytest.mark.parametrize(
    "latex",
    [r"a \odot b", r"W^\top", r"\operatorname{diag}(v)", r"\mathbb{1}[z > 0]",
     r"\begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}", r"\boxed{x = 1}",
     r"\left\lVert x \right\rVert", r"\frac{\partial L}{\partial z^{(l)}}", r"p \coloneqq q",
     r"W^{+} = \arg\min_V F(V)"],  # \arg: unknown to latex2mathml, defined by MathJax
)
def test_formulas_of_the_site_pass_the_check(latex: str) -> None:
    gp_math.check(latex)


@pytest.mark.parametrize("latex", [r"\frobnicate{x}", r"\left( x", "", r"\sigam(z)", r"\frac{a}{b"])
def test_formulas_with_a_typo_fail_the_check(latex: str) -> None:
    with pytest.raises(gp_math.MathError):
        gp_math.check(latex)


def test_render_math_reports_the_bad_formula_and_keeps_the_good_ones_for_mathjax() -> None:
    html = ('<p><span class="arithmatex">\\(a^2\\)</span> and '
            '<span class="arithmatex">\\(\\nosuch\\)</span></p>'
            '<div class="arithmatex">\\[ x &lt; y \\]</div>')
    problems: list[gp_math.Problem] = []
    out = gp_math.render_math(html, problems.append)
    assert [p.latex for p in problems] == ["\\nosuch"]
    assert '<span class="arithmatex">\\(a^2\\)</span>' in out and "gp-math-error" in out
    # the displayed formula keeps its LaTeX (escaped) for MathJax and for the copy button
    assert '<div class="arithmatex gp-display">\\[x &lt; y\\]' in out
    assert 'class="gp-copy"' in out and 'data-latex="x &lt; y"' in out


def test_the_site_serves_mathjax_and_its_fonts_itself(site_build: Any) -> None:
    root = site_build.site_dir / gp_math.MATHJAX_DIR
    assert (root / gp_math.MATHJAX_SCRIPT).stat().st_size > 500_000
    fonts = list(root.rglob("*.woff"))
    assert any("MathJax_Main-Regular" in f.name for f in fonts) and len(fonts) > 10
    page = (site_build.site_dir / "index.html").read_text()
    assert f'src="{gp_math.MATHJAX_DIR}/{gp_math.MATHJAX_SCRIPT}"' in page
    assert page.index('src="javascripts/gradproof.js"') < page.index(gp_math.MATHJAX_SCRIPT)
    # the components MathJax loads itself (gradproof.js asks for ui/lazy) are served too
    settings = (site_build.site_dir / "javascripts" / "gradproof.js").read_text()
    for component in gp_math.MATHJAX_COMPONENTS:
        assert (root / component).stat().st_size > 1_000
        assert f'"{component.removesuffix(".js")}"' in settings


def test_hook_code_is_where_mkdocs_yml_says() -> None:
    config = (REPO / "mkdocs.yml").read_text()
    assert "site/_hooks/gradproof_site.py" in config
    assert Path(REPO / "site" / "_hooks" / "gradproof_site.py").is_file()
    assert not (REPO / "site" / "__init__.py").exists()  # site/ would shadow the stdlib's site module


def _fake_catalogue(*rows: tuple[str, str, str]) -> dict[str, Any]:
    from types import SimpleNamespace

    return {i: SimpleNamespace(id=i, topic=t, convention=c, title=i.replace("-", " ")) for i, t, c in rows}


def test_the_course_order_of_the_real_catalogue() -> None:
    import gp_course

    from derivations import all_derivations
    from derivations.base import TOPICS

    groups = gp_course.chapters(all_derivations(), TOPICS)
    titles = [ch.title for ch, _ in groups]
    order = [i for _, ids in groups for i in ids]
    assert sorted(order) == sorted(all_derivations())  # every derivation once
    assert titles[:3] == ["Activations", "Softmax and losses", "Backpropagation, one example"]
    for before, after in [("sigmoid-derivative", "softmax-ce-gradient"),
                          ("softmax-ce-gradient", "hidden-delta"),
                          ("mse-output-delta", "hidden-delta"), ("hidden-delta", "weight-gradient"),
                          ("weight-gradient", "bias-gradient"), ("bias-gradient", "batch-weight-gradient"),
                          ("batch-bias-gradient", "row-backprop"), ("row-backprop", "l2-update"),
                          ("l2-update", "input-gradient"), ("input-gradient", "central-difference")]:
        assert order.index(before) < order.index(after), (before, after)


def test_a_new_derivation_slots_in_by_its_topic() -> None:
    import gp_course

    cat = _fake_catalogue(("hidden-delta", "backprop", "column"), ("zeta-new", "backprop", "column"),
                          ("row-new", "backprop", "row"), ("alpha-new", "activations", "column"),
                          ("sigmoid-derivative", "activations", "column"), ("conv", "convolution", "column"),
                          ("adam", "optimization", "column"))
    groups = {ch.title: ids for ch, ids in gp_course.chapters(cat, ("activations", "backprop", "optimization",
                                                                    "convolution"))}
    assert groups["Activations"] == ["sigmoid-derivative", "alpha-new"]  # named first, then by title
    assert groups["Backpropagation, one example"] == ["hidden-delta", "zeta-new"]
    assert groups["The row convention"] == ["row-new"]
    # topics no chapter names get a chapter each, after the course, in the order of the topics
    assert list(groups)[-2:] == ["Optimization", "Convolution"]


def test_question_pages_keep_the_solution_closed_and_the_bank_lists_no_answers(site_build: Any) -> None:
    import re

    from derivations.questions import QUESTIONS

    index = (site_build.site_dir / "questions" / "index.html").read_text()
    bank = index[index.index('id="the-bank"'):]
    for qid in QUESTIONS:
        page = (site_build.site_dir / "questions" / qid / "index.html").read_text()
        solutions = re.findall(r"<details class=\"[^\"]*gp-solution[^\"]*\"( open)?", page)
        assert solutions and not any(solutions), f"{qid}: solution missing or open on load"
        article = page[page.index("<article"):page.index("</article>")]
        before = article[:article.index("gp-solution")]
        assert "Reference answer" not in before and "your answer" in before
        assert f'href="{qid}/"' in bank
    assert "Reference answer" not in bank and "arithmatex" not in bank  # the table shows no formula


def test_latex_left_in_prose_is_found_and_formulas_and_code_are_not() -> None:
    assert gp_math.raw_latex("<p>gradients $\\bar{g} + $ noise</p>")  # a $ that opened no formula
    assert gp_math.raw_latex("<p>BP2: δ^{(l)} = (W^{(l+1)})ᵀ δ^{(l+1)}</p>")
    clean = ('<p>Here <span class="arithmatex">\\(x^{2} \\odot y\\)</span>, <code>W^{(l)}</code> and '
             '<div class="arithmatex gp-display">\\[\\frac{a}{b}\\]<button data-latex="\\frac{a}{b}">'
             '</button></div>.</p><pre>\\sigma</pre>')
    assert gp_math.raw_latex(clean) == []


def test_grader_feedback_shows_quoted_latex_as_code_and_formulas_as_formulas() -> None:
    import gp_pages

    out = gp_pages.feedback_text(r"this question names: \frac{\partial L}{\partial y} (at character 1: "
                                 r"⟨here⟩\frac{\partial \op…). Use $\sigma'(z)$, not W^{(l)}.")
    assert out == (r"this question names: `` \frac{\partial L}{\partial y} `` (at character 1: "
                   r"`` ⟨here⟩\frac{\partial \op… ``). Use $\sigma'(z)$, not `` W^{(l)} ``.")


def test_the_errata_page_shows_the_graders_real_verdicts(site_build: Any) -> None:
    import gp_errata

    page = (site_build.site_dir / "errata" / "index.html").read_text()
    for e in gp_errata.ERRATA:
        assert e.title in page
    assert page.count('class="gp-verdict gp-incorrect"') >= 4  # the copied mistakes are wrong answers
    for tag in ("transposed", "summed-over-outputs", "sign-error", "wrong-scale"):
        assert f"<code>{tag}</code>" in page, tag
    assert "2.040" in page and "0.886" in page  # −ln 0.13 and −log₁₀ 0.13, computed in the build


def test_the_worked_example_uses_seed_002s_logits_through_the_reference_code() -> None:
    import dataclasses
    import math

    import gp_examples

    from derivations import all_derivations

    d = all_derivations()["softmax-ce-gradient"]
    ex = gp_examples.example(d)
    z = gp_examples.SEED_LOGITS
    total = sum(math.exp(v) for v in z)
    p = [math.exp(v) / total for v in z]
    text = " ".join(ex["lines"])
    assert f"{p[0]:.3f}" in text and f"{-math.log(p[0]):.3f}" in text and f"{p[0] - 1:.3f}" in text
    assert "largest relative error" in ex["intro"]
    # no example of its own and no recorded one (no verify result): no example
    assert gp_examples.example(dataclasses.replace(d, id="no-such-derivation")) is None


def test_each_page_names_the_numeric_check_it_really_ran(site_build: Any) -> None:
    from derivations import all_derivations

    sampled = {"init", "bound"}
    seen = set()
    for d in all_derivations().values():
        if d.probe is None:
            continue
        page = (site_build.site_dir / "derivations" / d.id / "index.html").read_text()
        if d.probe.kind in sampled:
            seen.add(d.probe.kind)
            assert "against central differences" not in page, f"{d.id} claims central differences"
        elif d.probe.kind in ("dz", "dW", "db", "activation", "softmax"):
            assert "against central differences" in page, d.id
    assert seen, "the catalogue has sampled or bounded checks, and they were looked at"


def test_a_model_solution_is_shown_only_where_the_grader_grades_it_correct(site_build: Any) -> None:
    import re

    from derivations import all_derivations

    shown = explained = 0
    for d in all_derivations().values():
        page = (site_build.site_dir / "derivations" / d.id / "index.html").read_text()
        text = re.sub(r"<[^>]+>", " ", page)
        if "Model solution" in text:
            shown += 1
            after = text[text.index("Model solution"):]
            assert re.search(r"Graded:\s*correct", after), f"{d.id}: its own steps shown graded wrong"
        elif "cannot yet follow every step" in text:
            explained += 1
    assert shown > 0, "no page demonstrates the derivation grader"
