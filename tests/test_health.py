"""`zwgk health` and `--notify` (issue 15): each problem injected into a real database is reported (exit 1,
its line), a healthy one exits 0, and notifications reach a local SMTP server and a local HTTP sink once per
new problem."""
from __future__ import annotations

import json
import socket
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from store import clock
from store import models as m
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models_evidence import ProbeAttempt
from store.models_schedule import JobRun, Lease
from store.models_spotcheck import SpotcheckDraw, SpotcheckRound
from store.registry import ConfigError, load_registry

DEPARTMENTS = [
    {"id": "fgw", "name": "发展和改革委员会", "kind": "department", "catalog": "municipal-department",
     "url": "http://www.example.gov.cn/fgw/zwgk/"},
    {"id": "jyj", "name": "教育局", "kind": "department", "catalog": "municipal-department",
     "url": "http://www.example.gov.cn/jyj/zwgk/"},
]
# the login test's server allows AUTH without TLS (127.0.0.1 only); aiosmtpd warns about that
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
# every check except the one a test is about is kept quiet: no disk thresholds, no scheduler expected
QUIET = ("--disk-min-percent", "0", "--disk-min-gib", "0")


# --- local receivers -------------------------------------------------------------------------------------

class SmtpSink:
    def __init__(self, users: dict[str, str] | None = None) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[bytes] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(envelope.content)
                return "250 OK"

        with socket.socket() as probe:  # aiosmtpd's controller connects to its own port, so it needs a real one
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        def authenticator(server, session, envelope, mechanism, auth_data):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            return AuthResult(success=users is not None and users.get(login) == password, handled=False)

        # plain-text AUTH on 127.0.0.1 only: the client side of STARTTLS is smtplib's own
        params = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True} if users else {}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **params)
        self.controller.start()

    def subjects(self) -> list[str]:
        from email import message_from_bytes
        from email.header import decode_header, make_header

        return [str(make_header(decode_header(message_from_bytes(raw)["Subject"]))) for raw in self.messages]


class HttpSink:
    def __init__(self, status: int = 200) -> None:
        self.posts: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.posts.append({"body": json.loads(body), "auth": self.headers.get("Authorization")})
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alert"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def smtp():
    sink = SmtpSink()
    yield sink
    sink.controller.stop()


@pytest.fixture
def hook():
    sink = HttpSink()
    yield sink
    sink.server.shutdown()


