"""Parsing beside the crawl: fetched bodies are prepared (crawler.parsing.prepare) in worker processes.

Scrapy runs its engine, the spider and the pipeline on one core; parsing a page with BeautifulSoup
costs more than fetching it. With workers, the spider hands each body to a process pool and goes on
with other responses meanwhile, so a crawl uses a second core. Workers are fresh interpreters (spawn,
never a fork of a process running a reactor and threads). If the pool breaks (a worker killed or out
of memory), the crawl goes on parsing in its own process: slower, never different.

`ZWGK_PARSE_WORKERS` (crawler.config.worker_count): a number, or "auto" (the default): one fewer than
the CPUs this process may use, at most 4; 0 parses in the crawl's own process.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, TypeVar

from crawler.parsing.prepare import Prepared, prepare

log = logging.getLogger(__name__)
T = TypeVar("T")

INLINE_BELOW = 512  # bytes: a body this small costs less to prepare here than to send away


def _warm() -> int:
    return os.getpid()


def _follow_parent(parent: int) -> None:
    """In a worker: exit when the crawl process is gone. A worker waits on a pipe whose writing end it
    holds itself, so a crawl killed with SIGKILL (or OOM) would otherwise leave it waiting forever."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="zwgk-parent-watch", daemon=True).start()


class ParsePool:
    """prepare() in worker processes, or here when there are none (or they broke)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.broken = False
        self._executor: ProcessPoolExecutor | None = None
        if workers > 0:
            self._executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_follow_parent, initargs=(os.getpid(),))
            for _ in range(workers):  # start them now, while the crawl fetches its first pages
                self._executor.submit(_warm)

    async def prepare(self, *args: Any) -> Prepared:
        """prepare(*args) (role, url, status, content type, body, today, snapshot)."""
        return await self.call(prepare, *args, size=len(args[4]))

    async def call(self, fn: Callable[..., T], *args: Any, size: int) -> T:
        """fn(*args) in a worker; here when there are none, they broke, or the input (size bytes) is small."""
        if self._executor is None or size < INLINE_BELOW:
            return fn(*args)
        try:
            return await asyncio.wrap_future(self._executor.submit(fn, *args))
        except BrokenProcessPool:
            if not self.broken:
                self.broken = True
                log.warning("parse workers stopped; parsing continues in the crawl process")
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
            return fn(*args)

    def pids(self) -> list[int]:
        processes = getattr(self._executor, "_processes", None) or {}
        return list(processes)

    def close(self) -> None:
        """Stop the workers; one still busy after a few seconds (a page that never ends parsing) is killed."""
        if self._executor is None:
            return
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._executor = None
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
