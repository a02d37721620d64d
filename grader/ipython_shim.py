"""A restricted stand-in for IPython's shell, for notebook code run by the grader.

IPython's input transformer turns `%pip install x` into `get_ipython().run_line_magic("pip",
"install x")` and `!ls` into `get_ipython().system("ls")`. In the sandbox nothing is installed
and no shell runs: those lines are skipped and noted, so that the report can say so.
"""
from __future__ import annotations

import time
from typing import Any

_IGNORED_LINE_MAGICS = {"matplotlib", "load_ext", "reload_ext", "autoreload", "config",
                        "precision", "pylab", "env", "who", "whos", "pwd", "xmode"}
_PACKAGE_MAGICS = {"pip", "conda", "mamba"}
_TIMING_MAGICS = {"time", "timeit", "capture", "prun"}


class GraderShell:
    def __init__(self, namespace: dict[str, Any], notes: list[str]):
        self.user_ns = namespace
        self.notes = notes

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> Any:
        if name in _TIMING_MAGICS:
            start = time.perf_counter()
            exec(compile(line, f"<%{name}>", "exec"), self.user_ns)
            return time.perf_counter() - start
        if name in _PACKAGE_MAGICS:
            self._note(f"Skipped `%{name} {line}`: the grader does not install packages.")
        elif name not in _IGNORED_LINE_MAGICS:
            self._note(f"Skipped the magic `%{name} {line}`: it does not run under the grader.")
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        if name in _TIMING_MAGICS:
            exec(compile(cell, f"<%%{name}>", "exec"), self.user_ns)
        elif name == "writefile":
            target = line.split()[-1] if line.split() else "cell.txt"
            with open(target, "w", encoding="utf-8") as fh:  # inside the private work dir
                fh.write(cell)
        else:
            self._note(f"Skipped a `%%{name}` cell: it does not run under the grader.")
        return None

    def system(self, cmd: str) -> None:
        if cmd.strip().split(" ")[0] in ("pip", "pip3", "conda", "python") and "install" in cmd:
            self._note(f"Skipped `!{cmd}`: the grader does not install packages.")
        else:
            self._note(f"Skipped the shell command `!{cmd}`: no shell runs under the grader.")
        return None

    getoutput = system

    def run_cell(self, raw_cell: str, *args, **kwargs) -> None:
        exec(compile(raw_cell, "<run_cell>", "exec"), self.user_ns)


def display(*objs: Any, **kwargs: Any) -> None:
    """Jupyter's display(): prints a text form, which is what a plain console shows."""
    for obj in objs:
        print(repr(obj))