def _sites(tmp_path, alerts=None, schedule=None, name="sites.yaml"):
    data = {"region": "示例市", "departments": DEPARTMENTS}
    if alerts is not None:
        data["alerts"] = alerts
    if schedule is not None:
        data["schedule"] = schedule
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def store(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


# --- what the tests inject ------------------------------------------------------------------------------

def _draw(session, n: int) -> SpotcheckDraw:
    now = clock.now()
    draw = SpotcheckDraw(created_at=now, algorithm="test", algorithm_version="1", frame={"region": "示例市"},
                         commitment=f"{n:064x}", committed_at=now, seed="0" * 64,
                         result={"departments": ["fgw", "jyj"]})
    session.add(draw)
    session.flush()
    return draw


def inject_stale_scheduler(session):
    now = clock.now()
    session.add(JobRun(job_id="probe", kind="probe", scheduled_at=now - timedelta(hours=1), status="ok",
                       started_at=now - timedelta(hours=1), finished_at=now - timedelta(hours=1)))
    session.add(Lease(name="scheduler", holder="host1:4242:abcd", acquired_at=now - timedelta(hours=2),
                      expires_at=now - timedelta(minutes=20)))


def inject_failed_job(session):
    now = clock.now()
    session.add(JobRun(job_id="crawl-department", kind="crawl", scheduled_at=now - timedelta(hours=3),
                       started_at=now - timedelta(hours=3), finished_at=now - timedelta(hours=2),
                       status="failed", exit_code=1, error="抓取进程退出码 1"))


def inject_failed_round(session):
    draw = _draw(session, 1)
    session.add(SpotcheckRound(draw_id=draw.id, year=2026, period=6, status="failed",
                               started_at=clock.now() - timedelta(hours=1), error="抓取失败"))


def inject_stuck_round(session):
    draw = _draw(session, 2)
    session.add(SpotcheckRound(draw_id=draw.id, year=2026, period=5, status="running",
                               started_at=clock.now() - timedelta(hours=30)))


def inject_failed_recheck(session):
    from store.models_spotcheck import SpotcheckRecheck

    draw = _draw(session, 4)
    spot = SpotcheckRound(draw_id=draw.id, year=2026, period=3, status="completed",
                          started_at=clock.now() - timedelta(days=3), finished_at=clock.now() - timedelta(days=3))
    session.add(spot)
    session.flush()
    session.add(SpotcheckRecheck(round_id=spot.id, started_at=clock.now() - timedelta(hours=2), status="failed",
                                 error="复查抓取失败"))


def inject_few_probes(session):
    start = datetime.combine(clock.today() - timedelta(days=1), datetime.min.time())
    for dept, count in (("fgw", 24), ("jyj", 7)):
        for i in range(count):
            session.add(ProbeAttempt(department_id=dept, url=f"http://www.example.gov.cn/{dept}/zwgk/", kind="root",
                                     started_at=start + timedelta(minutes=59 * i), elapsed_ms=100, ok=True, status=200))
    session.add(ProbeAttempt(department_id="fgw", url="http://www.example.gov.cn/fgw/zwgk/", kind="root",
                             started_at=start - timedelta(hours=5), elapsed_ms=100, ok=True, status=200))


def _crawl(session, status="completed", hours_ago=1.0) -> m.CrawlRun:
    run = m.CrawlRun(sites_file="sites.yaml", sites_hash="0" * 64, started_at=clock.now() - timedelta(hours=hours_ago),
                     status=status, departments=["fgw", "jyj"], stats={})
    session.add(run)
    session.flush()
    return run


def inject_interrupted_crawl(session):
    _crawl(session, "interrupted")


def inject_unfinished_check(session):
    crawl = _crawl(session, hours_ago=20)
    session.add(m.CheckRun(crawl_run_id=crawl.id, as_of=clock.today(), started_at=clock.now() - timedelta(hours=20)))


def inject_overdue(session):
    crawl = _crawl(session, hours_ago=24 * 40)
    check = m.CheckRun(crawl_run_id=crawl.id, as_of=clock.today() - timedelta(days=40),
                       started_at=crawl.started_at, finished_at=crawl.started_at)
    session.add(check)
    session.flush()
    draw = _draw(session, 3)
    session.add(SpotcheckRound(draw_id=draw.id, year=2026, period=4, status="completed", started_at=crawl.started_at,
                               finished_at=crawl.started_at, crawl_run_id=crawl.id, check_run_id=check.id))
    for dept, status in (("fgw", "open"), ("fgw", "open"), ("jyj", "rectified")):
        session.add(m.Finding(check_run_id=check.id, check="coverage.missing_item", department_id=dept,
                              severity="high", message="缺少栏目", fix="补充栏目", evidence={},
                              detected_at=crawl.started_at, as_of=check.as_of, status=status))


PROBLEMS = {  # what is injected → the line `zwgk health` must print
    "scheduler": (inject_stale_scheduler, "调度程序心跳已停止：租约（host1:4242:abcd）"),
    "job": (inject_failed_job, "作业 crawl-department 最近一次运行失败"),
    "round": (inject_failed_round, "2026年第6期抽查（#1）执行失败：抓取失败"),
    "stuck-round": (inject_stuck_round, "2026年第5期抽查（#1）自"),
    "recheck": (inject_failed_recheck, "抽查 #1 的复查（#1）执行失败：复查抓取失败"),
    "probes": (inject_few_probes, "单位 jyj 在"),
    "crawl": (inject_interrupted_crawl, "抓取批次 #1（开始于"),
    "check": (inject_unfinished_check, "检查批次 #1 自"),
    "overdue": (inject_overdue, "单位 fgw 在2026年第4期抽查中的 2 个问题已过整改期限"),
}


# --- tests ------------------------------------------------------------------------------------------------

def test_a_healthy_database_exits_0(zwgk, db_url, store, tmp_path):
    with store() as session:  # a scheduler alive, a job that ran, a completed crawl: nothing to report
        now = clock.now()
        session.add(JobRun(job_id="probe", kind="probe", scheduled_at=now, status="ok", started_at=now,
                           finished_at=now))
        session.add(Lease(name="scheduler", holder="h:1:x", acquired_at=now, expires_at=now + timedelta(seconds=60)))
        _crawl(session)
        session.commit()
    result = zwgk("--db", db_url, "health", *QUIET)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "正常：未发现问题"
    result = zwgk("--db", db_url, "health", "--format", "json", *QUIET)
    assert result.code == 0 and json.loads(result.stdout) == {"healthy": True, "problems": []}


@pytest.mark.parametrize("name", sorted(PROBLEMS))
def test_each_problem_is_reported(zwgk, db_url, store, tmp_path, name):
    inject, line = PROBLEMS[name]
    with store() as session:
        inject(session)
        session.commit()
    result = zwgk("--db", db_url, "health", *QUIET)
    assert result.code == 1, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert [x for x in lines if x.startswith(line)], lines
    assert "正常" not in result.stdout
    if name == "overdue":  # the JSON form carries the same lines, with the details
        data = json.loads(zwgk("--db", db_url, "health", "--format", "json", *QUIET).stdout)
        assert data["healthy"] is False and [p["kind"] for p in data["problems"]] == ["overdue"]
        assert data["problems"][0]["detail"]["open"] == 2 and data["problems"][0]["detail"]["department"] == "fgw"


def test_probe_minimum_follows_the_registry_and_the_threshold(zwgk, db_url, store, tmp_path):
    with store() as session:
        inject_few_probes(session)
        session.commit()
    sites = _sites(tmp_path)
    result = zwgk("--db", db_url, "health", str(sites), *QUIET)
    assert result.code == 1
    assert "单位 jyj" in result.stdout and "仅 7 次，少于每天 20 次" in result.stdout and "fgw" not in result.stdout
    # the registry names who must be probed; a department never probed is reported too
    sites = _sites(tmp_path, schedule={"probes": {"departments": ["fgw"]}})
    assert zwgk("--db", db_url, "health", str(sites), *QUIET).code == 0
    assert zwgk("--db", db_url, "health", "--min-probes", "5", *QUIET).code == 0
    sites = _sites(tmp_path, schedule={"probes": {"enabled": False}})
    assert zwgk("--db", db_url, "health", str(sites), *QUIET).code == 0


def test_scheduler_missing_and_overdue_within_deadline(zwgk, db_url, store, tmp_path):
    with store() as session:
        inject_stale_scheduler(session)
        session.commit()
    assert zwgk("--db", db_url, "health", "--scheduler-stale-minutes", "30", *QUIET).code == 0
    assert zwgk("--db", db_url, "health", "--no-scheduler", *QUIET).code == 0
    with store() as session:
        session.delete(session.get(Lease, "scheduler"))
        inject_overdue(session)
        session.commit()
    result = zwgk("--db", db_url, "health", *QUIET)
    assert result.code == 1 and "调度程序未运行" in result.stdout
    # 40 days ago plus 10 working days has passed; plus 60 working days has not
    result = zwgk("--db", db_url, "health", "--no-scheduler", "--deadline", "60", *QUIET)
    assert result.code == 0, result.stdout


def test_a_scheduler_stopped_after_storing_its_jobs_is_missed(zwgk, db_url, store):
    from store.models_schedule import apscheduler_jobs

    with store() as session:  # started, stored its jobs, stopped before any round ran
        session.execute(apscheduler_jobs.insert().values(id="probe", next_run_time=0.0, job_state=b"x"))
        session.commit()
    result = zwgk("--db", db_url, "health", *QUIET)
    assert result.code == 1 and result.stdout.strip() == "调度程序未运行：数据库中没有调度程序的租约（尚无作业运行记录）"
    assert zwgk("--db", db_url, "health", "--no-scheduler", *QUIET).code == 0


def test_disk_threshold(zwgk, db_url, tmp_path):
    result = zwgk("--db", db_url, "health", "--disk-min-percent", "100", "--disk-min-gib", "0", "--disk-path",
                  str(tmp_path))
    assert result.code == 1 and result.stdout.startswith("磁盘空间不足：") and "低于 0 GiB 或 100%" in result.stdout


def test_notify_sends_each_new_problem_once(zwgk, db_url, store, tmp_path, smtp, hook, monkeypatch):
    sites = _sites(tmp_path, alerts={
        "email": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "from": "zwgk@example.gov.cn",
                  "to": ["ops@example.gov.cn", "duty@example.gov.cn"]},
        "webhook": {"url": hook.url, "token_env": "ZWGK_TEST_HOOK_TOKEN"}})
    env = {"ZWGK_TEST_HOOK_TOKEN": "t0ken"}
    with store() as session:
        inject_stale_scheduler(session)
        inject_overdue(session)
        inject_failed_round(session)  # the newest round
        session.commit()
    args = ("--db", db_url, "health", str(sites), "--notify", "--min-probes", "0", *QUIET)
    first = zwgk(*args, env=env)
    assert first.code == 1, first.stderr
    assert len(first.stdout.strip().splitlines()) == 3
    assert len(smtp.messages) == 3 and len(hook.posts) == 3
    assert any("调度程序心跳已停止" in s for s in smtp.subjects())
    assert {p["body"]["kind"] for p in hook.posts} == {"scheduler", "round", "overdue"}
    assert all(p["auth"] == "Bearer t0ken" for p in hook.posts)
    # a monitoring system calls again five minutes later: the same problems, nothing sent again
    second = zwgk(*args, env=env)
    assert second.code == 1 and second.stdout == first.stdout
    assert len(smtp.messages) == 3 and len(hook.posts) == 3
    # a new problem: only it is sent
    with store() as session:
        inject_failed_job(session)
        session.commit()
    third = zwgk(*args, "--format", "json", env=env)
    data = json.loads(third.stdout)
    assert [s["channel"] for s in data["notified"]["sent"]] == ["email", "webhook"]
    assert len(smtp.messages) == 4 and len(hook.posts) == 4
    assert hook.posts[-1]["body"]["kind"] == "job" and "crawl-department" in hook.posts[-1]["body"]["message"]
    # the scheduler comes back: nothing to send, and it is forgotten; it stops again: sent again
    with store() as session:
        session.get(Lease, "scheduler").expires_at = clock.now() + timedelta(seconds=60)
        session.commit()
    fourth = zwgk(*args, env=env)
    assert "调度程序" not in fourth.stdout and len(smtp.messages) == 4
    with store() as session:
        session.get(Lease, "scheduler").expires_at = clock.now() - timedelta(minutes=20)
        session.commit()
    zwgk(*args, env=env)
    assert len(smtp.messages) == 5 and "调度程序心跳已停止" in smtp.subjects()[-1]
    assert hook.posts[-1]["body"]["kind"] == "scheduler"


