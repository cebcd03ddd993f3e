"""Cost of an incremental re-crawl against the first crawl, on the synthetic portal.

    .venv/bin/python bench/incremental_synth.py [--size 20x8x25] [--concurrency 16] [--etag]

Crawls the portal (--fast) into a fresh SQLite database, then again unchanged (incremental), then with
--full. With --etag the server sends ETags and answers If-None-Match with 304 (without, an unchanged
column is recognised by its first list page). Prints a Markdown table of requests (counted by the
server), 304 answers, seconds, CPU seconds and peak memory.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import run  # noqa: E402
from crawl_speed import ROOT, ZWGK, parse_size  # noqa: E402
from synthportal import Server  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="20x8x25")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--etag", action="store_true")
    args = p.parse_args()
    portal = parse_size(args.size)
    server = Server(portal, etag=args.etag).start()
    print("| crawl | portal | ETag | requests | 304 answers | share of first | seconds | CPU s | peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sites, _ = portal.write(Path(tmp), server.base)
            db = f"sqlite:///{tmp}/bench.db"
            first = None
            for label, extra in (("first (full)", ()), ("second (incremental)", ()), ("third (--full)", ("--full",))):
                before, before_304 = server.total(), server.not_modified
                m = run([ZWGK, "--db", db, "crawl", str(sites), "--fast", "--concurrency", str(args.concurrency),
                         *extra], cwd=ROOT)
                if m.returncode:
                    raise SystemExit(f"crawl failed: {m.stderr[-2000:]}")
                requests = server.total() - before
                first = first or requests
                print(f"| {label} | {args.size} | {'yes' if args.etag else 'no'} | {requests} | "
                      f"{server.not_modified - before_304} | {requests / first:.0%} | {m.seconds:.1f} | "
                      f"{m.cpu_seconds:.1f} | {m.peak_mib:.0f} |", flush=True)
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
