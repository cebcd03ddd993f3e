"""Proof of what a test contacted: socket connects observed by an audit hook (in this process, or in a
`zwgk` subprocess through tests/connectlog/sitecustomize.py), and the address classes that must never
appear among them."""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

_HOOKED: list[list[tuple[str, int]]] = []
_LOCK = threading.Lock()


def _hook(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple) and _HOOKED:
        with _LOCK:
            for log in _HOOKED:
                log.append((str(args[1][0]), int(args[1][1])))


sys.addaudithook(_hook)  # once per test process; audit hooks cannot be removed, so it records only when asked


class ConnectLog:
    """`with ConnectLog() as log:` … `log.addresses`: every (address, port) this process connected to."""

    def __enter__(self) -> ConnectLog:
        self.addresses: list[tuple[str, int]] = []
        with _LOCK:
            _HOOKED.append(self.addresses)
        return self

    def __exit__(self, *exc) -> None:
        with _LOCK:
            _HOOKED.remove(self.addresses)


def connect_log_env(log: Path) -> dict[str, str]:
    """Environment for run_zwgk: the subprocess records its connects into `log`."""
    here = Path(__file__).resolve().parent / "connectlog"
    return {"PYTHONPATH": os.pathsep.join([str(here), str(here.parent.parent)]), "ZWGK_TEST_CONNECT_LOG": str(log)}


def read_connect_log(log: Path) -> list[tuple[str, int]]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        host, _, port = line.rpartition(" ")
        out.append((host, int(port)))
    return out


def forbidden(addresses, allowed: frozenset[str] = frozenset({"127.0.0.1"})) -> list[tuple[str, int]]:
    """The connects to anything but `allowed` (the test's own servers): a test never sends traffic to a
    real network, so every other address — 127.0.0.2, 169.254.x, 10.x, fd00::, fe80:: — is a leak."""
    return [(host, port) for host, port in addresses if host not in allowed]
