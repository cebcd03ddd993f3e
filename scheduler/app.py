"""APScheduler wiring: a persistent job store in the project's database, an executor that knows each round's
scheduled time, listeners, signal handling and the foreground run loop. No audit logic lives here.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import random
import signal
import sys
import uuid
from concurrent.futures import Future
from datetime import datetime, timedelta
from math import ceil, floor
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler import jobs_schedule
from scheduler.schedule import JobSpec, ScheduleConfig, config_of, job_specs
from store import clock
from store.db import database_url, make_engine, session_factory
from store.migrate import upgrade
from store.models_schedule import SCHEDULER_LEASE, Lease, acquire_lease, process_alive, release_leases, renew_lease
from store.models_schedule import this_host
from store.registry import Registry

log = logging.getLogger("zwgk.scheduler")
LEASE_TTL = timedelta(seconds=60)
HEARTBEAT = 10  # seconds; the scheduler lease is renewed this often and expires after LEASE_TTL
# an unreachable database at start (a reboot before PostgreSQL, an outage, a locked SQLite file) is waited
# for, retrying after 1, 2, 4 … seconds up to this pause between attempts (ZWGK_SCHEDULER_DB_RETRY_MAX)
DB_RETRY_MAX = 60.0


class SchedulerBusy(RuntimeError):
    """Another live scheduler holds this database; str() is one Chinese line."""


def _unreachable(exc: BaseException) -> bool:
    """Whether a database error means "not reachable now" (wait and retry) rather than a configuration
    mistake (exit 2): refused or timed-out connections, a server starting or shutting down, a SQLite file
    locked by another process. Wrong credentials or a missing database stay mistakes (and so does a SQLite
    file in a directory that does not exist, refused before the scheduler starts)."""
    from sqlalchemy.exc import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    mistakes = ("authentication failed", "does not exist", "no password supplied", "permission denied",
                "invalid dsn", "file is not a database")
    return not any(m in text for m in mistakes)


def wait_for_store(db_url: str | None, stop, *, retry_max: float = DB_RETRY_MAX):
    """open_store, retried with back-off while the database is unreachable; None if `stop` is set meanwhile.
    Any other error (a bad URL, wrong credentials) is raised at once: the caller exits 2."""
    delay, attempt = 1.0, 0
    while True:
        attempt += 1
        try:
            engine, sessions = open_store(db_url)
            if attempt > 1:
                log.info("数据库已可用（第 %d 次尝试），继续启动", attempt)
            return engine, sessions
        except Exception as exc:
            if not _unreachable(exc):
                raise
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:300]
            log.warning("数据库暂不可用（%s）：%s；%g 秒后重试", database_url(db_url), reason, delay)
        if stop.wait(delay):
            return None
        delay = min(delay * 2, retry_max)


class SlotTrigger(BaseTrigger):
    """Fires once in every slot of the day (86400 / per_day seconds), at a random whole second inside it.

    国办秘函〔2019〕19号 wants availability probes at least 20 times a day at varied times. Jitter on an
    IntervalTrigger drifts (each jittered time is the base of the next) and so yields fewer than per_day a
    day; one random time per fixed slot yields exactly per_day, none predictable.
    """

    def __init__(self, per_day: int, tz: ZoneInfo) -> None:
        self.per_day, self.timezone = per_day, tz
        self.slot = 86400 / per_day
        self.anchor = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0).timestamp()

    def _in_slot(self, index: int) -> float:
        start = self.anchor + index * self.slot
        return random.randint(ceil(start), max(ceil(start), ceil(start + self.slot) - 1))

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        ref = (previous_fire_time or now).timestamp()
        index = floor((ref - self.anchor) / self.slot)
        fire = self._in_slot(index + 1) if previous_fire_time else self._in_slot(index)
        if previous_fire_time is None and fire <= ref:
            fire = self._in_slot(index + 1)
        return datetime.fromtimestamp(fire, tz=self.timezone)

    def __str__(self) -> str:
        return f"每天 {self.per_day} 次（每 {self.slot / 60:g} 分钟内随机一次）"


def make_trigger(spec: JobSpec, tz: ZoneInfo) -> BaseTrigger:
    t = spec.trigger
    if "cron" in t:
        return CronTrigger.from_crontab(t["cron"], timezone=tz)
    if "every" in t:
        return IntervalTrigger(seconds=t["every"], start_date=_aware(t.get("start"), tz), timezone=tz)
    if "per_day" in t:
        return SlotTrigger(t["per_day"], tz)
    return DateTrigger(run_date=_aware(t["date"], clock.zone()), timezone=tz)


def _aware(value: str | None, tz: ZoneInfo) -> datetime | None:
    """An ISO time from the configuration or a draw; without a zone it is local time in `tz`."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def describe_trigger(spec: JobSpec) -> str:
    t = spec.trigger
    if "cron" in t:
        return f"cron {t['cron']}"
    if "every" in t:
        return f"每 {t['every']} 秒" + (f"（自 {t['start']} 起）" if t.get("start") else "")
    if "per_day" in t:
        return f"每天 {t['per_day']} 次（时间随机）"
    return "一次（抽取的随机时间）"


