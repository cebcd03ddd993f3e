"""Login throttling: more than a few wrong passwords a minute from one address are refused."""
from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _key() -> str:
    # per application as well as per address: several consoles in one process (the tests) count apart
    return f"{id(current_app._get_current_object())}:{get_remote_address()}"


limiter = Limiter(key_func=_key, default_limits=[])
LOGIN_LIMIT = "10 per minute;50 per hour"
