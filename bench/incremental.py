"""Cost of an incremental re-crawl against the first crawl, on the bundled sample city.

    .venv/bin/python bench/incremental.py [--rounds 3]

Serves the sample city on 127.0.0.1, crawls it (polite settings off: --fast) into a fresh SQLite
database, crawls it again unchanged (incremental: conditional requests, unchanged lists not paged,
documents and recent link checks carried over), then once more with --full. Prints a Markdown table
of requests (counted by the server) and wall-clock seconds.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samplecity.server import start  # noqa: E402


def requests(city) -> int:
    return sum(n for (method, _), n in city.requests.items() if method in ("GET", "HEAD"))


def crawl(db: str, sites: Path, *extra: str) -> float:
    t = time.monotonic()
    subprocess.run([sys.executable, "-m", "scheduler.cli", "--db", db, "crawl", str(sites), "--fast", *extra],
                   cwd=ROOT, check=True, capture_output=True)
    return time.monotonic() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rows: dict[str, list[tuple[int, float]]] = {"first (full)": [], "second (incremental)": [], "third (--full)": []}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp, start() as city:
            sites = city.write_sites(Path(tmp) / "sites.yaml")
            db = f"sqlite:///{tmp}/bench.db"
            for label, extra in zip(rows, ((), (), ("--full",))):
                before = requests(city)
                seconds = crawl(db, sites, *extra)
                rows[label].append((requests(city) - before, seconds))
    first = statistics.median(r for r, _ in rows["first (full)"])
    print("| crawl | requests (median) | share of first | seconds (median) |")
    print("|---|---|---|---|")
    for label, values in rows.items():
        reqs = statistics.median(r for r, _ in values)
        secs = statistics.median(s for _, s in values)
        print(f"| {label} | {reqs:.0f} | {reqs / first:.0%} | {secs:.1f} |")


if __name__ == "__main__":
    main()
