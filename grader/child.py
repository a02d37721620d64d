"""The sandboxed child: executes the submission as an imported module (not as __main__), then
runs each exercise's evidence collector against the live objects and sends the evidence back
as JSON over a private pipe. Started by grader.runner; never imported by the parent.

Usage: python -m grader.child REQUEST.json RESULT_FD
"""
from __future__ import annotations

import builtins
import json
import linecache
import os
import sys
import time
import traceback
import types
from typing import Any

# Quiet TensorFlow's C++ start-up chatter before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


class StdinUsed(EOFError):
    """Raised by input() and sys.stdin reads: the grader runs with no keyboard."""


class _NoStdin:
    def __init__(self, flag: dict):
        self.flag = flag

    def _refuse(self, *args, **kwargs):
        self.flag["used"] = True
        raise StdinUsed("input(): the grader runs your code with no keyboard attached")

    read = readline = readlines = __next__ = _refuse

    def __iter__(self):
        return self

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError("stdin is not available under the grader")

    def close(self) -> None:
        pass

    closed = False
    encoding = "utf-8"


def guard_stdin() -> dict:
    flag = {"used": False}
    guard = _NoStdin(flag)
    sys.stdin = guard

    def no_input(prompt: object = "") -> str:
        if prompt:
            print(prompt, end="", flush=True)
        return guard._refuse()

    builtins.input = no_input
    return flag