def test_a_lasting_problem_is_sent_again_after_repeat_hours(zwgk, db_url, store, tmp_path, hook):
    sites = _sites(tmp_path, alerts={"webhook": {"url": hook.url}, "repeat_hours": 0.0003})  # about one second
    with store() as session:
        inject_failed_round(session)
        session.commit()
    args = ("--db", db_url, "health", str(sites), "--notify", "--min-probes", "0", *QUIET)
    zwgk(*args)
    zwgk(*args)  # at once: sent again only if a slow machine took over a second (times are whole seconds)
    count = len(hook.posts)
    assert 1 <= count <= 2
    time.sleep(1.5)
    zwgk(*args)
    assert len(hook.posts) == count + 1


def test_smtp_login_with_the_password_from_the_environment(zwgk, db_url, store, tmp_path):
    server = SmtpSink(users={"zwgk": "pa55-word"})
    try:
        sites = _sites(tmp_path, alerts={"email": {
            "host": "127.0.0.1", "port": server.port, "security": "none", "user": "zwgk",
            "password_env": "ZWGK_TEST_SMTP_PASSWORD", "from": "zwgk@example.gov.cn", "to": ["ops@example.gov.cn"]}})
        with store() as session:
            inject_failed_job(session)
            session.commit()
        args = ("--db", db_url, "health", str(sites), "--notify", "--min-probes", "0", "--no-scheduler", *QUIET)
        wrong = zwgk(*args, env={"ZWGK_TEST_SMTP_PASSWORD": "guess"})
        assert wrong.code == 1 and "邮件未能发送" in wrong.stderr and "用户名或口令错误" in wrong.stderr
        assert "guess" not in wrong.stdout + wrong.stderr and server.messages == []
        right = zwgk(*args, env={"ZWGK_TEST_SMTP_PASSWORD": "pa55-word"})
        assert right.code == 1 and "通知失败" not in right.stderr
        assert len(server.messages) == 1 and "作业 crawl-department 最近一次运行失败" in server.subjects()[0]
    finally:
        server.controller.stop()


