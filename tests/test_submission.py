"""Loading submissions: every unreadable shape gets a sentence; notebooks map to cells."""

import re

import nbformat
import pytest

from grader.submission import UnreadableSubmission, find_syntax_error, load_submission


def write_nb(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) if not c.startswith("#md") else
                nbformat.v4.new_markdown_cell(c) for c in cells]
    path.write_text(nbformat.writes(nb))
    return path


@pytest.mark.parametrize("name, content, needle", [
    ("a.py", b"", "empty"),
    ("a.py", b"  \n\n", "empty"),
    ("a.py", b"x = 1\x00\x01", "binary"),
    ("a.py", "# caf\xe9\nx = 1\n".encode("latin-1"), "not valid UTF-8"),
    ("a.ipynb", b"{\"cells\": [", "not a valid Jupyter notebook"),
    ("a.txt", b"x = 1", "not a Python file"),
])
def test_unreadable(tmp_path, name, content, needle):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(UnreadableSubmission, match=needle):
        load_submission(p)


def test_coding_cookie_is_honoured(tmp_path):
    p = tmp_path / "a.py"
    p.write_bytes("# -*- coding: latin-1 -*-\n# caf\xe9\nx = 1\n".encode("latin-1"))
    assert "café" in load_submission(p).chunks[0].code


def test_notebook_magics_become_python_and_cells_are_located(tmp_path):
    p = write_nb(tmp_path / "n.ipynb", ["#md title", "%matplotlib inline\nimport os",
                                        "!pip install pydot", "%%time\nx = 1\ny = (", "z = 2"])
    src = load_submission(p)
    assert [c.cell for c in src.chunks] == [2, 3, 4, 5]
    assert "get_ipython().run_line_magic('matplotlib'" in src.chunks[0].code
    assert "get_ipython().system('pip install pydot')" in src.chunks[1].code
    problem = find_syntax_error(src)
    assert problem.cell == 4 and problem.line == 3
    assert problem.where == "cell 4, line 3"


def test_python_syntax_error_is_located(tmp_path):
    p = tmp_path / "s.py"
    p.write_text("import keras\n\nx = (1,\n")
    problem = find_syntax_error(load_submission(p))
    assert problem.line == 3 and "never closed" in problem.message


# -- what is not a regular file is never read -------------------------------------------------
_LOAD_IN_CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from grader.submission import UnreadableSubmission, load_submission
try:
    load_submission(sys.argv[1])
    print(json.dumps(["loaded", ""]))
except UnreadableSubmission as exc:
    print(json.dumps(["unreadable", str(exc)]))
except BaseException as exc:
    print(json.dumps([type(exc).__name__, str(exc)]))
"""


def load_in_child(path) -> tuple[str, str]:
    """load_submission in a child with a memory cap and a timeout: a regression must fail the
    test, not hang it or eat the machine's memory."""
    import json
    import subprocess
    import sys
    try:
        proc = subprocess.run([sys.executable, "-c", _LOAD_IN_CHILD, str(path)],
                              capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return "hung", ""
    lines = proc.stdout.strip().splitlines()
    return tuple(json.loads(lines[-1])) if lines else ("crashed", proc.stderr[-500:])


def test_a_fifo_named_py_is_refused_without_blocking(tmp_path):
    import os
    fifo = tmp_path / "solution.py"
    os.mkfifo(fifo)
    kind, message = load_in_child(fifo)
    assert kind == "unreadable", (kind, message)
    assert "'solution.py' is not a regular file" in message and "named pipe" in message


def test_a_link_to_dev_zero_is_refused_without_reading_it(tmp_path):
    link = tmp_path / "solution.py"
    link.symlink_to("/dev/zero")
    kind, message = load_in_child(link)
    assert kind == "unreadable", (kind, message)
    assert "not a regular file (it is a device)" in message


@pytest.mark.parametrize("make, needle", [
    (lambda p: p.mkdir(), "not a regular file (it is a folder)"),
    (lambda p: p.symlink_to(p.parent / "gone.py"), "a symbolic link to"),
    (lambda p: p.symlink_to(p), "loops back on itself"),
])
def test_what_is_not_a_file_gets_a_sentence(tmp_path, make, needle):
    path = tmp_path / "solution.py"
    make(path)
    with pytest.raises(UnreadableSubmission, match=re.escape(needle)) as info:
        load_submission(path)
    assert "'solution.py'" in str(info.value)


def test_dangling_link_names_its_target(tmp_path):
    path = tmp_path / "solution.py"
    path.symlink_to(tmp_path / "moved_away.py")
    with pytest.raises(UnreadableSubmission, match="which does not exist"):
        load_submission(path)


def test_a_link_to_a_regular_file_is_followed(tmp_path):
    real = tmp_path / "real.py"
    real.write_text("x = 1\n")
    (tmp_path / "solution.py").symlink_to(real)
    assert load_submission(tmp_path / "solution.py").chunks[0].code == "x = 1\n"


def test_an_oversized_python_file_is_refused_without_reading_it(tmp_path):
    from grader.submission import MAX_BYTES
    path = tmp_path / "big.py"
    with open(path, "wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: the size alone must refuse it
    with pytest.raises(UnreadableSubmission, match=r"5,242,881 bytes, over the limit"):
        load_submission(path)


# -- notebooks: outputs do not count as code; the code does ---------------------------------------
def _notebook_with_png(path, png_bytes: int, code: str):
    import base64
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(code)
    png = base64.b64encode(b"\x89PNG" + b"\x00" * png_bytes).decode()
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})]
    nb.cells = [cell]
    path.write_text(nbformat.writes(nb))
    return path


