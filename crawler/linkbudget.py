"""Link checks are capped per department, like pages, and cut where a site generates links without end.

A calendar page links every day, month and year, each a new `?d=` value on the same path, and each page
it links to does the same: one department produced 26,030 link checks. Two limits, both counted in the
run's shared claims (so that distributed workers share them):

- at most `max_checks` link checks per department (ZWGK_MAX_LINK_CHECKS_PER_DEPARTMENT);
- at most `max_variants` checks of URLs that differ only in their query string per path
  (ZWGK_MAX_QUERY_VARIANTS): the calendar's path is checked that many times, not forever.

What is cut is counted in the stats and recorded once per department or path as a crawl event
("link_cap", "query_trap"), so a report can say the checks were incomplete and why.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.claims import Claims
from crawler.items import CrawlEventItem
from store import clock


def query_family(url: str) -> str | None:
    """scheme://host/path of a URL with a query string (its "family"), or None without one."""
    parts = urlsplit(url)
    if not parts.query:
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"


@dataclass(frozen=True)
class Admission:
    admitted: bool
    event: CrawlEventItem | None = None  # the first refusal of its kind: to be recorded
    reason: str | None = None            # link_cap | query_trap


class LinkBudget:
    def __init__(self, claims: Claims, max_checks: int, max_variants: int) -> None:
        self.claims = claims
        self.max_checks = max_checks
        self.max_variants = max_variants

    def admit(self, dept_id: str | None, url: str) -> Admission:
        """Whether one more link check of `url` (for `dept_id`) may be made; call once per checked URL."""
        family = query_family(url)
        if family is not None:
            taken = self.claims.count(f"linkquery/{family}")
            if taken > self.max_variants:
                event = None
                if taken == self.max_variants + 1:
                    event = CrawlEventItem(
                        department_id=dept_id, url=family, kind="query_trap", at=clock.now(),
                        message=(f"同一地址 {family} 的不同查询参数链接超过 {self.max_variants} 个（疑似日历等"
                                 "无限生成的链接），其余未检查"))
                return Admission(False, event, "query_trap")
        if dept_id is None:
            return Admission(True)
        taken = self.claims.count(f"linkchecks/{dept_id}")
        if taken > self.max_checks:
            event = None
            if taken == self.max_checks + 1:
                event = CrawlEventItem(
                    department_id=dept_id, url=url, kind="link_cap", at=clock.now(),
                    message=f"本单位链接检查数量达到上限（{self.max_checks} 个），其余链接未检查")
            return Admission(False, event, "link_cap")
        return Admission(True)
