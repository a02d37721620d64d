"""Loading problems, graded end to end (a real sandboxed child): each gets its verdict and a
sentence, never "the grader itself failed", and a correct notebook's magics cost nothing."""
import json
import os
import signal

import nbformat

from grader.findings import Verdict
from grader.runner import REPO_ROOT as REPO


def _notebook(path, cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path.write_text(nbformat.writes(nb))
    return path


def _mistakes(result):
    return sorted(result.to_dict()["mistakes"])


def test_a_correct_notebook_with_timing_and_capture_magics_passes(tmp_path, grader):
    path = _notebook(tmp_path / "weights.ipynb", [
        "%%capture pip_log\n!pip install -q pydot",
        "import numpy as np\nimport keras\nfrom keras import layers",
        "%%time\ninputs = keras.Input(shape=(784,), name='pixels')\n"
        "h = layers.Dense(256, activation='relu')(inputs)\n"
        "h = layers.Dense(64, activation='relu')(h)\n"
        "outputs = layers.Dense(10, activation='softmax')(h)\n"
        "fn_model = keras.Model(inputs=inputs, outputs=outputs, name='mlp_functional')",
        "timing = %timeit -o -q -n 1 -r 1 fn_model.predict(np.zeros((2, 784)), verbose=0)\n"
        "print(timing.best > 0)",
        "pip_log.show()\n%timeit -n 1 -r 1 n_weights = len(fn_model.weights)",
        "fn_model.layers[1].trainable = False\nprint(len(fn_model.trainable_weights))\n"
        "fn_model.layers[1].trainable = True",
    ])
    result = grader.grade(path, only=["weights_and_trainable"])
    assert result.verdict is Verdict.PASS, _mistakes(result)
    assert "True\n" in result.stdout and "4\n" in result.stdout


def test_code_only_under_a_main_guard_is_explained(tmp_path, grader):
    path = tmp_path / "surgery.py"
    path.write_text("import keras\nfrom keras import layers\n\n\ndef main():\n"
                    "    seq_model = keras.Sequential([keras.Input((784,)), layers.Dense(10)])\n"
                    "    seq_model.summary()\n\n\nif __name__ == '__main__':\n    main()\n")
    result = grader.grade(path)
    assert _mistakes(result) == ["model_not_found"]
    (note,) = [n for n in result.notes if "__main__" in n]
    assert "surgery.py, line 10" in note and "not run by the grader" in note


def test_a_notebook_runs_as_main_like_in_jupyter(tmp_path, grader):
    path = _notebook(tmp_path / "surgery.ipynb", [
        "import keras\nfrom keras import layers",
        "def main():\n    global fn_model\n    inputs = keras.Input(shape=(784,), name='pixels')\n"
        "    h = layers.Dense(256, activation='relu')(inputs)\n"
        "    h = layers.Dense(64, activation='relu')(h)\n"
        "    outputs = layers.Dense(10, activation='softmax')(h)\n"
        "    fn_model = keras.Model(inputs=inputs, outputs=outputs)",
        "if __name__ == '__main__':\n    main()",
        "fn_model.layers[1].trainable = False\nprint(len(fn_model.trainable_weights))\n"
        "fn_model.layers[1].trainable = True",
    ])
    result = grader.grade(path, only=["weights_and_trainable"])
    assert result.verdict is Verdict.PASS, _mistakes(result)
    assert [n for n in result.notes if "__main__" in n] == []


def test_code_too_deep_to_compile_is_a_syntax_error_not_a_grader_failure(tmp_path, grader):
    path = tmp_path / "deep.py"
    path.write_text("import keras\n\ntotal = " + "+".join(["1"] * 200_000) + "\n")
    result = grader.grade(path)
    assert result.verdict is Verdict.ERROR and _mistakes(result) == ["syntax_error"]
    assert "too deeply nested" in result.problems[0].message
    assert "deep.py, line 3" in result.problems[0].message


def _hang(signum, frame):
    raise TimeoutError("the grader blocked on the FIFO")


def test_a_fifo_is_unreadable_not_a_hang(tmp_path, grader):
    fifo = tmp_path / "solution.py"
    os.mkfifo(fifo)
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(30)  # before the fix, open() waited for a writer forever
    try:
        result = grader.grade(fifo)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert _mistakes(result) == ["unreadable_submission"]
    assert "not a regular file" in result.problems[0].message


def test_a_notebook_cell_without_text_is_unreadable(tmp_path, grader):
    path = tmp_path / "n.ipynb"
    path.write_text('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": '
                    '[{"cell_type": "code", "source": 123, "metadata": {}, "outputs": []}]}')
    result = grader.grade(path)
    assert _mistakes(result) == ["unreadable_submission"]
    assert "cell 1 has no text" in result.problems[0].message


def test_a_notebooks_own_factory_function_is_called_like_a_py_files(tmp_path, grader):
    # A function defined in a notebook has __module__ "__main__" (as in Jupyter), in a .py file
    # "submission": both are the submission's own, and make_sequential() is called.
    mlp = (REPO / "reference_solutions" / "mlp_three_ways.py").read_text()
    path = _notebook(tmp_path / "mlp.ipynb", [mlp])
    result = grader.grade(path, only=["mlp_three_ways"])
    assert result.verdict is Verdict.PASS, _mistakes(result)
    # the sequential build came from calling the factory, not from the seq_model fallback
    assert "make_sequential()" in json.dumps(result.to_dict())
