"""Crawl speed of `zwgk crawl` on the synthetic portal: politeness off (--fast) and on, and `zwgk check`.

    .venv/bin/python bench/crawl_speed.py [--size 20x8x25] [--polite-size 2x2x20] [--concurrency 16]
                                          [--polite-concurrency 4 --delay 0.5] [--skip-polite]

Requests are counted by the server; link checks are the url_checks rows the crawl stored; pages are the
disclosure roots, list pages and documents of the portal. Each run uses a fresh SQLite database.
Prints Markdown rows.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import run  # noqa: E402
from synthportal import Portal, Server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ZWGK = str(ROOT / ".venv" / "bin" / "zwgk")


def parse_size(text: str) -> Portal:
    d, c, n = (int(x) for x in text.lower().split("x"))
    return Portal(d, c, n)


def crawl_once(portal: Portal, label: str, *flags: str) -> str:
    server = Server(portal).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sites, _ = portal.write(Path(tmp), server.base)
            db = f"sqlite:///{tmp}/bench.db"
            m = run([ZWGK, "--db", db, "crawl", str(sites), *flags], cwd=ROOT)
            if m.returncode:
                raise SystemExit(f"crawl failed: {m.stderr[-2000:]}")
            requests = server.total()
            with sqlite3.connect(f"{tmp}/bench.db") as conn:
                checks = conn.execute("select count(*) from url_checks").fetchone()[0]
                docs = conn.execute("select count(*) from documents where fetched").fetchone()[0]
            c = run([ZWGK, "--db", db, "check", str(sites)], cwd=ROOT)
            if c.returncode:
                raise SystemExit(f"check failed: {c.stderr[-2000:]}")
            size = portal.size()
            pages = size["departments"] + size["list_pages"] + size["documents"]
            return (f"| {label} | {portal.departments}x{portal.columns}x{portal.documents} | {docs} | {requests} | "
                    f"{checks} | {m.seconds:.1f} | {requests / m.seconds:.1f} | {pages / m.seconds:.1f} | "
                    f"{checks / m.seconds:.1f} | {m.cpu_seconds:.1f} | {m.peak_mib:.0f} | {c.seconds:.1f} | "
                    f"{c.peak_mib:.0f} |")
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="20x8x25", help="departments x columns x documents per column")
    p.add_argument("--polite-size", default="2x2x20")
    p.add_argument("--concurrency", type=int, default=16, help="per-host concurrency with --fast")
    p.add_argument("--polite-concurrency", type=int, default=4)
    p.add_argument("--delay", type=float, default=0.5)
    p.add_argument("--skip-polite", action="store_true")
    p.add_argument("--skip-fast", action="store_true")
    args = p.parse_args()
    print("| run | portal | documents stored | requests | link checks (url_checks) | crawl s | requests/s | "
          "pages/s | link checks/s | crawl CPU s | crawl peak MiB | `zwgk check` s | check peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    if not args.skip_fast:
        print(crawl_once(parse_size(args.size), f"--fast --concurrency {args.concurrency}",
                         "--fast", "--concurrency", str(args.concurrency)), flush=True)
    if not args.skip_polite:
        print(crawl_once(parse_size(args.polite_size),
                         f"--concurrency {args.polite_concurrency} --delay {args.delay}",
                         "--concurrency", str(args.polite_concurrency), "--delay", str(args.delay)), flush=True)


if __name__ == "__main__":
    main()
