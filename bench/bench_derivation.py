"""Benchmark of the derivation grader: a 6-step derivation in process, the whole corpus, and
``gradproof grade-batch`` of a class of 300 derivations.

    python bench/bench_derivation.py [--skip-batch] [--json OUT]

Targets (issue 11): a 6-step derivation in ≤ 150 ms median and ≤ 1 s p99 in process; 300
derivations through grade-batch in ≤ 60 s on 2 cores. Numbers are measured on the machine that
runs this, warm (each question's draws made once, as in a batch worker); nothing is hard-coded.
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
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "corpus" / "derivations"

SIX_STEPS = {
    "hidden-delta": (
        r"$$\begin{aligned} \delta^{(l)} &= \frac{\partial L}{\partial z^{(l)}}"
        r" = \frac{\partial L}{\partial z^{(l+1)}} \frac{\partial z^{(l+1)}}{\partial z^{(l)}} \\"
        r" &= \frac{\partial a^{(l)}}{\partial z^{(l)}}"
        r" \left(\frac{\partial z^{(l+1)}}{\partial a^{(l)}}\right)^T"
        r" \frac{\partial L}{\partial z^{(l+1)}} \\ &= \operatorname{diag}(\sigma'(z^{(l)})) (W^{(l+1)})^T"
        r" \delta^{(l+1)} \\ &= \left((W^{(l+1)})^T \delta^{(l+1)}\right) \odot \sigma'(z^{(l)}) \\"
        r" &= \sigma'(z^{(l)}) \odot (W^{(l+1)})^T \delta^{(l+1)} \end{aligned}$$"
    ),
    "softmax-ce-gradient": (
        r"$$\frac{\partial L}{\partial z_i} = - \sum_k y_k \frac{\partial \log p_k}{\partial z_i}"
        r" = - \sum_k y_k \frac{1}{p_k} \frac{\partial p_k}{\partial z_i}"
        r" = - \sum_k \frac{y_k}{p_k} p_k (\delta_{ki} - p_i) = - y_i + p_i \sum_k y_k = p_i - y_i$$"
    ),
    "mse-output-delta (wrong at 4)": (
        "δ^(L) = ∂J/∂z^(L) = ∂J/∂a^(L) ⊙ σ'(z^(L)) = (y − a^(L)) ⊙ σ'(z^(L))"
        " = −(a^(L) − y) ⊙ σ'(z^(L)) = (a^(L) − y) ⊙ σ'(z^(L))"
    ),
}


def corpus() -> list[tuple[str, str]]:
    """(question, text) of every corpus derivation, headers removed."""
    out = []
    for path in sorted(CORPUS.glob("*.md")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        question = next(
            line.split(":", 1)[1].strip() for line in head.splitlines() if line.startswith("question:")
        )
        out.append((question, body))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def timed(items: list[tuple[str, str]], repeats: int) -> dict:
    from checker.grading.derivation import grade_derivation

    steps = []
    for qid, text in items:  # warm-up: each question's draws and mutants, once per process
        steps.append(sum(s["kind"] == "step" for s in grade_derivation(qid.split(" ")[0], text)["steps"]))
    times = []
    for _ in range(repeats):
        for qid, text in items:
            start = time.perf_counter()
            grade_derivation(qid.split(" ")[0], text)
            times.append(time.perf_counter() - start)
    return {
        "derivations": len(items),
        "steps_each": steps if len(steps) <= 5 else "various",
        "median_ms": round(1000 * statistics.median(times), 1),
        "p99_ms": round(1000 * percentile(times, 99), 1),
        "max_ms": round(1000 * max(times), 1),
    }


def bench_batch(items: list[tuple[str, str]], n: int = 300, jobs: int = 2) -> dict:
    """Wall and CPU time of ``gradproof grade-batch`` on n derivations (a fresh process)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "submissions.csv"
        with src.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["student", "question", "answer"])
            for i in range(n):
                qid, text = items[i % len(items)]
                w.writerow([f"student{i:03d}", qid, text])
        cmd = [
            sys.executable,
            "-m",
            "checker.commands.main",
            "grade-batch",
            str(src),
            "--out",
            str(Path(tmp) / "out"),
            "--jobs",
            str(jobs),
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=ROOT)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        results = json.loads((Path(tmp) / "out" / "results.json").read_text(encoding="utf-8"))
    derivations = sum(1 for r in results if "steps" in r)
    return {
        "rows": n,
        "graded_as_derivations": derivations,
        "jobs": jobs,
        "wall_s": round(wall, 2),
        "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2),
        "exit": proc.returncode,
        "target_s": 60,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict = {"cores": os.cpu_count(), "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    print("machine:", report)
    report["six_steps"] = timed(list(SIX_STEPS.items()), repeats=20)
    report["six_steps"]["targets_ms"] = {"median": 150, "p99": 1000}
    print("6-step derivations, in process:", report["six_steps"])
    items = corpus()
    report["corpus"] = timed(items, repeats=3)
    print("whole corpus, in process:", report["corpus"])
    if not args.skip_batch:
        report["grade_batch"] = bench_batch(items)
        print("grade-batch of 300 derivations:", report["grade_batch"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    ok = report["six_steps"]["median_ms"] <= 150 and report["six_steps"]["p99_ms"] <= 1000
    ok = ok and (args.skip_batch or report["grade_batch"]["wall_s"] <= 60)
    print("targets met" if ok else "a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