def guard_plot_model(notes: list[str]) -> None:
    """`keras.utils.plot_model` raises ImportError without pydot or the graphviz binary; a
    missing drawing tool must not sink the grading."""
    import keras
    import keras.src.utils.model_visualization as mv

    real = mv.plot_model

    def plot_model(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except (ImportError, OSError, FileNotFoundError) as exc:
            to_file = kwargs.get("to_file", args[1] if len(args) > 1 else "model.png")
            placeholder = _write_placeholder(to_file)
            msg = ("Skipped keras.utils.plot_model(): pydot/graphviz are not available here "
                   f"({type(exc).__name__})"
                   + (f"; a blank {placeholder} stands in for it, so code that opens the file "
                      "still runs" if placeholder else "") + ".")
            if msg not in notes:
                notes.append(msg)
            return None

    mv.plot_model = plot_model
    keras.utils.plot_model = plot_model


def _blank_png() -> bytes:
    """A 1×1 transparent PNG: what plot_model() leaves when it cannot draw, so that a notebook
    displaying the image it asked for (IPython.display.Image("model.png")) does not fail."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 5)) + chunk(b"IEND", b""))


def _write_placeholder(to_file: Any) -> str:
    """Write a blank image where plot_model() was asked to write; returns the file's name, or
    "" when it cannot (a path outside the work dir is refused by the sandbox)."""
    try:
        path = os.fspath(to_file)
        suffix = os.path.splitext(path)[1].lower()
        data = (b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
                if suffix == ".svg" else _blank_png())
        with open(path, "wb") as fh:
            fh.write(data)
        return os.path.basename(path)
    except (OSError, TypeError, ValueError):
        return ""


def student_frames(exc: BaseException, filenames: set[str]) -> list[traceback.FrameSummary]:
    return [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in filenames]


def classify(exc: BaseException, stdin_flag: dict, chunk_by_file: dict[str, dict]) -> dict[str, Any]:
    from grader.terminal_text import strip_ansi

    frames = student_frames(exc, set(chunk_by_file))
    last = frames[-1] if frames else None
    where, line, cell, code = "", None, None, ""
    if last is not None:
        chunk = chunk_by_file[last.filename]
        line, cell = last.lineno, chunk.get("cell")
        where = (f"cell {cell}, line {line}" if cell is not None else f"{last.filename}, line {line}")
        lines = (chunk.get("original") or chunk["code"]).splitlines()
        code = lines[line - 1].strip() if line and 0 < line <= len(lines) else (last.line or "")
    message = strip_ansi(str(exc)).strip()
    exception = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    tb = "".join(traceback.format_list(frames)) + exception
    info = {"exception": exception, "where": where or "(outside your code)", "line": line,
            "cell": cell, "code": code, "traceback": tb[-4000:]}
    if isinstance(exc, SystemExit):
        info.update(kind="exited_early", detail=f"sys.exit({exc.code!r}) called at {info['where']}")
    elif isinstance(exc, MemoryError) or type(exc).__name__ == "ResourceExhaustedError":
        info.update(kind="memory_limit", detail=f"{exception} at {info['where']}")
    elif stdin_flag["used"] and isinstance(exc, (EOFError, RuntimeError, ValueError, OSError)):
        info.update(kind="reads_stdin", detail=f"input() called at {info['where']}")
    elif isinstance(exc, ModuleNotFoundError) and exc.name:
        info.update(kind="module_not_available",
                    detail=f"`{exc.name.split('.')[0]}` is not installed where the grader runs")
    else:
        info.update(kind="runtime_error")
    return info


def execute(source: dict, namespace: dict, notes: list[str], stdin_flag: dict) -> dict | None:
    """Run each chunk in order in one module namespace. Returns the problem, or None."""
    chunk_by_file = {c["filename"]: c for c in source["chunks"]}
    for chunk in source["chunks"]:
        # Register the source so tracebacks can quote the student's lines.
        linecache.cache[chunk["filename"]] = (len(chunk["code"]), None,
                                              chunk["code"].splitlines(True), chunk["filename"])
        try:
            code = compile(chunk["code"], chunk["filename"], "exec", dont_inherit=True)
            exec(code, namespace)
        except BaseException as exc:  # noqa: BLE001 - everything the student raises is data
            return classify(exc, stdin_flag, chunk_by_file)
    return None


def collect_all(exercise_ids: list[str] | None, namespace: dict, seed: int) -> dict[str, Any]:
    from grader.exercise import load_exercises
    from grader.terminal_text import strip_ansi
    from grader.probe import Probe

    exercises = load_exercises()
    out: dict[str, Any] = {}
    for ex_id, exercise in exercises.items():
        if exercise_ids and ex_id not in exercise_ids:
            continue
        start = time.perf_counter()
        try:
            evidence = exercise.collect(namespace, Probe(seed))
        except BaseException as exc:  # noqa: BLE001 - the student's objects may misbehave
            evidence = {"attempted": True, "collect_error":
                        f"{type(exc).__name__}: {strip_ansi(str(exc))[:500]}",
                        "collect_traceback": traceback.format_exc()[-3000:]}
        evidence["collect_s"] = round(time.perf_counter() - start, 3)
        out[ex_id] = evidence
    return out


def warm_imports() -> None:
    """Everything the child needs after the student's code has run, imported before it runs:
    nothing the grader relies on is loaded from a sandboxed (or tampered) state later, and the
    fork server pays these imports once."""
    import keras  # noqa: F401
    import numpy  # noqa: F401

    # Loaded lazily on first use, so each forked child would pay for them (~0.1 s a child,
    # numpy.testing alone ~60 ms): the seeding of numpy.random (forkserver), keras' fit() input
    # pipeline, model.summary() through rich. Imports only: no TensorFlow op runs.
    import numpy.random  # noqa: F401
    import numpy.testing  # noqa: F401
    import secrets  # noqa: F401
    from rich.cells import cell_len
    cell_len("─é✓")  # loads rich's Unicode width tables
    import rich._emoji_codes  # noqa: F401
    from tensorflow.python.data.ops import (concatenate_op, flat_map_op,  # noqa: F401
                                            from_tensors_op, range_op, zip_op)

    import grader.findings  # noqa: F401
    import grader.integrity  # noqa: F401
    import grader.introspect  # noqa: F401
    import grader.ipython_shim  # noqa: F401
    import grader.probe  # noqa: F401
    import grader.sandbox
    grader.sandbox.prepare()
    from grader.exercise import load_exercises
    load_exercises()
    grader.integrity.prepare()  # last: it lists the grader's modules imported by now


def main(argv: list[str]) -> int:
    """Entry point of a fresh interpreter (SubprocessRunner)."""
    request_path, result_fd = argv[1], int(argv[2])
    t0 = time.perf_counter()
    warm_imports()
    run_request(request_path, result_fd, import_s=time.perf_counter() - t0)
    return 0


def run_request(request_path: str, result_fd: int, import_s: float = 0.0) -> None:
    """Sandbox this process, run the submission, collect, send the evidence, exit."""
    from grader import integrity, sandbox

    with open(request_path, encoding="utf-8") as fh:
        request = json.load(fh)
    os.unlink(request_path)  # the nonce inside must not be readable by the submission
    nonce = request.pop("nonce", None)
    # Keep the result channel on a descriptor the student is unlikely to touch.
    if result_fd != 1000:
        os.dup2(result_fd, 1000)
        os.close(result_fd)
    result = os.fdopen(1000, "w")
    os.chdir(request.get("workdir") or os.getcwd())

    notes: list[str] = []
    guard_plot_model(notes)
    stdin_flag = guard_stdin()
    t_sandbox = time.perf_counter()
    sandbox_info = sandbox.apply(request)
    t_sandbox = time.perf_counter() - t_sandbox
    # First line of the result channel: which sandbox applied, even if the submission then
    # exits or crashes before any evidence is written.
    result.write(json.dumps({"sandbox": sandbox_info}) + "\n")
    result.flush()

    from grader.ipython_shim import GraderShell, display

    source = request["source"]
    module = types.ModuleType("submission")
    module.__file__ = os.path.join(os.getcwd(), os.path.basename(source["path"]))
    namespace = module.__dict__
    sys.modules["submission"] = module
    if source["kind"] == "notebook":
        # Jupyter runs a notebook as `__main__`: its `if __name__ == "__main__":` blocks run. A
        # .py file is imported as a module, so its guard block (long training, demos) does not.
        namespace["__name__"] = "__main__"
        shell = GraderShell(namespace, notes)
        namespace["get_ipython"] = lambda: shell
        namespace["display"] = display
    sys.argv = [module.__file__]

    before = integrity.snapshot()
    t1 = time.perf_counter()
    problem = execute(source, namespace, notes, stdin_flag)
    t_run = time.perf_counter() - t1
    # Hooks the student left would run inside the grader's own collection: take them off.
    import threading
    sys.settrace(None)
    sys.setprofile(None)
    threading.settrace(None)
    threading.setprofile(None)
    tampering = integrity.changes(before)
    integrity.restore(before)
    if problem is None and stdin_flag["used"]:
        notes.append("Your code called input(); the grader runs with no keyboard, so it got an "
                     "error instead of an answer.")

    # The student may have left a global dtype policy set (mixed_float16): record it, then reset
    # it before the grader builds anything of its own.
    import keras
    global_policy = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("float32")

    # The models as data, for the clean process (grader.verifier), written before collection
    # calls into anything the student made: what it measures is the state the code left.
    from grader.export import export
    t_export = time.perf_counter()
    exported = export(namespace, global_policy)  # never raises
    t_export = time.perf_counter() - t_export

    from grader.introspect import inventory
    t2 = time.perf_counter()
    exercises = collect_all(request.get("exercises"), namespace, int(request["seed"]))
    # Collection calls into objects the student made (a factory function, a model's call()):
    # anything they replaced meanwhile is tampering too, and the evidence is not trusted.
    late = integrity.changes(before)
    if late:
        tampering = sorted(set(tampering) | set(late))
        exercises = {}
        integrity.restore(before)
    payload = {
        "nonce": nonce,
        "problem": problem,
        "tampering": tampering,
        "notes": notes,
        "global_policy": global_policy,
        "inventory": inventory(namespace),
        "exercises": exercises,
        "sandbox": sandbox_info,
        "timings": {"import_s": round(import_s, 3), "sandbox_s": round(t_sandbox, 3),
                    "run_s": round(t_run, 3), "export_s": round(t_export, 3),
                    "collect_s": round(time.perf_counter() - t2, 3)},
    }
    # JSON never holds a raw line break: the export's bytes follow the evidence's line.
    result.write(json.dumps(payload, default=str) + "\n")
    result.flush()
    result.buffer.write(exported)
    result.flush()
    result.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: TensorFlow's can take seconds and the evidence is already sent.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
