"""The `schedule:` section of sites.yaml, as validated configuration: when each audit step runs.

Kept in store/ beside the registry that embeds it (SitesFile.schedule); the scheduler turns it into jobs
(scheduler/schedule.py).
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from store.strict import StrictModel

# 国办秘函〔2019〕19号 (站点无法访问): one week of probes, at least 20 a day at varied times.
MIN_PROBES_PER_DAY = 20
DEFAULT_PROBES_PER_DAY = 24
# routine crawls at night, one group per kind an hour apart so they do not all start together
DEFAULT_CRAWL_CRON = {"department": "0 1 * * *", "county": "0 2 * * *", "township": "0 3 * * *"}
# broken links are re-verified at another time of day: a transient outage at 01:00 is not a broken link
DEFAULT_LINKS_CRON = "0 13 * * *"
# 柳政办〔2018〕142号: a bulletin every two months; the round itself runs at the time the draw picks
DEFAULT_DRAW_CRON = "0 9 1 */2 *"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ID = r"^[A-Za-z0-9_\-]+$"


def parse_duration(value: Any) -> int:
    """Seconds from 90, "90s", "10m", "6h" or "1d"."""
    if isinstance(value, bool):
        raise ValueError("应为时长，如 30s、10m、6h、1d")
    if isinstance(value, (int, float)) and value >= 0:
        return int(value)
    match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", str(value))
    if not match:
        raise ValueError("应为时长，如 30s、10m、6h、1d")
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


def _optional_duration(value: Any) -> int | None:
    return None if value is None else parse_duration(value)


def _cron(value: str | None) -> str | None:
    if value is None:
        return None
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value)
    except ValueError:
        raise ValueError("不是有效的 cron 表达式（5 个字段：分 时 日 月 星期，如 \"0 1 * * *\"）") from None
    return value


class _Timing(StrictModel):
    """Either a crontab line or a fixed interval; a section's default applies when neither is given."""

    cron: str | None = None
    every: int | None = None
    # with every: the first scheduled time (owed if the scheduler starts later, within the misfire grace), later
    # ones follow at the interval; default: now + every
    start: datetime | None = None

    _check_cron = field_validator("cron")(_cron)

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: Any) -> int | None:
        if value is None:
            return None
        seconds = parse_duration(value)
        if seconds < 1:
            raise ValueError("间隔应至少 1 秒")
        return seconds

    @field_validator("start", mode="before")
    @classmethod
    def _start(cls, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return value
        try:
            return datetime.fromisoformat(str(value))
        except ValueError:
            raise ValueError("应为日期时间，如 2026-12-01T09:00:00") from None

    @model_validator(mode="after")
    def _one_of(self):
        if self.cron is not None and self.every is not None:
            raise ValueError("cron 与 every 只能填写其中之一")
        if self.start is not None and self.every is None:
            raise ValueError("start（首次运行时间）只能与 every 一起使用")
        return self

    def trigger(self, default_cron: str) -> dict[str, Any]:
        if self.every is not None:
            return {"every": self.every, **({"start": self.start.isoformat()} if self.start else {})}
        return {"cron": self.cron or default_cron}


class CrawlGroup(_Timing):
    """Departments crawled (then checked) together: all of one kind, or an explicit list."""

    id: str = Field(min_length=1, max_length=64, pattern=_ID)
    kind: Literal["department", "county", "township"] | None = None
    departments: list[str] | None = None
    timeout: int | None = None  # this group's crawl time limit (large county portals need longer)

    _timeout = field_validator("timeout", mode="before")(_optional_duration)

    @model_validator(mode="after")
    def _members(self):
        if (self.kind is None) == (self.departments is None):
            raise ValueError("kind（按类型）与 departments（单位编号列表）应填写且只填写其中之一")
        if self.departments is not None and not self.departments:
            raise ValueError("departments 不能为空")
        return self


class ProbesConfig(StrictModel):
    enabled: bool = True
    per_day: int = DEFAULT_PROBES_PER_DAY
    departments: list[str] | None = None  # default: every department

    @field_validator("per_day")
    @classmethod
    def _per_day(cls, value: int) -> int:
        if not MIN_PROBES_PER_DAY <= value <= 86400:
            raise ValueError(f"应在 {MIN_PROBES_PER_DAY} 到 86400 之间（国办秘函〔2019〕19号：每天不少于 20 次、时间分散）")
        return value


class LinksConfig(_Timing):
    enabled: bool = True


class SpotcheckConfig(_Timing):
    enabled: bool = True
    draw_args: list[str] = Field(default_factory=list)  # extra arguments for `zwgk spotcheck draw`
    bulletin_dir: str = "bulletins"
    grace: int | None = None  # how late a round may still start after its drawn time

    _grace = field_validator("grace", mode="before")(_optional_duration)


class ScheduleConfig(StrictModel):
    timezone: str | None = None  # default: ZWGK_TZ, else Asia/Shanghai (as store.clock)
    fast: bool = False  # crawl without politeness delays: only for local test sites
    log_dir: str = "logs"
    max_parallel: int = 8  # rounds at once, counting those waiting for a department another round crawls
    stop_grace: int = 30  # on SIGTERM, let jobs in flight finish this long before abandoning them
    crawl_timeout: int = 6 * 3600
    command_timeout: int = 3600
    misfire_grace: int = 6 * 3600
    max_attempts: int = 3  # an abandoned round is taken up again at most this many times in all
    crawls: list[CrawlGroup] | None = None
    probes: ProbesConfig = ProbesConfig()
    links: LinksConfig = LinksConfig()
    spotcheck: SpotcheckConfig = SpotcheckConfig()

    _stop_grace = field_validator("stop_grace", mode="before")(parse_duration)

    @field_validator("crawl_timeout", "command_timeout", "misfire_grace", mode="before")
    @classmethod
    def _limits(cls, value: Any) -> int:
        if parse_duration(value) < 1:
            raise ValueError("应至少 1 秒")
        return parse_duration(value)

    @field_validator("max_parallel", "max_attempts")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("应为不小于 1 的整数")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError("不是有效的时区名称（如 Asia/Shanghai）") from None
        return value


def _against_registry(cfg: ScheduleConfig | None, info: ValidationInfo) -> ScheduleConfig | None:
    """Groups must name departments of this registry (checked when sites.yaml loads, so `sites validate` sees it)."""
    departments = info.data.get("departments")
    if cfg is None or not departments:
        return cfg
    known = {d.id for d in departments}
    kinds = {d.kind for d in departments}
    seen: set[str] = set()
    for i, group in enumerate(cfg.crawls or ()):
        if group.id in seen:
            raise ValueError(f"crawls[{i}].id: 编号重复（{group.id!r}），每个分组的编号须唯一")
        seen.add(group.id)
        if group.kind is not None and group.kind not in kinds:
            raise ValueError(f"crawls[{i}].kind: 名录中没有类型为 {group.kind!r} 的单位")
        _known_ids(group.departments, known, f"crawls[{i}].departments")
    _known_ids(cfg.probes.departments, known, "probes.departments")
    return cfg


def _known_ids(chosen: list[str] | None, known: set[str], where: str) -> None:
    for j, dept in enumerate(chosen or ()):
        if dept not in known:
            raise ValueError(f"{where}[{j}]: 名录中没有编号为 {dept!r} 的单位")


# the type of SitesFile.schedule (store/registry.py)
ScheduleField = Annotated[Optional[ScheduleConfig], AfterValidator(_against_registry)]
