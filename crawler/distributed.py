"""Distributed crawling on scrapy-redis: N worker processes, on one or more machines, share one run.

Each worker runs the same `zwgk crawl SITES --db postgresql://… --distributed redis://…`. In Redis, under
one namespace per run session (`<prefix>:run:<token>`):

- `requests` / `dupefilter`: scrapy-redis's shared frontier (a priority queue) and fingerprints;
- `claims:<kind>` / `count:<name>`: the spider's claims and page budgets (crawler.claims);
- `workers`: a sorted set of worker names scored by their last heartbeat (Redis server time, so machine
  clocks do not matter); `busy`: workers that may still produce requests; `lost`: workers that stopped
  with work in hand (crashed, killed, interrupted); `done`: set once the frontier is empty and no worker
  is busy; `stats`: each worker's Scrapy stats, refreshed with every heartbeat.

Ending: a worker marks itself busy in the same step as it pops a request, and idle only when its engine
is idle (every request it produced is already in the shared queue). A worker whose engine is idle keeps
its spider open (DontCloseSpider) until the queue is empty and no live worker is busy. Every worker then
leaves; the last one to leave finalizes the run in the database, then the session's keys are deleted.
A worker whose heartbeat is older than WORKER_TIMEOUT is taken for dead: the others stop waiting for it,
and the run ends 'interrupted' (its in-flight requests are lost), so that running the command again
resumes it from what the database holds.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import redis
from scrapy import signals
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from crawler.claims import Claims
from crawler.config import CrawlSettingsError

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
WORKER_TIMEOUT = 60        # a worker silent this long is taken for dead
LOCK_SECONDS = 1800        # the join/finalize lock expires on its own if its holder dies
SCHEMES = ("redis", "rediss", "unix")


class DistributedError(CrawlSettingsError):
    """A distributed crawl cannot start: bad Redis URL, Redis unreachable, or a database workers cannot share."""


# --- connecting --------------------------------------------------------------------------------------

def shown(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def connect(url: str) -> redis.Redis:
    """A client for `url`, checked with a PING; DistributedError (one Chinese line) otherwise."""
    try:
        scheme = urlsplit(url).scheme
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30) if scheme in SCHEMES else None
    except ValueError:
        client = None
    if client is None:
        raise DistributedError(f"--distributed: Redis 地址应为 redis://主机:端口/库号 形式（实际为 {shown(url)!r}）")
    try:
        client.ping()
    except redis.RedisError as exc:
        raise DistributedError(f"无法连接 Redis（{shown(url)}）：{str(exc).strip() or type(exc).__name__}") from None
    return client


# --- atomic steps (Lua: each runs as one step in Redis) --------------------------------------------

_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('SADD', KEYS[2], ARGV[1])
return r[1]
"""

# KEYS: workers busy lost ; ARGV: timeout -- drops workers whose heartbeat is too old
_PRUNE = """
local now = tonumber(redis.call('TIME')[1])
for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))) do
  redis.call('ZREM', KEYS[1], w)
  redis.call('SREM', KEYS[2], w)
  redis.call('SADD', KEYS[3], w)
end
"""

# KEYS: workers busy lost queue done deferred ; ARGV: timeout me
# -> {1} finished; {0} not yet; {0, key, payload, ...} the held-back keys, now this worker's (busy again)
_IDLE = _PRUNE + """
redis.call('SREM', KEYS[2], ARGV[2])
if redis.call('EXISTS', KEYS[5]) == 1 then return {1} end
if redis.call('ZCARD', KEYS[4]) > 0 or redis.call('SCARD', KEYS[2]) > 0 then return {0} end
local due = redis.call('HGETALL', KEYS[6])
if #due > 0 then
  redis.call('DEL', KEYS[6])
  redis.call('SADD', KEYS[2], ARGV[2])
  table.insert(due, 1, 0)
  return due
end
redis.call('SET', KEYS[5], '1')
return {1}
"""

