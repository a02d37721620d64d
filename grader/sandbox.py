"""Hardening the child applies to itself after its imports, before the student's code runs.

Levels, strongest first; every mechanism degrades on its own and the result records which
ones were applied (`sandbox.level` in JSON):
- strict: rlimits + a private network namespace (no network at all) + a private mount
  namespace that hides other submissions and the reference solutions + Landlock (read-only
  system and Python dirs, read-write only the work dir, no other process's /proc entry, no
  TCP connect/bind, no signals to processes outside the sandbox) + seccomp (no ptrace, mount,
  unshare, setns, setsid, …) + no capabilities (root's powers gone: a limit cannot be raised);
- basic: rlimits, a process group of its own, stdin from /dev/null (macOS, or no privileges).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import resource
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True) if sys.platform.startswith("linux") else None

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_REC, MS_PRIVATE, MS_RDONLY, MS_NOSUID, MS_NODEV = 0x4000, 0x40000, 0x1, 0x2, 0x4
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


def apply(request: dict[str, Any]) -> dict[str, Any]:
    limits = request.get("limits", {})
    workdir = request.get("workdir") or os.getcwd()
    applied: list[str] = []
    missing: list[str] = []
    _rlimits(limits, applied)
    _stdin_devnull(applied)
    strict = limits.get("sandbox", "strict") == "strict"
    if sys.platform.startswith("linux") and strict:
        for name, step in (("pids cgroup", lambda: _pids_cgroup(limits)),
                           ("network namespace", _no_network),
                           ("mount namespace", lambda: _hide_paths(request, workdir)),
                           ("landlock", lambda: _landlock(workdir)),
                           ("seccomp", _seccomp),
                           ("capabilities dropped", _drop_capabilities)):
            try:
                detail = step()
                applied.append(detail or name)
            except Exception as exc:  # noqa: BLE001 - degrade, and say so
                missing.append(f"{name} ({type(exc).__name__}: {exc})")
    elif strict:
        missing.append(f"namespaces, landlock and seccomp (not available on {sys.platform})")
    level = "strict" if strict and not missing else "basic"
    if strict and missing and any(a.startswith(("network", "landlock")) for a in applied):
        level = "partial"
    return {"level": level, "applied": applied, "missing": missing}


def _rlimits(limits: dict, applied: list[str]) -> None:
    def cap(which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            return  # e.g. RLIMIT_AS on macOS: the wall-clock timeout still applies
        applied.append(f"rlimit {name_of(which)}={value}")

    def name_of(which: int) -> str:
        return next(n for n in dir(resource) if n.startswith("RLIMIT_") and getattr(resource, n) == which)

    timeout = float(limits.get("timeout_s", 60))
    cap(resource.RLIMIT_AS, int(limits.get("memory_bytes", 4 * 1024 ** 3)))
    cap(resource.RLIMIT_CPU, int(timeout) * 4 + 10)  # TF's threads add CPU time
    cap(resource.RLIMIT_FSIZE, int(limits.get("file_bytes", 64 * 1024 ** 2)))
    cap(resource.RLIMIT_NOFILE, int(limits.get("open_files", 1024)))
    cap(resource.RLIMIT_CORE, 0)
    if hasattr(resource, "RLIMIT_NPROC") and os.geteuid() != 0:
        # Counted per user, and root ignores it: seccomp and the pid kill cover root.
        cap(resource.RLIMIT_NPROC, int(limits.get("processes", 512)))


def _stdin_devnull(applied: list[str]) -> None:
    fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)
    applied.append("stdin /dev/null")


PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")
FREEZER_CGROUP_ROOT = Path("/sys/fs/cgroup/freezer")


def cgroup_for(pid: int, root: Path = PIDS_CGROUP_ROOT) -> Path:
    return root / f"grader-{pid}"


def _pids_cgroup(limits: dict) -> str:
    """A pids cgroup of its own: a hard cap on processes and threads (root ignores
    RLIMIT_NPROC), and a list of every process the submission started, even one that escaped
    its process group, for the runner to kill (see release_cgroup)."""
    if not (PIDS_CGROUP_ROOT / "cgroup.procs").exists():
        raise OSError(errno.ENOENT, "no cgroup v1 pids controller is mounted")
    group = cgroup_for(os.getpid())
    group.mkdir(exist_ok=True)
    cap = int(limits.get("processes", 512))
    (group / "pids.max").write_text(str(cap))
    (group / "cgroup.procs").write_text(str(os.getpid()))
    frozen = ""
    if (FREEZER_CGROUP_ROOT / "cgroup.procs").exists():
        # A freezer cgroup lets the runner stop a fork bomb before killing it: killing one
        # process at a time races against the survivors forking again.
        ice = cgroup_for(os.getpid(), FREEZER_CGROUP_ROOT)
        ice.mkdir(exist_ok=True)
        (ice / "cgroup.procs").write_text(str(os.getpid()))
        frozen = ", freezer"
    return f"pids cgroup (at most {cap} processes and threads{frozen})"


def release_cgroup(pid: int, timeout_s: float = 5.0) -> int:
    """Kill every process left in the run's cgroups and remove them: freeze, kill, thaw (a frozen
    process dies as soon as it thaws). Returns how many processes were killed."""
    import signal
    import time
    group, ice = cgroup_for(pid), cgroup_for(pid, FREEZER_CGROUP_ROOT)
    if not group.is_dir() and not ice.is_dir():
        return 0
    members = ice if ice.is_dir() else group

    def pids() -> list[int]:
        try:
            return [int(p) for p in (members / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    killed: set[int] = set()
    deadline = time.monotonic() + timeout_s
    while (left := pids()) and time.monotonic() < deadline:
        fresh = [p for p in left if p not in killed]  # the rest are zombies awaiting a reaper
        if fresh:
            if ice.is_dir():
                _write(ice / "freezer.state", "FROZEN")
                while _read(ice / "freezer.state") == "FREEZING" and time.monotonic() < deadline:
                    time.sleep(0.005)
                fresh = [p for p in pids() if p not in killed]
            for p in fresh:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
                killed.add(p)
            if ice.is_dir():
                _write(ice / "freezer.state", "THAWED")
        time.sleep(0.005)
    for g in (ice, group):
        for _ in range(100):
            try:
                g.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:  # still emptying
                time.sleep(0.01)
    return len(killed)


def sweep_stale_cgroups() -> int:
    """Release the cgroups of runs whose child is gone (a grader killed with SIGKILL before it
    could release them): their stragglers are killed and the groups removed. A live run's group
    is named after a live pid and left alone. Returns how many groups were released."""
    released = 0
    for root in (PIDS_CGROUP_ROOT, FREEZER_CGROUP_ROOT):
        try:
            groups = [g for g in root.glob("grader-*") if g.is_dir()]
        except OSError:
            continue
        for g in groups:
            pid = g.name.removeprefix("grader-")
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                release_cgroup(int(pid), timeout_s=1.0)
                released += 1
    return released


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError:
        pass


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _check(ret: int, what: str) -> int:
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return ret


def _no_network() -> str:
    _check(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    return "network namespace (no interfaces)"


def _hide_paths(request: dict, workdir: str) -> str:
    """A private mount namespace where the other submissions (the submission's own folder and
    everything beside it), the reference solutions and the tests are empty read-only tmpfs."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    hidden = []
    targets = list(request.get("hide", [])) + [str(REPO_ROOT / "reference_solutions"),
                                               str(REPO_ROOT / "tests")]
    work = Path(workdir).resolve()
    # Never hide what the interpreter itself lives in (a pyenv Python sits under /root).
    keep = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, REPO_ROOT / "grader",
                                        REPO_ROOT / "exercises")]
    for target in dict.fromkeys(targets):
        p = Path(target).resolve()
        if not p.is_dir() or any(k == p or p in k.parents for k in [work, *keep]):
            continue
        opts = b"size=16k,mode=0555"
        if _libc.mount(b"tmpfs", str(p).encode(), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, opts) == 0:
            hidden.append(str(p))
    shm = Path("/dev/shm")
    if shm.is_dir():  # a fresh /dev/shm: no channel to other submissions
        _libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=64m")
    return f"mount namespace (hidden: {', '.join(hidden) or 'nothing'})"


