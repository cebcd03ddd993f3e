"""Loaded by a `zwgk` subprocess whose PYTHONPATH starts with this folder (tests.egress.connect_log_env):
every socket connect the process attempts is appended to $ZWGK_TEST_CONNECT_LOG, so a test can prove
which addresses were contacted."""
import os
import sys

_LOG = os.environ.get("ZWGK_TEST_CONNECT_LOG")

if _LOG:
    def _record(event, args):
        if event == "socket.connect" and isinstance(args[1], tuple):
            with open(_LOG, "a", encoding="utf-8") as fh:
                fh.write(f"{args[1][0]} {args[1][1]}\n")

    sys.addaudithook(_record)
