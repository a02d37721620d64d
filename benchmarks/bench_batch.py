"""Speed and memory of grading, against the cost of simply running the students' files.

Prints, and writes to benchmarks/results/latest.json:
1. batch: `grade CLASS/ --jobs 2` (warm fork-server pool) on a class of N submissions, the
   median of --batch-repeats runs, against running each one by one with a bare fresh
   interpreter (`python sol.py`), the issue's baseline; target ratio <= 0.10. The bare runs are
   interleaved with the batch runs (a slice of them before each), so that a host getting
   faster or slower shifts both sides alike. Optionally the same batch with --no-pool.
   Beside it, the floor: the students' own code alone (a bare run less the start-up, imports
   and exit of `python -c "import numpy, tensorflow, keras"`, timed in the same slices),
   spread perfectly over the cores, as a ratio to the baseline. No grader that runs each file
   once can be faster; the target is out of reach where the floor is near it.
2. memory: the peak, over the whole batch, of the grading process tree's memory, sampled every
   50 ms: proportional set size (PSS: shared pages split among the processes sharing them, so
   the forked children's shared TensorFlow is counted once) and the plain RSS sum (counts
   shared pages once per process, an over-estimate); target PSS <= 2 GB with 2 workers.
3. single: `grade sol.py` against `python sol.py` on its own, median of R runs; target <= 1.3x.

Usage: .venv/bin/python benchmarks/bench_batch.py [--n 40] [--baseline-sample K] [--no-pool]
(`make benchmark` runs the defaults). The class is built from tests/zoo: correct solutions in
several styles and realistic wrong ones, as a real class would hand in. Numbers depend on the
machine and on what else runs on it: run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "zoo"
PYTHON = sys.executable
GRADE = [PYTHON, "-m", "grader.cli"]
# What a class hands in: mostly attempts at the lesson's two headline exercises, right and
# wrong. A fixed list, so that figures stay comparable while the zoo grows.
CLASS_FILES = (
    "correct/both_exercises.py",
    "correct/mlp_build_method.py",
    "correct/mlp_lesson.py",
    "correct/siamese_helpers_loop.py",
    "correct/siamese_lesson.py",
    "correct/siamese_main_guard.py",
    "correct/siamese_sequential_encoder.py",
    "correct/whole_lesson.py",
    "mlp/activation_layers_no_softmax.py",
    "mlp/call_without_training_arg.py",
    "mlp/config_round_trip_failed.py",
    "mlp/dropout_training_forwarded.py",
    "mlp/dropout_training_omitted.py",
    "mlp/layers_created_in_call.py",
    "mlp/missing_softmax_head.py",
    "mlp/outputs_differ.py",
    "mlp/sequential_not_built.py",
    "mlp/training_not_forwarded.py",
    "mlp/weights_not_transferable.py",
    "mlp/wrong_mlp_architecture.py",
    "siamese/duplicated_encoder.py",
    "siamese/duplicated_encoder_loop.py",
    "siamese/encoder_without_bias.py",
    "siamese/leaked_mixed_precision.py",
    "siamese/lesson_asserts_fail.py",
    "siamese/missing_encoder_activation.py",
    "siamese/not_functional_subclassed.py",
    "siamese/partially_shared_encoder.py",
    "siamese/two_mistakes.py",
    "siamese/wrong_encoder_units.py",
    "siamese/wrong_head_activation_linear.py",
    "siamese/wrong_head_activation_softmax.py",
    "siamese/wrong_head_name.py",
    "siamese/wrong_head_units.py",
    "siamese/wrong_input_names.py",
    "siamese/wrong_input_shape.py",
    "siamese/wrong_merge_abs_difference.py",
    "siamese/wrong_merge_dot.py",
    "siamese/wrong_merge_subtract.py",
)
CLASS_POOL = [ZOO / f for f in CLASS_FILES]


def make_class(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True)
    files = []
    for i in range(n):
        src = CLASS_POOL[i % len(CLASS_POOL)]
        dst = folder / f"student{i:03d}_{src.stem}.py"
        shutil.copy(src, dst)
        files.append(dst)
    return files


class TreeMemory(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped."""

    def __init__(self, root_pid: int, every_s: float = 0.05):
        super().__init__(daemon=True)
        self.root, self.every = root_pid, every_s
        self.peak_pss = self.peak_rss = 0
        self.peak_processes = 0
        self._halt = threading.Event()

    def finish(self) -> None:
        self._halt.set()
        self.join()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = descendants(self.root)
            pss = rss = 0
            for pid in pids:
                pss += _rollup(pid, "Pss:")
                rss += _rollup(pid, "Rss:")
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            self.peak_processes = max(self.peak_processes, len(pids))
            self._halt.wait(self.every)


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rollup(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def timed(cmd: list[str], measure_memory: bool = False, **kw) -> tuple[float, TreeMemory | None, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, **kw)
    mem = TreeMemory(proc.pid) if measure_memory else None
    if mem:
        mem.start()
    code = proc.wait()
    wall = time.perf_counter() - start
    if mem:
        mem.finish()
    return wall, mem, code


def bare_runs(files: list[Path], cwd: Path) -> list[float]:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return [timed([PYTHON, str(f)], cwd=cwd, env=env)[0] for f in files]


def import_only_runs(k: int, cwd: Path) -> list[float]:
    """`python -c "import keras, tensorflow, numpy"`: what a bare run costs before and after
    the student's own code (start-up, imports, exit)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    code = "import numpy, tensorflow, keras"
    return [timed([PYTHON, "-c", code], cwd=cwd, env=env)[0] for _ in range(k)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=40, help="submissions in the class (default 40)")
    ap.add_argument("--jobs", type=int, default=2, help="batch workers (default 2)")
    ap.add_argument("--baseline-sample", type=int, default=0, metavar="K",
                    help="time only K bare runs and scale to N (default: all N)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of the single comparison")
    ap.add_argument("--batch-repeats", type=int, default=3,
                    help="timed runs of the batch; the median is reported (default 3)")
    ap.add_argument("--no-pool", action="store_true", help="also time the batch with --no-pool")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="grader-bench-"))
    results: dict = {"n": args.n, "jobs": args.jobs, "cores": os.cpu_count(),
                     "python": sys.version.split()[0]}
    try:
        files = make_class(work / "class", args.n)
        sample = files[: args.baseline_sample] if args.baseline_sample else files
        batch = [*GRADE, str(work / "class"), "--out", str(work / "out"), "--jobs",
                 str(args.jobs), "-q", "--force"]
        # The host's speed drifts by up to 20 % over minutes, so the baseline and the batch are
        # interleaved: the bare runs are cut into one slice per batch run, and each batch run
        # follows its slice. Both sides of the ratio then see the same host, on average.
        repeats = max(1, args.batch_repeats)
        slices = [sample[i::repeats] for i in range(repeats)]
        print(f"baseline (python sol.py, one by one, {len(sample)} of {args.n} files) interleaved "
              f"with {repeats} timed runs of grade CLASS/ --jobs {args.jobs} (warm pool) …",
              flush=True)
        bare, walls, imports = [], [], []
        for part in slices:
            bare += bare_runs(part, work)
            imports += import_only_runs(2, work)
            wall, _, code = timed(batch, cwd=ROOT)
            walls.append(round(wall, 1))
            each = f"{statistics.mean(bare):.2f} s each" if bare else "none yet"
            print(f"  {len(bare)} bare runs so far ({each}); batch {wall:.1f} s", flush=True)
        baseline = statistics.mean(bare) * args.n
        results["baseline_s"] = round(baseline, 1)
        results["bare_run_s_mean"] = round(statistics.mean(bare), 2)
        # The floor no grader can go under: each student's own code run once (a bare run less
        # its start-up, imports and exit), spread perfectly over the cores, nothing else.
        student_s = max(0.0, statistics.mean(bare) - statistics.mean(imports))
        results["import_only_s_mean"] = round(statistics.mean(imports), 2)
        results["student_code_s_mean"] = round(student_s, 2)
        results["floor_ratio"] = round(student_s * args.n / (os.cpu_count() or 1) / baseline, 3)
        wall = statistics.median(walls)
        graded = sum(1 for _ in open(work / "out" / "results.jsonl"))
        # Memory in a second run: walking /proc every 50 ms costs CPU the timed run should not pay.
        print("batch: the same again, memory sampled …", flush=True)
        _, mem, _ = timed(batch, measure_memory=True, cwd=ROOT)
        results.update(batch_s=round(wall, 1), batch_runs_s=walls, batch_exit=code,
                       batch_graded=graded,
                       batch_ratio=round(wall / baseline, 3),
                       batch_peak_pss_gb=round(mem.peak_pss / 1e9, 2),
                       batch_peak_rss_sum_gb=round(mem.peak_rss / 1e9, 2),
                       batch_peak_processes=mem.peak_processes)
        if args.no_pool:
            print("batch: the same with --no-pool …", flush=True)
            wall_np, _, _ = timed([*batch, "--no-pool"], cwd=ROOT)
            results.update(no_pool_s=round(wall_np, 1), no_pool_ratio=round(wall_np / baseline, 3))

        print(f"single: grade sol.py vs python sol.py, {args.repeats} runs each …", flush=True)
        sol = ZOO / "correct" / "siamese_lesson.py"
        singles, bares = [], []
        for _ in range(args.repeats):
            bares.append(timed([PYTHON, str(sol)], cwd=work)[0])
            singles.append(timed([*GRADE, str(sol), "--no-report"], cwd=ROOT)[0])
        results.update(single_grade_s=round(statistics.median(singles), 2),
                       single_python_s=round(statistics.median(bares), 2),
                       single_ratio=round(statistics.median(singles) / statistics.median(bares), 2))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report(results)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


def report(r: dict) -> None:
    def verdict(ok: bool) -> str:
        return "meets target" if ok else "MISSES target"

    print()
    print(f"class of {r['n']} submissions, {r['jobs']} workers, {r['cores']} cores, Python {r['python']}")
    print(f"  baseline, python sol.py one by one : {r['baseline_s']:7.1f} s "
          f"({r['bare_run_s_mean']:.2f} s each)")
    print(f"  grade CLASS/ (warm pool)           : {r['batch_s']:7.1f} s  ratio {r['batch_ratio']:.3f}"
          f"  (target <= 0.10: {verdict(r['batch_ratio'] <= 0.10)}); {r['batch_graded']} graded")
    if "floor_ratio" in r:
        print(f"    floor: the students' own code alone ({r['student_code_s_mean']:.2f} s each: a "
              f"bare run less {r['import_only_s_mean']:.2f} s of start-up and imports), spread "
              f"over {r['cores']} cores, ratio {r['floor_ratio']:.3f}")
    if len(r.get("batch_runs_s", [])) > 1:
        print(f"    median of {len(r['batch_runs_s'])} runs: "
              f"{', '.join(f'{w:.1f}' for w in r['batch_runs_s'])} s")
    if "no_pool_s" in r:
        print(f"  grade CLASS/ --no-pool             : {r['no_pool_s']:7.1f} s  ratio {r['no_pool_ratio']:.3f}")
    print(f"  peak memory of the batch (PSS)     : {r['batch_peak_pss_gb']:7.2f} GB "
          f"(target <= 2 GB: {verdict(r['batch_peak_pss_gb'] <= 2)}); RSS summed per process "
          f"{r['batch_peak_rss_sum_gb']:.2f} GB, {r['batch_peak_processes']} processes at most")
    print(f"  grade sol.py vs python sol.py      : {r['single_grade_s']:.2f} s vs "
          f"{r['single_python_s']:.2f} s, ratio {r['single_ratio']:.2f} "
          f"(target <= 1.3: {verdict(r['single_ratio'] <= 1.3)})")


if __name__ == "__main__":
    sys.exit(main())
