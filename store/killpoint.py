"""Named points where a test can make the process die as `kill -9` would, deterministically.

`ZWGK_TEST_KILL_AT=name` (or `name@N`: the N-th time the point is reached) makes the process SIGKILL
itself there: no cleanup, no flush, no finally blocks, exactly like an operator's kill -9 or the OOM
killer. The reliability tests use it to stop a crawl or a check at chosen moments and then check that
running the same command again loses nothing. Without the variable every call is a dictionary lookup.
"""
from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "ZWGK_TEST_KILL_AT"
_reached: Counter[str] = Counter()


def _wanted() -> dict[str, int]:
    spec = os.environ.get(ENV, "")
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, count = part.partition("@")
        out[name] = int(count) if count.isdigit() else 1
    return out


def reached(name: str) -> None:
    """Count one passage through the point `name`; die here when the test asked for it."""
    if ENV not in os.environ:
        return
    wanted = _wanted().get(name)
    if wanted is None:
        return
    _reached[name] += 1
    if _reached[name] == wanted:
        os.kill(os.getpid(), signal.SIGKILL)
