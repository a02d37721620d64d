"""Notebook → code chunks, one small step at a time (read → transform magics → map to cells).

IPython's own input transformer turns `%magic` and `!shell` lines into Python calls on
`get_ipython()`; the child provides a restricted shell object for those calls (see
grader.ipython_shim). Cell magics that only time or capture a cell are unwrapped instead, so
line numbers inside the cell stay the student's.
"""
from __future__ import annotations

import nbformat

from grader.submission import Chunk, UnreadableSubmission

# Cell magics whose body is ordinary Python worth running as-is.
_TRANSPARENT_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


def notebook_chunks(text: str, name: str) -> tuple[list[Chunk], list[str]]:
    nb = read_notebook(text, name)
    transformer = _transformer()
    chunks: list[Chunk] = []
    for index, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        original = cell.get("source", "")
        if isinstance(original, list):  # tolerated by some writers
            original = "".join(original)
        if not original.strip():
            continue
        code = transform_cell(original, transformer)
        chunks.append(Chunk(code, f"{name} [cell {index}]", index, original))
    return chunks, []


def read_notebook(text: str, name: str):
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises JSON, validation and version errors alike
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UnreadableSubmission(
            f"'{name}' is not a valid Jupyter notebook ({detail}): open it in Jupyter and save "
            f"it again, or submit a .py file") from None


def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager()


def transform_cell(source: str, transformer=None) -> str:
    first, _, rest = source.partition("\n")
    if first.strip().split(" ")[0] in _TRANSPARENT_CELL_MAGICS:
        # Keep the line count: the magic line becomes a blank line.
        return "\n" + rest
    transformer = transformer or _transformer()
    try:
        return transformer.transform_cell(source)
    except Exception:
        return source  # leave it to the compiler to report a located SyntaxError
