"""A restricted stand-in for IPython's shell, for notebook code run by the grader.

IPython's input transformer turns `%pip install x` into `get_ipython().run_line_magic("pip",
"install x")` and `!ls` into `get_ipython().system("ls")`. In the sandbox nothing is installed
and no shell runs: those lines are skipped and noted, so that the report can say so.

Timing magics run their statement once (their options are read, never run as code); `%%capture`
cells are unwrapped by grader.notebook into `begin_capture(line)` … body … `end_capture()`, and
the name it binds behaves like IPython's CapturedIO.

Nothing here may rebind a module-level name while the student's code runs: grader.integrity
would report it as tampering. State lives on the shell object or in mutable containers.
"""
from __future__ import annotations

import io
import shlex
import sys
import time
from typing import Any

_IGNORED_LINE_MAGICS = {"matplotlib", "load_ext", "reload_ext", "autoreload", "config",
                        "precision", "pylab", "env", "who", "whos", "pwd", "xmode"}
_PACKAGE_MAGICS = {"pip", "conda", "mamba"}
# Options of IPython's timing magics, in getopt's notation ("n:" takes a value).
_MAGIC_OPTIONS = {"time": "", "timeit": "n:r:p:tcqo", "prun": "D:l:s:T:rq", "capture": ""}

# The captures in progress, innermost last: display() reads it (a list, mutated, never rebound).
_CAPTURES: list["_Capture"] = []


def split_options(line: str, spec: str) -> tuple[dict[str, str], str]:
    """getopt-style options at the start of a magic's line, and the code after them:
    `-n 1 -r1 -qo y = f(-1)` → ({"n": "1", "r": "1", "q": "", "o": ""}, "y = f(-1)").
    The first word that is not a known option starts the code."""
    options: dict[str, str] = {}
    rest = line.strip()
    while rest.startswith("-") and len(rest) > 1:
        word, _, after = rest.partition(" ")
        if word == "--":
            return options, after.strip()
        letters, value_next, parsed = word[1:], False, {}
        for i, letter in enumerate(letters):
            if not letter.isalpha() or letter not in spec:
                return options, rest  # `-x` is code (a negative number, say), not an option
            if spec[spec.index(letter) + 1:spec.index(letter) + 2] == ":":
                if letters[i + 1:]:
                    parsed[letter] = letters[i + 1:]
                else:
                    value_next = True
                    parsed[letter] = ""
                break
            parsed[letter] = ""
        if value_next:
            value, _, after = after.strip().partition(" ")
            parsed[next(reversed(parsed))] = value
        options.update(parsed)
        rest = after.strip()
    return options, rest


class TimeitResult:
    """What `%timeit -o` returns, as IPython's TimeitResult: the grader ran the statement once."""

    def __init__(self, seconds: float):
        self.loops, self.repeat = 1, 1
        self.all_runs = [seconds]
        self.timings = [seconds]
        self.best = self.worst = self.average = seconds
        self.stdev = 0.0
        self.compile_time = 0.0

    def __repr__(self) -> str:
        return f"<TimeitResult : {self.average * 1e3:.3g} ms per loop (the grader ran it once)>"

    __str__ = __repr__


class RichOutput:
    """One captured display() call, as IPython's RichOutput."""

    def __init__(self, obj: Any):
        self.obj = obj
        self.data = {"text/plain": repr(obj)}
        self.metadata: dict[str, Any] = {}

    def display(self) -> None:
        display(self.obj)


