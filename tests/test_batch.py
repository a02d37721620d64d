"""`grade FOLDER`: finding the submissions, ids, which file of a student's folder is graded,
the durable gradebook, resuming after a crash or Ctrl-C, exit codes.

Most tests grade with a fake Runner that returns canned outcomes (no TensorFlow, milliseconds);
one test grades real submissions end to end."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from grader import batch
from grader.batch import choose, discover, safe_id, unique_ids
from grader.gradebook import Gradebook, content_hash, grades_csv

ZOO = Path(__file__).parent / "zoo"

# A fake Runner: the submission's text says what happens to it.
#   "# fake: timeout"  the run is killed for time   -> verdict error, mistake timeout
#   "# fake: boom"     the runner itself raises      -> the grader failed on it (exit code 1)
#   "# fake: stuck"    the run takes a minute (FAKE_DELAY sets how long the others take)
#   anything else      no model is found             -> verdict fail, mistake model_not_found
FAKE_RUNNER = '''
import os, time
from grader.runner import RunOutcome

class FakeRunner:
    name = "fake"
    def __init__(self):
        self.runs = []
    def run(self, source, exercises, limits):
        code = source.chunks[0].code if source.chunks else ""
        self.runs.append(os.path.basename(source.path))
        time.sleep(60 if "# fake: stuck" in code else float(os.environ.get("FAKE_DELAY", "0")))
        if "# fake: boom" in code:
            raise RuntimeError("the runner broke")
        if "# fake: timeout" in code:
            return RunOutcome(None, "", False, "timeout", -9, sandbox={"runner": "fake", "timeout_s": 1})
        return RunOutcome({"exercises": {}, "inventory": []}, "hello\\n", False,
                          sandbox={"runner": "fake"})
'''
namespace: dict = {}
exec(FAKE_RUNNER, namespace)
FakeRunner = namespace["FakeRunner"]


@pytest.fixture
def fake(monkeypatch):
    runner = FakeRunner()
    monkeypatch.setattr(batch, "make_runner", lambda no_pool: (runner, ""))
    return runner


def write(path: Path, text: str = "x = 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def jsonl(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def csv_rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def assert_consistent(out: Path) -> list[str]:
    """results.jsonl, grades.csv and the reports describe the same submissions."""
    ids = [r["batch"]["id"] for r in jsonl(out)]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(row["id"] for row in csv_rows(out))
    assert sorted(ids) == sorted(p.stem for p in (out / "submissions").glob("*.html"))
    index = (out / "index.html").read_text()
    for i in ids:
        assert f'href="submissions/{i}.html"' in index
    return sorted(ids)


# -- ids and discovery ------------------------------------------------------------------------
def test_ids_are_filesystem_safe():
    assert safe_id("Alice Smith") == "Alice_Smith"
    assert safe_id("José García") == "Jose_Garcia"
    assert safe_id("../../etc/passwd") == "etc_passwd"
    assert safe_id("张伟").startswith("student-") and safe_id("张伟") != safe_id("李娜")
    assert safe_id("CON") == "CON_"
    assert safe_id(".hidden") == "hidden"
    assert len(safe_id("x" * 300)) == 64


def test_ids_are_unique_ignoring_case():
    assert unique_ids([("alice", "ipynb"), ("alice", "py"), ("Alice", ""), ("alice", "py")]) == [
        "alice", "alice-py", "Alice-2", "alice-3"]


def test_two_students_both_submitting_solution_py(tmp_path):
    write(tmp_path / "s" / "alice" / "solution.py")
    write(tmp_path / "s" / "bob" / "solution.py")
    write(tmp_path / "s" / "carol.ipynb", "{}")
    subs, _ = discover(tmp_path / "s")
    assert [(s.id, s.path.relative_to(tmp_path / "s").as_posix()) for s in subs] == [
        ("alice", "alice/solution.py"), ("bob", "bob/solution.py"), ("carol", "carol.ipynb")]


def test_discovery_skips_hidden_caches_checkpoints_and_the_reports_folder(tmp_path):
    s = tmp_path / "s"
    write(s / "alice.py")
    write(s / ".hidden.py")
    write(s / "__pycache__" / "alice.cpython-311.py")
    write(s / "bob" / "solution.ipynb", "{}")
    write(s / "bob" / ".ipynb_checkpoints" / "solution-checkpoint.ipynb", "{}")
    write(s / "reports" / "old.py")  # the output folder, inside the submissions folder
    write(s / "carol" / "venv" / "pyvenv.cfg", "")
    write(s / "carol" / "venv" / "lib" / "site.py")
    write(s / "carol" / "main.py")
    write(s / "roster.csv", "name\n")
    os.makedirs(s / "empty")
    subs, warnings = discover(s, out=s / "reports")
    assert [(x.id, x.path.name, x.notes) for x in subs] == [
        ("alice", "alice.py", []), ("bob", "solution.ipynb", []), ("carol", "main.py", [])]
    assert any("roster.csv" in w for w in warnings)
    assert any("empty/" in w for w in warnings)


def test_choose_prefers_the_exercise_name_and_names_what_it_did_not_grade(tmp_path):
    root = tmp_path / "alice"
    files = [write(root / "helpers.py", "def f(): pass\n"),
             write(root / "notes.py"),
             write(root / "siamese_solution.py", "from helpers import f\n")]
    path, notes, ambiguous = choose(files, root, ("siamese", "mlp"))
    assert path.name == "siamese_solution.py" and not ambiguous
    assert "its name names the exercise" in notes[0]
    assert "helpers.py (imported by siamese_solution.py)" in notes[0] and "notes.py" in notes[0]


def test_choose_skips_a_module_the_notebook_imports(tmp_path):
    root = tmp_path / "bob"
    nb = {"cells": [{"cell_type": "code", "source": ["import numpy as np\n", "from model import build\n"]}]}
    files = [write(root / "model.py", "def build(): pass\n"),
             write(root / "work.ipynb", json.dumps(nb))]
    path, notes, ambiguous = choose(files, root)
    assert path.name == "work.ipynb" and not ambiguous
    assert "the other files are modules it imports" in notes[0]


def test_choose_says_when_it_guessed(tmp_path):
    root = tmp_path / "carol"
    files = [write(root / "a.py"), write(root / "b.ipynb", "{}")]
    path, notes, ambiguous = choose(files, root)
    assert path.name == "b.ipynb" and ambiguous
    assert notes[0].startswith("Could not tell which file in carol/ is the submission: b.ipynb, a.py")


def test_choose_demotes_scratch_files(tmp_path):
    root = tmp_path / "dan"
    files = [write(root / "test_model.py"), write(root / "homework3.py"), write(root / "copy.py")]
    path, notes, ambiguous = choose(files, root)
    assert path.name == "homework3.py" and not ambiguous


def test_a_folder_without_python_is_graded_as_an_error_not_dropped(tmp_path, fake):
    write(tmp_path / "s" / "alice" / "solution.txt", "print(1)\n")
    out = tmp_path / "out"
    assert batch.main([str(tmp_path / "s"), "--out", str(out), "-q"]) == 0
    (r,) = jsonl(out)
    assert r["verdict"] == "error" and r["mistakes"] == ["unreadable_submission"]
    assert "No .py or .ipynb file was found in alice/" in r["notes"][0]
    assert fake.runs == []


# -- the gradebook ----------------------------------------------------------------------------
def test_hash_covers_version_options_and_content(tmp_path):
    f = write(tmp_path / "a.py", "x = 1\n")
    base = content_hash([f], f, tmp_path, {"exercise": None}, "1.0")
    assert base == content_hash([f], f, tmp_path, {"exercise": None}, "1.0")
    assert base != content_hash([f], f, tmp_path, {"exercise": None}, "1.1")
    assert base != content_hash([f], f, tmp_path, {"exercise": ["siamese"]}, "1.0")
    f.write_text("x = 2\n")
    assert base != content_hash([f], f, tmp_path, {"exercise": None}, "1.0")


def test_a_torn_last_line_is_dropped_and_appends_start_clean(tmp_path):
    good = {"verdict": "pass", "batch": {"id": "alice", "hash": "h"}}
    (tmp_path / "results.jsonl").write_text(json.dumps(good) + "\n" + '{"verdict": "fa')
    book = Gradebook(tmp_path)
    book.load()
    assert list(book.records) == ["alice"] and book.unreadable_lines == 1
    book.append({"verdict": "fail", "batch": {"id": "bob", "hash": "h2"}})
    book.close()
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["batch"]["id"] for line in lines] == ["alice", "bob"]


def test_grades_csv_defuses_spreadsheet_formulas():
    text = grades_csv([{"score": 1.0, "max_score": 2.0, "verdict": "fail", "mistakes": ["a", "b"],
                        "duration_s": 1.25, "batch": {"id": "x", "file": "=HYPERLINK(1).py"}}])
    row = next(csv.DictReader(text.splitlines()))
    assert row["file"] == "'=HYPERLINK(1).py" and row["mistakes"] == "a;b"
    assert (row["score"], row["max"]) == ("1", "2")


# -- batches with the fake runner -------------------------------------------------------------
def test_batch_writes_every_output_and_a_rerun_skips_what_is_graded(tmp_path, fake, capsys):
    s, out = tmp_path / "subs", tmp_path / "out"
    write(s / "alice" / "solution.py", "a = 1\n")
    write(s / "bob" / "solution.py", "b = 1\n")
    write(s / "carol.py", "c = 1  # fake: timeout\n")
    write(s / "dave.py", "def f(:\n")  # a syntax error: never reaches the runner
    assert batch.main([str(s), "--out", str(out), "--jobs", "2"]) == 0
    assert assert_consistent(out) == ["alice", "bob", "carol", "dave"]
    by_id = {r["batch"]["id"]: r for r in jsonl(out)}
    assert by_id["alice"]["mistakes"] == ["model_not_found"]
    assert by_id["carol"]["verdict"] == "error" and by_id["carol"]["mistakes"] == ["timeout"]
    assert by_id["dave"]["mistakes"] == ["syntax_error"]
    assert by_id["bob"]["batch"]["file"] == "bob/solution.py"
    assert by_id["bob"]["output"]["text"] == "hello\n"
    assert sorted(fake.runs) == ["carol.py", "solution.py", "solution.py"]
    assert "4 graded" in capsys.readouterr().out

    fake.runs.clear()
    assert batch.main([str(s), "--out", str(out), "-q"]) == 0
    assert fake.runs == [] and "4 unchanged" in capsys.readouterr().out

    write(s / "bob" / "solution.py", "b = 2\n")  # bob resubmits
    assert batch.main([str(s), "--out", str(out), "-q"]) == 0
    assert fake.runs == ["solution.py"]
    assert len(jsonl(out)) == 4  # compacted: one line per student

    fake.runs.clear()
    assert batch.main([str(s), "--out", str(out), "-q", "--exercise", "siamese"]) == 0
    assert len(fake.runs) == 3  # options that change grading change the hash

    fake.runs.clear()
    assert batch.main([str(s), "--out", str(out), "-q", "--exercise", "siamese", "--force"]) == 0
    assert len(fake.runs) == 3
    assert_consistent(out)


def test_a_grader_failure_is_recorded_exits_1_and_is_retried(tmp_path, fake, capsys):
    s, out = tmp_path / "subs", tmp_path / "out"
    write(s / "alice.py", "a = 1\n")
    write(s / "bob.py", "b = 1  # fake: boom\n")
    assert batch.main([str(s), "--out", str(out), "-q"]) == 1
    by_id = {r["batch"]["id"]: r for r in jsonl(out)}
    assert by_id["alice"]["verdict"] == "fail"
    bob = by_id["bob"]
    assert bob["verdict"] == "error" and bob["mistakes"] == ["grader_error"]
    assert bob["batch"]["grader_failed"] and "the runner broke" in bob["batch"]["traceback"]
    assert "not your mistake" in (out / "submissions" / "bob.html").read_text()
    assert "The grader itself failed" in capsys.readouterr().err

    fake.runs.clear()
    assert batch.main([str(s), "--out", str(out), "-q"]) == 1
    assert fake.runs == ["bob.py"]  # only the grader failure is graded again


def test_an_interrupted_results_file_is_resumed(tmp_path, fake):
    s, out = tmp_path / "subs", tmp_path / "out"
    for name in "abc":
        write(s / f"{name}.py", f"{name} = 1\n")
    assert batch.main([str(s), "--out", str(out), "-q"]) == 0
    lines = (out / "results.jsonl").read_text().splitlines()
    # as if killed while writing c's line
    (out / "results.jsonl").write_text("\n".join(lines[:2]) + "\n" + lines[2][:40])
    fake.runs.clear()
    assert batch.main([str(s), "--out", str(out), "-q"]) == 0
    assert fake.runs == ["c.py"]
    assert assert_consistent(out) == ["a", "b", "c"]


@pytest.mark.parametrize("args, needle", [
    (["--exercise", "nope"], "unknown exercise"),
    (["--jobs", "0"], "--jobs must be at least 1"),
    (["--timeout", "0"], "--timeout must be above 0"),
    (["--bogus"], "unrecognized arguments"),
])
def test_usage_errors_exit_2(tmp_path, fake, capsys, args, needle):
    write(tmp_path / "s" / "a.py")
    with pytest.raises(SystemExit) as exc:
        batch.main([str(tmp_path / "s"), "--out", str(tmp_path / "o"), *args])
    assert exc.value.code == 2 and needle in capsys.readouterr().err


def test_an_empty_folder_or_a_file_as_out_is_a_usage_error(tmp_path, fake, capsys):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit) as exc:
        batch.main([str(tmp_path / "empty"), "--out", str(tmp_path / "o")])
    assert exc.value.code == 2 and "no .py or .ipynb submissions" in capsys.readouterr().err
    write(tmp_path / "s" / "a.py")
    write(tmp_path / "file")
    with pytest.raises(SystemExit) as exc:
        batch.main([str(tmp_path / "s"), "--out", str(tmp_path / "file")])
    assert exc.value.code == 2


def test_cli_sends_a_folder_to_the_batch_wherever_the_options_stand(tmp_path, fake):
    from grader.cli import main
    s, out = tmp_path / "subs", tmp_path / "out"
    write(s / "a.py")
    out.mkdir()  # an existing folder given to --out must not be taken for the submissions
    assert main(["--out", str(out), "--timeout", "30", str(s), "-q"]) == 0
    assert [r["batch"]["id"] for r in jsonl(out)] == ["a"]


# -- Ctrl-C on a real `grade FOLDER` process --------------------------------------------------
def _grade_process(tmp_path: Path, *args: str, delay: float) -> subprocess.Popen:
    script = tmp_path / "grade_with_fake_runner.py"
    script.write_text(FAKE_RUNNER + textwrap.dedent("""
        import sys
        import grader.batch
        from grader.cli import main
        grader.batch.make_runner = lambda no_pool: (FakeRunner(), "")
        sys.exit(main(sys.argv[1:]))
    """))
    return subprocess.Popen([sys.executable, str(script), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, FAKE_DELAY=str(delay)))


def _wait_for_lines(path: Path, n: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= n:
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} never reached {n} lines")


def test_ctrl_c_keeps_what_is_graded_and_a_rerun_grades_only_the_rest(tmp_path):
    s, out = tmp_path / "subs", tmp_path / "out"
    for i in range(8):
        write(s / f"student{i}.py", f"x = {i}\n")
    proc = _grade_process(tmp_path, str(s), "--out", str(out), "--jobs", "2", delay=0.6)
    _wait_for_lines(out / "results.jsonl", 2, proc)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    done = assert_consistent(out)
    assert 2 <= len(done) < 8  # the gradings under way were finished and kept
    assert "not graded yet: run the same command again" in stdout

    proc = _grade_process(tmp_path, str(s), "--out", str(out), "--jobs", "2", delay=0.0)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert f"{8 - len(done)} graded" in stdout and f"{len(done)} unchanged" in stdout
    assert assert_consistent(out) == [f"student{i}" for i in range(8)]


def test_ctrl_c_twice_stops_at_once(tmp_path):
    s, out = tmp_path / "subs", tmp_path / "out"
    # The batch grades the largest files first: fast.py is padded to go first.
    write(s / "fast.py", "x = 1\n" + "# padding\n" * 10)
    for i in range(3):
        write(s / f"stuck{i}.py", f"x = {i}  # fake: stuck\n")
    proc = _grade_process(tmp_path, str(s), "--out", str(out), "--jobs", "1", delay=0.0)
    _wait_for_lines(out / "results.jsonl", 1, proc)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - start < 10  # not the minute the stuck grading would take
    assert assert_consistent(out) == ["fast"]
    assert "3 not graded yet" in stdout


# -- real gradings (each ~3 s: keep them few) -------------------------------------------------
def test_real_batch_of_a_class(tmp_path):
    s, out = tmp_path / "class", tmp_path / "reports"
    shutil.copy(ZOO / "correct" / "siamese_lesson.py", write(s / "alice" / "solution.py"))
    shutil.copy(ZOO / "siamese" / "duplicated_encoder.py", write(s / "bob" / "solution.py"))
    shutil.copy(ZOO / "errors" / "syntax_error.py", s / "dave.py")
    shutil.copy(ZOO / "errors" / "binary.py", s / "eve.py")
    p = subprocess.run([sys.executable, "-m", "grader.cli", str(s), "--out", str(out),
                        "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    by_id = {r["batch"]["id"]: r for r in jsonl(out)}
    assert {i: (r["verdict"], r["mistakes"]) for i, r in by_id.items()} == {
        "alice": ("pass", []), "bob": ("fail", ["duplicated_encoder"]),
        "dave": ("error", ["syntax_error"]), "eve": ("error", ["unreadable_submission"])}
    assert assert_consistent(out) == ["alice", "bob", "dave", "eve"]
    assert "Two encoders instead of one shared encoder" in (out / "index.html").read_text()

    # each line is the object `grade FILE --format json` prints, plus its `batch` key
    single = subprocess.run([sys.executable, "-m", "grader.cli", str(s / "dave.py"), "--format",
                             "json", "--no-report"], capture_output=True, text=True, timeout=120)
    expected = json.loads(single.stdout)
    got = dict(by_id["dave"])
    assert set(got) - set(expected) == {"batch"}
    for key in ("duration_s", "batch"):
        got.pop(key), expected.pop(key, None)
    assert got == expected


def test_a_rubric_applies_to_every_submission_and_a_bad_one_is_a_usage_error(tmp_path, fake, capsys,
                                                                             monkeypatch):
    from grader.runner import RunOutcome
    # The child collects evidence for the exercises asked for: here, siamese, not attempted.
    monkeypatch.setattr(fake, "run", lambda source, exercises, limits: RunOutcome(
        {"exercises": {e: {"attempted": False} for e in exercises}, "inventory": []}, "", False))
    s, out = tmp_path / "subs", tmp_path / "out"
    write(s / "a.py")
    rubric = write(tmp_path / "rubric.toml", '[assignment]\nrequire = ["siamese"]\n\n'
                   '[exercises.siamese.checks]\nencoder_shared = { points = 10 }\n')
    assert batch.main([str(s), "--out", str(out), "-q", "--rubric", str(rubric)]) == 0
    (record,) = jsonl(out)
    assert [ex["id"] for ex in record["exercises"]] == ["siamese"]  # the required exercise only
    checks = {c["id"]: c for c in record["exercises"][0]["checks"]}
    assert checks["encoder_shared"]["max_points"] == 10

    bad = write(tmp_path / "bad.toml", '[exercises.siamese.checks]\nno_such_check = { points = 1 }\n')
    with pytest.raises(SystemExit) as exc:
        batch.main([str(s), "--out", str(out), "-q", "--rubric", str(bad)])
    assert exc.value.code == 2
    assert "no_such_check" in capsys.readouterr().err


def test_largest_first_and_never_more_than_jobs_at_once(tmp_path, monkeypatch):
    """No more than --jobs submissions ever run together, and the largest files go first so
    the batch ends evenly."""
    running, peak, order = [0], [0], []
    lock = threading.Lock()

    class CountingRunner(FakeRunner):
        def run(self, source, exercises, limits):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
                order.append(Path(source.path).stem)
            try:
                time.sleep(0.05)
                return super().run(source, exercises, limits)
            finally:
                with lock:
                    running[0] -= 1

    monkeypatch.setattr(batch, "make_runner", lambda no_pool: (CountingRunner(), ""))
    s, out = tmp_path / "s", tmp_path / "out"
    for i in range(8):
        write(s / f"s{i}.py", "x = 1\n" + "# line\n" * (i * 10))
    assert batch.main([str(s), "--out", str(out), "--jobs", "2", "-q"]) == 0
    assert peak[0] <= 2
    assert order[:2] == ["s7", "s6"] or order[:2] == ["s6", "s7"]
    assert sorted(r["batch"]["id"] for r in jsonl(out)) == [f"s{i}" for i in range(8)]
