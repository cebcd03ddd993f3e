"""Site availability (站点无法访问): probe failure ratio over a window, and departments the crawl could not reach."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from fractions import Fraction
from typing import Any, Iterable

from sqlalchemy import select

from checks.base import Check, CheckConfigError, Finding, Severity, SkipCheck
from checks.context import AuditContext
from checks.registry import register
from store import models as m
from store.models_evidence import ProbeAttempt

# 开普云 / TRS monitors warn at 3 % (vendor practice); set failure_ratio to this for their practice
VENDOR_WARN_RATIO = 0.03


def _window(ctx: AuditContext, days: int) -> tuple[datetime, datetime]:
    """The `days` calendar days ending with the audit date (Beijing time, like every stored time)."""
    end = datetime.combine(ctx.as_of + timedelta(days=1), time.min)
    return end - timedelta(days=days), end


def _roots(ctx: AuditContext) -> dict[str, str]:
    if ctx.registry is not None:
        return {d.id: d.url for d in ctx.registry.departments}
    return dict(ctx.session.execute(select(m.Department.id, m.Department.url)).all())


def _same_page(a: str, b: str) -> bool:
    return a.split("#")[0].rstrip("/").lower() == b.split("#")[0].rstrip("/").lower()


def _attempt(a: ProbeAttempt) -> dict[str, Any]:
    return {"url": a.url, "kind": a.kind, "at": a.started_at.isoformat(sep=" "), "status": a.status,
            "reason": a.reason, "error": a.error, "elapsed_ms": a.elapsed_ms}


@register
class SiteUnreachableCheck(Check):
    """站点无法访问"""

    id = "site.unreachable"
    severity = Severity.HIGH
    rule = ("《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）单项否决：一周内每天不少于 20 次、"
            "不同时段访问首页，页面超过 15 秒未打开即为访问失败，失败比例达到 5% 即为站点无法访问；"
            f"抓取期间全部访问均失败的单位即时报告（厂商监测在失败比例 {VENDOR_WARN_RATIO:.0%} 时预警，可配置 failure_ratio）")
    defaults = {
        "window_days": 7,         # 国办秘函〔2019〕19号: one week of probes
        "failure_ratio": 0.05,    # 国办秘函〔2019〕19号: veto at 5 % failures (vendor monitors: 0.03)
        "min_attempts": 20,       # 国办秘函〔2019〕19号: at least 20 probes a day; fewer are not judged
        "max_examples": 10,       # failed attempts quoted in the evidence
    }

    def run(self, ctx: AuditContext) -> Iterable[Finding]:
        days, ratio = self.settings["window_days"], self.settings["failure_ratio"]
        if not (isinstance(days, int) and days > 0 and 0 < float(ratio) <= 1 and int(self.settings["min_attempts"]) >= 1):
            raise CheckConfigError("检查项 site.unreachable 的阈值无效：window_days 应为正整数，failure_ratio 应在 0 到 1 之间，"
                                   "min_attempts 应不小于 1")
        depts = ctx.department_ids
        start, end = _window(ctx, days)
        attempts = ctx.session.scalars(
            select(ProbeAttempt).where(ProbeAttempt.department_id.in_(depts), ProbeAttempt.started_at >= start,
                                       ProbeAttempt.started_at < end)
            .order_by(ProbeAttempt.department_id, ProbeAttempt.started_at.desc(), ProbeAttempt.id.desc())).all()
        by_dept: dict[str, list[ProbeAttempt]] = defaultdict(list)
        for a in attempts:
            by_dept[a.department_id].append(a)
        events = self._unreachable_in_crawl(ctx)
        window = {"days": days, "from": start.isoformat(sep=" "), "to": end.isoformat(sep=" ")}
        judged = bool(events)
        for dept in depts:
            probes = self._probe_evidence(by_dept.get(dept, []), window)
            over = probes is not None and probes["attempts"] >= self.settings["min_attempts"]
            judged = judged or over
            hit = over and Fraction(probes["failures"], probes["attempts"]) >= Fraction(str(ratio))
            if dept in events:
                event = events[dept]
                evidence = {"rule": "crawl", "crawl_event": {"url": event.url, "at": event.at.isoformat(sep=" "),
                                                             "message": event.message, "run": ctx.run_id}}
                if probes:
                    evidence["probes"] = probes
                yield Finding(check=self.id, department=dept, url=event.url, kind="crawl", evidence=evidence,
                              detected_at=event.at)
            elif hit:
                worst = max(probes["by_url"], key=lambda u: (u["failures"], u["kind"] == "home"))
                yield Finding(check=self.id, department=dept, url=worst["url"], kind="ratio",
                              evidence={"rule": "ratio", **probes})
        if not judged:
            raise SkipCheck(f"评估窗口（{days} 天）内没有单位的可用性探测达到 {self.settings['min_attempts']} 次，"
                            "本次抓取也没有无法访问的单位；请定时运行 zwgk probe")

    def _unreachable_in_crawl(self, ctx: AuditContext) -> dict[str, m.CrawlEvent]:
        """Departments whose disclosure root the crawl could not load at all (every try failed)."""
        roots = _roots(ctx)
        found: dict[str, m.CrawlEvent] = {}
        for event in ctx.session.scalars(select(m.CrawlEvent).where(
                m.CrawlEvent.run_id == ctx.run_id, m.CrawlEvent.kind == "unreachable",
                m.CrawlEvent.department_id.in_(ctx.department_ids)).order_by(m.CrawlEvent.at)):
            root = roots.get(event.department_id)
            if root is None or _same_page(root, event.url):
                found.setdefault(event.department_id, event)
        return found

    def _probe_evidence(self, attempts: list[ProbeAttempt], window: dict[str, Any]) -> dict[str, Any] | None:
        if not attempts:
            return None
        judged = [a for a in attempts if a.ok is not None]
        failed = [a for a in judged if a.ok is False]
        per_url: dict[tuple[str, str], dict[str, Any]] = {}
        for a in judged:
            row = per_url.setdefault((a.kind, a.url), {"url": a.url, "kind": a.kind, "attempts": 0, "failures": 0})
            row["attempts"] += 1
            row["failures"] += a.ok is False
        return {
            "window": window,
            "attempts": len(judged),
            "failures": len(failed),
            "ratio": round(len(failed) / len(judged), 4) if judged else None,
            "threshold": self.settings["failure_ratio"],
            "unverified": len(attempts) - len(judged),
            "by_url": sorted(per_url.values(), key=lambda r: (r["kind"] != "home", r["url"])),
            "examples": [_attempt(a) for a in failed[: self.settings["max_examples"]]],
        }
