"""Loading submissions: every unreadable shape gets a sentence; notebooks map to cells."""

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