def test_a_notebook_with_a_large_plot_output_is_read(tmp_path):
    from grader.submission import MAX_BYTES
    p = _notebook_with_png(tmp_path / "n.ipynb", 4 * 1024 * 1024, "import keras\nx = 1\n")
    assert p.stat().st_size > MAX_BYTES
    src = load_submission(p)
    assert src.chunks[0].code == "import keras\nx = 1\n"


def test_a_notebook_over_the_file_cap_is_refused_with_advice(tmp_path):
    from grader.submission import MAX_NOTEBOOK_BYTES
    path = tmp_path / "n.ipynb"
    with open(path, "wb") as fh:
        fh.truncate(MAX_NOTEBOOK_BYTES + 1)
    with pytest.raises(UnreadableSubmission, match="Clear All Outputs"):
        load_submission(path)


def test_the_code_limit_applies_to_a_notebooks_code(tmp_path):
    from grader.submission import MAX_BYTES
    code = "x = 1  # padding padding padding padding padding padding padding padding\n"
    p = write_nb(tmp_path / "n.ipynb", [code * (MAX_BYTES // len(code) // 2)] * 3)
    with pytest.raises(UnreadableSubmission, match="bytes of code"):
        load_submission(p)


# -- notebooks that are not notebooks --------------------------------------------------------------
def _raw_notebook(path, **top):
    import json
    data = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    data.update(top)
    data = {k: v for k, v in data.items() if v is not None}
    path.write_text(json.dumps(data))
    return path


def _code_cell(source):
    return {"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
            "execution_count": None}


@pytest.mark.parametrize("source, kind", [(123, "a number"), (None, "null"),
                                          (["x = 1\n", 2], "other than text"),
                                          ({"a": 1}, "an object")])
def test_a_cell_without_text_is_named(tmp_path, source, kind):
    md = {"cell_type": "markdown", "source": "# Siamese", "metadata": {}}
    p = _raw_notebook(tmp_path / "n.ipynb", cells=[md, _code_cell("x = 1"), _code_cell(source)])
    with pytest.raises(UnreadableSubmission, match=r"not a valid notebook: cell 3 has no text") \
            as info:
        load_submission(p)
    assert kind in str(info.value)


def test_a_notebook_without_nbformat_is_not_read_as_version_1(tmp_path):
    # nbformat alone would read this as version 1 and drop the code without a word.
    p = _raw_notebook(tmp_path / "n.ipynb", nbformat=None, nbformat_minor=None,
                      cells=[_code_cell("import keras\nm = keras.Sequential()\n")])
    with pytest.raises(UnreadableSubmission, match=r"not a valid Jupyter notebook \(it has no "
                                                   r"\"nbformat\" version number\)"):
        load_submission(p)


@pytest.mark.parametrize("text, needle", [
    ("[1, 2]", "it holds a list, not a notebook"),
    ('"cells"', "it holds text, not a notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}', 'no list of "cells"'),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": ["x = 1"]}',
     "cell 1 is text, not a cell"),
])
def test_json_that_is_not_a_notebook(tmp_path, text, needle):
    p = tmp_path / "n.ipynb"
    p.write_text(text)
    with pytest.raises(UnreadableSubmission, match="not a valid"):
        load_submission(p)
    with pytest.raises(UnreadableSubmission, match=re.escape(needle)):
        load_submission(p)


@pytest.mark.parametrize("cells, needle", [
    ([], "has no code cells"),
    (["#md # Day 2", "#md just prose"], "has no code cells"),
    (["#md # Day 2", "", "   \n"], "are all empty"),
])
def test_a_notebook_without_code_says_so(tmp_path, cells, needle):
    p = write_nb(tmp_path / "n.ipynb", cells)
    with pytest.raises(UnreadableSubmission, match=needle):
        load_submission(p)


def test_an_old_v3_notebook_still_reads(tmp_path):
    import json
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""}, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "x = 1", "language": "python",
                    "outputs": [], "metadata": {}, "collapsed": False}], "metadata": {}}]}
    p = tmp_path / "n.ipynb"
    p.write_text(json.dumps(v3))
    assert load_submission(p).chunks[0].code.strip() == "x = 1"