class CapturedIO:
    """What `%%capture name` binds `name` to: the cell's stdout, stderr and display() outputs,
    and show() (also `name()`) to write them out, as IPython's CapturedIO."""

    def __init__(self, stdout: io.StringIO | None, stderr: io.StringIO | None,
                 outputs: list[RichOutput] | None):
        self._stdout, self._stderr, self._outputs = stdout, stderr, outputs

    @property
    def stdout(self) -> str:
        return self._stdout.getvalue() if self._stdout is not None else ""

    @property
    def stderr(self) -> str:
        return self._stderr.getvalue() if self._stderr is not None else ""

    @property
    def outputs(self) -> list[RichOutput]:
        return list(self._outputs or [])

    def show(self) -> None:
        sys.stdout.write(self.stdout)
        sys.stderr.write(self.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        for output in self.outputs:
            output.display()

    __call__ = show

    def __str__(self) -> str:
        return self.stdout


class _Capture:
    def __init__(self, stdout: bool, stderr: bool, display: bool):
        self.saved = (sys.stdout, sys.stderr)
        self.outputs: list[RichOutput] | None = [] if display else None
        out = io.StringIO() if stdout else None
        err = io.StringIO() if stderr else None
        self.result = CapturedIO(out, err, self.outputs)
        sys.stdout = out or sys.stdout
        sys.stderr = err or sys.stderr

    def stop(self) -> None:
        sys.stdout, sys.stderr = self.saved


class GraderShell:
    def __init__(self, namespace: dict[str, Any], notes: list[str]):
        self.user_ns = namespace
        self.notes = notes

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> Any:
        if name in ("time", "timeit", "prun"):
            options, code = split_options(line, _MAGIC_OPTIONS[name])
            start = time.perf_counter()
            value = self._run(code, f"<%{name}>")
            seconds = time.perf_counter() - start
            if name == "time":
                return value  # IPython's %time gives back the value of an expression
            return TimeitResult(seconds) if name == "timeit" and "o" in options else None
        if name in _PACKAGE_MAGICS:
            self._note(f"Skipped `%{name} {line}`: the grader does not install packages.")
        elif name not in _IGNORED_LINE_MAGICS:
            self._note(f"Skipped the magic `%{name} {line}`: it does not run under the grader.")
        return None

    def _run(self, code: str, filename: str) -> Any:
        """Run a magic's statement once in the notebook's namespace; an expression's value is
        returned."""
        if not code.strip():
            return None
        try:
            expression = compile(code, filename, "eval", dont_inherit=True)
        except SyntaxError:
            exec(compile(code, filename, "exec", dont_inherit=True), self.user_ns)
            return None
        return eval(expression, self.user_ns)

    def run_cell_magic(self, name: str, line: str, cell: str) -> Any:
        # grader.notebook unwraps these when they open a cell; this is the fallback.
        if name in ("time", "timeit", "prun"):
            self._run(split_options(line, _MAGIC_OPTIONS[name])[1], f"<%%{name}>")
            self._run(cell, f"<%%{name}>")
        elif name == "capture":
            self.begin_capture(line)
            try:
                self._run(cell, "<%%capture>")
            finally:
                self.end_capture()
        elif name == "writefile":
            target = line.split()[-1] if line.split() else "cell.txt"
            with open(target, "w", encoding="utf-8") as fh:  # inside the private work dir
                fh.write(cell)
        else:
            self._note(f"Skipped a `%%{name}` cell: it does not run under the grader.")
        return None

    def begin_capture(self, line: str) -> None:
        """`%%capture [--no-stdout] [--no-stderr] [--no-display] [name]`"""
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        flags = {w for w in words if w.startswith("-")}
        names = [w for w in words if not w.startswith("-")]
        capture = _Capture("--no-stdout" not in flags, "--no-stderr" not in flags,
                           "--no-display" not in flags)
        _CAPTURES.append(capture)
        if names:
            self.user_ns[names[0]] = capture.result

    def end_capture(self) -> None:
        if _CAPTURES:
            _CAPTURES.pop().stop()

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
    """Jupyter's display(): prints a text form, which is what a plain console shows; inside a
    `%%capture` cell the objects are kept in its outputs instead."""
    capture = next((c for c in reversed(_CAPTURES) if c.outputs is not None), None)
    for obj in objs:
        if capture is not None:
            capture.outputs.append(RichOutput(obj))
        else:
            print(repr(obj))
