"""Child processes that die with the process that started them, whatever ends it.

`start(cmd, pid_dir=...)` runs `cmd` (the InfraValidator's model server, or any child the
pipeline starts) so that nothing outlives a killed run:

- the OS ends it when its parent dies: this module, run as `python -m
  components.process_supervisor PARENT_PID SIGNAL -- CMD...`, sets Linux's parent-death signal
  (prctl PR_SET_PDEATHSIG, kept across exec) and then execs CMD, so a SIGKILL of the run
  (which no handler sees) still ends the child at once;
- it runs in a process group of its own, which `stop` (and the run's Ctrl-C / SIGTERM
  handling, through `stop_all`) ends as a whole;
- a pid file `<pid_dir>/<pid>.json` (pid, its start time, the parent's pid and start time)
  lets the next run find a child whose parent is gone and end it (`end_orphans`), for a system
  without a parent-death signal or a child that ignored it. A child's start time guards against
  ending another process that reused its pid.

Written by hand: the standard library has the pieces (subprocess, signal, ctypes' prctl) but no
supervisor that ties a child's life to its parent's; psutil and the like do not either.
"""
from __future__ import annotations

import contextlib
import ctypes
import glob
import json
import os
import signal
import subprocess
import sys
import time

from components.paths import is_number, is_remote

PR_SET_PDEATHSIG = 1  # linux/prctl.h
CHILDREN_DIR = ".children"  # under a pipeline root: the pid files of the children its runs started
_LIVE: dict[int, tuple[subprocess.Popen, str | None]] = {}  # pid -> (process, pid file)


def children_dir(pipeline_root: str) -> str:
    return os.path.join(pipeline_root, CHILDREN_DIR)


def _stat(pid) -> list[bytes] | None:
    """/proc/PID/stat's fields from the state on (field 3: the state, 4: the parent, 22: the
    start time), None for a process that is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rindex(b")") + 2:].split()
    return fields if len(fields) > 19 and fields[0] != b"Z" else None


def start_time(pid: int) -> int | None:
    """The process's start time (clock ticks after boot, /proc/PID/stat field 22), None if it is gone."""
    fields = _stat(pid)
    return int(fields[19]) if fields else None