def test_many_new_problems_end_in_one_digest(zwgk, db_url, store, tmp_path, smtp, hook):
    many = [{"id": f"d{i:02d}", "name": f"单位{i}", "kind": "department", "catalog": "municipal-department",
             "url": f"http://www.example.gov.cn/d{i:02d}/"} for i in range(12)]
    sites = tmp_path / "many.yaml"
    sites.write_text(yaml.safe_dump({"region": "示例市", "departments": many, "alerts": {
        "max_per_run": 5, "webhook": {"url": hook.url},
        "email": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "from": "zwgk@example.gov.cn",
                  "to": ["ops@example.gov.cn"]}}}, allow_unicode=True), encoding="utf-8")
    with store() as session:  # probes ran the day before yesterday, none yesterday: twelve departments short
        session.add(ProbeAttempt(department_id="d00", url="http://www.example.gov.cn/d00/", kind="root",
                                 started_at=datetime.combine(clock.today() - timedelta(days=2), datetime.min.time()),
                                 elapsed_ms=10, ok=True, status=200))
        session.commit()
    args = ("--db", db_url, "health", str(sites), "--notify", *QUIET)
    first = zwgk(*args)
    assert first.code == 1 and len(first.stdout.strip().splitlines()) == 12
    assert len(smtp.messages) == 5 and len(hook.posts) == 5
    digest = hook.posts[-1]["body"]
    assert digest["kind"] == "digest" and len(digest["detail"]["problems"]) == 8
    assert "另有 8 个问题（probes）" in smtp.subjects()[-1]
    zwgk(*args)
    assert len(smtp.messages) == 5 and len(hook.posts) == 5


