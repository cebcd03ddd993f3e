"""python -m samplecity [--port N] [--sites out.yaml] [--anchor YYYY-MM-DD]: serve until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import date

from .server import start


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samplecity", description="Serve the bundled sample city.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free port)")
    parser.add_argument("--sites", metavar="FILE", help="write a sites.yaml for this instance")
    parser.add_argument("--anchor", type=date.fromisoformat, help="the day content dates are relative to")
    args = parser.parse_args(argv)
    # Ctrl-C and SIGTERM both stop cleanly, even when started from a shell that ignores SIGINT
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    city = start(args.host, args.port, anchor=args.anchor)
    print(city.base_url, flush=True)
    if args.sites:
        print(f"sites: {city.write_sites(args.sites)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        city.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
