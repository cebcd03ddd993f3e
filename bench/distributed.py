"""One crawl of the synthetic portal by N `zwgk crawl --distributed` workers on this machine, against one.

    .venv/bin/python bench/distributed.py [--size 5x5x25] [--concurrency 8] [--workers 2]
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/test] [--redis redis://127.0.0.1:6379/15]

Per-host concurrency is kept equal: each of N workers gets --concurrency / N. Both crawls write into
their own new schema of the PostgreSQL database (dropped afterwards). Prints seconds (wall, from the
first start to the last exit), CPU seconds of all workers, requests the server saw, and the planted
broken links found by `zwgk check`.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_speed import ZWGK, parse_size  # noqa: E402
from synthportal import Server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def crawl(portal, db: str, redis_url: str, workers: int, concurrency: int) -> tuple[float, float, int, int]:
    server = Server(portal).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sites, _ = portal.write(Path(tmp), server.base)
            per = max(1, concurrency // workers)
            cmd = [ZWGK, "--db", db, "crawl", str(sites), "--fast", "--concurrency", str(per)]
            if workers > 1:
                cmd += ["--distributed", redis_url, "-s", f"ZWGK_REDIS_PREFIX=bench-{uuid.uuid4().hex[:8]}"]
            before = os.times()
            start = time.monotonic()
            procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for _ in range(workers)]
            for p in procs:
                _, err = p.communicate()
                if p.returncode:
                    raise SystemExit(f"worker failed: {err[-2000:]}")
            seconds = time.monotonic() - start
            after = os.times()
            cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
            requests = server.total()
            check = subprocess.run([ZWGK, "--db", db, "check", str(sites)], cwd=ROOT, capture_output=True, text=True)
            if check.returncode:
                raise SystemExit(f"check failed: {check.stderr[-2000:]}")
            found = subprocess.run([ZWGK, "--db", db, "findings", "--format", "json", "-c", "links.broken"], cwd=ROOT,
                                   capture_output=True, text=True)
            broken = found.stdout.count('"check": "links.broken"')
            return seconds, cpu, requests, broken
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="5x5x25")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = p.parse_args()
    portal = parse_size(args.size)
    admin = sa.create_engine(args.db)
    print("| workers | per-worker concurrency | seconds | CPU s (all workers) | requests (server) | links.broken findings |")
    print("|---|---|---|---|---|---|")
    for n in (1, args.workers):
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            db = f"{args.db}?options=-csearch_path%3D{schema}"
            seconds, cpu, requests, broken = crawl(portal, db, args.redis, n, args.concurrency)
            print(f"| {n} | {max(1, args.concurrency // n)} | {seconds:.1f} | {cpu:.1f} | {requests} | {broken} |", flush=True)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


if __name__ == "__main__":
    main()