def test_a_failed_delivery_is_tried_again(zwgk, db_url, store, tmp_path):
    refused = HttpSink(status=500)
    try:  # a chat robot's webhook carries its key in the query: not shown in messages
        sites = _sites(tmp_path, alerts={"webhook": {"url": refused.url + "?key=robot-secret"}})
        with store() as session:
            inject_failed_round(session)
            session.commit()
        args = ("--db", db_url, "health", str(sites), "--notify", "--min-probes", "0", *QUIET)
        first = zwgk(*args)
        assert first.code == 1 and f"通知失败：通知未能送达（{refused.url}）：对方返回 HTTP 500" in first.stderr
        assert "robot-secret" not in first.stdout + first.stderr
        zwgk(*args)
        assert len(refused.posts) == 2  # not remembered as sent
    finally:
        refused.server.shutdown()


@pytest.mark.parametrize("alerts, expected", [
    ({"webhook": {"url": "ftp://example.gov.cn/x"}}, "alerts.webhook.url: 应为以 http:// 或 https:// 开头的完整网址"),
    ({}, "alerts: 应至少填写 email 或 webhook 之一"),
    ({"email": {"host": "smtp.example.gov.cn", "from": "a@example.gov.cn", "to": ["b@example.gov.cn"],
                "password": "secret"}}, "alerts.email.password: 不认识的字段"),
    ({"email": {"host": "smtp.example.gov.cn", "from": "a@example.gov.cn", "to": ["b@example.gov.cn"],
                "user": "a", "password_env": "S3CRET-VALUE"}}, "alerts.email.password_env: 应为环境变量名"),
    ({"email": {"host": "smtp.example.gov.cn", "from": "a@example.gov.cn", "to": ["b@example.gov.cn"],
                "security": "tls"}}, "alerts.email.security: 取值无效"),
])
def test_alerts_section_is_validated(tmp_path, alerts, expected):
    with pytest.raises(ConfigError) as exc:
        load_registry(_sites(tmp_path, alerts=alerts))
    assert expected in str(exc.value)


def test_bad_input_exits_2(zwgk, db_url, tmp_path):
    sites = _sites(tmp_path, alerts={"email": {"host": "127.0.0.1", "from": "a@example.gov.cn",
                                               "to": ["b@example.gov.cn"], "user": "a",
                                               "password_env": "ZWGK_TEST_UNSET_PASSWORD"}})
    for args, line in ((("--notify",), "--notify: 须指定 sites.yaml"),
                       ((str(sites), "--notify"), "环境变量 ZWGK_TEST_UNSET_PASSWORD 未设置"),
                       (("--min-probes", "-1"), "--min-probes: 不能为负数"),
                       (("--disk-path", str(tmp_path / "nowhere")), "--disk-path: 目录"),
                       ((str(_sites(tmp_path, name="plain.yaml")), "--notify"), "没有 alerts: 段")):
        result = zwgk("--db", db_url, "health", *args, env={"ZWGK_TEST_UNSET_PASSWORD": ""})
        assert result.code == 2, (args, result.stdout, result.stderr)
        assert line in result.stderr and len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
