"""Benchmark of the grader: time per answer in process, grade-batch of 1,000 answers, and a
side-by-side with math-verify on the scalar questions.

    python bench/bench_grader.py [--skip-batch] [--json OUT]

Numbers are measured on the machine that runs this; nothing is hard-coded. Wall-clock times
depend on how busy the machine is, so the CPU time of the same work is printed beside them (the
load average says how busy it was). grade-batch runs as ``python -m checker.commands.main``, the
same code as the ``gradproof`` command, in a fresh interpreter. math-verify is not a dependency
of gradproof: install it to compare (``pip install math-verify``), else that part is skipped
with a message.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
SCALAR = (
    "sigmoid-derivative", "tanh-derivative", "relu-derivative", "leaky-relu-derivative", "elu-derivative",
)


def corpus() -> list[dict[str, str]]:
    """Every labelled answer of tests/corpus/answers*.csv."""
    rows: list[dict[str, str]] = []
    for path in sorted(CORPUS.glob("answers*.csv")):
        with path.open(newline="", encoding="utf-8") as f:
            rows.extend(csv.DictReader(f))
    return rows


def _as_labelled(res: object, r: dict[str, str]) -> bool:
    if r.get("expected_mistakes"):
        expected = set(r["expected_mistakes"].split(";"))
        return res.verdict == r["expected_verdict"] and set(res.mistakes) == expected
    return (res.verdict, res.mistake or "") == (r["expected_verdict"], r["expected_mistake"])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def bench_in_process(rows: list[dict[str, str]], repeats: int = 3) -> dict:
    """Median and p99 time per answer, warm (questions prepared, every answer graded once before),
    wall clock and CPU time; the first (labelled) pass is timed apart, as a class would meet it."""
    from checker.grading.judge import grade, warm

    start_cpu = time.process_time()
    for qid in {r["question"] for r in rows}:
        warm(qid)
    prepare_cpu = time.process_time() - start_cpu
    agree, first = 0, []
    for r in rows:  # first pass, which also checks the labels
        start = time.perf_counter()
        res = grade(r["question"], r["answer"], r["format"] or "auto")
        first.append(time.perf_counter() - start)
        agree += _as_labelled(res, r)
    times, cpu = [], []
    for _ in range(repeats):
        for r in rows:
            start, start_cpu = time.perf_counter(), time.process_time()
            grade(r["question"], r["answer"], r["format"] or "auto")
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    return {
        "answers": len(rows),
        "graded_as_labelled": agree,
        "prepare_all_questions_cpu_s": round(prepare_cpu, 2),
        "first_pass_median_ms": round(1000 * statistics.median(first), 2),
        "first_pass_p99_ms": round(1000 * percentile(first, 99), 2),
        "median_ms": round(1000 * statistics.median(times), 2),
        "p99_ms": round(1000 * percentile(times, 99), 2),
        "max_ms": round(1000 * max(times), 2),
        "cpu_median_ms": round(1000 * statistics.median(cpu), 2),
        "cpu_p99_ms": round(1000 * percentile(cpu, 99), 2),
        "cpu_mean_ms": round(1000 * sum(cpu) / len(cpu), 2),
        "cpu_total_s": round(sum(cpu), 2),
    }


def bench_batch(rows: list[dict[str, str]], n: int = 1000, jobs: int = 2) -> dict:
    """Wall time of ``gradproof grade-batch`` on n answers (a fresh process: start-up included)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "submissions.csv"
        with src.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["student", "question", "answer", "format"])
            for i in range(n):
                r = rows[i % len(rows)]
                w.writerow([f"student{i % 50:02d}", r["question"], r["answer"], r["format"]])
        cmd = [sys.executable, "-m", "checker.commands.main", "grade-batch", str(src),
               "--out", str(Path(tmp) / "out"), "--jobs", str(jobs)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        results = json.loads((Path(tmp) / "out" / "results.json").read_text(encoding="utf-8"))
    return {"answers": n, "jobs": jobs, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "exit": proc.returncode, "results": len(results), "summary": proc.stdout.strip()}


def math_verify_gold(qid: str) -> str:
    from derivations.questions import QUESTIONS

    # math-verify cannot know that σ is the sigmoid: give it the formula in z alone.
    explicit = {"sigmoid-derivative": r"\frac{e^{-z}}{(1+e^{-z})^2}"}
    return explicit.get(qid, QUESTIONS[qid].accepted[0])


def bench_math_verify(rows: list[dict[str, str]]) -> dict:
    """Verdicts and time of gradproof and math-verify on the labelled scalar answers."""
    try:
        from math_verify import parse, verify
    except ImportError:
        return {"skipped": "math-verify is not installed (pip install math-verify to compare)"}
    from checker.grading.judge import grade

    scalar = [r for r in rows if r["question"] in SCALAR and r["expected_verdict"] != "invalid"
              and r["format"] in ("latex", "")]
    ours = theirs = 0
    t_ours = t_theirs = 0.0
    disagreements = []
    gold = {qid: parse(f"${math_verify_gold(qid)}$") for qid in SCALAR}
    for r in scalar:
        want = r["expected_verdict"] == "correct"
        start = time.perf_counter()
        got = grade(r["question"], r["answer"], "latex").verdict == "correct"
        t_ours += time.perf_counter() - start
        start = time.perf_counter()
        try:
            mv = bool(verify(gold[r["question"]], parse(f"${r['answer']}$")))
        except Exception:  # noqa: BLE001 - an answer math-verify cannot read counts as not verified
            mv = False
        t_theirs += time.perf_counter() - start
        ours += got == want
        theirs += mv == want
        if mv != want:
            disagreements.append(r["answer"])
    n = len(scalar)
    return {
        "answers": n,
        "gradproof_right": ours,
        "math_verify_right": theirs,
        "gradproof_ms_per_answer": round(1000 * t_ours / n, 2),
        "math_verify_ms_per_answer": round(1000 * t_theirs / n, 2),
        "math_verify_wrong_on": disagreements[:10],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = corpus()
    # other work on the machine inflates wall times: say how busy it was
    report: dict = {"cores": os.cpu_count(), "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    print("machine:", report)
    report["in_process"] = bench_in_process(rows)
    print("in process:", report["in_process"])
    if not args.skip_batch:
        report["grade_batch"] = bench_batch(rows)
        print("grade-batch:", report["grade_batch"])
    report["math_verify"] = bench_math_verify(rows)
    print("math-verify:", report["math_verify"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
