"""Notebook → code chunks, one small step at a time (read → transform magics → map to cells).

IPython's own input transformer turns `%magic` and `!shell` lines into Python calls on
`get_ipython()`; the child provides a restricted shell object for those calls (see
grader.ipython_shim). Cell magics that only time or capture a cell are unwrapped instead, so
line numbers inside the cell stay the student's, and a syntax error in the body is found before
anything runs.
"""
from __future__ import annotations

import json

import nbformat

from grader.submission import MAX_BYTES, Chunk, UnreadableSubmission

_REOPEN = "open it in Jupyter and save it again, or submit a .py file"


def notebook_chunks(text: str, name: str) -> tuple[list[Chunk], list[str]]:
    nb = read_notebook(text, name)
    code_cells = [(index, cell_text(cell, index, name))
                  for index, cell in enumerate(nb.cells, start=1)
                  if cell.get("cell_type") == "code"]
    code_bytes = sum(len(source.encode("utf-8", "replace")) for _, source in code_cells)
    if code_bytes > MAX_BYTES:  # outputs may be large; the code itself is a few kilobytes
        raise UnreadableSubmission(
            f"the code cells of '{name}' hold {code_bytes:,} bytes of code; a solution is a "
            f"few kilobytes (limit {MAX_BYTES:,})")
    transformer = _transformer()
    chunks = [Chunk(transform_cell(source, transformer), f"{name} [cell {index}]", index, source)
              for index, source in code_cells if source.strip()]
    if not chunks:
        raise UnreadableSubmission(
            f"'{name}' has no code cells: there is no code to grade" if not code_cells else
            f"the code cells of '{name}' are all empty: there is no code to grade")
    return chunks, []


def cell_text(cell, index: int, name: str) -> str:
    """A cell's source: a string, or a list of strings that Jupyter joins (some writers)."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    kind = ("a list holding something other than text" if isinstance(source, list)
            else _json_kind(source))
    raise UnreadableSubmission(
        f"'{name}' is not a valid notebook: cell {index} has no text (its \"source\" is "
        f"{kind}): {_REOPEN}")


def read_notebook(text: str, name: str):
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UnreadableSubmission(
            f"'{name}' is not a valid Jupyter notebook (not JSON: {exc}): {_REOPEN}") from None
    _check_shape(data, name)
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises JSON, validation and version errors alike
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnreadableSubmission(
            f"'{name}' is not a valid Jupyter notebook ({detail}): {_REOPEN}") from None


def _check_shape(data, name: str) -> None:
    """What nbformat would accept silently but the grader must not: without a "nbformat"
    number nbformat reads the file as version 1 and drops every cell's code; a cell whose
    source is not text has no code to run."""
    if not isinstance(data, dict):
        raise UnreadableSubmission(
            f"'{name}' is not a valid Jupyter notebook (it holds {_json_kind(data)}, not a "
            f"notebook): {_REOPEN}")
    if not isinstance(data.get("nbformat"), int) or isinstance(data.get("nbformat"), bool):
        raise UnreadableSubmission(
            f"'{name}' is not a valid Jupyter notebook (it has no \"nbformat\" version "
            f"number): {_REOPEN}")
    cells = data.get("cells")
    if data["nbformat"] >= 4 and not isinstance(cells, list):
        raise UnreadableSubmission(
            f"'{name}' is not a valid Jupyter notebook (it has no list of \"cells\"): {_REOPEN}")
    for index, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        if not isinstance(cell, dict):
            raise UnreadableSubmission(
                f"'{name}' is not a valid notebook: cell {index} is {_json_kind(cell)}, not a "
                f"cell: {_REOPEN}")
        if cell.get("cell_type") == "code":
            cell_text(cell, index, name)


def _json_kind(value) -> str:
    kinds = {dict: "an object", list: "a list", str: "text", bool: "true/false",
             int: "a number", float: "a number", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager()


def transform_cell(source: str, transformer=None) -> str:
    """IPython's transformer, except for the cell magics that only time or capture their body:
    the magic's line is replaced by one line of Python and the body stays code, so its line
    numbers stay the student's and a syntax error in it is found before anything runs."""
    transformer = transformer or _transformer()
    lines = source.split("\n")
    # IPython drops leading blank lines before looking for a cell magic.
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    magic, _, arguments = lines[first].partition(" ")
    replacement = _CELL_MAGIC_LINE.get(magic.rstrip())
    if replacement is None:
        return _transform(source, transformer)
    body = "\n".join(lines[first + 1:])
    head = replacement(arguments.strip())
    code = "\n" * first + head + "\n" + _transform(body, transformer)
    if magic.rstrip() == "%%capture":
        # Ends the capture begun by the first line; an exception in the body ends the run.
        code = code.rstrip("\n") + "\nget_ipython().end_capture()\n"
    return code


def _transform(source: str, transformer) -> str:
    # IPython drops a cell's leading blank lines; put them back, or every line number after
    # them would be off by as many.
    lines = source.split("\n")
    blank = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    try:
        return "\n" * blank + transformer.transform_cell("\n".join(lines[blank:]))
    except Exception:
        return source  # leave it to the compiler to report a located SyntaxError


def _setup_code(arguments: str, options: str) -> str:
    """`%%timeit -n 10 -r 3 x = f()`: what follows the options is code run before the body."""
    from grader.ipython_shim import split_options
    return split_options(arguments, options)[1]


_CELL_MAGIC_LINE = {
    "%%time": lambda arguments: "",
    "%%timeit": lambda arguments: _setup_code(arguments, "n:r:p:tcqo"),
    "%%prun": lambda arguments: _setup_code(arguments, "D:l:s:T:rq"),
    "%%capture": lambda arguments: f"get_ipython().begin_capture({arguments!r})",
}
