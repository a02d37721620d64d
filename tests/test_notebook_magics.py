"""IPython magics in correct notebooks must run under the grader as they do in Jupyter: timing
magics read their options (never run them as code), `%%capture name` binds `name`.

The cells run here in-process, as grader.child runs them: each chunk compiled under its own file
name and executed in one namespace that has the grader's `get_ipython()` and `display()`."""
import sys

import nbformat
import pytest

from grader.ipython_shim import GraderShell, display, split_options
from grader.submission import find_syntax_error, load_submission


def run_notebook(tmp_path, cells: list[str]) -> tuple[dict, list[str]]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "lesson.ipynb"
    path.write_text(nbformat.writes(nb))
    source = load_submission(path)
    assert find_syntax_error(source) is None
    namespace: dict = {"__name__": "submission"}
    notes: list[str] = []
    shell = GraderShell(namespace, notes)
    namespace["get_ipython"] = lambda: shell
    namespace["display"] = display
    stdout, stderr = sys.stdout, sys.stderr
    try:
        for chunk in source.chunks:
            exec(compile(chunk.code, chunk.filename, "exec", dont_inherit=True), namespace)
    finally:
        assert (sys.stdout, sys.stderr) == (stdout, stderr), "a capture was left open"
    return namespace, notes


def test_timeit_options_are_not_run_as_code(tmp_path):
    ns, _ = run_notebook(tmp_path, ["%timeit -n 1 -r 1 y = 2", "%timeit -n1 -r1 -q z = y + 1",
                                    "%timeit -- w = -1"])
    assert (ns["y"], ns["z"], ns["w"]) == (2, 3, -1)


def test_timeit_dash_o_returns_a_result_with_timings(tmp_path):
    ns, _ = run_notebook(tmp_path, ["result = %timeit -o -q -n 3 -r 2 sum(range(100))",
                                    "best, runs = result.best, len(result.all_runs)"])
    assert ns["best"] >= 0 and ns["runs"] >= 1
    assert ns["result"].average >= 0 and ns["result"].stdev >= 0


def test_time_gives_back_the_value_of_an_expression(tmp_path):
    ns, _ = run_notebook(tmp_path, ["v = %time 40 + 2", "%time u = v * 2"])
    assert (ns["v"], ns["u"]) == (42, 84)


def test_cell_timeit_runs_its_setup_line_and_body(tmp_path):
    ns, _ = run_notebook(tmp_path, ["%%timeit -n 1 -r 1 import math\nroot = math.sqrt(16)",
                                    "%%time\nsquare = root ** 2"])
    assert (ns["root"], ns["square"]) == (4.0, 16.0)


def test_capture_binds_a_captured_io(tmp_path, capsys):
    ns, _ = run_notebook(tmp_path, [
        "%%capture cap\nprint('training...')\nimport sys\nprint('warn', file=sys.stderr)\n"
        "display(7)",
        "out, err, n = cap.stdout, cap.stderr, len(cap.outputs)",
    ])
    assert capsys.readouterr().out == ""  # captured, as in Jupyter
    assert (ns["out"], ns["err"], ns["n"]) == ("training...\n", "warn\n", 1)
    ns["cap"].show()
    shown = capsys.readouterr()
    assert shown.out == "training...\n7\n" and shown.err == "warn\n"
    ns["cap"]()  # IPython's CapturedIO is callable too
    assert capsys.readouterr().out == "training...\n7\n"


def test_capture_options_leave_streams_alone(tmp_path, capsys):
    ns, _ = run_notebook(tmp_path, [
        "%%capture --no-stdout --no-display cap2\nprint('seen')\ndisplay('shown')",
        "%%capture\nprint('hidden')",
    ])
    assert capsys.readouterr().out == "seen\n'shown'\n"
    assert ns["cap2"].stdout == "" and ns["cap2"].outputs == []


def test_capture_cell_body_is_transformed(tmp_path):
    # The Colab habit: hide pip's output. The body's `!pip` must not be a syntax error.
    ns, notes = run_notebook(tmp_path, ["%%capture\n!pip install pydot\n%matplotlib inline\nx = 1"])
    assert ns["x"] == 1
    assert notes == ["Skipped `!pip install pydot`: the grader does not install packages."]


def test_an_error_inside_a_capture_cell_is_located_in_the_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%%capture cap\nx = 1\nx = undefined_name")]
    path = tmp_path / "n.ipynb"
    path.write_text(nbformat.writes(nb))
    source = load_submission(path)
    shell = GraderShell({}, [])
    ns = {"get_ipython": lambda: shell}
    stdout = sys.stdout
    with pytest.raises(NameError) as info:
        exec(compile(source.chunks[0].code, source.chunks[0].filename, "exec"), ns)
    shell.end_capture()
    assert sys.stdout is stdout
    frame = info.traceback[-1]
    assert frame.path == source.chunks[0].filename and frame.lineno + 1 == 3


@pytest.mark.parametrize("line, options, code", [
    ("-n 1 -r 1 y = 2", {"n": "1", "r": "1"}, "y = 2"),
    ("-n1 -r1 -qo f(-1)", {"n": "1", "r": "1", "q": "", "o": ""}, "f(-1)"),
    ("-qn 3 f()", {"q": "", "n": "3"}, "f()"),
    ("-1 + 2", {}, "-1 + 2"),
    ("-x", {}, "-x"),
    ("-- -n", {}, "-n"),
    ("", {}, ""),
])
def test_split_options(line, options, code):
    assert split_options(line, "n:r:p:tcqo") == (options, code)