def test_leading_blank_lines_keep_line_numbers(tmp_path):
    # IPython's transformer drops a cell's leading blank lines; the error is on line 3 of the cell.
    p = write_nb(tmp_path / "n.ipynb", ["\n\nx = (", "%%time\n\n\ny = ("])
    problem = find_syntax_error(load_submission(p))
    assert (problem.cell, problem.line) == (1, 3)


# -- code Python cannot compile at all ------------------------------------------------------------
DEEP = "x = " + "+".join(["1"] * 200_000)  # the tester's file
DEEP_CELL = "x = " + "+".join(["1"] * 5_000)  # IPython's transformer is slow on 200,000


@pytest.mark.parametrize("line", [DEEP, "x = " + "-" * 100_000 + "1"])
def test_code_too_deep_to_compile_is_a_located_syntax_error(tmp_path, line):
    p = tmp_path / "s.py"
    p.write_text(f"import keras\n\n{line}\nprint(x)\n")
    problem = find_syntax_error(load_submission(p))
    assert problem is not None
    assert "too deeply nested or too long for Python to compile" in problem.message
    assert problem.line == 3 and problem.where == "s.py, line 3"
    assert len(problem.text) < 200


def test_code_too_deep_in_a_notebook_names_the_cell(tmp_path):
    p = write_nb(tmp_path / "n.ipynb", ["import keras", "y = 2\n" + DEEP_CELL])
    problem = find_syntax_error(load_submission(p))
    assert "too deeply nested" in problem.message
    assert (problem.cell, problem.line) == (2, 2)


def test_a_nul_character_in_a_cell_is_a_located_syntax_error(tmp_path):
    p = write_nb(tmp_path / "n.ipynb", ["x = 1\ny = '\x00'"])
    problem = find_syntax_error(load_submission(p))
    assert problem.message.startswith("SyntaxError") and "NUL" in problem.message
    assert (problem.cell, problem.line) == (1, 2)


# -- code under `if __name__ == "__main__":` -------------------------------------------------------
MAIN_ONLY = '''import keras
from keras import layers


def build():
    return keras.Sequential([keras.Input((784,)), layers.Dense(10)])


if __name__ == "__main__":
    seq_model = build()
'''


def test_a_main_guard_is_noted_in_a_python_file(tmp_path):
    p = tmp_path / "s.py"
    p.write_text(MAIN_ONLY)
    notes = load_submission(p).notes
    assert len(notes) == 1
    assert 'if __name__ == "__main__":' in notes[0] and "s.py, line 9" in notes[0]
    assert "not run by the grader" in notes[0] and "not graded" in notes[0]


def test_a_main_guard_in_a_notebook_is_not_noted_it_runs_there(tmp_path):
    # Jupyter runs a notebook as __main__, and so does the grader (grader.child)
    p = write_nb(tmp_path / "n.ipynb", ["import keras", "if '__main__' == __name__:\n    main()"])
    assert [n for n in load_submission(p).notes if "__main__" in n] == []


@pytest.mark.parametrize("code", [
    "x = 1\n",
    "def f():\n    if __name__ == '__main__':\n        pass\n",
    "if __name__ != '__main__':\n    x = 1\n",
    "print(__name__ == '__main__')\n",
])
def test_no_note_without_a_main_guard(tmp_path, code):
    p = tmp_path / "s.py"
    p.write_text(code)
    assert load_submission(p).notes == []