# KEYS: workers stats ; ARGV: me stats -- 0 when this worker was already taken for dead
_BEAT = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(redis.call('TIME')[1]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
"""

# KEYS: workers busy lost stats ; ARGV: timeout me lost stats -- 1 for the last worker to leave
_LEAVE = """
redis.call('HSET', KEYS[4], ARGV[2], ARGV[4])
local present = redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('SREM', KEYS[2], ARGV[2])
if ARGV[3] == '1' or present == 0 then redis.call('SADD', KEYS[3], ARGV[2]) end
""" + _PRUNE + """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
return 1
"""


@dataclass(frozen=True)
class Departure:
    last: bool                       # this worker finalizes the run
    lost: tuple[str, ...]            # workers that stopped with work in hand
    stats: dict[str, dict[str, Any]]  # every worker's last stats


class SharedRun:
    """This worker's view of one run session in Redis."""

    def __init__(self, client: redis.Redis, namespace: str, run_id: int, resumed: bool, worker: str):
        self.client, self.ns, self.run_id, self.resumed, self.worker = client, namespace, run_id, resumed, worker
        self._scripts = {name: client.register_script(src)
                         for name, src in (("pop", _POP), ("idle", _IDLE), ("beat", _BEAT), ("leave", _LEAVE))}

    def key(self, name: str) -> str:
        return f"{self.ns}:{name}"

    def settings(self, redis_url: str) -> dict[str, Any]:
        """The Scrapy settings profile of a worker of this session."""
        ns = self.ns.replace("%", "%%")  # scrapy-redis formats its keys with %(spider)s
        return {
            "SCHEDULER": "crawler.distributed.SharedScheduler",
            "DUPEFILTER_CLASS": "crawler.distributed.SharedDupeFilter",
            "REDIS_URL": redis_url,
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "SCHEDULER_QUEUE_KEY": f"{ns}:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{ns}:dupefilter",
            # a worker that stops early must not flush the queue and fingerprints the others still use
            # (Scheduler.close flushes both unless persist); the session's keys go when the run ends
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_FLUSH_ON_START": False,
            "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never block the reactor on an empty queue
        }

    # --- frontier and ending --------------------------------------------------------------------

    def pop(self, queue_key: str) -> bytes | None:
        """The next shared request, this worker marked busy in the same step."""
        return self._scripts["pop"](keys=[queue_key, self.key("busy")], args=[self.worker])

    def idle(self) -> tuple[list[tuple[str, dict]], bool]:
        """This worker has nothing in hand: the held-back keys it must now send out (once the whole
        frontier is done), and whether the run has nothing left to do."""
        keys = [self.key(k) for k in ("workers", "busy", "lost", "requests", "done", "deferred")]
        reply = self._scripts["idle"](keys=keys, args=[WORKER_TIMEOUT, self.worker])
        pairs = reply[1:]
        due = [(pairs[i].decode(), json.loads(pairs[i + 1])) for i in range(0, len(pairs), 2)]
        return due, bool(reply[0])

    def beat(self, stats: dict[str, Any]) -> bool:
        """Refresh this worker's heartbeat and stats; False when the others already took it for dead."""
        return bool(self._scripts["beat"](keys=[self.key("workers"), self.key("stats")],
                                          args=[self.worker, json.dumps(stats, default=str)]))

    def leave(self, stats: dict[str, Any], *, lost: bool) -> Departure:
        keys = [self.key(k) for k in ("workers", "busy", "lost", "stats")]
        last = self._scripts["leave"](keys=keys, args=[WORKER_TIMEOUT, self.worker, int(lost),
                                                       json.dumps(stats, default=str)])
        lost_workers = tuple(sorted(w.decode() for w in self.client.smembers(self.key("lost"))))
        every = {k.decode(): json.loads(v) for k, v in self.client.hgetall(self.key("stats")).items()}
        return Departure(bool(last), lost_workers, every)

    def delete(self) -> None:
        _delete_namespace(self.client, self.ns)


class RedisClaims(Claims):
    """Claims shared by every worker of the run: SADD and INCR are atomic in Redis."""

    def __init__(self, shared: SharedRun, restored=None):
        super().__init__(restored)
        self.shared = shared
        self._client = shared.client

    def _claim_shared(self, kind: str, key: str) -> bool:
        return self._client.sadd(self.shared.key(f"claims:{kind}"), key) == 1

    def _taken_shared(self, kind: str, key: str) -> bool:
        return bool(self._client.sismember(self.shared.key(f"claims:{kind}"), key))

    def _increment(self, name: str) -> int:
        return int(self._client.incr(self.shared.key(f"count:{name}")))

    def defer(self, key: str, payload: dict) -> None:
        self._client.hsetnx(self.shared.key("deferred"), key, json.dumps(payload))

    def idle(self) -> tuple[list[tuple[str, dict]], bool]:
        return self.shared.idle()


# --- joining one run ---------------------------------------------------------------------------------

def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _now(client: redis.Redis) -> int:
    return int(client.time()[0])


def _delete_namespace(client: redis.Redis, ns: str) -> None:
    keys = list(client.scan_iter(match=f"{_glob_escape(ns)}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


@contextmanager
def run_lock(client: redis.Redis, join_key: str) -> Iterator[None]:
    """Serializes joining and finalizing one run (and the schema migration before them)."""
    with client.lock(f"{join_key}:lock", timeout=LOCK_SECONDS, blocking_timeout=None):
        yield


def join(client: redis.Redis, join_key: str, open_run: Callable[[], tuple[int, bool]]) -> SharedRun:
    """Join the live session of this run, or start one (opening the run in the database). Call under
    run_lock: workers started together must all end up in one session and one CrawlRun."""
    worker = worker_name()
    token = client.get(join_key)
    if token is not None:
        ns = f"{join_key}:run:{token.decode()}"
        meta = client.hgetall(f"{ns}:meta")
        alive = client.zcount(f"{ns}:workers", _now(client) - WORKER_TIMEOUT, "+inf")
        if meta and alive:
            shared = SharedRun(client, ns, int(meta[b"run_id"]), meta[b"resumed"] == b"1", worker)
            _register(shared)
            return shared
        _delete_namespace(client, ns)  # every worker of it is gone: its run is resumed from the database
    run_id, resumed = open_run()
    token_text = f"{run_id}-{uuid.uuid4().hex[:10]}"
    ns = f"{join_key}:run:{token_text}"
    client.hset(f"{ns}:meta", mapping={"run_id": run_id, "resumed": int(resumed)})
    client.set(join_key, token_text)
    shared = SharedRun(client, ns, run_id, resumed, worker)
    _register(shared)
    return shared


def _register(shared: SharedRun) -> None:
    pipe = shared.client.pipeline()
    pipe.zadd(shared.key("workers"), {shared.worker: _now(shared.client)})
    pipe.sadd(shared.key("busy"), shared.worker)  # busy until its start requests are out and it idles
    pipe.execute()


def end_session(client: redis.Redis, join_key: str, shared: SharedRun) -> None:
    """Delete the session's keys once its run is finalized (call under run_lock)."""
    token = client.get(join_key)
    if token is not None and shared.ns.endswith(f":run:{token.decode()}"):
        client.delete(join_key)
    shared.delete()


# --- Scrapy side: scheduler, dupefilter, signals -----------------------------------------------------

class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, plus two things the spider needs: a request marked meta["zwgk_local"]
    (a challenge being solved in this process's browser) stays in this process, and popping a shared
    request marks this worker busy in the same step (see SharedRun.pop)."""

    def open(self, spider) -> None:
        super().open(spider)
        self.shared: SharedRun = spider.claims.shared
        self.local: list = []

    def enqueue_request(self, request) -> bool:
        if request.meta.get("zwgk_local"):
            self.local.append(request)
            return True
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        if self.local:
            return self.local.pop(0)
        encoded = self.shared.pop(self.queue.key)
        if encoded is None:
            return None
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return self.queue._decode_request(encoded)

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self) > 0


class SharedDupeFilter(RFPDupeFilter):
    """scrapy-redis's shared fingerprint set, with the crawl's own fingerprints (crawler.claims.
    PageFingerprinter: URL plus role), and never cleared by one worker closing."""

    fingerprinter: Any = None

    @classmethod
    def from_spider(cls, spider):
        dupefilter = super().from_spider(spider)
        dupefilter.fingerprinter = spider.crawler.request_fingerprinter
        return dupefilter

    def request_fingerprint(self, request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def close(self, reason: str = "") -> None:
        pass  # the run's keys are deleted when the run ends, by its last worker


class WorkerSignals:
    """Heartbeat while the spider runs (the spider's own idle handler asks RedisClaims.idle whether the
    run is over)."""

    def __init__(self, crawler, shared: SharedRun):
        self.crawler, self.shared = crawler, shared
        self.lost = False
        self._loop: LoopingCall | None = None  # made when the spider opens: it binds the installed reactor
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def _opened(self, spider) -> None:
        self._loop = LoopingCall(self._beat)
        self._loop.start(HEARTBEAT_SECONDS, now=True)

    def _closed(self, spider, reason) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()

    def _beat(self) -> None:
        try:
            alive = self.shared.beat(plain_stats(self.crawler.stats.get_stats()))
        except redis.RedisError as exc:  # a passing network fault: the next beat tries again
            log.warning("heartbeat to Redis failed: %s", exc)
            return
        if not alive and not self.lost:
            self.lost = True
            log.error("the other workers took this worker for dead (no heartbeat for %d s): stopping", WORKER_TIMEOUT)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="zwgk_worker_lost"))

def plain_stats(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, (int, float, str, bool)) or v is None else str(v) for k, v in stats.items()}


def merge_stats(every: dict[str, dict[str, Any]], me: str) -> dict[str, Any]:
    """The run's stats: counts summed over the workers, durations and peaks their largest, the rest as
    this worker saw them; plus zwgk/workers, each worker's share."""
    merged = dict(every.get(me, {}))
    for name, stats in every.items():
        if name == me:
            continue
        for key, value in stats.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            mine = merged.get(key)
            if mine is None or isinstance(mine, bool) or not isinstance(mine, (int, float)):
                merged[key] = value
            elif isinstance(value, int) and isinstance(mine, int):
                merged[key] = mine + value
            else:
                merged[key] = max(mine, value)
    merged["zwgk/workers"] = {name: _share(stats) for name, stats in sorted(every.items())}
    return merged


def _share(stats: dict[str, Any]) -> dict[str, Any]:
    return {"requests": stats.get("downloader/request_count", 0), "responses": stats.get("downloader/response_count", 0),
            "items": stats.get("zwgk/items", 0), "links_checked": stats.get("zwgk/links/checked", 0),
            "finish_reason": stats.get("finish_reason")}