class RoundExecutor(ThreadPoolExecutor):
    """Runs each due job with its scheduled time (APScheduler 3 does not pass it; the job-run log is keyed
    by it). Coalescing happens here, not in APScheduler, so that every scheduled time is accounted for:
    see jobs_schedule.admit, called synchronously before APScheduler advances the job in its store."""

    def _do_submit_job(self, job, run_times):
        admitted = jobs_schedule.admit(job.kwargs["spec"], run_times, job.misfire_grace_time,
                                       job.kwargs.get("scheduled_at"))

        def run() -> list[JobExecutionEvent]:
            if admitted is None:  # nothing to run; still goes through the pool so instance counts stay right
                return []
            when, row_id = admitted
            retval = job.func(spec=job.kwargs["spec"], scheduled_at=when, claimed=row_id)
            return [JobExecutionEvent(EVENT_JOB_EXECUTED, job.id, job._jobstore_alias, run_times[-1], retval=retval)]

        def done(f: Future) -> None:
            if f.exception():
                self._run_job_error(job.id, f.exception(), f.exception().__traceback__)
            else:
                self._run_job_success(job.id, f.result())

        self._pool.submit(run).add_done_callback(done)


def build_scheduler(engine, cfg: ScheduleConfig, tz: ZoneInfo) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine)},
        executors={"default": RoundExecutor(max_workers=cfg.max_parallel)},
        job_defaults={"coalesce": False, "max_instances": 1},  # coalescing: see RoundExecutor
        timezone=tz)

    def on_max_instances(event) -> None:
        job = scheduler.get_job(event.job_id)
        for t in event.scheduled_run_times if job else ():
            jobs_schedule.skip_round(job.kwargs["spec"], t, "上一轮尚未结束，本轮跳过")

    scheduler.add_listener(on_max_instances, EVENT_JOB_MAX_INSTANCES)
    return scheduler


def add_spec_job(scheduler: BackgroundScheduler, spec: JobSpec, tz: ZoneInfo, *, job_id: str | None = None,
                 scheduled_at: datetime | None = None) -> None:
    kwargs: dict[str, Any] = {"spec": spec.as_dict()}
    trigger = make_trigger(spec, tz)
    if scheduled_at is not None:  # a retry: due at once, ahead of rounds scheduled after it; same time recorded
        kwargs["scheduled_at"] = scheduled_at.isoformat()
        trigger = DateTrigger(run_date=scheduled_at.replace(tzinfo=clock.zone()), timezone=tz)
    first: dict[str, Any] = {}
    start = _aware(spec.trigger.get("start"), tz)
    if scheduled_at is None and start and datetime.now(tz) - start <= timedelta(seconds=spec.grace):
        first["next_run_time"] = start  # `start` is the first scheduled time: owed even if startup passed it
    scheduler.add_job(jobs_schedule.run_round, trigger, id=job_id or spec.id, name=job_id or spec.id, kwargs=kwargs,
                      misfire_grace_time=spec.grace, replace_existing=True, **first)


def sync_jobs(scheduler: BackgroundScheduler, specs: list[JobSpec], tz: ZoneInfo) -> None:
    """Make the store match the configuration without disturbing what is unchanged: a kept job keeps its
    next run time (a round missed while the scheduler was down still fires; random times stay as drawn)."""
    wanted = {s.id: s for s in specs}
    for job in scheduler.get_jobs():
        one_off = job.kwargs.get("spec", {}).get("kind") == "round" or "scheduled_at" in job.kwargs
        if job.id not in wanted and not one_off:
            log.info("移除配置中已没有的作业 %s", job.id)
            job.remove()
    for spec in specs:
        job = scheduler.get_job(spec.id)
        old = JobSpec.from_dict(job.kwargs["spec"]) if job else None
        if old == spec:
            continue
        if old is not None and old.trigger == spec.trigger:
            job.modify(kwargs={"spec": spec.as_dict()}, misfire_grace_time=spec.grace)
            log.info("更新作业 %s（触发时间不变）", spec.id)
        else:
            add_spec_job(scheduler, spec, tz)
            log.info("登记作业 %s（%s）", spec.id, describe_trigger(spec))