def descendant_pids(root: int | None = None) -> list[int]:
    """The live processes under `root` (this process by default): its children, theirs, and so
    on, from /proc (Beam starts each multiprocess worker through `sh -c`: a grandchild)."""
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        fields = _stat(name) if is_number(name) else None
        if fields:
            children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _kill(pids, sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


# The signals stopping this process, in order: recorded by the CLI's handlers (request_stop);
# and whether the stop has reached the children (pass_stop_on).
_stop_signals: list[int] = []
_passed_on = [False]


def request_stop(sig: int) -> None:
    """Records that signal `sig` is stopping this process. Code that turns errors into outcomes
    (the InfraValidator's canary verdict) asks stop_signal() and lets the error through: the
    exception a handler raises in the main thread can reach it as another error (TensorFlow's
    C++, loading a model: pybind11's "... REPLACED BY Terminated")."""
    _stop_signals.append(sig)


def pass_stop_on(sig: int) -> None:
    """Passes `sig` on to the children (signal_children) unless a stop already reached them.
    Marked done only once it is: a second signal arrives in the middle of the first's handler
    and raises out of it, so the second passes its own on (a flag set on the first signal's
    arrival left the children running when two came milliseconds apart)."""
    if not _passed_on[0]:
        signal_children(sig)
        _passed_on[0] = True


def stop_signal() -> int | None:
    """The first signal that is stopping this process, or None."""
    return _stop_signals[0] if _stop_signals else None


def reset_stop() -> None:
    """Forgets the signals (a command's stop ends with the command)."""
    del _stop_signals[:]
    _passed_on[0] = False


def signal_children(sig: int) -> None:
    """Passes `sig` on to every process under this one. A signal sent to one pid (`kill PID`, a
    container's stop) reaches none of them, unlike a terminal's Ctrl-C, which the whole process
    group gets: Beam's multiprocess workers kept running, and the run, unwinding, waited on them
    for ever."""
    _kill(descendant_pids(), sig)


def end_children(timeout: float = 5) -> list[int]:
    """Ends every process still running under this one (SIGTERM, then SIGKILL after `timeout`
    s); returns their pids. For a command stopped by a signal: Beam's multiprocess runner starts
    workers after the signal was passed on (signal_children), which the exit would leave orphaned."""
    pids = descendant_pids()
    _kill(pids, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(start_time(pid) is not None for pid in pids):
        time.sleep(0.05)
    _kill([pid for pid in pids if start_time(pid) is not None], signal.SIGKILL)
    return pids


def start(cmd: list[str], *, pid_dir: str | None = None, death_signal: int = signal.SIGKILL,
          **popen_kwargs) -> subprocess.Popen:
    """Popen of `cmd` in a process group of its own, ended by `death_signal` when this process
    dies (Linux), its pid file in `pid_dir` (local paths only) until `stop`."""
    wrapped = [sys.executable, "-m", "components.process_supervisor", str(os.getpid()), str(int(death_signal)),
               "--", *cmd]
    process = subprocess.Popen(wrapped, start_new_session=True, **popen_kwargs)
    pid_file = None
    if pid_dir and not is_remote(pid_dir):
        os.makedirs(pid_dir, exist_ok=True)
        pid_file = os.path.join(pid_dir, f"{process.pid}.json")
        with open(pid_file, "w") as f:
            json.dump({"pid": process.pid, "start_time": start_time(process.pid), "parent": os.getpid(),
                       "parent_start_time": start_time(os.getpid()), "command": cmd}, f)
    _LIVE[process.pid] = (process, pid_file)
    return process


def _end_group(pid: int, process: subprocess.Popen | None, timeout: float) -> None:
    """SIGTERM to the child's process group, then SIGKILL after `timeout` seconds."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.time() + wait
        while time.time() < deadline:
            if process is not None:
                if process.poll() is not None:
                    break
            elif start_time(pid) is None:
                break
            time.sleep(0.05)
        else:
            continue
        break
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # whatever is left of its group
    if process is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Ends the child and its process group (SIGTERM, then SIGKILL), and removes its pid file."""
    _, pid_file = _LIVE.pop(process.pid, (None, None))
    _end_group(process.pid, process, timeout)
    if pid_file:
        with contextlib.suppress(OSError):
            os.remove(pid_file)


def stop_all(timeout: float = 5) -> int:
    """Ends every child this process started and has not stopped (Ctrl-C, SIGTERM); how many."""
    live = [process for process, _ in list(_LIVE.values())]
    for process in live:
        stop(process, timeout)
    return len(live)


def end_orphans(pid_dir: str, write=None) -> list[int]:
    """Ends each child recorded in `pid_dir` whose parent is gone (and removes the pid files of
    children already gone); a child of a live process is left alone. Returns the pids ended."""
    ended = []
    for pid_file in sorted(glob.glob(os.path.join(pid_dir, "*.json"))):
        try:
            with open(pid_file) as f:
                info = json.load(f)
            pid, parent = int(info["pid"]), int(info["parent"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if start_time(parent) is not None and start_time(parent) == info.get("parent_start_time"):
            continue  # its parent still runs
        if start_time(pid) is not None and start_time(pid) == info.get("start_time"):
            _end_group(pid, None, 5.0)
            ended.append(pid)
            if write:
                write(f"imdb-tfx: ended pid {pid} ({' '.join(info.get('command', []))[:120]}), left running by "
                      f"a run that died (pid {parent})\n")
        with contextlib.suppress(OSError):
            os.remove(pid_file)
    return ended


def _set_parent_death_signal(sig: int) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def main(argv: list[str]) -> int:
    """PARENT_PID SIGNAL -- CMD...: the parent-death signal, then exec CMD."""
    parent, sig, sep, cmd = int(argv[0]), int(argv[1]), argv[2], argv[3:]
    if sep != "--" or not cmd:
        print("usage: python -m components.process_supervisor PARENT_PID SIGNAL -- CMD...", file=sys.stderr)
        return 2
    _set_parent_death_signal(sig)
    if os.getppid() != parent:  # the parent died before the signal was set
        return 1
    os.execvp(cmd[0], cmd)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
