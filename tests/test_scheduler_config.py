"""The `schedule:` section, its defaults, the probe trigger, and the store's atomic claims (no scheduler process)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml

from scheduler.app import SlotTrigger, make_trigger
from scheduler.schedule import JobSpec, job_specs
from store import clock
from store.db import make_engine, session_factory
from store.migrate import upgrade
from store.models_schedule import JobRun, acquire_lease, claim_round, record_skip, release_leases
from store.registry import ConfigError, load_registry

DEPARTMENTS = [
    {"id": "fgw", "name": "发展和改革委员会", "kind": "department", "catalog": "municipal-department",
     "url": "http://www.example.gov.cn/fgw/zwgk/"},
    {"id": "xq", "name": "某某县", "kind": "county", "catalog": "county-government",
     "url": "http://xq.example.gov.cn/zwgk/"},
]


def _registry(tmp_path, schedule=None):
    data = {"region": "示例市", "departments": DEPARTMENTS}
    if schedule is not None:
        data["schedule"] = schedule
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_registry(path)


def test_defaults_follow_the_rules(tmp_path):
    specs = {s.id: s for s in job_specs(_registry(tmp_path))}
    assert set(specs) == {"crawl-department", "crawl-county", "probe", "links", "spotcheck-draw"}
    # one routine crawl group per kind present, at night, an hour apart
    assert specs["crawl-department"].departments == ("fgw",) and specs["crawl-department"].trigger == {"cron": "0 1 * * *"}
    assert specs["crawl-county"].departments == ("xq",) and specs["crawl-county"].trigger == {"cron": "0 2 * * *"}
    assert specs["probe"].trigger == {"per_day": 24}  # 国办秘函〔2019〕19号: ≥ 20 a day
    assert specs["spotcheck-draw"].trigger == {"cron": "0 9 1 */2 *"}  # 柳政办〔2018〕142号: every two months


def test_explicit_groups_and_intervals(tmp_path):
    specs = {s.id: s for s in job_specs(_registry(tmp_path, {
        "crawls": [{"id": "key", "departments": ["xq", "fgw"], "every": "2h", "start": "2026-12-01T08:00:00",
                    "timeout": "30m"}],
        "probes": {"per_day": 48, "departments": ["fgw"]}, "links": {"enabled": False},
        "spotcheck": {"cron": "0 10 1 * *", "draw_args": ["--count", "2"]}}))}
    assert set(specs) == {"crawl-key", "probe", "spotcheck-draw"}
    assert specs["crawl-key"].departments == ("xq", "fgw")
    assert specs["crawl-key"].trigger == {"every": 7200, "start": "2026-12-01T08:00:00"}
    assert specs["crawl-key"].timeout == 1800 and specs["spotcheck-draw"].timeout == 3600
    assert specs["probe"].departments == ("fgw",) and specs["probe"].grace == 1800
    assert specs["spotcheck-draw"].options["draw_args"] == ["--count", "2"]
    assert JobSpec.from_dict(specs["crawl-key"].as_dict()) == specs["crawl-key"]


@pytest.mark.parametrize("schedule, expected", [
    ({"crawlz": []}, "schedule.crawlz: 不认识的字段"),
    ({"probes": {"per_day": 19}}, "schedule.probes.per_day: 应在 20 到 86400 之间（国办秘函〔2019〕19号"),
    ({"probes": {"departments": ["nope"]}}, "schedule: probes.departments[0]: 名录中没有编号为 'nope' 的单位"),
    ({"crawls": [{"id": "a", "kind": "township"}]}, "schedule: crawls[0].kind: 名录中没有类型为 'township' 的单位"),
    ({"crawls": [{"id": "a", "kind": "county"}, {"id": "a", "departments": ["fgw"]}]}, "crawls[1].id: 编号重复"),
    ({"crawls": [{"id": "a"}]}, "schedule.crawls[0]: kind（按类型）与 departments（单位编号列表）应填写且只填写其中之一"),
    ({"links": {"cron": "0 1 * *"}}, "schedule.links.cron: 不是有效的 cron 表达式"),
    ({"links": {"cron": "0 1 * * *", "every": "1h"}}, "schedule.links: cron 与 every 只能填写其中之一"),
    ({"links": {"every": "soon"}}, "schedule.links.every: 应为时长，如 30s、10m、6h、1d"),
    ({"stop_grace": "5 minutes"}, "schedule.stop_grace: 应为时长"),
    ({"timezone": "Mars/Olympus"}, "schedule.timezone: 不是有效的时区名称"),
])
def test_bad_schedule_is_one_chinese_line(tmp_path, schedule, expected):
    with pytest.raises(ConfigError) as exc:
        _registry(tmp_path, schedule)
    assert expected in str(exc.value) and "\n" not in str(exc.value)


@pytest.mark.parametrize("per_day", [20, 24, 97])
def test_probe_trigger_fires_once_per_slot_at_varied_times(per_day):
    tz = ZoneInfo("Asia/Shanghai")
    trigger = SlotTrigger(per_day, tz)
    day = datetime.fromtimestamp(trigger.anchor, tz) + timedelta(days=3)
    fires, t = [], trigger.get_next_fire_time(None, day - timedelta(microseconds=1))
    while t < day + timedelta(days=1):
        fires.append(t)
        t = trigger.get_next_fire_time(t, t)
    slot = 86400 / per_day
    assert len(fires) == per_day  # exactly per_day a day: jitter does not drift
    assert [int((f - day).total_seconds() // slot) for f in fires] == list(range(per_day))
    assert len({(f - day).total_seconds() % slot for f in fires}) > 1  # not a fixed offset


def test_a_drawn_time_without_zone_is_local_time():
    spec = JobSpec("spotcheck-round-7", "round", {"date": "2026-12-03T10:17"}, 60, 60)
    fire = make_trigger(spec, ZoneInfo("UTC")).get_next_fire_time(None, datetime.now(ZoneInfo("UTC")))
    assert fire.astimezone(clock.zone()).replace(tzinfo=None) == datetime(2026, 12, 3, 10, 17)


def test_claims_and_leases_are_atomic(db_url):
    engine = make_engine(db_url)
    upgrade(engine)
    Session = session_factory(engine)
    when = datetime(2026, 11, 20, 1, 0)
    values = {"kind": "crawl", "group_id": "g", "departments": ["fgw"], "spec": {}}
    with Session() as a, Session() as b:
        first = claim_round(a, job_id="crawl-g", scheduled_at=when, owner="s1", values=values, max_attempts=2)
        assert first is not None and first.attempt == 1
        # the same round claimed again (a second firing after a crash) is refused
        assert claim_round(b, job_id="crawl-g", scheduled_at=when, owner="s2", values=values, max_attempts=2) is None
        assert not record_skip(b, job_id="crawl-g", scheduled_at=when, reason="x", values=values, owner="s2")
        first.status = "abandoned"
        a.commit()
        again = claim_round(b, job_id="crawl-g", scheduled_at=when, owner="s2", values=values, max_attempts=2)
        assert again is not None and again.attempt == 2 and again.owner == "s2"
        again.status = "abandoned"
        b.commit()  # attempts used up: stays abandoned
        assert claim_round(a, job_id="crawl-g", scheduled_at=when, owner="s3", values=values, max_attempts=2) is None
        assert a.query(JobRun).count() == 1

        ttl = timedelta(minutes=5)
        assert acquire_lease(a, "department:fgw", "run:1", ttl)
        assert not acquire_lease(b, "department:fgw", "run:2", ttl)
        assert acquire_lease(b, "department:fgw", "run:2", ttl, steal_from="run:1")  # holder known dead
        assert release_leases(a, "run:2") == 1
        assert acquire_lease(a, "department:fgw", "run:3", timedelta(seconds=-1))  # already expired
        assert acquire_lease(b, "department:fgw", "run:4", ttl)
    engine.dispose()
