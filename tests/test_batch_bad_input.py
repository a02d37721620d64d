"""`grade FOLDER` on folders that are not tidy: FIFOs, links to devices, broken links and link
loops, file names that are not UTF-8, a folder of sections, the reports folder inside the
submissions folder, submissions removed since the last run, results.jsonl lines of the wrong
shape. The class is always graded, whatever is not graded is named with the reason.

Grading uses the fake Runner of test_batch (no TensorFlow); discovery of a FIFO or /dev/zero
runs in a subprocess with a memory limit and a timeout, so that a regression fails instead of
hanging the test session or eating the machine's memory."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader import batch
from grader.batch import discover
from grader.gradebook import Gradebook

from test_batch import FakeRunner, assert_consistent, csv_rows, jsonl, write

BAD_NAME = os.fsdecode(b"stu\xffdent")  # a file name that is not UTF-8


@pytest.fixture
def fake(monkeypatch):
    runner = FakeRunner()
    monkeypatch.setattr(batch, "make_runner", lambda no_pool: (runner, ""))
    return runner


def run_batch(folder: Path, out: Path, *extra: str) -> int:
    return batch.main([str(folder), "--out", str(out), "-q", *extra])


def discover_in_subprocess(folder: Path, timeout: float = 20) -> dict:
    """discover() in a child limited to 1 GiB of address space and `timeout` seconds."""
    code = textwrap.dedent(f"""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from pathlib import Path
        from grader.batch import discover
        subs, warnings = discover(Path({str(folder)!r}))
        print(json.dumps({{"subs": [[s.id, s.path.name, s.notes] for s in subs],
                          "warnings": warnings}}))
    """)
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"discovery hung for {timeout} s")
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


# -- 1. only regular files are read ---------------------------------------------------------
def test_a_fifo_in_a_students_folder_is_not_read_and_is_named(tmp_path):
    s = tmp_path / "s"
    write(s / "alice" / "solution.py")
    os.mkfifo(s / "alice" / "helpers.py")
    found = discover_in_subprocess(s)
    [(sid, name, notes)] = found["subs"]
    assert (sid, name) == ("alice", "solution.py")
    assert "helpers.py (a FIFO (named pipe), not a regular file)" in " ".join(notes)


def test_a_link_to_dev_zero_in_a_students_folder_is_not_read(tmp_path):
    s = tmp_path / "s"
    write(s / "alice" / "solution.py")
    os.symlink("/dev/zero", s / "alice" / "zero.py")
    found = discover_in_subprocess(s)
    [(sid, name, notes)] = found["subs"]
    assert (sid, name) == ("alice", "solution.py")
    assert "zero.py (a device behind a link, not a regular file)" in " ".join(notes)


def test_odd_entries_at_the_top_are_listed_as_not_graded_with_the_reason(tmp_path):
    s = tmp_path / "s"
    write(s / "alice.py")
    os.mkfifo(s / "pipe.py")
    os.symlink(s / "missing.py", s / "broken.py")
    os.symlink(s / "loop.py", s / "loop.py")
    os.symlink("/dev/zero", s / "zero.py")
    found = discover_in_subprocess(s)
    assert [x[0] for x in found["subs"]] == ["alice"]
    said = " ".join(found["warnings"])
    for expected in ("pipe.py (a FIFO (named pipe), not a regular file)",
                     "broken.py (a broken link)", "loop.py (a link that loops)",
                     "zero.py (a device behind a link, not a regular file)"):
        assert expected in said


def test_a_class_with_fifos_and_devices_is_graded_whole(tmp_path):
    s, out = tmp_path / "s", tmp_path / "out"
    write(s / "alice.py")
    os.mkfifo(s / "pipe.py")
    write(s / "bob" / "solution.py")
    os.mkfifo(s / "bob" / "notes.py")
    os.symlink("/dev/zero", s / "bob" / "zero.py")
    os.makedirs(s / "carol")
    os.mkfifo(s / "carol" / "answer.py")  # nothing readable: still a verdict that says why
    # In a child with a memory limit and a timeout: a regression fails, it does not hang.
    code = textwrap.dedent(f"""
        import json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_batch import FakeRunner
        from grader import batch
        runner = FakeRunner()
        batch.make_runner = lambda no_pool: (runner, "")
        code = batch.main([{str(s)!r}, "--out", {str(out)!r}, "-q"])
        open({str(tmp_path / "runs.json")!r}, "w").write(json.dumps(runner.runs))
        sys.exit(code)
    """)
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the batch hung")
    assert p.returncode == 0, p.stderr[-2000:]
    records = {r["batch"]["id"]: r for r in jsonl(out)}
    assert sorted(records) == ["alice", "bob", "carol"]
    assert records["bob"]["batch"]["file"] == "bob/solution.py"
    assert any("notes.py (a FIFO" in n for n in records["bob"]["notes"])
    assert records["carol"]["verdict"] == "error"
    assert records["carol"]["mistakes"] == ["unreadable_submission"]
    assert "FIFO" in records["carol"]["problems"][0]["message"]
    assert "pipe.py (a FIFO" in p.stderr
    assert sorted(json.loads((tmp_path / "runs.json").read_text())) == ["alice.py", "solution.py"]


# -- 2. file names that are not UTF-8 -------------------------------------------------------
def test_a_file_name_that_is_not_utf8_is_graded_and_shown_escaped(tmp_path, fake, capsys):
    s, out = tmp_path / "s", tmp_path / "out"
    write(s / "alice.py")
    write(s / f"{BAD_NAME}.py")
    write(s / "dave" / f"{BAD_NAME}.py")
    write(s / "dave" / "other.py")
    for attempt in range(2):  # a re-run reads what the first wrote
        assert run_batch(s, out) == 0
        raw = (out / "results.jsonl").read_bytes()
        raw.decode("utf-8")  # valid UTF-8 throughout
        records = {r["batch"]["id"]: r for r in jsonl(out)}
        assert set(records) == {"alice", "student", "dave"}  # ids are ASCII
        assert records["student"]["batch"]["file"] == "stu\\xffdent.py"
        assert records["student"]["submission"].endswith("stu\\xffdent.py")
        assert "stu\\xffdent.py" in " ".join(records["dave"]["notes"])
        assert {r["file"] for r in csv_rows(out)} >= {"stu\\xffdent.py"}
        assert (out / "submissions" / "student.html").read_text(encoding="utf-8")
        assert "stu\\xffdent" in (out / "index.html").read_text(encoding="utf-8")
    assert "Traceback" not in capsys.readouterr().err


# -- 4. results.jsonl lines of the wrong shape ----------------------------------------------
def test_a_record_of_the_wrong_shape_is_unreadable_and_graded_again(tmp_path, fake, capsys):
    s, out = tmp_path / "s", tmp_path / "out"
    write(s / "alice.py")
    write(s / "bob.py")
    assert run_batch(s, out) == 0
    lines = (out / "results.jsonl").read_text().splitlines()
    bad = json.loads(lines[0])
    bad["mistakes"] = 5
    lines[0] = json.dumps(bad)
    spoiled = "\n".join(lines) + "\n"
    (out / "results.jsonl").write_text(spoiled)

    book = Gradebook(out)
    book.load()
    assert book.unreadable_lines == 1 and sorted(book.records) == ["bob"]
    book.write_grades()  # once a TypeError in grades_csv
    (out / "results.jsonl").write_text(spoiled)  # load() compacted the bad line away

    fake.runs.clear()
    assert run_batch(s, out) == 0
    assert fake.runs == ["alice.py"]  # graded again; bob unchanged
    assert "1 unreadable line(s)" in capsys.readouterr().err
    assert assert_consistent(out) == ["alice", "bob"]


@pytest.mark.parametrize("change", [
    {"score": "10"}, {"max_score": None}, {"verdict": "great"}, {"exercises": [5]},
    {"exercises": [{"id": "siamese", "checks": [{"check": 1}]}]}, {"problems": [{"mistake": []}]},
    {"duration_s": "slow"}, {"notes": "x"}, {"batch": {"id": "alice", "file": 3}},
])
def test_each_wrong_type_is_caught_before_grades_csv_and_the_dashboard(tmp_path, change):
    from reports.dashboard import render_dashboard
    good = {"verdict": "pass", "score": 1, "max_score": 1, "mistakes": [], "problems": [],
            "exercises": [], "notes": [], "duration_s": 1.0, "batch": {"id": "alice"}}
    (tmp_path / "results.jsonl").write_text(json.dumps({**good, **change}) + "\n")
    book = Gradebook(tmp_path)
    book.load()
    assert book.unreadable_lines == 1 and not book.records
    book.write_grades()
    render_dashboard(book.latest())


# -- 9. a folder of student folders ---------------------------------------------------------
def test_a_section_folder_gives_one_submission_per_student(tmp_path):
    s = tmp_path / "s"
    write(s / "section-a" / "alice" / "solution.py")
    write(s / "section-a" / "bob" / "solution.py")
    write(s / "section-a" / "bob" / "scratch.py")
    write(s / "carol.py")
    subs, warnings = discover(s)
    assert [(x.id, x.path.relative_to(s).as_posix()) for x in subs] == [
        ("carol", "carol.py"),
        ("section-a/alice", "section-a/alice/solution.py"),
        ("section-a/bob", "section-a/bob/solution.py")]
    assert any(w.startswith("section-a/ holds 2 student folders") and "grade " in w
               for w in warnings)


def test_a_students_project_with_sub_folders_stays_one_student(tmp_path):
    s = tmp_path / "s"
    write(s / "alice" / "src" / "siamese.py")
    write(s / "alice" / "tests" / "test_siamese.py")
    write(s / "bob" / "week2" / "siamese.py")
    write(s / "bob" / "week3" / "mlp.py")
    subs, warnings = discover(s)
    assert [(x.id, x.path.name) for x in subs] == [("alice", "siamese.py"), ("bob", "siamese.py")]
    assert not any("student folders" in w for w in warnings)


def test_a_section_batch_writes_a_report_per_student_and_says_so_on_the_dashboard(tmp_path, fake,
                                                                                capsys):
    s, out = tmp_path / "s", tmp_path / "out"
    for who in ("alice", "bob", "carol"):
        write(s / "sec1" / who / "solution.py")
    assert run_batch(s, out) == 0
    ids = sorted(r["batch"]["id"] for r in jsonl(out))
    assert ids == ["sec1/alice", "sec1/bob", "sec1/carol"]
    assert sorted(r["id"] for r in csv_rows(out)) == ids
    for i in ids:
        assert (out / "submissions" / f"{i}.html").exists()
    index = (out / "index.html").read_text()
    assert 'href="submissions/sec1/alice.html"' in index
    assert "sec1/ holds 3 student folders" in index
    assert "sec1/ holds 3 student folders" in capsys.readouterr().err


# -- 10. --out inside (or equal to) the submissions folder ----------------------------------
def test_out_equal_to_the_folder_is_never_graded_as_a_student(tmp_path, fake, capsys):
    s = tmp_path / "s"
    write(s / "alice.py")
    write(s / "bob" / "solution.py")
    for attempt in range(2):
        assert run_batch(s, s, "--force") == 0
        assert sorted(r["batch"]["id"] for r in jsonl(s)) == ["alice", "bob"]
        err = capsys.readouterr().err
        assert "results.jsonl" not in err and "grades.csv" not in err
        assert "submissions" not in err


# -- 11. submissions removed since an earlier run -------------------------------------------
def test_removed_submissions_leave_grades_csv_but_stay_in_results_jsonl(tmp_path, fake, capsys):
    s, out = tmp_path / "s", tmp_path / "out"
    write(s / "alice.py")
    write(s / "bob.py")
    assert run_batch(s, out) == 0
    (s / "bob.py").unlink()
    capsys.readouterr()
    assert run_batch(s, out) == 0
    captured = capsys.readouterr()
    assert [r["id"] for r in csv_rows(out)] == ["alice"]
    assert sorted(r["batch"]["id"] for r in jsonl(out)) == ["alice", "bob"]
    assert 'href="submissions/bob.html"' not in (out / "index.html").read_text()
    assert "1 earlier result(s) left out" in captured.err and "bob" in captured.err
    assert "(of 1)" in captured.out


# -- 12, 13. usage errors -------------------------------------------------------------------
def test_an_empty_path_is_a_usage_error_not_the_current_folder(tmp_path):
    write(tmp_path / "alice.py")
    p = subprocess.run([sys.executable, "-m", "grader.cli", ""], capture_output=True, text=True,
                       cwd=tmp_path, timeout=120)
    assert p.returncode == 2 and "the path is empty" in p.stderr
    assert p.stdout == "" and "Traceback" not in p.stderr
    assert sorted(os.listdir(tmp_path)) == ["alice.py"]  # nothing graded, nothing written


@pytest.mark.parametrize("option", [["--format", "json"], ["--format", "junit"], ["--no-report"]])
def test_file_only_options_on_a_folder_say_what_a_folder_writes(tmp_path, fake, capsys, option):
    write(tmp_path / "s" / "a.py")
    with pytest.raises(SystemExit) as exc:
        batch.main([str(tmp_path / "s"), "--out", str(tmp_path / "o"), *option])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "is for one file" in err and "results.jsonl" in err and "grades.csv" in err
    assert not (tmp_path / "o").exists()