# ---- Landlock (ctypes; syscall numbers are the same on x86_64 and aarch64 since 5.13) -------
SYS_LANDLOCK = {"x86_64": (444, 445, 446), "aarch64": (444, 445, 446)}
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1, 2, 4, 8
FS_ALL_V1 = (1 << 13) - 1
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> int:
    import platform
    nums = SYS_LANDLOCK.get(platform.machine())
    if not nums or _libc is None:
        return 0
    ret = _libc.syscall(nums[0], None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(ret, 0)


# /proc: this process's own entry (which /proc/self and /proc/thread-self lead to) and the
# machine-wide files numpy and TensorFlow read. Not all of /proc: there, every other process's
# command line, environment and memory map are readable (the grader's secrets, the fork
# server's socket path, another student's run), with no PID namespace to hide them.
PROC_READABLE = ("/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/loadavg",
                 "/proc/filesystems", "/proc/version", "/proc/sys")


def _landlock(workdir: str) -> str:
    import platform
    abi = landlock_abi()
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not available in this kernel")
    create, add_rule, restrict = SYS_LANDLOCK[platform.machine()]
    fs = FS_ALL_V1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0) \
        | (FS_IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(fs, (NET_BIND_TCP | NET_CONNECT_TCP) if abi >= 4 else 0,
                        (SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _check(_libc.syscall(create, ctypes.byref(attr), ctypes.c_size_t(size), 0),
                     "landlock_create_ruleset")
    read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
    write = fs  # everything, inside the work dir
    readable = {sys.prefix, sys.base_prefix, sys.exec_prefix, "/usr", "/lib", "/lib64", "/bin",
                "/sys", "/etc/ld.so.cache", "/etc/localtime", "/etc/passwd",
                "/etc/group", "/etc/nsswitch.conf", "/etc/hosts", "/etc/ssl"}
    readable |= set(PROC_READABLE) | {f"/proc/{os.getpid()}"}
    readable |= {p for p in sys.path if p and os.path.isdir(p) and not _inside(p, REPO_ROOT)}
    # The grader's own packages (already imported, but tracebacks and lazy imports read them);
    # not the repository root, which holds the reference solutions and the tests.
    readable |= {str(REPO_ROOT / d) for d in ("grader", "exercises")}
    # /dev: listing it, and the few devices a program uses, by name. Not all of /dev: a write to
    # /dev/kmsg lands in the host's kernel log, one to /dev/pts/N on someone's terminal.
    devices = [("/dev", FS_READ_DIR), ("/dev/shm", write)]
    devices += [(f"/dev/{d}", FS_READ_FILE | FS_WRITE_FILE) for d in ("null", "zero", "full")]
    devices += [(f"/dev/{d}", FS_READ_FILE) for d in ("random", "urandom")]
    rules = [(p, read) for p in sorted(readable)] + [(workdir, write)] + devices
    try:
        for path, access in rules:
            if not os.path.exists(path):
                continue
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                if not os.path.isdir(path):  # file rules take file rights only
                    access &= FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
                rule = _PathBeneath(access & fs, fd)
                _check(_libc.syscall(add_rule, ruleset, 1, ctypes.byref(rule), 0),
                       f"landlock_add_rule({path})")
            finally:
                os.close(fd)
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")
        _check(_libc.syscall(restrict, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)
    extra = (", no TCP" if abi >= 4 else "") + (", signals scoped" if abi >= 6 else "")
    return f"landlock ABI {abi} (read-only system, read-write work dir, own /proc only{extra})"


def _inside(path: str, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(root)
        return True
    except ValueError:
        return False


# Calls a submission never needs, and that would let it escape or outlive the sandbox.
DENIED_SYSCALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root",
    "chroot", "unshare", "setns", "setsid", "setpgid", "kexec_load", "kexec_file_load",
    "reboot", "init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
    "keyctl", "add_key", "request_key", "swapon", "swapoff", "userfaultfd", "open_by_handle_at",
    "name_to_handle_at", "acct", "settimeofday", "clock_settime", "sethostname", "setdomainname",
    "mknod", "mknodat", "fanotify_init", "quotactl", "lookup_dcookie", "vhangup",
)


@functools.lru_cache(maxsize=1)
def _seccomp_filter():
    """The filter, built once: in the fork server before it forks (~40 ms of libseccomp and
    ctypes work that every child would repeat), or on first use elsewhere."""
    import pyseccomp as seccomp  # needs libseccomp (Debian's libseccomp2)
    f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    denied = []
    for name in DENIED_SYSCALLS:
        try:
            f.add_rule(seccomp.ERRNO(errno.EPERM), name)
            denied.append(name)
        except Exception:  # noqa: BLE001 - a call this architecture does not have
            continue
    try:
        f.set_attr(seccomp.Attr.CTL_TSYNC, 1)  # every thread, TensorFlow's included
    except Exception:  # noqa: BLE001
        pass
    return f, len(denied)


def prepare() -> None:
    """What can be made ready before a submission exists (called by the fork server). Failure
    here is not an error: the child tries again and records what it could not apply."""
    if sys.platform.startswith("linux"):
        try:
            _seccomp_filter()  # an exception is not cached: the child will try again
        except Exception:  # noqa: BLE001
            pass


def _seccomp() -> str:
    f, denied = _seccomp_filter()
    f.load()
    return f"seccomp ({denied} calls denied)"


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _drop_capabilities() -> str:
    """Last step: the namespaces, cgroup and mounts above needed root's capabilities; the
    submission needs none. Without them, a submission running as root cannot raise its own
    rlimits (CAP_SYS_RESOURCE), signal or trace what the other layers missed, or regain them
    through a set-uid program (the bounding set is emptied and NO_NEW_PRIVS is set).
    Capabilities belong to a thread: this runs before any thread of TensorFlow's exists, and
    threads started later inherit the empty sets."""
    if os.geteuid() != 0 and _capabilities() == 0:
        return "capabilities (none held)"
    try:
        last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        last = 63
    for cap in range(last + 1):  # the bounding set first: dropping it needs CAP_SETPCAP
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 and ctypes.get_errno() != errno.EINVAL:
            _check(-1, f"prctl(PR_CAPBSET_DROP, {cap})")
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)  # EINVAL before Linux 4.3
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    empty = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), empty), "capset")
    if _capabilities() != 0:
        raise OSError(errno.EPERM, "capabilities still held after capset")
    return "capabilities dropped (all, bounding set too)"


def _capabilities() -> int:
    """This thread's effective capability mask (0: none)."""
    try:
        for line in Path("/proc/thread-self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    except (OSError, ValueError, IndexError):
        pass
    return -1