def stored_jobs(engine, tz: ZoneInfo) -> dict[str, tuple[JobSpec, datetime | None]]:
    """The jobs in the persistent store as a running scheduler left them (for `zwgk schedule list`)."""
    store = SQLAlchemyJobStore(engine=engine)
    store.start(BackgroundScheduler(timezone=tz), "default")
    return {job.id: (JobSpec.from_dict(job.kwargs["spec"]), job.next_run_time)
            for job in store.get_all_jobs() if "spec" in job.kwargs}


def open_store(db_url: str | None):
    engine = make_engine(db_url)
    upgrade(engine)
    return engine, session_factory(engine)


def timezone_of(cfg: ScheduleConfig) -> ZoneInfo:
    return ZoneInfo(cfg.timezone) if cfg.timezone else clock.zone()


def setup_logging(log_file: Path, tz: ZoneInfo) -> None:
    """INFO and up to stdout (journald under systemd) and to a file that logrotate may move (WatchedFileHandler);
    times in the scheduler's zone, like the scheduled times in the messages."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    fmt.converter = lambda seconds: datetime.fromtimestamp(seconds, tz).timetuple()
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in (logging.StreamHandler(sys.stdout), logging.handlers.WatchedFileHandler(log_file, encoding="utf-8")):
        handler.setFormatter(fmt)
        handler.addFilter(_quiet_apscheduler)
        root.addHandler(handler)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl SQLiteImpl." on every start


def _quiet_apscheduler(record: logging.LogRecord) -> bool:
    """APScheduler's job lines repeat ours and print the trigger, which for a 三随机 round is its secret time."""
    return not (record.name.startswith("apscheduler") and "job" in str(record.msg).lower()
                and record.levelno < logging.ERROR)


def take_lease_now(sessions, owner: str) -> None:
    """The scheduler lease for a short task (`zwgk schedule recover`): taken if free, expired, or held by a
    process killed on this machine; SchedulerBusy otherwise."""
    with sessions() as session:
        if acquire_lease(session, SCHEDULER_LEASE, owner, LEASE_TTL):
            return
        held = session.get(Lease, SCHEDULER_LEASE)
        if held and _killed_here(held.holder) and acquire_lease(session, SCHEDULER_LEASE, owner, LEASE_TTL,
                                                                 steal_from=held.holder):
            return
        raise SchedulerBusy(f"调度程序正在运行（{held.holder if held else '未知'}，租约有效至 "
                            f"{held.expires_at if held else '—'}）")


