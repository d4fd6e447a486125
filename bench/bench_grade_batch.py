"""Benchmark of grading a class: ``gradproof grade-batch`` of 10,000 rows with an assignment, ``--jobs 2``.

    python bench/bench_grade_batch.py [--rows 10000] [--jobs 2] [--json OUT]

The class: 400 students, each answering 25 questions with answers drawn from the labelled corpus
(``tests/corpus/answers*.csv``: right, wrong, hostile), in a CSV written here; an assignment of
every question of the bank with a roster. The command runs as a fresh process (start-up, reading,
grading, scoring, report, gradebooks and 800 feedback files included). Measured: wall time, CPU
time, and peak memory (the largest sum of resident memory over the command and its worker
processes, sampled every 20 ms from /proc). Targets: ≤ 10 s wall and ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = sorted((ROOT / "tests" / "corpus").glob("answers*.csv"))
TARGET_SECONDS, TARGET_MB = 10.0, 300.0


def corpus() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in CORPORA:
        with path.open(newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    return rows


def write_class(path: Path, assignment: Path, n: int, students: int = 400) -> int:
    """The submissions CSV and assignment; returns the number of distinct (question, answer, format)."""
    rng = random.Random(12)
    answers = corpus()
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "question", "answer", "format"])
        seen = set()
        for i in range(n):
            a = rng.choice(answers)
            seen.add((a["question"], a["answer"], a["format"]))
            w.writerow([f"student{i % students:03d}", a["question"], a["answer"], a["format"]])
    from derivations.questions import QUESTIONS

    lines = ['title = "Benchmark class"', "[partial]", "wrong-scale = 0.5"]
    for qid in QUESTIONS:
        lines += ["[[question]]", f'id = "{qid}"', "points = 2"]
    lines += ["[roster]", "students = [" + ", ".join(f'"student{i:03d}"' for i in range(students + 5)) + "]"]
    assignment.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(seen)


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every process below it (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run(n: int, jobs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src, hw = Path(tmp) / "class.csv", Path(tmp) / "hw.toml"
        distinct = write_class(src, hw, n)
        cmd = [sys.executable, "-m", "checker.commands.main", "grade-batch", str(src), "--out",
               str(Path(tmp) / "out"), "--jobs", str(jobs), "--assignment", str(hw)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        out, err = proc.communicate()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = json.loads((Path(tmp) / "out" / "results.json").read_text(encoding="utf-8"))
        files = len(list((Path(tmp) / "out").iterdir()))
    return {
        "rows": n, "distinct_answers": distinct, "jobs": jobs, "exit": proc.returncode,
        "result_rows": len(rows), "wall_s": round(wall, 2),
        "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2),
        "peak_mb": round(peak / 2**20, 1), "largest_process_mb": round(after.ru_maxrss / 1024, 1),
        "files_written": files, "summary": out.strip().splitlines()[:3], "stderr": err.strip()[-500:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report: dict = {"cores": len(os.sched_getaffinity(0)),
                    "load_average_before": [round(x, 2) for x in os.getloadavg()]}
    report["grade_batch"] = result = run(args.rows, args.jobs)
    for key, value in report.items():
        print(f"{key}: {value}")
    ok = (result["exit"] == 0 and result["result_rows"] == args.rows and result["wall_s"] <= TARGET_SECONDS
          and result["peak_mb"] <= TARGET_MB)
    print(f"targets: ≤ {TARGET_SECONDS:g} s wall, ≤ {TARGET_MB:g} MB peak: {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
