"""The warm pool's two promises: its parent never runs a TensorFlow op (after one, forked
children hang), and every forked child starts from the same pristine state (no dtype policy,
layer-name counter or variable leaks from one student to the next)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from grader.forkserver import ForkServerRunner, fork_is_safe
from grader.runner import Limits
from grader.submission import load_submission

pytestmark = pytest.mark.skipif(not fork_is_safe()[0], reason=fork_is_safe()[1])


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=180)


def test_warming_up_runs_no_tensorflow_op_and_the_guard_sees_one():
    p = run_python("""
        from grader.child import warm_imports
        from grader.forkserver import tensorflow_op_has_run
        warm_imports()
        print("after warm-up:", tensorflow_op_has_run())
        import tensorflow as tf
        tf.constant(1.0) + 1.0
        print("after an op:", tensorflow_op_has_run())
    """)
    assert p.returncode == 0, p.stderr
    assert "after warm-up: False" in p.stdout
    assert "after an op: True" in p.stdout  # the guard can fail: it does see an op


def test_the_server_refuses_to_serve_once_an_op_has_run(tmp_path):
    p = run_python(f"""
        import sys
        import tensorflow as tf
        tf.constant(1.0) + 1.0
        from grader.forkserver import serve
        sys.exit(serve({str(tmp_path / "sock")!r}))
    """)
    assert p.returncode == 3, p.stderr
    assert "forked children would hang" in p.stderr


LEAKY = """
import gc, signal
import keras
from keras import layers
print("garbage collector on:", gc.isenabled())
print("SIGCHLD handler:", signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL)
print("wake-up fd:", signal.set_wakeup_fd(-1))
print("policy at start:", keras.mixed_precision.global_policy().name)
print("first layer name:", layers.Dense(1).name)
import os, tempfile  # the server's cached temp dir is not writable by a sandboxed child
print("temp dir is the work dir:", os.path.realpath(tempfile.gettempdir()) == os.path.realpath(os.getcwd()))
with tempfile.NamedTemporaryFile() as fh:
    print("temp file written:", fh.write(b"x"))
keras.mixed_precision.set_global_policy("mixed_float16")
model = keras.Sequential([keras.Input(shape=(3,)), layers.Dense(2)])
"""


def test_each_forked_child_starts_pristine(tmp_path):
    sub = tmp_path / "leaky.py"
    sub.write_text(LEAKY)
    runner = ForkServerRunner()
    try:
        outputs = [runner.run(load_submission(sub), None, Limits(timeout_s=60)).output
                   for _ in range(3)]
    finally:
        runner.close()
    for out in outputs:  # the third child as fresh as the first
        assert "policy at start: float32" in out, out
        assert "first layer name: dense\n" in out, out
        assert "temp dir is the work dir: True" in out and "temp file written: 1" in out, out
        # the server's own settings (no collector while importing, its SIGCHLD wake-up pipe)
        # are not the student's
        assert "garbage collector on: True" in out, out
        assert "SIGCHLD handler: True" in out and "wake-up fd: -1" in out, out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_PEERCRED is Linux's")
def test_only_the_grader_that_started_the_server_gets_a_child(runner):
    """A submission can read the socket's path from the server's command line; connecting from
    any process but the server's parent gets the connection closed, no child, no reply."""
    from grader.forkserver import ForkServerRunner
    if not isinstance(runner, ForkServerRunner):
        pytest.skip("no fork server here")
    runner.start()
    stranger = textwrap.dedent(f"""
        import socket
        s = socket.socket(socket.AF_UNIX)
        s.connect({runner._sock!r})
        try:
            s.sendall(b"{{}}")
            s.settimeout(10)
            print(repr(s.recv(100)))
        except OSError as exc:  # closed unread: a reset or a broken pipe
            print("refused:", type(exc).__name__)
        """)
    out = subprocess.run([sys.executable, "-c", stranger], capture_output=True, text=True,
                         timeout=60)
    # never the "<pid>" line of a started child
    assert out.stdout.strip() == "b''" or out.stdout.startswith("refused:"), \
        (out.stdout, out.stderr[-500:])


def test_a_child_holds_none_of_the_servers_descriptors(grader, tmp_path):
    """In particular not its epoll selector: a child that registered its own fds in it could
    stall the server for every other submission."""
    path = tmp_path / "fds.py"
    path.write_text("import os\nfor fd in sorted(os.listdir('/proc/self/fd')):\n"
                    "    try:\n        print('FD', fd, os.readlink(f'/proc/self/fd/{fd}'))\n"
                    "    except OSError:\n        pass\n")
    result = grader.grade(path)
    fds = [l for l in result.stdout.splitlines() if l.startswith("FD ")]
    assert fds, result.stdout
    assert not [l for l in fds if "eventpoll" in l or "socket" in l], fds


def test_closing_the_pool_removes_its_folder():
    r = ForkServerRunner()
    r.start()
    folder = r._dir
    assert folder and __import__("os").path.isdir(folder)
    r.close()
    assert not __import__("os").path.exists(folder)