def _killed_here(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = int(rest.partition(":")[0] or 0) if rest[:1].isdigit() else 0
    return host == this_host() and not process_alive(pid)


def _take_scheduler_lease(sessions, owner: str, stop=None) -> bool:
    """Take the scheduler lease. A holder killed on this machine is taken over at once; any other holder is
    waited for until its lease expires (after a reboot the old holder's pid may belong to another process
    now): only a lease that stays renewed meanwhile means another live scheduler (SchedulerBusy).
    False if `stop` is set while waiting."""
    import threading

    stop = stop or threading.Event()
    deadline = None
    while True:
        with sessions() as session:
            if acquire_lease(session, SCHEDULER_LEASE, owner, LEASE_TTL):
                return True
            held = session.get(Lease, SCHEDULER_LEASE)
            if held and _killed_here(held.holder):  # killed on this machine: take over now
                if acquire_lease(session, SCHEDULER_LEASE, owner, LEASE_TTL, steal_from=held.holder):
                    return True
            if deadline is None:
                deadline = clock.now() + LEASE_TTL + timedelta(seconds=2 * HEARTBEAT)
                log.warning("调度程序租约由 %s 持有（有效至 %s），等待其过期", held.holder if held else "未知",
                            held.expires_at if held else "—")
            elif clock.now() > deadline:
                raise SchedulerBusy(f"另一个调度程序正在使用该数据库（{held.holder if held else '未知'}，租约有效至 "
                                    f"{held.expires_at if held else '—'}）；同一数据库只能运行一个调度程序")
        if stop.wait(min(HEARTBEAT, 5)):
            return False


def run_forever(registry: Registry, db_url: str | None, *, log_file: Path | None = None) -> int:
    """`zwgk schedule run`: until SIGTERM / Ctrl-C; returns the exit code."""
    import threading

    cfg = config_of(registry)
    tz = timezone_of(cfg)
    log_dir = Path(cfg.log_dir).resolve()
    setup_logging(log_file or log_dir / "zwgk-scheduler.log", tz)
    stop, abandon = threading.Event(), threading.Event()

    def on_signal(signum, _frame) -> None:
        if stop.is_set():  # a second Ctrl-C: do not wait for jobs in flight
            abandon.set()
        stop.set()
        log.info("收到信号 %s，正在停止", signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    retry_max = float(os.environ.get("ZWGK_SCHEDULER_DB_RETRY_MAX") or DB_RETRY_MAX)
    opened = wait_for_store(db_url, stop, retry_max=retry_max)
    if opened is None:
        log.info("调度程序已停止（未连上数据库）")
        return 0
    engine, sessions = opened
    owner = f"{this_host()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not _take_scheduler_lease(sessions, owner, stop):
        engine.dispose()
        log.info("调度程序已停止")
        return 0
    rt = jobs_schedule.Runtime(sites=registry.path, db_url=database_url(db_url), config=cfg, owner=owner,
                               sessions=sessions, log_dir=log_dir, abandon=abandon)
    jobs_schedule.configure(rt)
    scheduler = build_scheduler(engine, cfg, tz)
    try:
        retries, drawn = jobs_schedule.recover(rt)
        scheduler.start(paused=True)
        rt.add_job = lambda spec: add_spec_job(scheduler, spec, tz)
        rt.retry = lambda row: add_spec_job(scheduler, JobSpec.from_dict(row.spec), tz,
                                            job_id=f"retry-{row.id}-{row.attempt}", scheduled_at=row.scheduled_at)
        sync_jobs(scheduler, job_specs(registry), tz)
        for row in retries:
            log.info("补跑 %s（计划时间 %s，上次未完成）", row.job_id, row.scheduled_at)
            add_spec_job(scheduler, JobSpec.from_dict(row.spec), tz, job_id=f"retry-{row.id}",
                         scheduled_at=row.scheduled_at)
        for spec in drawn:
            if scheduler.get_job(spec.id) is None:
                rt.add_job(spec)
        scheduler.resume()
        log.info("调度程序已启动：%s，数据库 %s，%d 个作业；日志 %s", registry.path, engine.url.render_as_string(
            hide_password=True), len(scheduler.get_jobs()), log_file or log_dir / "zwgk-scheduler.log")
        while not stop.wait(HEARTBEAT):
            _heartbeat(sessions, owner, stop)
    finally:
        _shutdown(scheduler, rt, cfg)
        with sessions() as session:
            release_leases(session, owner)
        jobs_schedule.configure(None)
        engine.dispose()
    log.info("调度程序已停止")
    return 0


def _heartbeat(sessions, owner: str, stop) -> None:
    """Renew the scheduler lease; a database hiccup is logged and tried again, a lost lease stops us."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with sessions() as session:
            if not renew_lease(session, SCHEDULER_LEASE, owner, LEASE_TTL):
                log.error("调度程序租约已被其他进程接管，停止运行")
                stop.set()
    except SQLAlchemyError as exc:
        log.warning("无法续租（数据库暂不可用）：%s", str(exc).splitlines()[0])


def _shutdown(scheduler: BackgroundScheduler, rt: jobs_schedule.Runtime, cfg: ScheduleConfig) -> None:
    """Stop taking new rounds; let rounds in flight finish within stop_grace; then abandon them (their
    subprocess groups are stopped and the rounds recorded as abandoned, to be taken up after a restart)."""
    import time

    if scheduler.running:
        scheduler.shutdown(wait=False)
    rt.stopping.set()
    deadline = time.monotonic() + cfg.stop_grace
    while rt.active and time.monotonic() < deadline and not rt.abandon.is_set():
        time.sleep(0.2)
    if rt.active:
        log.warning("放弃仍在运行的 %d 个作业（记为中止，下次启动后补跑）", len(rt.active))
        rt.abandon.set()
    deadline = time.monotonic() + jobs_schedule.KILL_GRACE + 10
    while rt.active and time.monotonic() < deadline:
        time.sleep(0.2)
