"""When each audit step runs: `job_specs(registry)` turns the `schedule:` section of sites.yaml (or its
defaults) into the list of jobs the scheduler registers; everything is data so a job can be persisted and
compared across restarts. The section's models live in store/schedule_config.py.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from store.schedule_config import (DEFAULT_CRAWL_CRON, DEFAULT_DRAW_CRON, DEFAULT_LINKS_CRON, CrawlGroup,
                                   ScheduleConfig, parse_duration)

if TYPE_CHECKING:
    from store.registry import Registry

__all__ = ["JobSpec", "ScheduleConfig", "config_of", "job_specs", "parse_duration", "round_spec"]


@dataclass(frozen=True)
class JobSpec:
    """One job as the scheduler stores it: plain data, compared across restarts to keep or replace it."""

    id: str
    kind: str  # crawl | probe | links | draw | round
    trigger: dict[str, Any]  # {"cron": …} | {"every": s} | {"per_day": n} | {"date": iso}
    timeout: int
    grace: int
    group: str | None = None
    departments: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["departments"] = list(self.departments)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobSpec:
        return cls(**{**data, "departments": tuple(data.get("departments") or ())})


def config_of(registry: Registry) -> ScheduleConfig:
    return registry.sites.schedule or ScheduleConfig()


def job_specs(registry: Registry) -> list[JobSpec]:
    """Every recurring job the registry's schedule asks for (defaults where the section is silent)."""
    cfg = config_of(registry)
    specs = [_crawl_spec(registry, cfg, group) for group in _groups(registry, cfg)]
    if cfg.probes.enabled:
        specs.append(JobSpec("probe", "probe", {"per_day": cfg.probes.per_day}, cfg.command_timeout,
                             grace=86400 // cfg.probes.per_day, departments=tuple(cfg.probes.departments or ())))
    if cfg.links.enabled:
        specs.append(JobSpec("links", "links", cfg.links.trigger(DEFAULT_LINKS_CRON), cfg.crawl_timeout,
                             cfg.misfire_grace))
    if cfg.spotcheck.enabled:
        specs.append(JobSpec("spotcheck-draw", "draw", cfg.spotcheck.trigger(DEFAULT_DRAW_CRON), cfg.command_timeout,
                             cfg.misfire_grace, options={"draw_args": list(cfg.spotcheck.draw_args),
                                                         "bulletin_dir": cfg.spotcheck.bulletin_dir,
                                                         "round_grace": cfg.spotcheck.grace or 12 * 3600}))
    return specs


def round_spec(draw: JobSpec, draw_id: str, scheduled_at: str, departments: list[str], timeout: int) -> JobSpec:
    """The one-off job for a drawn 三随机 round, run at the drawn time."""
    safe = re.sub(r"[^A-Za-z0-9_\-]", "_", draw_id)[:120]
    return JobSpec(f"spotcheck-round-{safe}", "round", {"date": scheduled_at}, timeout,
                   draw.options.get("round_grace", 12 * 3600), departments=tuple(departments),
                   options={"draw_id": draw_id, "bulletin_dir": draw.options.get("bulletin_dir", "bulletins")})


def _groups(registry: Registry, cfg: ScheduleConfig) -> list[CrawlGroup]:
    if cfg.crawls is not None:
        return list(cfg.crawls)
    present = {d.kind for d in registry.departments}
    return [CrawlGroup(id=kind, kind=kind, cron=cron) for kind, cron in DEFAULT_CRAWL_CRON.items() if kind in present]


def _crawl_spec(registry: Registry, cfg: ScheduleConfig, group: CrawlGroup) -> JobSpec:
    members = group.departments or [d.id for d in registry.departments if d.kind == group.kind]
    trigger = group.trigger(DEFAULT_CRAWL_CRON.get(group.kind or "department", DEFAULT_CRAWL_CRON["department"]))
    return JobSpec(f"crawl-{group.id}", "crawl", trigger, group.timeout or cfg.crawl_timeout, cfg.misfire_grace,
                   group=group.id, departments=tuple(dict.fromkeys(members)))
