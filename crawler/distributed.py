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
A worker whose heartbeat is older than the worker timeout is taken for dead: the next live worker to beat
or idle puts the requests it had in hand back into the shared queue (`inflight:<worker>`, see below) and
the run goes on without it; one that stops early by itself (Ctrl-C, a lost Redis) hands its requests back
as it leaves. A request stays in its worker's `inflight` hash from the moment it is popped until what it
produced is safe: its callback has run (every request it yielded is in the shared queue, every item in
the writer's buffer) *and* the writer has since committed its rows (crawler.pipelines.ROWS_COMMITTED).
Redoing such a request is harmless: rows are upserted and the claims keep its children from being
scheduled twice. Held-back link checks handed to a worker (`held:<worker>`) go back the same way.

Heartbeat period and worker timeout are settings (ZWGK_REDIS_HEARTBEAT, ZWGK_REDIS_WORKER_TIMEOUT); the
worker that opens a session records them in its `meta` and every worker that joins uses those.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
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

from crawler.claims import Claims
from crawler.config import CrawlSettingsError
from crawler.pipelines import ROWS_COMMITTED

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0    # ZWGK_REDIS_HEARTBEAT
WORKER_TIMEOUT = 60.0      # ZWGK_REDIS_WORKER_TIMEOUT: a worker silent this long is taken for dead
HELD = "_zwgk_held"            # request meta: the local request that releases this worker's held-back checks
INFLIGHT = "_zwgk_inflight"  # request meta: the request's key in its worker's inflight hash (not a zwgk_ key:
                             # own_meta must not copy it into the requests a callback yields)
LOCK_SECONDS = 1800        # the join/finalize lock expires on its own if its holder dies
SCHEMES = ("redis", "rediss", "unix")


class DistributedError(CrawlSettingsError):
    """A distributed crawl cannot start: bad Redis URL, Redis unreachable, or a database workers cannot share."""


@dataclass(frozen=True)
class Timing:
    """How often a worker beats and how long a silent one is waited for."""

    heartbeat: float = HEARTBEAT_SECONDS
    timeout: float = WORKER_TIMEOUT

    @classmethod
    def from_settings(cls, settings) -> Timing:
        timing = cls(settings.getfloat("ZWGK_REDIS_HEARTBEAT", HEARTBEAT_SECONDS),
                     settings.getfloat("ZWGK_REDIS_WORKER_TIMEOUT", WORKER_TIMEOUT))
        if timing.heartbeat <= 0:
            raise DistributedError("抓取设置 ZWGK_REDIS_HEARTBEAT 必须大于 0（秒）")
        if timing.timeout < 3 * timing.heartbeat:
            raise DistributedError(f"抓取设置 ZWGK_REDIS_WORKER_TIMEOUT（{timing.timeout:g} 秒）应至少为 "
                                   f"ZWGK_REDIS_HEARTBEAT（{timing.heartbeat:g} 秒）的 3 倍，否则正常的进程也会被判定为失联")
        return timing


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

# KEYS: queue busy workers inflight ; ARGV: me -> {member, id}; nothing for a worker already taken for dead
_POP = """
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return false end
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local id = redis.sha1hex(r[1])
redis.call('HSET', KEYS[4], id, r[2] .. '\\n' .. r[1])
redis.call('SADD', KEYS[2], ARGV[1])
return {r[1], id}
"""

# a worker's requests in hand go back into the shared queue (with their priority), its held-back link
# checks back into `deferred`; ns is the session namespace, w the worker
_GIVE_BACK = """
local function give_back(ns, w)
  local inflight = ns .. ':inflight:' .. w
  local items = redis.call('HGETALL', inflight)
  for i = 2, #items, 2 do
    local v = items[i]
    local cut = string.find(v, '\\n', 1, true)
    redis.call('ZADD', ns .. ':requests', tonumber(string.sub(v, 1, cut - 1)), string.sub(v, cut + 1))
  end
  redis.call('DEL', inflight)
  local held = ns .. ':held:' .. w
  local due = redis.call('HGETALL', held)
  for i = 1, #due, 2 do redis.call('HSETNX', ns .. ':deferred', due[i], due[i + 1]) end
  redis.call('DEL', held)
  return #items / 2
end
"""

# KEYS: workers busy lost ; ARGV: timeout ns -- drops workers whose heartbeat is too old, and gives their
# work back (`requeued` counts, per worker, the requests put back)
_PRUNE_FN = _GIVE_BACK + """
local function prune()
  local now = redis.call('TIME')
  now = tonumber(now[1]) + tonumber(now[2]) / 1000000
  for _, w in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))) do
    redis.call('ZREM', KEYS[1], w)
    redis.call('SREM', KEYS[2], w)
    redis.call('SADD', KEYS[3], w)
    redis.call('HINCRBY', ARGV[2] .. ':requeued', w, give_back(ARGV[2], w))
  end
end
"""
_PRUNE = _PRUNE_FN + """
prune()
"""

# KEYS: workers busy lost queue done deferred held ; ARGV: timeout ns me
# -> {1} finished; {0} not yet; {0, key, payload, ...} the held-back keys, now this worker's (busy again)
_IDLE = _PRUNE + """
redis.call('SREM', KEYS[2], ARGV[3])
if redis.call('EXISTS', KEYS[5]) == 1 then return {1} end
if redis.call('ZCARD', KEYS[4]) > 0 or redis.call('SCARD', KEYS[2]) > 0 then return {0} end
local due = redis.call('HGETALL', KEYS[6])
if #due > 0 then
  redis.call('DEL', KEYS[6])
  for i = 1, #due, 2 do redis.call('HSET', KEYS[7], due[i], due[i + 1]) end
  redis.call('SADD', KEYS[2], ARGV[3])
  table.insert(due, 1, 0)
  return due
end
redis.call('SET', KEYS[5], '1')
return {1}
"""

# KEYS: workers busy lost stats ; ARGV: timeout ns me stats -- 0 when this worker was already taken for dead
_BEAT = _PRUNE_FN + """
if not redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 0 end
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], tonumber(t[1]) + tonumber(t[2]) / 1000000, ARGV[3])
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
prune()
return 1
"""

# KEYS: workers busy lost stats ; ARGV: timeout ns me lost stats -- 1 for the last worker to leave
_LEAVE = _PRUNE + """
redis.call('HSET', KEYS[4], ARGV[3], ARGV[5])
local present = redis.call('ZREM', KEYS[1], ARGV[3])
redis.call('SREM', KEYS[2], ARGV[3])
if ARGV[4] == '1' or present == 0 then
  redis.call('SADD', KEYS[3], ARGV[3])
  redis.call('HINCRBY', ARGV[2] .. ':requeued', ARGV[3], give_back(ARGV[2], ARGV[3]))
else
  redis.call('DEL', ARGV[2] .. ':inflight:' .. ARGV[3], ARGV[2] .. ':held:' .. ARGV[3])
end
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
return 1
"""


@dataclass(frozen=True)
class Departure:
    last: bool                       # this worker finalizes the run
    lost: tuple[str, ...]            # workers that stopped with work in hand (their requests were put back)
    requeued: int                    # requests put back into the queue for workers that stopped early
    stats: dict[str, dict[str, Any]]  # every worker's last stats


class SharedRun:
    """This worker's view of one run session in Redis."""

    def __init__(self, client: redis.Redis, namespace: str, run_id: int, resumed: bool, worker: str,
                 timing: Timing = Timing()):
        self.client, self.ns, self.run_id, self.resumed, self.worker = client, namespace, run_id, resumed, worker
        self.timing = timing
        # the heartbeat: a thread from joining to leaving, so that a worker starting up (imports, browser, parse
        # workers) or busy in a long callback is not taken for dead; the spider tells it its stats and how to stop
        self.stats_source: Callable[[], dict[str, Any]] = dict
        self.on_lost: Callable[[], None] | None = None
        self._stop_beating = threading.Event()
        self._beater: threading.Thread | None = None
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

    def _common(self) -> list[str]:
        return [self.key(k) for k in ("workers", "busy", "lost")]

    # --- frontier and ending --------------------------------------------------------------------

    def pop(self, queue_key: str) -> tuple[bytes, str] | None:
        """The next shared request and its key in this worker's inflight hash; this worker is marked busy
        in the same step. None when the queue is empty or the others already took this worker for dead."""
        reply = self._scripts["pop"](keys=[queue_key, self.key("busy"), self.key("workers"),
                                           self.key(f"inflight:{self.worker}")], args=[self.worker])
        return (reply[0], reply[1].decode()) if reply else None

    def done(self, keys: list[str], held: bool) -> None:
        """What these requests produced is committed: they need not be redone if this worker dies."""
        pipe = self.client.pipeline(transaction=True)
        if keys:
            pipe.hdel(self.key(f"inflight:{self.worker}"), *keys)
        if held:
            pipe.delete(self.key(f"held:{self.worker}"))
        pipe.execute()

    def idle(self) -> tuple[list[tuple[str, dict]], bool]:
        """This worker has nothing in hand: the held-back keys it must now send out (once the whole
        frontier is done), and whether the run has nothing left to do."""
        keys = self._common() + [self.key(k) for k in ("requests", "done", "deferred", f"held:{self.worker}")]
        reply = self._scripts["idle"](keys=keys, args=[self.timing.timeout, self.ns, self.worker])
        pairs = reply[1:]
        due = [(pairs[i].decode(), json.loads(pairs[i + 1])) for i in range(0, len(pairs), 2)]
        return due, bool(reply[0])

    def beat(self, stats: dict[str, Any]) -> bool:
        """Refresh this worker's heartbeat and stats (and give back the work of workers silent too long);
        False when the others already took this worker for dead."""
        return bool(self._scripts["beat"](keys=self._common() + [self.key("stats")],
                                          args=[self.timing.timeout, self.ns, self.worker,
                                                json.dumps(stats, default=str)]))

    def start_beating(self) -> None:
        self._beater = threading.Thread(target=self._beat_loop, name="zwgk-heartbeat", daemon=True)
        self._beater.start()

    def stop_beating(self) -> None:
        self._stop_beating.set()
        if self._beater is not None:
            self._beater.join(timeout=self.timing.heartbeat + 35)

    def _beat_loop(self) -> None:
        stats: dict[str, Any] = {}
        while not self._stop_beating.wait(self.timing.heartbeat):
            try:
                stats = plain_stats(self.stats_source())
            except Exception:  # stats being changed or torn down: beat with the last ones
                log.debug("stats not read for this heartbeat", exc_info=True)
            try:
                alive = self.beat(stats)
            except redis.RedisError as exc:  # a passing network fault: the next beat tries again
                log.warning("heartbeat to Redis failed: %s", exc)
                continue
            if not alive:
                log.error("the other workers took this worker for dead (no heartbeat for %g s): stopping",
                          self.timing.timeout)
                if self.on_lost is not None:
                    self.on_lost()
                return

    def leave(self, stats: dict[str, Any], *, lost: bool) -> Departure:
        """Leave the session; a worker that stops with work in hand (`lost`) gives it back first."""
        self.stop_beating()
        last = self._scripts["leave"](keys=self._common() + [self.key("stats")],
                                      args=[self.timing.timeout, self.ns, self.worker, int(lost),
                                            json.dumps(stats, default=str)])
        lost_workers = tuple(sorted(w.decode() for w in self.client.smembers(self.key("lost"))))
        requeued = sum(int(v) for v in self.client.hvals(self.key("requeued")))
        every = {k.decode(): json.loads(v) for k, v in self.client.hgetall(self.key("stats")).items()}
        return Departure(bool(last), lost_workers, requeued, every)

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


def join(client: redis.Redis, join_key: str, open_run: Callable[[], tuple[int, bool]],
         timing: Timing = Timing()) -> SharedRun:
    """Join the live session of this run, or start one (opening the run in the database). Call under
    run_lock: workers started together must all end up in one session and one CrawlRun. A session keeps
    the timing of the worker that opened it."""
    worker = worker_name()
    token = client.get(join_key)
    if token is not None:
        ns = f"{join_key}:run:{token.decode()}"
        meta = client.hgetall(f"{ns}:meta")
        if meta:
            theirs = Timing(float(meta.get(b"heartbeat", HEARTBEAT_SECONDS)), float(meta.get(b"timeout", WORKER_TIMEOUT)))
            if client.zcount(f"{ns}:workers", _now(client) - theirs.timeout, "+inf"):
                shared = SharedRun(client, ns, int(meta[b"run_id"]), meta[b"resumed"] == b"1", worker, theirs)
                _register(shared)
                return shared
        _delete_namespace(client, ns)  # every worker of it is gone: its run is resumed from the database
    run_id, resumed = open_run()
    token_text = f"{run_id}-{uuid.uuid4().hex[:10]}"
    ns = f"{join_key}:run:{token_text}"
    client.hset(f"{ns}:meta", mapping={"run_id": run_id, "resumed": int(resumed), "heartbeat": timing.heartbeat,
                                       "timeout": timing.timeout})
    client.set(join_key, token_text)
    shared = SharedRun(client, ns, run_id, resumed, worker, timing)
    _register(shared)
    return shared


def _register(shared: SharedRun) -> None:
    pipe = shared.client.pipeline()
    pipe.zadd(shared.key("workers"), {shared.worker: _now(shared.client)})
    pipe.sadd(shared.key("busy"), shared.worker)  # busy until its start requests are out and it idles
    pipe.execute()
    shared.start_beating()


def end_session(client: redis.Redis, join_key: str, shared: SharedRun) -> None:
    """Delete the session's keys once its run is finalized (call under run_lock)."""
    token = client.get(join_key)
    if token is not None and shared.ns.endswith(f":run:{token.decode()}"):
        client.delete(join_key)
    shared.delete()


# --- Scrapy side: scheduler, dupefilter, signals -----------------------------------------------------

class SharedScheduler(Scheduler):
    """scrapy-redis's scheduler, plus what the spider and the run need: a request marked meta["zwgk_local"]
    (a challenge being solved in this process's browser, held-back checks being released) stays in this
    process; popping a shared request marks this worker busy and records the request in the worker's
    inflight hash in the same step (see SharedRun.pop); the popped request carries its inflight key."""

    def open(self, spider) -> None:
        super().open(spider)
        self.shared: SharedRun = spider.claims.shared
        self.local: list = []

    def enqueue_request(self, request) -> bool:
        if request.meta.get("zwgk_local"):
            if "zwgk_due" in request.meta:  # the held-back checks this worker took (`held:<worker>`)
                request.meta[HELD] = True
            self.local.append(request)  # a replacement keeps its original's inflight key: released with it
            return True
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        # a replacement pushed back (a retry) gets a key of its own when popped; its original stays in hand
        # until released or given back, so it is redone at worst, never lost
        request.meta.pop(INFLIGHT, None)
        self.queue.push(request)
        return True

    def next_request(self):
        if self.local:
            return self.local.pop(0)
        popped = self.shared.pop(self.queue.key)
        if popped is None:
            return None
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        request = self.queue._decode_request(popped[0])
        request.meta[INFLIGHT] = popped[1]
        return request

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
    """The spider's side of the session: stats for the heartbeat, stopping when the others took this worker
    for dead, and the release of requests whose output is stored (the spider's own idle handler asks
    RedisClaims.idle whether the run is over).

    Scrapy's signal dispatcher holds receivers weakly by default; nothing else holds this object, so its
    receivers are connected strongly (a dropped handler left every heartbeat at its join time)."""

    def __init__(self, crawler, shared: SharedRun):
        self.crawler, self.shared = crawler, shared
        self.lost = False
        self._finished: list[str] = []  # inflight keys of requests processed since the last commit
        self._held_finished = False
        for receiver, signal in ((self._opened, signals.spider_opened), (self._committed, ROWS_COMMITTED)):
            crawler.signals.connect(receiver, signal=signal, weak=False)

    def _opened(self, spider) -> None:
        from twisted.internet import reactor  # the installed one

        self._track(self.crawler.engine.scraper)
        stats = self.crawler.stats
        self.shared.stats_source = lambda: dict(stats.get_stats())  # dict() copies in one step: no reactor race
        self.shared.on_lost = lambda: reactor.callFromThread(self._stop_lost)

    def _stop_lost(self) -> None:
        if not self.lost:
            self.lost = True
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="zwgk_worker_lost"))

    def _track(self, scraper) -> None:
        """Learn when the scraper is through with a request (callback run, its requests scheduled, its items
        through the pipelines): Scrapy calls its slot's finish_response then, and offers no signal for it."""
        slot = getattr(scraper, "slot", None)
        finish = getattr(slot, "finish_response", None)
        if finish is None:  # another Scrapy: requests are released when the worker leaves (redone if it dies)
            log.warning("cannot follow finished requests in this Scrapy version; a killed worker's share is redone")
            return

        def finish_response(result, request):
            finish(result, request)
            key = request.meta.get(INFLIGHT)
            if key:
                self._finished.append(key)
            if request.meta.get(HELD):
                self._held_finished = True

        slot.finish_response = finish_response

    def _committed(self) -> None:
        if not (self._finished or self._held_finished):
            return
        keys, held = self._finished, self._held_finished
        self._finished, self._held_finished = [], False
        try:
            self.shared.done(keys, held)
        except redis.RedisError as exc:  # left in hand: redone by the others should this worker die
            log.warning("releasing %d finished requests in Redis failed: %s", len(keys), exc)


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
