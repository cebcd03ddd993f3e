"""Runs one step of a scheduled round (`zwgk …`) so that it, and whatever it starts, ends with the scheduler.

The scheduler starts each step in a process group of its own (scheduler.jobs_schedule._command). When the
scheduler dies, even by kill -9:
- the step gets SIGTERM at once (PR_SET_PDEATHSIG), or quits before starting if that already happened;
- a step that keeps Python's SIGTERM handling (`spotcheck run`, `report`, …) passes SIGTERM on to the rest
  of its group first — a `zwgk crawl` it started stops cleanly and stays resumable — waits for them up to
  GRACE seconds, kills what is left, then ends itself;
- a step that installs its own handler (a crawl: Scrapy stops cleanly on SIGTERM) is watched by a thread
  that kills the whole group with SIGKILL once GRACE seconds have passed without it ending.
Linux only (prctl, /proc); elsewhere the step just runs.
"""
from __future__ import annotations

import ctypes
import os
import runpy
import signal
import sys
import threading
import time

GRACE = 10.0  # seconds between SIGTERM and SIGKILL, as in jobs_schedule.KILL_GRACE
PR_SET_PDEATHSIG = 1


def main(argv: list[str]) -> None:
    parent = int(argv[1])
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (AttributeError, OSError):
        pass
    if os.getppid() != parent:  # the scheduler died before the death signal was armed
        sys.exit(143)
    signal.signal(signal.SIGTERM, lambda signum, frame: _on_term(parent))
    threading.Thread(target=_watch, args=(parent,), name="zwgk-stepguard", daemon=True).start()
    sys.argv = ["zwgk", *argv[2:]]
    runpy.run_module("scheduler.cli", run_name="__main__", alter_sys=True)


def _on_term(parent: int) -> None:
    if _parent_gone(parent):  # the scheduler is gone: nobody else will stop the rest of the group
        others = members(os.getpgid(0), os.getpid())
        _say(f"调度程序已退出：停止本步骤启动的 {len(others)} 个进程后退出")
        end_group(os.getpgid(0), GRACE, spare=os.getpid())
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _parent_gone(parent: int, wait: float = 1.0) -> bool:
    """Whether the scheduler is dead or dying. The death signal comes as the scheduler's thread that started
    us exits, which may be a moment before the process is gone and we are handed to another parent."""
    end = time.monotonic() + wait
    while True:
        if os.getppid() != parent:
            return True
        try:
            with open(f"/proc/{parent}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X"):
                    return True
        except OSError:
            return True
        if time.monotonic() > end:
            return False  # a SIGTERM from the living scheduler (it stops the whole group itself)
        time.sleep(0.05)


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    time.sleep(GRACE + 2)  # the step had its SIGTERM and the grace to stop cleanly
    _say("调度程序已退出，本步骤未在时限内停止：强制结束")
    end_group(os.getpgid(0), 0, spare=os.getpid())
    os.kill(os.getpid(), signal.SIGKILL)


def _say(message: str) -> None:
    try:
        os.write(2, f"[stepguard {os.getpid()}] {message}\n".encode())
    except OSError:
        pass


def members(pgid: int, spare: int | None = None) -> list[int]:
    """Live processes of a process group (zombies excluded), read from /proc."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == spare:
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if stat[0] != b"Z" and int(stat[2]) == pgid:
            found.append(int(name))
    return found


def end_group(pgid: int, grace: float, *, spare: int | None = None) -> None:
    """SIGTERM every member of the group but `spare`, wait up to `grace` seconds, SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        pids = members(pgid, spare)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        end = time.monotonic() + wait
        while time.monotonic() < end and members(pgid, spare):
            time.sleep(0.1)


if __name__ == "__main__":  # pragma: no cover - started by jobs_schedule._command
    main(sys.argv)
